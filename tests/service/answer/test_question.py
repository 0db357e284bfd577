"""Question understanding: kind, what is asked about, and the places, years and numbers named."""

from __future__ import annotations

import pytest

from service.answer.question import DESCRIPTION, ENTITY, LIST, QUANTITY, TIME, analyse


@pytest.mark.parametrize(
    "question, kind",
    [
        ("2020年全区工业增加值是多少？", QUANTITY),
        ("世界智能驾驶挑战赛举办了几届？", QUANTITY),
        ("规上工业增加值占全市比重？", QUANTITY),
        ("十四五期间规模以上工业增加值年均增长目标是多少？", QUANTITY),
        ("高端医疗器械依托哪些企业？", LIST),
        ("预计总投资10亿元以上的项目有哪几个？", LIST),
        ("高耗能电机改造项目的法人单位是谁？", ENTITY),
        ("要打造哪个千亿级产业集群？", ENTITY),
        ("烟厂三期技改何时建设？", TIME),
        ("英诺美迪国际医疗器械产业园项目的建设起止年限？", TIME),
        ("天津市的现代工业产业体系是怎么表述的？", DESCRIPTION),
        ("如何加快构建绿色制造体系？", DESCRIPTION),
        ("How many 5G base stations will be built by 2025?", QUANTITY),
        ("What are the four leading industries of Dongli district?", LIST),
        ("Who is the legal entity of the project?", ENTITY),
        ("When will the project be completed?", TIME),
    ],
)
def test_kind(question: str, kind: str) -> None:
    assert analyse(question).kind == kind


@pytest.mark.parametrize(
    "question, focus",
    [
        ("2020年全区工业增加值是多少？", "增加值"),
        ("全区公交首末站安装了多少个充电设施？", "设施"),
        ("高端医疗器械依托哪些企业？", "企业"),
        ("智能网联汽车的五大关键要素是什么？", "要素"),
        ("东丽区有多少所高校？", "高校"),
        ("一重天津重工2020年产值多少？", "产值"),
        ("供电可靠率要达到多少？", "可靠率"),
        ("智能电表覆盖率目标是多少？", "覆盖率"),
        ("What is the population of Dongli district?", "人口"),
    ],
)
def test_focus_is_the_noun_asked_about(question: str, focus: str) -> None:
    assert analyse(question).focus == focus


def test_places_years_numbers() -> None:
    q = analyse("北京市2019年计划建设多少个5G基站，投资5.5亿元？")
    assert q.places == ("北京",)
    assert q.years == (2019,)
    assert q.numbers == ("5.5",)  # "5G" is a name, not a number
    assert analyse("河北区的项目有几个？").places == ("河北区",)
    assert "上海" in analyse("What is the GDP of Shanghai?").places


def test_traditional_and_full_width_are_normalised() -> None:
    q = analyse("上雲企業數量累計突破多少家？")
    assert q.text.startswith("上云企业数量累计突破") and not q.english
    assert analyse("２０２０年工业增加值是多少？").years == (2020,)


def test_english_questions_get_chinese_keywords() -> None:
    q = analyse("Which companies does the high-end medical device industry rely on?")
    assert q.english
    assert {"企业", "高端", "医疗器械", "依托"} <= set(q.terms)


def test_markers_in_the_question_are_not_content() -> None:
    q = analyse("[9]东丽区有多少家企业[1]？")
    assert "9" not in q.numbers and "1" not in q.numbers


@pytest.mark.parametrize("question", ["", "   ", "？", "\x00\ud800", "a" * 10_000, "多少" * 5_000])
def test_any_input_is_read(question: str) -> None:
    q = analyse(question)
    assert isinstance(q.kind, str)
    assert len(q.text) <= 600


@pytest.mark.parametrize(("question", "terms"), [
    # the question phrase is cut off before segmenting, so no "制是" glues the copula to the term
    ("链长制是什么？", ("链长制",)),
    ("河长制是指什么？", ("河长制",)),
    # what a staff member asks for ("安排", "举措") is not what the text must contain
    ("有没有关于碳达峰的安排？", ("碳达峰",)),
    ("对于招商引资有哪些举措？", ("招商引资",)),
    # a count asked with its measure word ("几届", "多少项") is the question, not its content
    ("挑战赛举办了几届？", ("挑战赛", "举办")),
    ("建成了几座变电站？", ("建成", "变电站")),
    ("申请了多少项专利？", ("申请", "专利")),
])
def test_terms_are_what_the_text_must_speak_of(question: str, terms: tuple[str, ...]) -> None:
    assert analyse(question).terms == terms
