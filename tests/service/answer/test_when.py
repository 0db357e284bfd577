"""Which year a question is about, and which dated documents speak for it."""

from __future__ import annotations

import pytest

from service.answer import when
from service.answer.when import DocTime


def _report(year: int) -> DocTime:
    return DocTime(f"r{year}", f"{year}年政府工作报告", year, (year - 1, year), True)


PLAN = DocTime("plan", "某区“十四五”规划", 2021, (2021, 2022, 2023, 2024, 2025), False)
DOCS = [_report(2018), _report(2019), _report(2020), PLAN]


@pytest.mark.parametrize(("text", "years"), [
    ("2019年经济增长预期目标是多少？", (2019,)),
    ("13年温家宝作报告的时候养老金每月多少钱？", (2013,)),
    ("近10年来粮食产量怎样？", ()),
    ("过去20年新增多少公里高铁？", ()),
    ("30年代的事", ()),
])
def test_question_years_reads_two_digit_years_only_where_they_are_years(text: str, years: tuple) -> None:
    assert when.question_years(text) == years


@pytest.mark.parametrize(("text", "expected"), [
    ("2019年经济增长预期目标是多少？", "target"),
    ("2014年中央预算内投资安排了多少钱？", "target"),
    ("2016年公路投资计划完成多少？", "target"),
    ("2012年全国城镇新增就业了多少人？", "fact"),
    ("2022年经济实际增长了多少？", "fact"),
    ("2013年我国国内生产总值达到多少？", "fact"),
    ("2015年GDP总量有多大？", None),
])
def test_tense_tells_a_target_from_what_happened(text: str, expected: str | None) -> None:
    assert when.tense(text) == expected


def test_a_target_is_asked_of_that_years_report_first_then_the_next() -> None:
    tp = when.plan(when.time_scope("2019年经济增长预期目标是多少？"), DOCS)
    assert tp is not None and tp.attempts == (("r2019",), ("r2020",))


def test_what_happened_in_a_year_is_asked_of_the_next_years_report_first() -> None:
    tp = when.plan(when.time_scope("2018年农村贫困人口减少了多少？"), DOCS)
    assert tp is not None and tp.attempts == (("r2019",),)  # the 2018 report only planned it
    tp = when.plan(when.time_scope("2018年粮食产量是多少？"), DOCS)  # cannot tell: the review first
    assert tp is not None and tp.attempts == (("r2019",), ("r2018",))


def test_a_plan_speaks_for_every_year_of_its_period() -> None:
    tp = when.plan(when.time_scope("2023年要建多少个5G基站？"), DOCS)
    assert tp is not None and tp.attempts == (("plan",),)


def test_a_named_report_is_that_report_whatever_the_tense() -> None:
    tp = when.plan(when.time_scope("2019年政府工作报告回顾过去一年，粮食产量是多少？"), DOCS)
    assert tp is not None and tp.attempts == (("r2019",),) and tp.year is None
    tp = when.plan(when.time_scope("2019年政府工作报告打算全年减税多少？"), DOCS)
    assert tp is not None and tp.attempts == (("r2019",),) and tp.year == 2019


def test_this_year_is_read_against_the_newest_document_and_says_so() -> None:
    tp = when.plan(when.time_scope("今年经济增长预期目标是多少？"), DOCS)
    assert tp is not None and tp.attempts == (("r2020",),)
    assert tp.newest


def test_time_narrows_nothing_without_a_year_or_with_one_document() -> None:
    assert when.plan(when.time_scope("粮食产量是多少？"), DOCS) is None
    assert when.plan(when.time_scope("粮食产量是多少？"), [_report(2019)]) is None
    assert when.plan(when.time_scope("1990年粮食产量是多少？"), DOCS) is None


def test_a_reports_review_speaks_for_the_year_before_and_its_plans_for_its_own() -> None:
    r = _report(2019)
    assert when.passage_years(("一、2018年工作回顾",), r) == (2018,)
    assert when.passage_years(("二、今年发展主要目标",), r) == (2019,)
    assert when.passage_years(("一、过去五年工作回顾", "（一）经济"), r) == (2014, 2015, 2016, 2017, 2018)
    assert when.passage_years(("一、过去一年工作回顾",), r) == (2018,)
    assert when.passage_years(("三、重点工作",), r) == (2018, 2019)  # no heading says which
    assert when.passage_years((), PLAN) == PLAN.years
    assert when.speaks_for(2017, ("三、重点工作",), "比2017年增长5%", r)
    assert not when.speaks_for(2018, ("三、2019年重点工作",), "赤字率拟按2.8%安排", r)


def test_an_answer_about_this_year_or_last_must_speak_for_it() -> None:
    this = when.plan(when.time_scope("今年城镇调查失业率要控制在什么水平？"), DOCS)
    last = when.plan(when.time_scope("去年粮食产量是多少？"), DOCS)
    assert this is not None and this.year == 2020
    assert last is not None and last.year == 2019 and last.attempts == (("r2020",),)


def test_a_deadline_is_not_a_year_to_look_up() -> None:
    assert when.time_scope("到2025年要建多少个5G基站？").empty
    assert when.time_scope("2030年前碳排放达峰的目标是什么？").empty


def test_a_review_of_five_years_answers_for_one_year_only_where_it_speaks_of_that_year() -> None:
    r = _report(2023)
    review = ("一、过去一年和五年工作回顾",)
    assert when.speaks_for(2022, review, "全年国内生产总值增长3%，城镇新增就业1206万人", r)
    assert not when.speaks_for(2022, review, "国内生产总值增加到121万亿元，五年年均增长5.2%", r)
    assert when.speaks_for(2022, review, "2022年国内生产总值增长3%，五年年均增长5.2%", r)


def test_one_report_is_still_read_for_the_part_about_the_year_asked() -> None:
    tp = when.plan(when.time_scope("2019年粮食产量是多少？"), [_report(2019)])
    assert tp is not None and tp.attempts == (("r2019",),) and tp.year == 2019 and not tp.newest
    tp = when.plan(when.time_scope("去年粮食产量是多少？"), [_report(2019)])
    assert tp is not None and tp.year == 2018 and not tp.newest


def test_reports_are_asked_before_a_plan_covering_the_year() -> None:
    tp = when.plan(when.time_scope("2021年GDP增长目标定了多少？"), [_report(2021), _report(2022), PLAN])
    assert tp is not None and tp.attempts == (("r2021",), ("plan",), ("r2022",))
    tp = when.plan(when.time_scope("2021年怎么帮中小微企业解决借钱难？"), [_report(2021), _report(2022), PLAN])
    assert tp is not None and tp.attempts[0] == ("r2021",)


def test_a_report_named_that_is_not_indexed_is_said_to_be_missing() -> None:
    tp = when.plan(when.time_scope("2024年政府工作报告安排的地方专项债是多少？"), DOCS)
    assert tp is not None and tp.attempts == ()
