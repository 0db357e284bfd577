"""The document browser's records: sections cut by heading, tables as sortable numeric frames."""

from __future__ import annotations

import math

from ingest.model import Cell, Document, Heading, Paragraph, TableRow
from tests.ui.fakes import DOCUMENT, H2, H2B, H_APPX, P_5G, P_CHAIN, passage
from ui import documents


def test_heading_items_and_paths():
    assert documents.heading_items(DOCUMENT) == [(0, 1, "五、重点任务"), (1, 2, H2B), (2, 2, H2), (3, 1, H_APPX)]
    assert documents.heading_path(DOCUMENT, 2) == ["五、重点任务", H2]
    assert documents.heading_path(DOCUMENT, 3) == [H_APPX]


def test_chapter_section_holds_its_subsections_and_stops_at_the_next_chapter():
    html = documents.section_html(DOCUMENT, 0)
    assert html.index(H2B) < html.index("链长制") < html.index(H2) < html.index("4000个5G基站")
    assert "重大项目列表" not in html and "永磁" not in html
    assert '<div class="pq-section">五、重点任务</div>' in html


def test_subsection_shows_only_its_own_paragraphs():
    html = documents.section_html(DOCUMENT, 2)
    assert "4000个5G基站" in html and "链长制" not in html
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_appendix_section_previews_its_table():
    html = documents.section_html(DOCUMENT, 3)
    assert '<table class="pq-grid">' in html and "永磁直驱系统系列产品生产项目" in html
    assert "<td>合计</td>" in html


def test_out_of_range_heading_renders_an_empty_section():
    assert "本节没有正文" in documents.section_html(DOCUMENT, 99)


def test_run_in_headings_are_not_repeated_above_their_paragraph():
    text = "一、总则\n1.质量提升。全区工业质量提升。\n"
    h1 = Heading(1, "一、总则", (0, 4))
    h2 = Heading(2, "1.质量提升。", (5, 11))
    para = Paragraph("d#p0", "d", ("一、总则", "1.质量提升。"), (5, 20), text[5:20])
    doc = Document("d", "D", "d.txt", text, (h1, h2), (para,))
    html = documents.section_html(doc, 0)
    assert html.count("1.质量提升。") == 1


def test_table_frame_numeric_columns_total_rows_and_filter():
    table = DOCUMENT.tables[0]
    frame = documents.table_frame(table)
    assert list(frame.columns) == ["类别", "序号", "项目名称", "预计总投资", "建设起止年限"]
    assert len(frame) == 3  # the total row is reported separately, not sorted in with the data
    assert frame["预计总投资"].dtype.kind == "f"
    assert frame.sort_values("预计总投资")["项目名称"].tolist()[-1] == "钢铁 <改造> 项目"
    assert documents.table_datatypes(table) == ["str", "number", "str", "number", "str"]
    assert frame["序号"].tolist() == [1.0, 2.0, 3.0]  # all plain numbers: sorts as numbers
    assert len(documents.table_frame(table, "传统产业")) == 1  # matches the category path
    assert documents.table_frame(table, "永磁")["项目名称"].tolist() == ["永磁直驱系统系列产品生产项目"]
    assert len(documents.table_frame(table, "不存在的词")) == 0


def test_table_note_sums_the_shown_rows_and_quotes_the_source_total():
    table = DOCUMENT.tables[0]
    note = documents.table_note(table, documents.table_frame(table))
    assert "共 3 行" in note and "预计总投资 16.7 亿元" in note and "原表“总计”行：预计总投资 16.7 亿元" in note
    filtered = documents.table_frame(table, "高端装备")
    note = documents.table_note(table, filtered, "高端装备")
    assert "显示 2 / 3 行" in note and "筛选结果合计：预计总投资 4.7 亿元" in note


def test_nan_for_missing_numbers():
    table = DOCUMENT.tables[0]
    frame = documents.table_frame(table)
    assert not any(math.isnan(x) for x in frame["预计总投资"])


def test_document_summary_counts():
    s = documents.document_summary(DOCUMENT)
    assert "4 个标题" in s and "1 张表格（3 行）" in s  # data rows, as the table note counts them
    assert P_5G in DOCUMENT.text and P_CHAIN in DOCUMENT.text


def test_a_cited_sentence_is_marked_inside_its_section_with_a_shareable_link():
    p = passage("demo-plan#p1.s0")
    end = P_5G.index("。") + 1
    idx, html = documents.target_section(DOCUMENT, documents.Target(p, ((0, end),)))
    assert idx == 2 and '<div class="pq-section">五、重点任务 › （六）强化新型基础设施建设</div>' in html
    assert f'<mark class="pq-target">{P_5G[:end]}</mark>智能电表' in html
    assert 'href="/ui/?p=demo-plan%23p1.s0&amp;hl=0-' in html
    _, whole = documents.target_section(DOCUMENT, documents.Target(p))
    assert f'<mark class="pq-target">{P_5G}</mark>' in whole  # no marks: the whole passage


def test_a_cited_table_row_is_marked_in_the_table_preview():
    idx, html = documents.target_section(DOCUMENT, documents.Target(passage("demo-plan#t1.r2")))
    assert idx == 3
    assert '<tr class="pq-target"><td>二、传统产业</td><td>3</td><td>钢铁 &lt;改造&gt; 项目</td>' in html


def test_heading_at_finds_the_deepest_section_holding_a_position():
    assert documents.heading_at(DOCUMENT, 0) == 0
    assert documents.heading_at(DOCUMENT, passage("demo-plan#p0.s0").span[0]) == 1
    assert documents.heading_at(Document("d", "D", "d.txt", "x", (), ()), 0) is None


def test_filter_understands_short_names_of_organisations():
    cells = (Cell("项目名称", "新能源整车项目"), Cell("建设单位", "北京汽车集团有限公司"))
    row = TableRow("t9", 0, ("一、汽车",), cells)
    assert documents._matches(row, "北汽") and documents._matches(row, "整车")
    assert not documents._matches(row, "南汽")
