"""An ask about the rows an earlier answer gave is answered over exactly those rows."""

from __future__ import annotations

from decimal import Decimal

from ingest.model import Document, TableRow
from service.answer.question import analyse
from service.answer.tables import AGGREGATE, LOOKUP, answer_from_tables
from service.answer.tables.rowset import answer_over_rows
from tests.service.answer.tables.plan_table import NAME, TOTAL, amount, in_category


def data_rows(doc: Document) -> list[TableRow]:
    return [r for r in doc.tables[0].rows if not r.is_total]


def named(doc: Document, *names: str) -> list[TableRow]:
    return [r for r in data_rows(doc) if r.cell(NAME).text in names]


def over(doc: Document, question: str, rows: list[TableRow]):
    return answer_over_rows(analyse(question), [doc], rows)


def test_an_amount_over_several_rows_is_their_sum(small_plan: Document) -> None:
    rows = named(small_plan, "疫苗研发中心项目", "医用敷料扩产项目")
    ans = over(small_plan, "总投资多少？", rows)
    assert ans is not None and ans.kind == AGGREGATE
    assert ans.text == (
        "上述项目共2个，预计总投资（亿元）合计2亿元：疫苗研发中心项目（1.2亿元）[1]、医用敷料扩产项目（0.8亿元）[2]。"
    )
    assert ans.rows == tuple(rows)


def test_an_amount_of_one_row_is_read_off_it(small_plan: Document) -> None:
    ans = over(small_plan, "总投资多少？", named(small_plan, "精密减速器生产项目"))
    assert ans is not None and ans.kind == LOOKUP
    assert ans.text == "“精密减速器生产项目”的预计总投资（亿元）为2.5亿元[1]。"


def test_another_column_is_read_row_by_row(small_plan: Document) -> None:
    rows = named(small_plan, "疫苗研发中心项目", "医用敷料扩产项目")
    ans = over(small_plan, "分别由哪家公司建设？", rows)
    assert ans is not None
    assert ans.text == "“疫苗研发中心项目”的项目单位为丙生物有限公司[1]；“医用敷料扩产项目”的项目单位为丁医疗用品有限公司[2]。"


def test_a_count_counts_them(small_plan: Document) -> None:
    ans = over(small_plan, "一共几个？", named(small_plan, "疫苗研发中心项目", "医用敷料扩产项目"))
    assert ans is not None and ans.text.startswith("上述项目共有2个")


def test_picking_some_of_them_or_asking_no_column_is_left_to_the_question_itself(small_plan: Document) -> None:
    rows = data_rows(small_plan)
    assert over(small_plan, "其中2021年开工的有哪些？", rows) is None
    assert over(small_plan, "哪个项目最早开工？", rows) is None
    assert over(small_plan, "如何实施？", rows) is None
    assert over(small_plan, "总投资多少？", []) is None


def test_the_total_row_among_them_is_not_counted_again(small_plan: Document) -> None:
    every = list(small_plan.tables[0].rows)  # five projects and the total row (10)
    ans = over(small_plan, "总投资合计多少？", every)
    assert ans is not None and ans.text.startswith("上述项目共5个，预计总投资（亿元）合计10亿元：")


def test_the_plan_category_listed_then_its_total(plan: Document) -> None:
    listed = answer_from_tables(analyse("生物医药有哪些项目？"), [plan])
    assert listed is not None
    expected = [r for r in data_rows(plan) if in_category(r, "生物医药")]
    assert list(listed.rows) == expected
    total = sum((amount(r, TOTAL) for r in expected), Decimal(0))
    ans = over(plan, "总投资多少？", list(listed.rows))
    assert ans is not None and f"合计{total}亿元" in ans.text
    assert ans.rows == tuple(expected)
