"""A row asked for by the content of one of its cells is answered with its name and cites the row."""

from __future__ import annotations

import pytest

from ingest.model import Document, TableRow
from service.answer.question import analyse
from service.answer.tables import AGGREGATE, LOOKUP, answer_from_tables
from tests.service.answer.tables.plan_table import NAME


def ask(doc: Document, question: str):
    return answer_from_tables(analyse(question), [doc])


# ---- the small plan -------------------------------------------------------------------------------
def test_a_row_named_by_its_content_answers_with_its_name(small_plan: Document) -> None:
    ans = ask(small_plan, "哪个项目要建设中试车间？")
    assert ans is not None and ans.kind == LOOKUP and ans.grounded
    assert ans.text == "是“疫苗研发中心项目”[1]（主要建设内容：建设疫苗中试车间和冷链仓库）。"
    assert [r.cell("项目名称").text for r in ans.rows] == ["疫苗研发中心项目"]
    assert ans.marks[0] == ("疫苗研发中心项目", "建设疫苗中试车间和冷链仓库")


def test_every_row_holding_the_words_is_listed(small_plan: Document) -> None:
    ans = ask(small_plan, "哪些项目要建设洁净车间？")
    assert ans is not None
    assert [r.cell("项目名称").text for r in ans.rows] == ["医用敷料扩产项目", "诊断试剂产业化项目"]
    assert ans.text.startswith("共2个：“医用敷料扩产项目”[1]") and "“诊断试剂产业化项目”[2]" in ans.text


def test_a_count_of_rows_named_by_content_is_an_aggregate(small_plan: Document) -> None:
    ans = ask(small_plan, "有几个项目要建设洁净车间？")
    assert ans is not None and ans.kind == AGGREGATE and ans.text.startswith("共2个")


def test_the_owner_is_given_when_the_question_asks_who(small_plan: Document) -> None:
    ans = ask(small_plan, "哪家企业要建设质检实验室？")
    assert ans is not None
    assert ans.text.startswith("是“诊断试剂产业化项目”[1]（项目单位为戊生物科技有限公司，")


def test_words_held_together_beat_words_held_apart(small_plan: Document) -> None:
    # "检测中心" together in one row, "检测" and "中心" apart in another: only the first
    ans = ask(small_plan, "哪个项目要建设检测中心？")
    assert ans is not None and [r.cell("项目名称").text for r in ans.rows] == ["工业机器人整机项目"]


@pytest.mark.parametrize(
    "question",
    [
        "哪个项目要建设风洞实验室？",  # no row holds it
        "哪个项目要建设冷链仓库和风洞实验室？",  # one row holds only part of it
        "示范区要推行什么制度？",  # no row is asked for
        "哪个项目要建设？",  # nothing describes the row
    ],
)
def test_questions_no_row_answers_are_left_to_the_text(small_plan: Document, question: str) -> None:
    assert ask(small_plan, question) is None


# ---- the real plan --------------------------------------------------------------------------------
def test_the_plan_row_holding_a_phrase_is_named(plan: Document, rows: list[TableRow]) -> None:
    content = next(h for h in plan.tables[0].headers if "内容" in h)
    phrase = "汽车风洞实验室"
    holding = [r for r in rows if phrase in r.cell(content).text]
    assert len(holding) == 1
    ans = ask(plan, f"哪个项目要建设{phrase}？")
    assert ans is not None and ans.rows == (holding[0],)
    assert ans.text.startswith(f"是“{holding[0].cell(NAME).text}”[1]")


@pytest.mark.parametrize(
    "question",
    ["临空经济区要加快推动哪个重点项目落地？", "高端医疗器械依托哪些企业？", "要打造哪个千亿级产业集群？"],
)
def test_plan_text_questions_are_not_taken_by_the_table(plan: Document, question: str) -> None:
    assert ask(plan, question) is None
