"""A place the question names must be named by the evidence: as written, contracted, or by its parts."""

from __future__ import annotations

import pytest

from service.answer.grounding import place_mentioned


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
