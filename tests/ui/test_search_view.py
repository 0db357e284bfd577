"""The 检索 tab's HTML and records: matches grouped per passage, KWIC lines with offsets, notices."""

from __future__ import annotations

from index.types import Hit
from service.hits import hit_to_dict
from tests.ui.fakes import DOCUMENT, P_5G, TITLE, passage
from ui import search_view as sv


def _hit(pid: str, highlights=(), score: float = 1.0) -> dict:
    return hit_to_dict(Hit(passage(pid), score, tuple(highlights)), TITLE)


def _occurrences(pid: str, word: str) -> list[dict]:
    text = passage(pid).text
    out, i = [], text.find(word)
    while i >= 0:
        out.append(_hit(pid, [(i, i + len(word))]))
        i = text.find(word, i + len(word))
    return out


def test_occurrences_in_one_passage_become_one_hit_with_every_mark_and_a_count():
    hits = _occurrences("demo-plan#p1.s0", "5G") + _occurrences("demo-plan#p0.s0", "链")
    grouped = sv.group_by_passage(hits)
    assert [g["id"] for g in grouped] == ["demo-plan#p1.s0", "demo-plan#p0.s0"]
    assert grouped[0]["count"] == 2 and grouped[0]["highlights"] == [[P_5G.index("5G"), P_5G.index("5G") + 2],
                                                                     [P_5G.rindex("5G"), P_5G.rindex("5G") + 2]]
    html = sv.search_results(grouped[:1], "exact")
    assert html.count('class="pq-card pq-result"') == 1 and html.count("<mark>5G</mark>") == 2
    assert "本段 2 处" in html and "相关度" not in html and "在文档中查看" in html


def test_matches_carry_document_offsets_and_context_that_stops_at_line_breaks():
    (g,) = sv.group_by_passage(_occurrences("demo-plan#p1.s0", "5G"))
    first, second = sv.matches(g, DOCUMENT.text, width=6)
    start = passage("demo-plan#p1.s0").span[0]
    assert first.offset == start + P_5G.index("5G") and DOCUMENT.text[first.offset:first.offset + 2] == "5G"
    assert (first.left, first.match, first.right) == ("设完成4000个"[-6:], "5G", "基站，实现重")
    assert second.offset == start + P_5G.rindex("5G")
    assert first.section == "五、重点任务 › （六）强化新型基础设施建设" and first.passage_id == "demo-plan#p1.s0"
    (p0,) = sv.group_by_passage(_occurrences("demo-plan#p0.s0", "实施"))
    (m,) = sv.matches(p0, DOCUMENT.text, width=50)
    assert m.left == ""  # the heading line above is not part of the context


def test_a_table_row_match_is_found_in_the_document_text():
    # A row's text renders its cells ("项目名称：…"); the offset is where the cell is in the document.
    doc_text = "前文钢铁。\n1 钢铁厂改造 12\n"
    start = doc_text.index("1 钢铁厂")
    row = {"id": "d#t1.r0", "doc_id": "d", "doc_title": "D", "kind": "table_row", "section": ["附表"],
           "text": "序号：1；项目名称：钢铁厂改造", "span": [start, len(doc_text) - 1],
           "highlights": [[10, 12]], "row": {"项目名称": "钢铁厂改造"}}
    (m,) = sv.matches(row, doc_text)
    assert (m.offset, m.match, m.left, m.right) == (start + 2, "钢铁", "序号：1；项目名称：", "厂改造")
    (fallback,) = sv.matches(row, None)
    assert fallback.offset == start


def test_summary_counts_matches_and_passages_and_links_the_search():
    html = sv.search_summary(7, 3.2, "exact", 2, [(TITLE, 7)], passages=5, link="/ui/?q=x&mode=exact")
    assert "共 7 处匹配，分布在 5 个段落" in html and "显示前 2 个段落" in html and "出现次数" in html
    assert 'href="/ui/?q=x&amp;mode=exact"' in html
    assert "共 3 条结果" in sv.search_summary(3, 1.0, "hybrid", 3, [])


def test_phrase_notice_says_whether_the_whole_phrase_occurs():
    assert "没有出现" in sv.phrase_notice("人才<引进>", 0) and "&lt;引进&gt;" in sv.phrase_notice("人才<引进>", 0)
    assert "逐字出现 <b>3</b> 处" in sv.phrase_notice("x", 3)


def test_kwic_table_aligns_three_columns_escapes_and_names_the_section():
    m = sv.Match("文档", "一、总 › （一）分", "d#p0", 0, "左<", "链长制", ">右")
    html = sv.kwic_table([m])
    assert '<td class="pq-left"><div>左&lt;</div></td><td class="pq-match"><mark>链长制</mark></td>' in html
    assert '<td class="pq-right"><div>&gt;右</div></td>' in html and ">（一）分</td>" in html
    assert "关键词上下文视图" in sv.kwic_table([])
