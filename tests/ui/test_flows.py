"""The tab handlers over a fake runtime: streaming answers, search views, CSV, error messages."""

from __future__ import annotations

import csv

import pytest

from ingest.errors import IndexError_, InvalidRequest, NotFound, PlanqaError
from tests.ui.fakes import DOC_ID, FakeRuntime
from ui import ask, search
from ui.errors import InputProblem, check_text, friendly
from ui.export import CSV_COLUMNS


def test_answer_streams_chunks_then_renders_citations():
    rt = FakeRuntime()
    steps = list(ask.answer_turn(rt, "到2025年要建设多少个5G基站？", ask.new_state(), 5, DOC_ID))
    messages0, panel0, _ = steps[0]
    assert messages0[-1]["content"] == ask.THINKING and "正在查找依据" in panel0
    partial = [s[0][-1]["content"] for s in steps[1:-1]]
    assert len(partial) >= 3 and all(p.endswith("▍") for p in partial)
    messages, panel, state = steps[-1]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "4000" in messages[-1]["content"] and '<sup class="pq-ref">[1]</sup>' in messages[-1]["content"]
    assert panel.count('class="pq-card"') == 1 and "<mark>到2025年，建设完成4000个5G基站" in panel
    assert "pq-banner" not in panel
    assert state["turns"][1]["grounded"] is True
    assert rt.calls[-1] == ("ask_stream", ("到2025年要建设多少个5G基站？", 5, [DOC_ID]))


def test_second_turn_keeps_history_and_ungrounded_answer_shows_notice():
    rt = FakeRuntime()
    *_, (_, _, state) = ask.answer_turn(rt, "5G基站有多少？", ask.new_state())
    *_, (messages, panel, state) = ask.answer_turn(rt, "火星基地在哪里？", state, 5, "__all__")
    assert len(messages) == 4
    assert "pq-banner" in panel and "文档中未找到依据" in panel
    assert "文档中未找到依据" in messages[-1]["content"]
    assert set(state["turns"]) == {1, 3} and state["turns"][3]["grounded"] is False
    assert rt.calls[-1][1][2] is None  # "all documents" is no filter


def test_table_row_citations_render_as_row_tables():
    *_, (_, panel, _) = ask.answer_turn(FakeRuntime(), "高端装备制造类重大项目一共有多少个？", ask.new_state())
    assert panel.count('<table class="pq-row">') == 2
    assert "<td><mark>永磁直驱系统系列产品生产项目</mark></td>" in panel


def test_exact_search_renders_summary_results_kwic_and_csv():
    rt = FakeRuntime()
    view = search.run_search(rt, "链长制", "exact", 20, "__all__")
    assert "共 1 处匹配" in view.summary and "出现次数" in view.summary
    assert "<mark>链长制</mark>" in view.results
    assert view.kwic.count('<td class="pq-match">') == 1 and "探索实现重点产业链" in view.kwic
    raw = view.csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1][0] == "demo-plan#p0.s0" and "链长制" in rows[1][3] and rows[1][2].startswith("五、重点任务 › ")
    assert rows[1][4] == "{}-{}".format(*rt.passage("demo-plan#p0.s0").passage.span)


def test_ranked_search_has_no_kwic_and_reports_results():
    view = search.run_search(FakeRuntime(), "5G", "hybrid", 10, None)
    assert "条结果" in view.summary and "关键词上下文视图仅用于" in view.kwic


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
