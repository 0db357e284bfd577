"""The engine answers every ask of a question, each with its own citations in one numbering."""

from __future__ import annotations

import re
from decimal import Decimal

from ingest.model import Document, TableRow
from service.answer.engine import Answer, AnswerEngine
from tests.service.answer.tables.plan_table import NAME, TOTAL, amount, in_category

MARKER = re.compile(r"\[(\d+)\]")


def cited_ids(ans: Answer) -> list[str]:
    """Passage ids the answer's markers point at, in the order they appear."""
    ids: list[str] = []
    for n in MARKER.findall(ans.text):
        assert 1 <= int(n) <= len(ans.citations), ans.text
        ids.append(ans.citations[int(n) - 1].passage.id)
    return ids


def test_a_list_then_its_total(small_engine: AnswerEngine) -> None:
    ans = small_engine.ask("生物医药有哪些项目？总投资多少？")
    assert ans.grounded and ans.kind == "aggregate"
    listed, total = ans.text.split("\n")
    assert listed == "“生物医药”类的项目共3个：疫苗研发中心项目[1]、医用敷料扩产项目[2]、诊断试剂产业化项目[3]。"
    assert total == (
        "上述项目共3个，预计总投资（亿元）合计3.5亿元：疫苗研发中心项目（1.2亿元）[1]、医用敷料扩产项目（0.8亿元）[2]、"
        "诊断试剂产业化项目（1.5亿元）[3]。"
    )
    assert [h.passage.id for h in ans.citations[:3]] == ["parts-plan#t1.r3", "parts-plan#t1.r4", "parts-plan#t1.r5"]
    assert ans.resolved == "生物医药有哪些项目？上述项目的总投资多少？"
    assert ans.short_answer is None


def test_rows_found_by_content_then_their_total(small_engine: AnswerEngine) -> None:
    ans = small_engine.ask("哪些项目要建设洁净车间？总投资多少？")
    assert ans.grounded and ans.kind == "parts"  # a lookup by content, then an aggregate
    assert "合计2.3亿元" in ans.text
    assert set(cited_ids(ans)) == {"parts-plan#t1.r4", "parts-plan#t1.r5"}


def test_a_row_named_by_content_then_its_owner(small_engine: AnswerEngine) -> None:
    ans = small_engine.ask("哪个项目要建设中试车间？由哪家公司建设？")
    assert ans.grounded
    assert ans.text.endswith("“疫苗研发中心项目”的项目单位为丙生物有限公司[1]。")
    assert set(cited_ids(ans)) == {"parts-plan#t1.r3"}


def test_one_sentence_answering_both_asks_is_given_once(small_engine: AnswerEngine) -> None:
    ans = small_engine.ask("2020年示范区工业总产值是多少？比上年增长了多少？")
    assert ans.grounded
    assert "\n" not in ans.text and "120亿元" in ans.text and "8.5%" in ans.text
    assert cited_ids(ans) == ["parts-plan#p1.s1"]


def test_each_of_two_things_gets_its_own_answer_and_citation(small_engine: AnswerEngine) -> None:
    ans = small_engine.ask("精密减速器生产项目和疫苗研发中心项目的总投资分别是多少？")
    assert ans.grounded and ans.kind == "table_lookup"
    assert ans.text.split("\n") == [
        "“精密减速器生产项目”的预计总投资（亿元）为2.5亿元[1]。",
        "“疫苗研发中心项目”的预计总投资（亿元）为1.2亿元[2]。",
    ]
    assert cited_ids(ans) == ["parts-plan#t1.r1", "parts-plan#t1.r3"]


def test_a_part_the_documents_do_not_answer_is_named_and_the_answer_is_not_grounded(
    small_engine: AnswerEngine,
) -> None:
    ans = small_engine.ask("2020年示范区工业总产值是多少？常住人口有多少？")
    assert not ans.grounded and ans.kind == "not_found"
    first, second = ans.text.split("\n")
    assert "120亿元[1]" in first
    assert second.startswith("“常住人口有多少”：文档中没有找到")


def test_a_single_ask_is_answered_as_before(small_engine: AnswerEngine) -> None:
    ans = small_engine.ask("生物医药有哪些项目？")
    assert ans.kind == "aggregate" and "\n" not in ans.text and ans.resolved is None


def test_a_followup_from_history_can_itself_have_two_asks(small_engine: AnswerEngine) -> None:
    ans = small_engine.ask("那其中2021年开工的有哪些？总投资多少？", history=["生物医药有哪些项目？"])
    assert ans.grounded
    assert ans.resolved == "生物医药项目中2021年开工的有哪些？上述项目的总投资多少？"
    assert "合计2亿元" in ans.text  # 1.2 + 0.8: the two that started in 2021


# ---- the real plan --------------------------------------------------------------------------------
def test_the_plan_category_and_its_total_investment(engine: AnswerEngine, rows: list[TableRow]) -> None:
    expected = [r for r in rows if in_category(r, "生物医药")]
    total = sum((amount(r, TOTAL) for r in expected), Decimal(0))
    ans = engine.ask("生物医药有哪些项目？总投资多少？")
    assert ans.grounded
    assert all(r.cell(NAME).text in ans.text for r in expected)
    assert f"合计{total}亿元" in ans.text
    assert {h.passage.row for h in ans.citations[: len(expected)]} == set(expected)
    assert len({h.passage.id for h in ans.citations}) == len(ans.citations)


def test_the_plan_row_asked_by_its_content(engine: AnswerEngine, plan: Document, rows: list[TableRow]) -> None:
    content = next(h for h in plan.tables[0].headers if "内容" in h)
    (row,) = [r for r in rows if "汽车风洞实验室" in r.cell(content).text]
    ans = engine.ask("哪个项目要建设汽车风洞实验室？")
    assert ans.grounded and ans.text.startswith(f"是“{row.cell(NAME).text}”[1]")
    assert ans.citations[0].passage.row == row
