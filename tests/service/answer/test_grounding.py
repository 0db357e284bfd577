"""A place the question names must be named by the evidence: as written, contracted, or by its parts."""

from __future__ import annotations

import pytest

from service.answer.grounding import asks_share, only_shares, place_mentioned, shares_for_amount, uncovered
from service.answer.question import analyse


@pytest.mark.parametrize(
    ("place", "context", "named"),
    [
        ("浦东新区", "上海市浦东新区工业发展规划", True),
        ("伦大", "伦敦大学学院的中央行政机关为理事会", True),  # a contraction no dictionary lists
        ("舟山群岛", "舟山市 航空 群岛现有民用机场1个", True),  # the name and its feature
        ("嘉义", "彰化市公所并置市政会议", False),
        ("中国", "中美两国的贸易", False),  # a known name is meant as written
        ("西青", "东丽区西部青年创业园", False),
        ("长江", "沿江地区的长远规划", False),
        ("华北地区", "华东地区的产业", False),  # the feature alone names no place
    ],
)
def test_place_mentioned(place: str, context: str, named: bool) -> None:
    assert place_mentioned(place, context) is named


class _Collection:
    """The two lookups ``uncovered`` reads: sentence counts of a term, and the documents' scopes."""

    def __init__(self, text: str, scopes: list) -> None:
        self.text, self._scopes = text, scopes

    def df(self, term: str) -> int:
        return self.text.count(term)

    def scopes(self) -> list:
        return self._scopes


def test_a_place_or_year_no_document_speaks_of_declines_and_one_any_document_does_is_left_to_the_model() -> None:
    from service.answer.question import analyse
    from service.answer.scope import document_scope

    coll = _Collection("全省粮食产量836.9亿斤。", [document_scope("ah", "2025年安徽省政府工作报告", "")])
    assert uncovered(analyse("安徽去年粮食产量是多少？"), coll).grounded
    assert uncovered(analyse("2024年安徽粮食产量是多少？"), coll).grounded  # a report of 2025 reviews 2024
    v = uncovered(analyse("浙江去年粮食产量是多少？"), coll)
    assert (v.grounded, v.reason) == (False, "文档中没有关于“浙江”的内容")
    v = uncovered(analyse("2019年安徽粮食产量是多少？"), coll)
    assert (v.grounded, v.reason) == (False, "文档中没有涉及2019年的内容")


@pytest.mark.parametrize(
    ("question", "share_answers"),
    [
        ("今年手机流量资费要降多少？", True),  # a change: "降低20%" answers it
        ("去年融资平台数量压减了多少？", True),
        ("去年来旅游的人多了多少？", True),
        ("非急需开支要砍掉多少？", True),
        ("研发投入强度定在多少？", True),  # a rate named by its noun
        ("农作物耕种收综合机械化水平是多少？", True),
        ("粮食产量占全国多大份额？", True),
        ("去年人均GDP是多少元？", False),  # an amount, by its unit
        ("进出口总额一共多少？", False),
        ("今年要新建多少个5G基站？", False),
        ("最低收购价每斤提到了多少钱？", False),
    ],
)
def test_a_share_answers_a_question_about_a_rate_or_a_change_not_one_about_an_amount(
        question: str, share_answers: bool) -> None:
    assert asks_share(analyse(question)) is share_answers


def test_only_shares_tells_a_window_of_percentages_from_one_with_an_amount() -> None:
    assert only_shares("移动网络流量平均资费再降低20%以上")
    assert only_shares("城乡低保标准分别增长7%和9%，高出0.5个百分点")
    assert not only_shares("全省进出口总额突破7000亿元、增长5%")


def test_an_amount_asked_is_not_answered_by_shares_but_a_change_asked_is() -> None:
    shares = "移动网络流量平均资费再降低20%以上"
    assert shares_for_amount(analyse("去年人均GDP是多少元？"), shares)
    assert not shares_for_amount(analyse("今年手机流量资费要降多少？"), shares)
    assert not shares_for_amount(analyse("去年人均GDP是多少元？"), "人均GDP达到9.8万元")
