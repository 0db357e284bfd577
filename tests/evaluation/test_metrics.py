"""The metric functions behind make eval and make bench, on hand-checked cases."""

from __future__ import annotations

import math

import pytest

from evaluation.metrics import (
    best_em_f1,
    cite_hit,
    cite_scores,
    contains_answer,
    exact_match,
    f1_score,
    latency_summary,
    longest_common_substring,
    normalize_answer,
    percentile,
    recall_at,
    reciprocal_rank,
    retrieval_scores,
    segments,
    strip_markers,
)


def test_cite_hit_ignores_whitespace_like_score_py():
    assert cite_hit("工业增加值 达235.1\n亿元，占比", ["工业增加值达235.1亿元"])
    assert not cite_hit("工业增加值达235亿元", ["工业增加值达235.1亿元"])
    assert not cite_hit("任何文字", [])
    assert not cite_hit("任何文字", [""])


def test_cite_scores_counts_first_and_any_of_k():
    ranked = [["甲乙丙", "丁"], ["x", "甲乙"], ["y", "z"]]
    gold = [["甲乙"], ["甲乙"], ["甲乙"]]
    s = cite_scores(ranked, gold, k=5)
    assert s["cite@1"] == pytest.approx(1 / 3)
    assert s["cite@5"] == pytest.approx(2 / 3)
    assert s["median_chars"] == 1.0  # lengths 3,1,1,2,1,1
    assert s["n"] == 3


def test_cite_scores_only_looks_at_first_k():
    s = cite_scores([["a", "b", "hit"]], [["hit"]], k=2)
    assert s["cite@2"] == 0.0


def test_recall_and_reciprocal_rank():
    ranked = ["b", "a", "a", "c"]
    assert recall_at(ranked, "a", 1) == 0.0
    assert recall_at(ranked, "a", 2) == 1.0
    assert reciprocal_rank(ranked, "a") == 0.5
    assert reciprocal_rank(ranked, "c", depth=3) == 0.0
    assert reciprocal_rank([], "a") == 0.0


def test_retrieval_scores_over_queries():
    s = retrieval_scores([["p1", "p2"], ["p3", "p2"], ["p9"] * 6 + ["p4"]], ["p1", "p2", "p4"])
    assert s["R@1"] == pytest.approx(1 / 3)
    assert s["R@5"] == pytest.approx(2 / 3)
    assert s["MRR"] == pytest.approx((1 + 0.5 + 1 / 7) / 3)
    assert s["n"] == 3
    assert math.isnan(retrieval_scores([], [])["R@1"])


def test_segments_split_chinese_by_character_and_keep_latin_words():
    assert segments("光荣和ω-force开发") == ["光", "荣", "和", "ω", "force", "开", "发"]
    assert segments("“双千兆”工程, 5G 基站") == ["双", "千", "兆", "工", "程", "5g", "基", "站"]
    assert segments("  ，。") == []


def test_normalize_answer_drops_punctuation_space_and_case():
    assert normalize_answer("「战史演武」& 「争霸演武」") == "战史演武争霸演武"
    assert normalize_answer("ABC d") == "abcd"


def test_lcs_is_a_contiguous_run():
    assert longest_common_substring(list("abcde"), list("xbcdy")) == 3
    assert longest_common_substring(list("abc"), list("acb")) == 1
    assert longest_common_substring([], list("a")) == 0


def test_f1_official_cmrc_style():
    # a 3-character reference inside an 11-character prediction: P = 3/11, R = 1
    assert f1_score("这是村雨城的改编作品吧", "村雨城") == pytest.approx(2 * (3 / 11) * 1 / (3 / 11 + 1))
    assert f1_score("村雨城", "村雨城。") == 1.0
    assert f1_score("完全无关", "村雨城") == 0.0
    # a common run, not common characters in any order
    assert f1_score("城雨村", "村雨城") == pytest.approx(2 * (1 / 3) * (1 / 3) / (2 / 3))


def test_exact_match_and_best_over_references():
    assert exact_match("光荣和ω-force", "光荣和 ω－force") == 1.0  # both hyphens are punctuation
    assert exact_match("光荣", "光荣和ω-force") == 0.0
    assert exact_match("《战国无双3》", "战国无双3") == 1.0
    em, f1 = best_em_f1("村雨城", ["任天堂游戏谜之村雨城", "村雨城"])
    assert em == 1.0 and f1 == 1.0
    em, f1 = best_em_f1("谜之村雨城", ["任天堂游戏谜之村雨城", "完全不同"])
    assert em == 0.0 and f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert best_em_f1("x", ["", "。"]) == (0.0, 0.0)


def test_markers_and_containment():
    assert strip_markers("到2025年建设4000个5G基站[1][2]。") == "到2025年建设4000个5G基站。"
    assert contains_answer("由光荣和ω-force开发[1]", ["光荣和ω-force"])
    assert not contains_answer("由光荣开发", ["光荣和ω-force"])


def test_percentile_is_nearest_rank():
    xs = list(range(1, 101))
    assert percentile(xs, 50) == 50
    assert percentile(xs, 95) == 95
    assert percentile([3.0], 95) == 3.0
    assert percentile([5, 1, 3], 50) == 3
    assert math.isnan(percentile([], 50))
    s = latency_summary([10.0, 20.0, 30.0, 40.0])
    assert s["p50"] == 20.0 and s["p95"] == 40.0 and s["mean"] == 25.0 and s["n"] == 4
