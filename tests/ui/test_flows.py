"""The tab handlers over a fake runtime: streaming answers, search views, CSV, error messages."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest

from ingest.errors import IndexError_, InvalidRequest, NotFound, PlanqaError
from tests.ui.fakes import DOC_ID, P_5G, TITLE, FakeRuntime
from ui import ask, search
from ui.errors import InputProblem, check_text, friendly
from ui.export import COLUMNS


def test_answer_streams_chunks_then_renders_citations():
    rt = FakeRuntime()
    steps = list(ask.answer_turn(rt, "到2025年要建设多少个5G基站？", ask.new_state(), 5, DOC_ID))
    messages0, panel0, _ = steps[0]
    assert messages0[-1]["content"] == ask.THINKING and "正在查找依据" in panel0
    partial = [s[0][-1]["content"] for s in steps[1:-1]]
    assert len(partial) >= 3 and all(p.endswith("▍") for p in partial)
    messages, panel, state = steps[-1]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "4000" in messages[-1]["content"] and '<sup class="pq-ref pq-t1 pq-n1"' in messages[-1]["content"]
    assert "<strong>4000个</strong>" in messages[-1]["content"]  # the short answer leads
    assert panel.count('class="pq-card"') == 1 and "<mark>到2025年，建设完成4000个5G基站" in panel
    assert "pq-banner" not in panel
    assert state["turns"][1]["grounded"] is True and state["questions"] == ["到2025年要建设多少个5G基站？"]
    assert rt.calls[-1] == ("ask_stream", ("到2025年要建设多少个5G基站？", 5, [DOC_ID], []))


def test_follow_up_sends_earlier_questions_and_shows_how_it_was_read():
    rt = FakeRuntime()
    *_, (_, _, state) = ask.answer_turn(rt, "5G基站有多少？", ask.new_state())
    *_, (messages, panel, state) = ask.answer_turn(rt, "那到2025年呢？", state)
    assert rt.calls[-1][1][3] == ["5G基站有多少？"]
    assert "结合上文理解为：5G基站有多少，到2025年呢？" in messages[-1]["content"]
    assert state["questions"] == ["5G基站有多少？", "那到2025年呢？"]
    assert '<section class="pq-turn" data-turn="1" hidden>' in panel and 'data-turn="3">' in panel


def test_second_turn_keeps_history_and_ungrounded_answer_shows_notice():
    rt = FakeRuntime()
    *_, (_, _, state) = ask.answer_turn(rt, "5G基站有多少？", ask.new_state())
    *_, (messages, panel, state) = ask.answer_turn(rt, "火星基地在哪里？", state, 5, "__all__")
    assert len(messages) == 4
    assert "pq-banner" in panel and "文档中未找到依据" in panel
    assert "文档中未找到依据" in messages[-1]["content"]
    assert set(state["turns"]) == {1, 3} and state["turns"][3]["grounded"] is False
    assert state["suggestions"] == []
    assert rt.calls[-1][1][2] is None  # "all documents" is no filter


def test_row_citations_render_as_one_compact_table_with_the_tables_unit():
    *_, (_, panel, state) = ask.answer_turn(FakeRuntime(), "所有项目有哪些？", ask.new_state())
    assert panel.count('<table class="pq-compact">') == 1 and "（单位：亿元）" in panel
    assert state["turns"][1]["units"] == {f"{DOC_ID}#t1.r{i}": "亿元" for i in range(3)}
    assert state["suggestions"] == ["“高端装备制造”有哪些项目？", "“传统产业”有哪些项目？"]
    *_, (_, panel, _) = ask.answer_turn(FakeRuntime(), "高端装备制造类重大项目一共有多少个？", ask.new_state())
    assert panel.count('<table class="pq-row">') == 2
    assert "<td><mark>永磁直驱系统系列产品生产项目</mark></td>" in panel


NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _csv(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def test_exact_search_groups_matches_per_passage_and_exports_one_row_per_match():
    rt = FakeRuntime()
    view = search.run_search(rt, "5G", "exact", 20, "__all__", now=NOW)
    assert "共 2 处匹配，分布在 1 个段落" in view.summary and "出现次数" in view.summary
    assert view.results.count('class="pq-card pq-result"') == 1 and view.results.count("<mark>5G</mark>") == 2
    assert view.kwic.count('<td class="pq-match">') == 2 and view.notice == "" and not view.offer_exact
    rows = _csv(view.csv_path)
    assert tuple(rows[0]) == COLUMNS
    start = rt.passage("demo-plan#p1.s0").passage.span[0]
    assert [r[3] for r in rows[1:]] == [str(start + P_5G.index("5G")), str(start + P_5G.rindex("5G"))]
    assert rows[1][:3] == [TITLE, "五、重点任务 › （六）强化新型基础设施建设", "demo-plan#p1.s0"]
    assert rows[1][5] == "5G" and rows[1][4].endswith("4000个") and rows[1][6].startswith("基站")
    assert rows[1][7:] == ["5G", "精确", "2026-01-02T03:04:05+00:00"]
    assert "mode=exact" in view.summary and "q=5G" in view.summary
    assert rt.calls[0][1][2] >= search.EXPORT_LIMIT  # every occurrence is fetched, not the shown few


def test_xlsx_holds_the_same_rows():
    from openpyxl import load_workbook

    view = search.run_search(FakeRuntime(), "5G", "exact", 20, None, now=NOW)
    ws = load_workbook(view.xlsx_path).active
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert tuple(values[0]) == COLUMNS and len(values) == 3 and values[1][5] == "5G" and values[2][9] == "2026-01-02T03:04:05+00:00"


def test_ranked_search_says_whether_the_whole_phrase_occurs_and_offers_exact():
    view = search.run_search(FakeRuntime(), "5G", "hybrid", 10, None)
    assert "条结果" in view.summary and "关键词上下文视图仅用于" in view.kwic
    assert "逐字出现 <b>2</b> 处" in view.notice and view.offer_exact
    none = search.run_search(FakeRuntime(), "火星", "keyword", 10, None)
    assert "没有出现" in none.notice


def test_unknown_document_is_a_not_found_error():
    with pytest.raises(NotFound):
        search.run_search(FakeRuntime(), "5G", "exact", 10, "no-such-doc")


def test_check_text_refuses_empty_long_and_control_text():
    assert check_text("  链长制 ", "检索词") == "链长制"
    for bad in ("", "   ", None, "x" * 2001, "a\x00b"):
        with pytest.raises(InputProblem):
            check_text(bad, "检索词")


@pytest.mark.parametrize(
    ("err", "expected"),
    [
        (IndexError_("index missing"), "索引尚未就绪"),
        (NotFound("no document"), "没有找到"),
        (InvalidRequest("bad mode"), "请求无法处理：bad mode"),
        (PlanqaError("odd"), "处理失败：odd"),
        (RuntimeError("secret internals"), "意外错误"),
        (InputProblem("请输入问题。"), "请输入问题。"),
    ],
)
def test_friendly_messages_are_chinese_and_hide_internals(err, expected):
    msg = friendly(err)
    assert expected in msg
    assert "Traceback" not in msg and "secret internals" not in msg
