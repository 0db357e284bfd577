"""The 文档 tab's list of documents over a fake collection of 66: search, grouping, and the entries."""

from __future__ import annotations

from dataclasses import replace

from tests.ui.fakes import REPORT, REPORT_ID, REPORT_NAME, FakeRuntime, many_documents
from ui import doc_list

DOCS = FakeRuntime(collection=True, extra=many_documents(64)).documents()


def test_search_needs_every_word_in_the_name_or_identity():
    assert doc_list.matches(REPORT, "示例市") and doc_list.matches(REPORT, "2019 工作报告")
    assert doc_list.matches(REPORT, "2019年") and doc_list.matches(REPORT, "  ")
    assert not doc_list.matches(REPORT, "2019 安徽省")
    assert doc_list.matches(replace(REPORT, identity=replace(REPORT.identity, issuer="示例市人民政府")), "人民政府")
    found = [d for d in DOCS if doc_list.matches(d, "福建省 意见")]
    assert found and all("福建省" in d.name and "意见" in d.name for d in found)


def test_kinds_by_size_years_newest_first_the_unknown_last():
    by_kind = doc_list.groups(DOCS, doc_list.BY_KIND)
    assert [t for t, _ in by_kind] == ["政府工作报告", "意见", "方案", "规划", "其他"]
    assert [len(m) for _, m in by_kind] == [17, 16, 16, 1, 16]
    years = [d.identity.year or 0 for d in by_kind[0][1]]
    assert years == sorted(years, reverse=True)  # newest first within a group
    by_year = [t for t, _ in doc_list.groups(DOCS, doc_list.BY_YEAR)]
    assert by_year[:3] == ["2025年", "2024年", "2023年"] and by_year[-1] == "年份不详"
    assert sum(len(m) for _, m in doc_list.groups(DOCS, doc_list.BY_YEAR)) == len(DOCS) == 66
    assert doc_list.groups(DOCS, doc_list.FLAT) == [("", DOCS)]
    assert doc_list.groups([], doc_list.BY_KIND) == []


def test_the_list_counts_groups_marks_the_selection_and_escapes_names():
    html = doc_list.list_html(DOCS, "", doc_list.BY_KIND, REPORT_ID)
    assert "共 66 份文档" in html and html.count("<details") == 5 and html.count("data-doc=") == 66
    assert f'<li class="pq-sel"><a href="#" role="button" data-doc="{REPORT_ID}">{REPORT_NAME}' in html
    assert "2019年　·　示例市　·　政府工作报告" in html
    narrowed = doc_list.list_html(DOCS, "2019 政府工作报告", doc_list.BY_YEAR)
    assert "找到 2 / 66 份文档" in narrowed and narrowed.count("data-doc=") == 2
    assert "<details" not in doc_list.list_html(DOCS, "", doc_list.FLAT)
    assert "没有符合的文档" in doc_list.list_html(DOCS, "不存在的词", doc_list.BY_KIND)
    odd = replace(REPORT, title="<b>报告</b>", identity=replace(REPORT.identity, name="<b>报告</b>"))
    assert "&lt;b&gt;报告&lt;/b&gt;" in doc_list.list_html([odd]) and "<b>报告" not in doc_list.list_html([odd])
