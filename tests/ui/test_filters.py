"""The year, region and kind filters of the 检索 and 问答 tabs over a fake two-document collection."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest

from index.filters import DocFilter
from tests.ui.fakes import DOCUMENT, REPORT, REPORT_NAME, TITLE, FakeRuntime
from ui import ask, documents, search
from ui import filters as doc_filters
from ui.errors import InputProblem

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_choices_are_what_the_documents_hold():
    rt = FakeRuntime(collection=True)
    got = doc_filters.choices(rt.documents())
    assert got["year_from"] == [("不限", ""), ("2021年", "2021"), ("2019年", "2019")]
    assert got["region"] == [("全部地区", ""), ("示例区", "示例区"), ("示例市", "示例市")]
    assert got["kind"] == [("全部类型", ""), ("政府工作报告", "政府工作报告"), ("规划", "规划")]
    assert doc_filters.offered(rt.documents(), {"year_from": "2019", "kind": "白皮书"}) == {
        "year_from": "2019", "year_to": "", "region": "", "kind": ""}


def test_dropdown_values_become_the_runtimes_filter():
    assert doc_filters.to_filter("", "", "", "") is None
    assert doc_filters.to_filter("2019", "2021", "示例市", "") == DocFilter(2019, 2021, "示例市", None)
    with pytest.raises(InputProblem, match="起始年份（2021年）晚于截止年份（2019年），请调整。"):
        doc_filters.to_filter("2021", "2019", "", "")
    assert doc_filters.describe("2019", "2019", "示例市", "政府工作报告") == "2019年 · 示例市 · 政府工作报告"
    assert doc_filters.describe("", "2020", "", "") == "2020年及以前"
    assert doc_filters.describe("2019", "", "", "") == "2019年起"


def test_search_keeps_to_the_filtered_documents_and_says_so():
    rt = FakeRuntime(collection=True)
    everything = search.run_search(rt, "5G", "exact", 20, "__all__", now=NOW)
    assert "共 3 处匹配，分布在 2 个段落" in everything.summary
    assert f"<td>{TITLE}</td>" in everything.summary and f"<td>{REPORT_NAME}</td>" in everything.summary
    view = search.run_search(rt, "5G", "exact", 20, "__all__", now=NOW,
                             chosen={"year_from": "2019", "year_to": "2019", "region": "", "kind": "政府工作报告"})
    assert "共 1 处匹配，分布在 1 个段落" in view.summary and "限于 2019年 · 政府工作报告" in view.summary
    assert TITLE not in view.summary and REPORT_NAME in view.results
    assert "year_from=2019&amp;year_to=2019&amp;kind=" in view.summary  # the shared link keeps the filters
    rows = list(csv.reader(view.csv_path.read_bytes().decode("utf-8-sig").splitlines()))
    assert [r[0] for r in rows[1:]] == [REPORT_NAME]
    ranked = search.run_search(rt, "5G", "keyword", 10, None, chosen={"region": "示例区"})
    assert "逐字出现 <b>2</b> 处" in ranked.notice  # the verbatim count is filtered too
    assert ("filters", DocFilter(None, None, "示例区", None)) in rt.calls


def test_share_link_names_only_the_chosen_filters():
    assert search.share_link("5G", "exact", "__all__", {"year_from": "", "region": "示例市"}) == \
        "/ui/?q=5G&mode=exact&region=%E7%A4%BA%E4%BE%8B%E5%B8%82"


def test_answers_keep_to_the_filtered_documents():
    rt = FakeRuntime(collection=True)
    *_, (messages, panel, _) = ask.answer_turn(rt, "5G基站建多少？", ask.new_state(), 5, "__all__",
                                               {"year_from": "2019", "region": "示例市"})
    assert f"出自《{REPORT_NAME}》" in messages[-1]["content"] and REPORT_NAME in panel
    *_, (messages, _, _) = ask.answer_turn(rt, "5G基站建多少？", ask.new_state(), 5, "__all__", {"year_from": "2030"})
    assert "没有符合筛选条件的文档" in messages[-1]["content"]


def test_the_document_summary_says_what_the_document_is():
    assert documents.document_summary(REPORT).endswith("示例市人民政府　·　2019-01-20　·　政府工作报告　·　示例市")
    assert "\n" not in documents.document_summary(DOCUMENT)  # no identity known: no second line
