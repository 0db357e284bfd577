"""HTML rendering: escaping, highlight placement, row tables, citation panel, KWIC and outline."""

from __future__ import annotations

import re

from index.types import Hit
from service.hits import hit_to_dict
from tests.ui.fakes import DOCUMENT, P_5G, P_TRICKY, TITLE, passage
from ui import render


def _hit(pid: str, highlights=(), score: float = 1.0) -> dict:
    return hit_to_dict(Hit(passage(pid), score, tuple(highlights)), TITLE)


def test_esc_escapes_markup_quotes_and_template_syntax():
    out = render.esc('<b a="x">&{{v}} ${w}\'</b>')
    assert "<" not in out and ">" not in out and '"' not in out and "'" not in out
    assert "{" not in out and "}" not in out and "$" not in out
    assert out.startswith("&lt;b a=&quot;x&quot;&gt;&amp;&#123;&#123;v")


def test_highlight_wraps_exact_ranges_and_escapes_inside_and_outside():
    text = "a<b>c链长制d"
    out = render.highlight(text, [(1, 4), (5, 8)])
    assert out == "a<mark>&lt;b&gt;</mark>c<mark>链长制</mark>d"


def test_highlight_merges_overlaps_clamps_and_drops_empty_ranges():
    assert render.merge_ranges([(5, 9), (0, 2), (1, 3), (3, 4), (7, 7), (-4, 0), (8, 99)], 10) == [(0, 4), (5, 10)]
    assert render.highlight("abcdef", [(4, 99), (-3, 1)]) == "<mark>a</mark>bcd<mark>ef</mark>"
    assert render.highlight("abc", []) == "abc"


def test_highlight_terms_marks_every_occurrence():
    assert render.highlight_terms("5G与5G", ["5G"]) == "<mark>5G</mark>与<mark>5G</mark>"
    assert render.highlight_terms("x<y", ["<"]) == "x<mark>&lt;</mark>y"


def test_paragraph_body_highlights_the_cited_sentence():
    pid = "demo-plan#p1.s0"
    end = P_5G.index("。") + 1
    body = render.passage_body(_hit(pid, [(0, end)]))
    assert body.startswith('<p class="pq-text"><mark>到2025年，建设完成4000个5G基站')
    assert re.search(r"</mark>智能电表", body)


def test_tricky_text_never_becomes_markup():
    body = render.passage_body(_hit("demo-plan#p2.s0"))
    assert "<script>" not in body
    assert "&lt;script&gt;" in body
    assert "{{" not in body and "${" not in body
    assert P_TRICKY not in body  # the raw string would contain live markup


def test_row_table_shows_category_cells_and_highlighted_terms():
    hit = _hit("demo-plan#t1.r0", [(0, 2)])  # "类别" in the row text
    html = render.passage_body(hit)
    assert html.startswith('<table class="pq-row"><caption>类别：一、战略性新兴产业 › （一）高端装备制造</caption>')
    assert '<th scope="row">项目名称</th><td>永磁直驱系统系列产品生产项目</td>' in html
    assert "类别" not in html.split("</caption>")[1]  # the category is the caption, not a row
    hit = _hit("demo-plan#t1.r0", [(hit["text"].index("永磁"), hit["text"].index("永磁") + 2)])
    assert "<td><mark>永磁</mark>直驱系统系列产品生产项目</td>" in render.passage_body(hit)


def test_row_table_escapes_cells_and_marks_total_rows():
    html = render.row_table({"项目名称": "钢铁 <改造> 项目", "类别": "二、传统产业", "合计行": True})
    assert "钢铁 &lt;改造&gt; 项目" in html
    assert "合计行</span>" in html and "<th scope=\"row\">合计行" not in html


def test_citation_panel_numbers_cards_and_shows_title_and_heading_path():
    cites = [_hit("demo-plan#p1.s0", [(0, 5)]), _hit("demo-plan#t1.r1")]
    html = render.citations_panel(cites, grounded=True)
    assert "pq-banner" not in html
    assert html.count('class="pq-card"') == 2
    assert '<span class="pq-num">1</span>' in html and '<span class="pq-num">2</span>' in html
    assert TITLE in html
    assert "五、重点任务 › （六）强化新型基础设施建设" in html
    assert 'id="pq-cite-2"' in html


def test_ungrounded_answers_get_the_yellow_notice():
    html = render.citations_panel([], grounded=False, notes=["没有足够相关的段落"])
    assert 'class="pq-banner"' in html and "文档中未找到依据" in html
    assert "没有足够相关的段落" in html
    md = render.answer_markdown("无法回答。", [], grounded=False)
    assert "文档中未找到依据" in md


