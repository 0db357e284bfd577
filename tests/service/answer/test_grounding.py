"""A place the question names must be named by the evidence: as written, contracted, or by its parts."""

from __future__ import annotations

import pytest

from service.answer.grounding import place_mentioned, uncovered


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
