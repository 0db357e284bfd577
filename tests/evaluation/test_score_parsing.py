"""Reading score.py's output: the SCORE line and the per-type table."""

from __future__ import annotations

import pytest

from evaluation.dev import parse_score_output

OUTPUT = """FAIL d05 [fact] 市级企业技术中心有多少家？ — gold cited but not first | 35家[1]

type             n  answer  cite@1  cite@5
aggregate        4   1.000   0.750   1.000
oos              2   1.000   1.000   1.000
phrase           3   1.000   1.000   1.000
SCORE answer=0.944 cite@1=0.889 cite@5=0.972 phrase=1.000 oos=1.000 p50_ms=41.2 p95_ms=180.0 n=41
"""


def test_parse_score_output():
    score, rows, fails = parse_score_output(OUTPUT)
    assert score["answer"] == 0.944 and score["cite@1"] == 0.889 and score["n"] == 41
    assert score["p95_ms"] == 180.0
    assert [r["type"] for r in rows] == ["aggregate", "oos", "phrase"]
    assert rows[0] == {"type": "aggregate", "n": 4, "answer": 1.0, "cite@1": 0.75, "cite@5": 1.0}
    assert len(fails) == 1 and fails[0].startswith("FAIL d05")


def test_parse_score_output_requires_the_score_line():
    with pytest.raises(ValueError):
        parse_score_output("type n answer\n")
