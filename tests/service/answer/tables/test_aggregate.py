"""Aggregates on the real plan: counts, sums, averages and extremes, checked against figures
computed here from the rows; several documents and their units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.model import Document, TableRow
from service.answer.question import analyse
from service.answer.tables import AGGREGATE, LOOKUP, answer_from_tables
from tests.service.answer.tables.plan_table import NAME, OWNER, PERIOD, TOTAL, YEARS, amount, ask, in_category


# ---- the table as parsed --------------------------------------------------------------------------
def test_the_plan_table_has_58_project_rows_and_a_total(rows: list[TableRow], total_row: TableRow) -> None:
    assert len(rows) == 58
    assert total_row.cell(TOTAL).text == "129.3"
    assert total_row.cell(PERIOD).text == "95.9"


# ---- counts ---------------------------------------------------------------------------------------
def test_count_counts_rows_and_says_when_a_project_is_listed_twice(plan: Document, rows: list[TableRow]) -> None:
    names = [r.cell(NAME).text for r in rows]
    twice = {n for n in names if names.count(n) > 1}
    assert twice  # the plan lists one project in two rows
    ans = ask(plan, "项目表一共有多少个项目？")
    assert ans is not None and f"共有{len(rows)}个" in ans.text
    assert all(n in ans.text for n in twice) and "出现不止一行" in ans.text


# ---- sums -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "label, header, question",
    [
        ("新材料", TOTAL, "新材料类项目的预计总投资合计是多少？"),
        ("新一代汽车技术", TOTAL, "新一代汽车技术类项目的预计总投资合计是多少？"),
        ("高端装备制造", PERIOD, "高端装备制造类项目十四五时期投资合计多少？"),
        ("工业节能与综合利用", PERIOD, "工业节能与综合利用类项目十四五时期投资合计多少？"),
        ("生物医药", TOTAL, "生物医药类项目总投资一共多少亿元？"),
    ],
)
def test_sum_by_category(plan: Document, rows: list[TableRow], label: str, header: str, question: str) -> None:
    chosen = [r for r in rows if in_category(r, label)]
    expected = sum((amount(r, header) for r in chosen), Decimal(0))
    ans = ask(plan, question)
    assert ans is not None and ans.kind == AGGREGATE
    assert f"合计{expected.normalize():f}亿元" in ans.text
    assert list(ans.rows) == chosen


def test_sum_by_company(plan: Document, rows: list[TableRow]) -> None:
    chosen = [r for r in rows if r.cell(OWNER).text == "天津钢铁集团有限公司"]
    expected = sum((amount(r, PERIOD) for r in chosen), Decimal(0))
    ans = ask(plan, "天津钢铁集团有限公司的项目十四五时期投资合计是多少？")
    assert ans is not None and f"合计{expected.normalize():f}亿元" in ans.text


@pytest.mark.parametrize("header, question", [(PERIOD, "所有重大项目在十四五时期的投资合计多少亿元？"),
                                              (TOTAL, "所有项目的预计总投资合计是多少？")])
def test_grand_total_is_the_total_row(plan: Document, rows: list[TableRow], total_row: TableRow,
                                      header: str, question: str) -> None:
    ans = ask(plan, question)
    assert ans is not None and ans.kind == AGGREGATE
    assert ans.rows[0] is total_row  # the total row is the answer, cited first
    assert f"{total_row.cell(header).text}亿元[1]" in ans.text
    by_rows = sum((amount(r, header) for r in rows), Decimal(0))
    if by_rows != Decimal(total_row.cell(header).text):
        assert f"{by_rows.normalize():f}" in ans.text  # the row-by-row sum is reported beside it


def test_average(plan: Document, rows: list[TableRow]) -> None:
    chosen = [r for r in rows if in_category(r, "生物医药")]
    avg = sum((amount(r, TOTAL) for r in chosen), Decimal(0)) / len(chosen)
    ans = ask(plan, "生物医药类项目的平均预计总投资是多少？")
    assert ans is not None and f"{avg.quantize(Decimal('0.0001')).normalize():f}" in ans.text


def test_largest(plan: Document, rows: list[TableRow]) -> None:
    top = max(rows, key=lambda r: amount(r, PERIOD))
    ans = ask(plan, "十四五时期投资最多的项目是哪个？")
    assert ans is not None and top.cell(NAME).text in ans.text and ans.rows == (top,)


# ---- several documents ------------------------------------------------------------------------------
SECOND = (
    "附件：\n"
    "示例区重大项目表\n"
    "单位：万元\n"
    "\t序号\n\t项目名称\n\t总投资\n\t建设起止年限\n\t建设单位\n"
    "\n"
    "\t一、新材料\n"
    "\n"
    "\t1\n\t示例碳纤维项目\n\t5000\n\t2021-2023\n\t示例材料有限公司\n"
    "\n"
    "\t2\n\t示例合金项目\n\t2500\n\t2022-2024\n\t示例合金有限公司\n"
    "\n"
    "\t合计\n\t7500\n"
)


def test_aggregates_span_all_documents_and_convert_units(plan: Document, rows: list[TableRow]) -> None:
    from ingest.pipeline import ingest_text

    other = ingest_text("example-district", "示例区规划", SECOND)
    assert other.tables[0].unit == "万元"
    ans = answer_from_tables(analyse("新材料类项目的预计总投资合计是多少？"), [plan, other])
    mine = sum((amount(r, TOTAL) for r in rows if in_category(r, "新材料")), Decimal(0))
    expected = mine + Decimal("0.75")  # 7500万元 in 亿元
    assert ans is not None and f"合计{expected.normalize():f}亿元" in ans.text
    assert "示例碳纤维项目（5000万元）" in ans.text
    assert len(ans.rows) == 6
    ans = answer_from_tables(analyse("2022年开工的项目有哪些？"), [plan, other])
    assert ans is not None and "示例合金项目" in ans.text and "共1个" in ans.text
    ans = answer_from_tables(analyse("示例合金项目的建设单位是谁？"), [plan, other])
    assert ans is not None and "示例合金有限公司" in ans.text


def test_a_column_of_every_row_in_a_category(plan: Document, rows: list[TableRow]) -> None:
    chosen = [r for r in rows if in_category(r, "高端装备制造")]
    ans = ask(plan, "高端装备制造类项目的建设起止年限分别是什么？")
    assert ans is not None and list(ans.rows) == chosen
    for n, r in enumerate(chosen, start=1):
        assert f"{r.cell(NAME).text}（{r.cell(YEARS).text}）[{n}]" in ans.text
    chosen = [r for r in rows if in_category(r, "新材料")]
    ans = ask(plan, "新材料类项目的十四五时期投资分别是多少？")
    assert ans is not None and ans.kind == LOOKUP and list(ans.rows) == chosen
    for r in chosen:
        assert f"为{r.cell(PERIOD).text}亿元" in ans.text
    assert "名称相近" not in ans.text
