"""The side-by-side section of the evaluation report: differences and the tolerance goal."""

from __future__ import annotations

from evaluation.backends import render_backends

LOCAL_DEV = {"answer": 0.95, "cite@1": 0.90, "cite@5": 0.97}
LOCAL_CMRC = [{"pipeline": "planqa hybrid", "R@1": 0.980, "R@5": 0.996, "MRR": 0.987, "passages": 9000},
              {"pipeline": "planqa BM25 only", "R@1": 0.969, "R@5": 0.995, "MRR": 0.980}]


def _milvus(shift: float) -> dict:
    return {"dev": {"score": dict(LOCAL_DEV), "failures": []},
            "cmrc_retrieval": [{**r, "R@1": r["R@1"] + shift} for r in LOCAL_CMRC]}


def test_agreement_within_the_tolerance_is_met() -> None:
    text = render_backends(LOCAL_DEV, LOCAL_CMRC, _milvus(0.004))
    assert "| largest difference between Milvus and local | ≤ 0.010 | 0.004 | met |" in text
    assert "CMRC2018 R@1, planqa hybrid | 0.980 | 0.984 | 0.004" in text


def test_a_larger_difference_is_reported_missed() -> None:
    text = render_backends(LOCAL_DEV, LOCAL_CMRC, _milvus(-0.03))
    assert "**missed**" in text and "-0.030" in text


def test_nothing_without_a_milvus_run() -> None:
    assert render_backends(LOCAL_DEV, LOCAL_CMRC, None) == ""
