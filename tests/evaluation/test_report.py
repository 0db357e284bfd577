"""Markdown formatting of measured numbers and goal checks."""

from __future__ import annotations

import math

from evaluation.report import fmt, goal, goals_table, table


def test_fmt():
    assert fmt(0.12345) == "0.123"
    assert fmt(0.5, 1) == "0.5"
    assert fmt(12345) == "12,345"
    assert fmt(None) == "–" and fmt(math.nan) == "–"
    assert fmt(True) == "yes"
    assert fmt("x") == "x"


def test_table_layout():
    md = table(["name", "a", "b"], [["x", 0.5, 3], ["y", None, 10]], [0, 2, 0])
    lines = md.splitlines()
    assert lines[0] == "| name | a | b |"
    assert lines[1] == "|---|---:|---:|"
    assert lines[2] == "| x | 0.50 | 3 |"
    assert lines[3] == "| y | – | 10 |"


def test_goals_met_and_missed():
    lower = goal("p50 ratio", 3.0, 2.0, False, "×", 2)
    higher = goal("speed-up", 2.5, 2.0, True, "×", 2)
    assert not lower["met"] and lower["ratio"] == 1.5
    assert higher["met"]
    assert not goal("nan", math.nan, 1.0, True)["met"]
    md = goals_table([lower, higher])
    assert "**missed** (1.50× the target)" in md
    assert "| speed-up | ≥ 2.00× | 2.50× | met |" in md
