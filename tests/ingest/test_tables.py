"""Table typing: numbers, year ranges, categories and the total row."""

from __future__ import annotations

import pytest

from ingest.pipeline import ingest_text
from ingest.tables import parse_number, parse_year_range, unit_from_line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.5", 3.5),
        ("5.0", 5.0),
        ("1,234.5", 1234.5),
        ("12%", 12.0),
        ("-", None),
        ("2020-2022", None),
        ("", None),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-2022", (2020, 2022, False)),
        ("2021-未知", (2021, None, True)),
        ("2021—2025年", (2021, 2025, False)),
        ("2021年至今", (2021, None, True)),
        ("2021-", (2021, None, True)),
        ("2021", (2021, 2021, False)),
        ("-", None),
        ("社会投资", None),
    ],
)
def test_parse_year_range(text, expected):
    assert parse_year_range(text) == expected


def test_unit_line():
    assert unit_from_line("单位：亿元") == "亿元"
    assert unit_from_line("单位:万元") == "万元"
    assert unit_from_line("单位是重要的") is None


TAB_TABLE = (
    "附件2：\n"
    "示例项目表\n"
    "单位：万元\n"
    "\t序号\n\t项目名称\n\t投资\n\t年限\n"
    "\n"
    "\t一、第一类\n"
    "\n"
    "\t（一）甲组\n"
    "\n"
    "\t1\n\t甲项目\n\t10\n\t2020-2021\n"
    "\n"
    "\t二、第二类\n"
    "\n"
    "\t1\n\t乙项目\n\t\n\t2021-未知\n"
    "\n"
    "\t合计\n\t10\n"
)


def test_tab_table_with_categories_empty_cells_and_total():
    doc = ingest_text("t", "示例", TAB_TABLE)
    [table] = doc.tables
    assert table.title == "示例项目表" and table.unit == "万元"
    assert table.section == ("附件2：",)
    assert not doc.paragraphs
    a, b, total = table.rows
    assert a.category == ("一、第一类", "（一）甲组")
    assert b.category == ("二、第二类",)
    assert a.cell("投资").number == 10 and a.cell("投资").unit == "万元"
    assert b.cell("投资").text == "" and b.cell("投资").number is None
    assert total.is_total and total.cell("投资").number == 10 and total.cell("项目名称").text == "合计"
    rows = [p for p in doc.passages if p.kind == "table_row"]
    assert [p.id for p in rows] == ["t#t1.r1", "t#t1.r2", "t#t1.r3"]
    assert rows[0].text == "项目名称：甲项目；投资：10万元；年限：2020-2021"
    assert rows[1].text == "项目名称：乙项目；年限：2021-未知"
    assert rows[2].text == "合计：投资：10万元"
    assert rows[0].section == ("附件2：", "示例项目表")


def test_tab_indented_paragraphs_are_not_a_table():
    doc = ingest_text("p", None, "一、总则\n\t第一段正文。\n\t第二段正文。\n")
    assert not doc.tables
    assert [p.text for p in doc.paragraphs] == ["第一段正文。", "第二段正文。"]


def test_percent_cells_keep_their_own_unit():
    text = "单位：亿元\n\t项目\n\t投资\n\t占比\n\n\t甲\n\t1.5\n\t12%\n\n\t乙\n\t2\n\t8.5%\n"
    doc = ingest_text("pct", None, text)
    [table] = doc.tables
    share = table.rows[0].cell("占比")
    assert (share.number, share.unit) == (12.0, "%")
    rows = [p.text for p in doc.passages]
    assert rows[0] == "项目：甲；投资：1.5亿元；占比：12%"
