"""Questions across dated documents: which kind, what each document is asked, which documents."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from index.textnorm import normalize
from service.answer import across
from service.answer.when import DocTime


def _report(year: int) -> DocTime:
    return DocTime(f"r{year}", f"{year}年政府工作报告", year, (year - 1, year), True)


REPORTS = [_report(y) for y in range(2015, 2021)]
PLAN = DocTime("plan", "某区规划", 2021, (2021, 2022, 2023, 2024, 2025), False)


@pytest.mark.parametrize(("text", "sub"), [
    ("历年政府工作报告中经济增长预期目标分别是多少？", "经济增长预期目标是多少？"),
    ("2015年到2019年城镇新增就业目标有什么变化？", "城镇新增就业目标是多少？"),
    ("对比2016年和2021年的赤字率目标", "赤字率目标"),
    ("2013年以来每年的政府工作报告把赤字率定在多少？", "赤字率定在多少？"),
    ("2012年到2022年，每年国内生产总值实际增长了多少？", "国内生产总值实际增长了多少？"),
    ("历年政府工作报告里中央预算内投资分别安排了多少？", "中央预算内投资安排了多少？"),
])
def test_a_question_across_years_is_asked_of_each_report_without_its_years(text: str, sub: str) -> None:
    a = across.classify(text)
    assert a is not None and a.kind == "values" and a.sub == normalize(sub)


@pytest.mark.parametrize(("text", "kind", "terms"), [
    ("“大众创业、万众创新”最早出现在哪一年的政府工作报告？", "first", ("大众创业、万众创新",)),
    ("碳达峰、碳中和是哪一年的政府工作报告最早提出的？", "first", ("碳达峰", "碳中和")),
    ("城镇调查失业率是从哪一年开始列入政府工作报告预期目标的？", "first", ("城镇调查失业率",)),
    ("哪几年的政府工作报告提到了供给侧结构性改革？", "which", ("供给侧结构性改革",)),
    ("“六稳”“六保”最早出现在哪一年的政府工作报告？", "first", ("六稳", "六保")),
])
def test_a_question_about_a_phrases_use_names_the_phrase(text: str, kind: str, terms: tuple) -> None:
    a = across.classify(text)
    assert a is not None and (a.kind, a.terms) == (kind, terms)


@pytest.mark.parametrize("text", [
    "2019年经济增长预期目标是多少？",
    "到2025年要建多少个5G基站？",
    "2021—2025年要新建多少公里铁路？",
    "怎么培养和引进人才？",
    "职校老师每年至少要到企业里实践多久？",
    "各省要不要每年给中央汇报乡村振兴进展？",
    "职业院校从哪一年起基本不再招应届毕业生当老师？",
    "为什么这些年我国物价一直比较稳？（2023年报告）",
])
def test_a_question_about_one_year_or_period_is_not_across(text: str) -> None:
    assert across.classify(text) is None


def test_targets_of_a_range_come_from_those_years_reports_and_outcomes_from_the_next() -> None:
    target = across.classify("2016年到2018年赤字率目标分别是多少？")
    fact = across.classify("2016年到2018年，每年国内生产总值实际增长了多少？")
    assert target is not None and fact is not None
    assert [(d.year, y) for d, y in across.documents(target, [*REPORTS, PLAN])] == [(2016, 2016), (2017, 2017), (2018, 2018)]
    assert [(d.year, y) for d, y in across.documents(fact, [*REPORTS, PLAN])] == [(2017, 2016), (2018, 2017), (2019, 2018)]


def test_a_comparison_takes_the_reports_of_the_years_it_names() -> None:
    a = across.classify("对比2016年和2019年的赤字率目标")
    assert a is not None
    assert [d.doc_id for d, _ in across.documents(a, REPORTS)] == ["r2016", "r2019"]


@dataclass
class _P:
    id: str
    text: str


@dataclass
class _H:
    passage: _P


@dataclass
class _A:
    text: str
    citations: list
    short_answer: str | None = None


def test_values_are_joined_one_line_per_document_each_citing_its_own_passage() -> None:
    chosen = [(REPORTS[0], 2015), (REPORTS[1], 2016), (REPORTS[2], 2017)]
    answers = [
        _A("要坚持稳中求进[1]。", [_H(_P("a", "要坚持稳中求进"))]),
        None,
        _A("坚持创新发展[2]。另见[1]。", [_H(_P("c0", "x")), _H(_P("c", "坚持创新发展"))]),
    ]
    j = across.join_values(chosen, answers)
    assert j.text.splitlines() == [
        "按年份逐份回答（3份文件，2份有答案）：",
        "2015年（《2015年政府工作报告》）：要坚持稳中求进[1]。",
        "2016年（《2016年政府工作报告》）：没有找到。",
        "2017年（《2017年政府工作报告》）：坚持创新发展[2]。另见[3]。",
    ]
    assert [h.passage.id for h in j.citations] == ["a", "c", "c0"]


def test_figures_by_year_are_a_table_in_the_answers_own_words() -> None:
    chosen = [(REPORTS[0], 2015), (REPORTS[1], 2016), (REPORTS[2], 2017)]
    answers = [_A("国内生产总值增长7%左右[1]。", [_H(_P("a", ""))], "7%"), None,
               _A("增长6.5%以上[1]。", [_H(_P("b", ""))], "6.5%")]
    lines = across.join_values(chosen, answers).text.splitlines()
    assert lines[1:] == ["| 年份 | 文件 | 答案 |", "|---|---|---|",
                         "| 2015年 | 《2015年政府工作报告》 | 国内生产总值增长7%左右[1]。 |",
                         "| 2016年 | 《2016年政府工作报告》 | 没有找到 |",
                         "| 2017年 | 《2017年政府工作报告》 | 增长6.5%以上[2]。 |"]


def test_sentence_with_cuts_around_the_phrase() -> None:
    text = "前面一句话。我们要深入推进供给侧结构性改革，提高质量。后面一句。"
    assert across.sentence_with(text, "供给侧结构性改革") == "我们要深入推进供给侧结构性改革，提高质量。"


def test_a_phrase_is_found_where_a_word_starts_not_inside_another() -> None:
    docs = [_report(2015), _report(2016)]
    paragraphs = {"r2015": [("p1", "要创新发展理念，破解发展难题。")], "r2016": [("p2", "坚持新发展理念。")]}
    found = across.find_terms(["新发展理念"], docs, lambda d: paragraphs[d])
    assert [(d.doc_id, ps) for d, ps in found] == [("r2016", ["p2"])]


def test_across_years_reads_the_run_of_reports_spanning_most_years() -> None:
    national = [DocTime(f"n{y}", f"{y}年政府工作报告", y, (y - 1, y), True, "政府工作报告|全国") for y in (2019, 2020, 2021)]
    provinces = [DocTime(f"p{i}", f"2025年某省{i}报告", 2025, (2024, 2025), True, f"政府工作报告|省{i}") for i in range(4)]
    a = across.classify("历年政府工作报告中经济增长预期目标分别是多少？")
    assert a is not None
    assert [d.doc_id for d, _ in across.documents(a, [*provinces, *national])] == ["n2019", "n2020", "n2021"]
    assert across.longest_series(provinces) == provinces
