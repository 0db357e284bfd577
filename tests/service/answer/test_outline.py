"""Questions about the plan's structure are answered from its headings."""

from __future__ import annotations

import pytest

from ingest.model import Document
from service.answer.engine import AnswerEngine
from service.answer.outline import answer_from_outline, label
from service.answer.question import analyse


def children(plan: Document, name: str) -> list[str]:
    heads = plan.headings
    i = next(i for i, h in enumerate(heads) if label(h.text) == name)
    out = []
    for h in heads[i + 1 :]:
        if h.level <= heads[i].level:
            break
        if h.level == heads[i].level + 1:
            out.append(label(h.text))
    return out


@pytest.mark.parametrize(
    "question, heading",
    [
        ("规划提出了哪些保障措施？", "保障措施"),
        ("重点任务有哪些？", "重点任务"),
        ("重点产业包括哪几个方面？", "重点产业"),
        ("新材料包括哪些领域？", "新材料"),
        ("What are the safeguard measures?", "保障措施"),
    ],
)
def test_sub_headings(plan: Document, question: str, heading: str) -> None:
    kids = children(plan, heading)
    assert len(kids) >= 2
    ans = answer_from_outline(analyse(question), [plan])
    assert ans is not None and len(ans.citations) == len(kids)
    for n, kid in enumerate(kids, start=1):
        assert f"{kid}[{n}]" in ans.text
        assert ans.citations[n - 1].passage.span[0] > 0


def test_a_heading_that_defines_a_name(plan: Document) -> None:
    ans = answer_from_outline(analyse("一核指的是什么？"), [plan])
    assert ans is not None and "东丽经开区" in ans.text
    ans = answer_from_outline(analyse("双区是指哪两个区？"), [plan])
    assert ans is not None and "华明高新区、临空经济区" in ans.text


def test_paragraph_labels_when_there_are_no_sub_headings(plan: Document) -> None:
    ans = answer_from_outline(analyse("基本原则有哪些？"), [plan])
    assert ans is not None
    for lead in ["动能转换、双轮驱动", "智能赋能、融合发展", "集约集聚、绿色发展", "市场主导、政府引导", "内生驱动、协同发展"]:
        assert lead in ans.text


@pytest.mark.parametrize(
    "question",
    [
        "高端装备制造依托哪些企业？",  # about the text under the heading, not the heading
        "生物医药重点发展哪些产品？",
        "新材料类项目有哪些？",
        "2020年全区工业增加值是多少？",
        "",
    ],
)
def test_other_questions_are_not_outline_questions(plan: Document, question: str) -> None:
    assert answer_from_outline(analyse(question), [plan]) is None


def test_engine_order(engine: AnswerEngine) -> None:
    assert engine.ask("新材料类项目有哪些？").kind == "aggregate"  # the table first
    ans = engine.ask("规划提出了哪些保障措施？")
    assert ans.kind == "outline" and ans.grounded
