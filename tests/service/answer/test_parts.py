"""A question with several asks is split into them; an ask naming no subject inherits the first one's."""

from __future__ import annotations

import pytest

from service.answer.parts import Part, complete, leans, split, subject


def readings(question: str) -> list[str]:
    return [p.question for p in split(question)]


# ---- splitting ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # two sentences; the second names no subject and inherits the first one's
        ("生物医药有哪些项目？总投资多少？", ["生物医药有哪些项目？", "生物医药项目的总投资多少？"]),
        ("2021年国内生产总值是多少？比上年增长了多少？", ["2021年国内生产总值是多少？", "2021年国内生产总值比上年增长了多少？"]),
        # comma-joined asks
        ("2020年有多少家高新技术企业，完成产值多少？", ["2020年有多少家高新技术企业？", "2020年高新技术企业完成产值多少？"]),
        ("什么是河长制，如何实施？", ["什么是河长制？", "河长制如何实施？"]),
        # a second ask with a subject of its own keeps it
        ("生物医药有哪些项目？新材料有哪些项目？", ["生物医药有哪些项目？", "新材料有哪些项目？"]),
        # 以及 between two asks
        ("首钢集团有哪些项目以及总投资多少？", ["首钢集团有哪些项目？", "首钢集团项目的总投资多少？"]),
        # 分别 over things: each is asked the same
        ("甲项目和乙项目的总投资分别是多少？", ["甲项目的总投资是多少？", "乙项目的总投资是多少？"]),
        ("智能装备和生物医药类项目分别有多少个？", ["智能装备类项目有多少个？", "生物医药类项目有多少个？"]),
        # 分别 over columns of one thing
        ("精密减速器项目的总投资和建设年限分别是多少？", ["精密减速器项目的总投资是多少？", "精密减速器项目的建设年限是多少？"]),
        # an ask with a subject of its own is set where and when the first one is
        ("安徽去年工业增速多少？在工业大省里排第几？", ["安徽去年工业增速多少？", "安徽去年在工业大省里排第几？"]),
        ("江苏今年交通、水利分别准备投多少钱？", ["江苏今年交通准备投多少钱？", "江苏今年水利准备投多少钱？"]),
        # the items share what stands before the first one ("花生播种和收获")
        ("花生播种和收获的机械化率，2025年分别定了多少？",
         ["花生播种的机械化率，2025年定了多少？", "花生收获的机械化率，2025年定了多少？"]),
        # the coordination after the last comma is the one 分别 distributes over
        ("证书里，“甲”和“乙”分别指什么？", ["证书里，“甲”指什么？", "证书里，“乙”指什么？"]),
        # the verb before 得 is not part of the subject
        ("2022年新能源车卖得怎么样，销量涨了多少？", ["2022年新能源车卖得怎么样？", "2022年新能源车的销量涨了多少？"]),
    ],
)
def test_asks_are_split_and_leaning_ones_completed(question: str, expected: list[str]) -> None:
    assert readings(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "天钢和钢管公司的炼铁炼钢产能压减到了多少？",  # 和 inside one ask
        "小微企业交企业所得税，今年有什么新的减免？",  # a context clause asks nothing
        "面对人口老龄化，国家要建设怎样的养老服务格局？",
        "企业尽量保住员工岗位、不搞裁员，政府给什么支持？",
        "国家收购稻谷和小麦的保底价格今年会怎么调？",
        "生物医药有哪些项目？请列出。",  # the second sentence asks nothing new
        "生物医药有哪些项目，分别是什么？",
        "2015年农民工总数有多少？报告怎么说",  # an ask about the document, not the matter
        "执法信息该谁来公开，文件里有个什么说法？",
        "县里推行这几项制度，要拉上哪些部门一起协调？",  # 这几项 asks nothing
        "What are the four leading industries and how large are they?",
        "",
    ],
)
def test_one_ask_stays_whole(question: str) -> None:
    assert split(question) == [Part(question, question)]


def test_a_context_clause_goes_with_the_ask_after_it() -> None:
    got = split("面对人口老龄化，养老服务有哪些举措？总投资多少？")
    assert [p.asked for p in got] == ["面对人口老龄化，养老服务有哪些举措？", "总投资多少？"]


def test_leaning_asks_and_standalone_ones() -> None:
    assert leans("总投资多少？")
    assert leans("比上年增长了多少？")
    assert leans("其中2021年开工的有哪些？")
    assert leans("如何实施？")
    assert not leans("新材料有哪些项目？")
    assert not leans("常住人口有多少？")
    # a word of a table's column names an attribute
    assert leans("牌照费多少？", known=lambda w: w == "牌照费")
    assert not leans("牌照费多少？")


def test_subject_and_completion() -> None:
    assert subject("生物医药有哪些项目？") == "生物医药项目"
    assert subject("2020年有多少家高新技术企业？") == "2020年高新技术企业"
    assert subject("什么是河长制？") == "河长制"
    assert complete("总投资多少？", "上述项目") == "上述项目的总投资多少？"
    assert complete("其中2021年开工的有哪些？", "生物医药项目") == "生物医药项目中2021年开工的有哪些？"
    assert complete("比上年增长了多少？", "工业总产值") == "工业总产值比上年增长了多少？"


def test_a_leaning_ask_in_a_traditional_question_is_completed_in_simplified() -> None:
    assert readings("生物醫藥有哪些項目？總投資多少？") == ["生物医药有哪些项目？", "生物医药项目的总投资多少？"]