def test_answer_markdown_turns_markers_into_superscripts_and_lists_sources():
    cites = [_hit("demo-plan#p1.s0")]
    md = render.answer_markdown("建设完成4000个5G基站[1]。<b>", cites)
    assert '4000个5G基站<sup class="pq-ref">[1]</sup>。&lt;b&gt;' in md
    assert "来源：[1] 五、重点任务 › （六）强化新型基础设施建设" in md


def test_kwic_lines_use_document_context_and_stop_at_line_breaks():
    pid = "demo-plan#p0.s0"
    p = passage(pid)
    a = p.text.index("链长制")
    hit = _hit(pid, [(a, a + 3)])
    (left, match, right), = render.kwic_lines(hit, DOCUMENT.text, width=12)
    assert match == "链长制"
    assert left == p.text[a - 12:a]
    assert right.startswith("”，推动")
    (left2, _, _), = render.kwic_lines(hit, DOCUMENT.text, width=200)
    assert left2 == p.text[:a]  # the heading line above is not part of the context
    (left3, m3, _), = render.kwic_lines(hit, None, width=5)
    assert (left3, m3) == (p.text[a - 5:a], "链长制")


def test_kwic_table_aligns_three_columns_and_escapes():
    html = render.kwic_table([("左<", "链长制", ">右", "（一）")])
    assert '<td class="pq-left"><div>左&lt;</div></td>' in html
    assert '<td class="pq-match"><mark>链长制</mark></td>' in html
    assert '<td class="pq-right">&gt;右</td>' in html
    assert "关键词上下文视图" in render.kwic_table([])


def test_search_summary_counts_and_per_document_table():
    html = render.search_summary(7, 3.2, "exact", 5, [(TITLE, 7)])
    assert "共 7 处匹配" in html and "显示前 5 条" in html and "出现次数" in html
    assert f"<td>{render.esc(TITLE)}</td><td class='pq-n'>7</td>" in html
    assert "条结果" in render.search_summary(3, 1.0, "hybrid", 3, [])


def test_search_results_cards_and_empty_state():
    html = render.search_results([_hit("demo-plan#p0.s0", [(20, 23)], score=0.5)])
    assert "<mark>" in html and "相关度 0.500" in html and "位置 " in html
    assert "没有找到匹配的内容" in render.search_results([])


def test_outline_items_carry_indices_levels_and_selection():
    html = render.outline([(0, 1, "一、<总>"), (1, 2, "（一）分")], selected=1)
    assert 'data-idx="0"' in html and 'data-idx="1"' in html
    assert "pq-l1" in html and 'class="pq-h pq-sel pq-l2"' in html
    assert "一、&lt;总&gt;" in html


def test_table_row_sources_name_table_category_and_row():
    hit = _hit("demo-plan#t1.r0")
    assert render.source_label(hit) == "附件1：重大项目列表 › （一）高端装备制造 › 永磁直驱系统系列产品生产项目"
    md = render.answer_markdown("共 2 个[1]。", [hit])
    assert "来源：[1] 附件1：重大项目列表 › （一）高端装备制造 › 永磁直驱系统系列产品生产项目" in md


def test_panel_says_how_the_answer_was_made_and_tucks_notes_away():
    html = render.citations_panel([_hit("demo-plan#t1.r0")], kind="aggregate", notes=["retrieval failed"])
    assert "回答方式：按表格逐行汇总计算" in html
    assert "<details" in html and "retrieval failed" in html


def test_cards_not_referenced_by_the_answer_are_tagged_related():
    cites = [_hit("demo-plan#p1.s0"), _hit("demo-plan#p0.s0")]
    html = render.citations_panel(cites, referenced=render.cited_numbers("4000个[1]。"))
    first, second = html.split('id="pq-cite-2"')
    assert "相关段落" not in first and "相关段落" in second
    assert "相关段落" not in render.citations_panel(cites)  # unknown: no tags
    md = render.answer_markdown("4000个[1]。", cites)
    assert "[1] 五、重点任务" in md and "[2]" not in md


def test_long_source_lists_fold_away_in_the_chat_bubble():
    cites = [_hit("demo-plan#t1.r0"), _hit("demo-plan#t1.r1"), _hit("demo-plan#t1.r2"), _hit("demo-plan#p1.s0")]
    md = render.answer_markdown("共 4 个[1][2][3][4]。", cites)
    assert '<details class="pq-sources"><summary>来源：共 4 条' in md and md.count("<br>") == 3
    assert "<details" not in render.answer_markdown("共 1 个[1]。", cites)
