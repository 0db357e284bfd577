"""The 检索 tab's timeline: the chart's HTML, a year's matches, and the timeline in the exports."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

from openpyxl import load_workbook

from ingest.model import Document, Identity
from service.timeline import build_timeline
from tests.ui.fakes import REPORT_NAME, TITLE, FakeRuntime
from ui import search
from ui.export import DOC_COLUMNS, YEAR_COLUMNS, write_timeline_csv
from ui.timeline_view import timeline_html, year_heading

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _doc(doc_id: str, name: str, year: int | None) -> Document:
    return Document(doc_id, name, f"{doc_id}.txt", "", identity=Identity(name=name, year=year))


DOCS = [_doc("a", "甲<报告>", 2013), _doc("b", "乙", 2014), _doc("c", "丙", 2019), _doc("d", "丁", 2019)]


def test_a_bar_per_year_to_scale_absent_years_kept_but_not_clickable():
    html = timeline_html(build_timeline("改革", {"a": 4, "c": 1, "d": 1}, DOCS))
    assert html.count('<button type="button" class="pq-bar') == 3 and 'data-year="2014"' in html
    assert '<button type="button" class="pq-bar pq-zero" data-year="2014"' in html and html.count(" disabled>") == 1
    assert 'style="height:100%"' in html and 'style="height:50%"' in html  # 2019: 1 + 1 of 4
    assert "首次出现于《甲&lt;报告&gt;》（2013年）" in html and "<报告>" not in html
    assert "点击年份" in html and "显示全部年份" not in html


def test_a_picked_year_is_pressed_and_can_be_let_go():
    t = build_timeline("改革", {"a": 4, "c": 1}, DOCS)
    html = timeline_html(t, 2019)
    assert 'class="pq-bar pq-sel" data-year="2019"' in html and 'aria-pressed="true"' in html
    assert '<button type="button" class="pq-tl-all" data-year="">显示全部年份</button>' in html
    assert year_heading(t, 2019).startswith('<div class="pq-year-head"><b>2019年：共 1 处</b>')
    assert "2 份文档中 1 份含该词句：《丙》1 处" in year_heading(t, 2019)


def test_nothing_over_time_with_one_document_and_no_chart_without_matches():
    assert timeline_html(build_timeline("改革", {"a": 1}, DOCS[:1])) == ""
    assert timeline_html(None) == ""
    html = timeline_html(build_timeline("新质生产力", {}, DOCS))
    assert "没有出现在所检索的 4 份文档中" in html and "pq-bar" not in html


def test_exact_search_over_a_collection_has_a_timeline_and_clicking_a_year_narrows_the_cards():
    rt = FakeRuntime(collection=True)
    view = search.run_search(rt, "5G", "exact", 20, "__all__", now=NOW)
    assert 'data-year="2019"' in view.timeline and 'data-year="2021"' in view.timeline
    assert view.summary.index(REPORT_NAME) < view.summary.index(TITLE)  # per document, in date order
    assert view.last == {"query": "5G", "top_k": 20, "doc": "__all__", "chosen": {}}
    chart, cards, kwic = search.year_view(rt, view.last, 2019)
    assert 'aria-pressed="true"' in chart and "2019年：共 1 处" in cards
    assert cards.count('class="pq-card pq-result"') == 1 and REPORT_NAME in cards and TITLE not in cards
    assert kwic.count('<td class="pq-match">') == 1
    chart, cards, _ = search.year_view(rt, view.last, None)
    assert 'aria-pressed="true"' not in chart and cards.count('class="pq-card pq-result"') == 2

    with open(view.timeline_csv, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == DOC_COLUMNS
    assert rows[1:] == [[REPORT_NAME, "demo-report", "2019-01-20", "2019", "1", "5G", "2026-01-02T03:04:05+00:00"],
                        [TITLE, "demo-plan", "", "2021", "2", "5G", "2026-01-02T03:04:05+00:00"]]
    wb = load_workbook(view.xlsx_path)
    assert wb.sheetnames == ["匹配", "按文档", "按年份"]
    years = [[c.value for c in r] for r in wb["按年份"].iter_rows()]
    assert tuple(years[0]) == YEAR_COLUMNS and years[1][:4] == [2019, 1, 1, 1] and years[2][:4] == [2021, 2, 1, 1]


def test_no_timeline_for_ranked_modes_or_a_single_document():
    view = search.run_search(FakeRuntime(collection=True), "5G", "hybrid", 10, None, now=NOW)
    assert view.timeline == "" and view.timeline_csv is None and view.last is None
    one = search.run_search(FakeRuntime(), "5G", "exact", 10, None, now=NOW)
    assert one.timeline == "" and one.timeline_csv is None
    assert load_workbook(one.xlsx_path).sheetnames == ["匹配", "按文档", "按年份"]


def test_the_timeline_csv_names_its_phrase(tmp_path):
    path = write_timeline_csv(build_timeline("改革", {"a": 1}, DOCS), NOW, tmp_path)
    assert path.name == "planqa-检索-改革-时间线.csv"
