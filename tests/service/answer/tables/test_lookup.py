"""Lookups on the real plan: one column of a named project, and the questions left to the text."""

from __future__ import annotations

import pytest

from ingest.model import Document, TableRow
from service.answer.tables import LOOKUP
from tests.service.answer.tables.plan_table import NAME, TOTAL, ask


# ---- lookups ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, name, expected",
    [
        ("永磁直驱系统系列产品生产项目预计总投资多少？", "永磁直驱系统系列产品生产项目", "3.5亿元"),
        ("公转铁建设项目十四五时期投资多少？", "公转铁建设", "0.875亿元"),
        ("高耗能电机改造项目的法人单位是谁？", "高耗能电机改造", "天津军电热电有限公司"),
        ("烟厂三期技改的建设起止年限是什么？", "烟厂三期技改", "2021-未知"),
        ("中航装甲产业基地项目运营5年后预计年营收多少？", "中航装甲产业基地项目", "8.05亿元"),
        ("瑞益瑞美新建厂房项目生产什么产品？", "瑞益瑞美新建厂房项目", "乳酸菌"),
        ("自动驾驶系统开发项目要开发几级自动驾驶？", "自动驾驶系统开发项目", "L4"),
        # fuzzy: the question names the project loosely
        ("富士达智能化生产线项目年增产多少辆自行车？", "富士达年增产100万辆高端自行车智能化生产线项目", "100万辆"),
        ("联东U谷智能制造科创园项目的法人单位是哪家？", "联东U谷·智能制造科创园项目", "北京联东投资（集团）有限公司"),
        ("中汽研主院区扩建工程占地多少亩？", "中汽研主院区扩建工程", "124亩"),
    ],
)
def test_lookup(plan: Document, rows: list[TableRow], question: str, name: str, expected: str) -> None:
    ans = ask(plan, question)
    assert ans is not None and ans.kind == LOOKUP and ans.grounded
    assert ans.rows[0].cell(NAME).text == name
    assert expected in ans.text and "[1]" in ans.text


def test_lookup_numbers_are_the_cells_verbatim(plan: Document, rows: list[TableRow]) -> None:
    for r in rows[:20]:
        name = r.cell(NAME).text
        ans = ask(plan, f"{name}预计总投资多少？")
        assert ans is not None and ans.rows[0].cell(NAME).text == name
        assert f"为{r.cell(TOTAL).text}亿元" in ans.text


def test_rows_named_by_owner(plan: Document) -> None:
    ans = ask(plan, "天津卷烟厂的项目预计总投资多少？")
    assert ans is not None and "烟厂三期技改" in ans.text and "5.6亿元" in ans.text
    ans = ask(plan, "华电智网(天津)科技有限公司负责哪个项目？")
    assert ans is not None and "智能电网研发中心及产业基地" in ans.text


def test_traditional_characters(plan: Document) -> None:
    ans = ask(plan, "永磁直驅系統系列產品生產項目預計總投資多少？")
    assert ans is not None and "3.5亿元" in ans.text


@pytest.mark.parametrize(
    "question, name",
    [
        ("永磁直驱项目投资多少？", "永磁直驱系统系列产品生产项目"),
        ("电装电机项目十四五投资多少？", "电装电机新能源汽车驱动电机及逆变器项目"),
        ("石墨烯项目是谁建设的？", "石墨烯复合导电材料生产线建设"),
        ("高温合金项目投资多少？", "天津高温合金国际宇航产品线(一期)建设项目"),
    ],
)
def test_a_project_called_by_a_piece_of_its_name(plan: Document, question: str, name: str) -> None:
    ans = ask(plan, question)
    assert ans is not None and ans.kind == LOOKUP and ans.rows[0].cell(NAME).text == name


# ---- what is not a table question ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "2020年全区工业增加值是多少？",
        "高端医疗器械依托哪些企业？",
        "临空经济区要加快推动哪个重点项目落地？",
        "东丽经开区要加快推动哪些项目建设？",
        "高端装备制造要提升发展哪些产业？",
        "新能源汽车关键零部件领域依托哪些龙头企业？",
        "What are the four leading industries of Dongli district?",
        "",
    ],
)
def test_text_questions_are_left_to_the_text(plan: Document, question: str) -> None:
    assert ask(plan, question) is None
