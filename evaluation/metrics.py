"""The metric functions every evaluation and benchmark shares, kept free of I/O so they are testable.

- citation hits exactly as ``../shared/eval/score.py`` decides them (substring, whitespace ignored);
- retrieval: R@k and MRR with one relevant item per query;
- CMRC2018 extractive answers: EM and F1 in the official CMRC style — punctuation and whitespace
  removed, Chinese split into characters and other runs into words, F1 from the longest common
  substring of the two segment sequences, the best over the reference answers;
- latency percentiles (nearest rank, so p95 is a latency that was actually observed).
"""

from __future__ import annotations

import math
import re
import statistics
import string
from collections.abc import Sequence
from typing import Any

_WS = re.compile(r"\s+")
# The official CMRC2018 script's separators plus ASCII punctuation and a few more CJK marks.
_CJK_PUNCT = "，。：？！“”；’‘《》……·、「」（）－～『』【】〔〕〈〉—…｜／＼＂＇"
PUNCT = frozenset(string.punctuation + _CJK_PUNCT)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


# ---- citations --------------------------------------------------------------------------------


def squash(s: str | None) -> str:
    """``s`` without any whitespace (how score.py compares citation text)."""
    return _WS.sub("", s or "")


def cite_hit(text: str, cite_any: Sequence[str]) -> bool:
    """True when ``text`` contains one of ``cite_any``, whitespace ignored (score.py's rule)."""
    t = squash(text)
    return any(squash(c) and squash(c) in t for c in cite_any)


def cite_scores(ranked_texts: Sequence[Sequence[str]], cite_anys: Sequence[Sequence[str]], k: int = 5) -> dict[str, Any]:
    """cite@1, cite@k and the median length of the first ``k`` texts, over all questions."""
    c1 = ck = 0
    lengths: list[int] = []
    for texts, gold in zip(ranked_texts, cite_anys, strict=True):
        hits = [cite_hit(t, gold) for t in texts[:k]]
        c1 += bool(hits and hits[0])
        ck += any(hits)
        lengths.extend(len(t) for t in texts[:k])
    n = len(cite_anys)
    return {
        "cite@1": c1 / n if n else math.nan,
        f"cite@{k}": ck / n if n else math.nan,
        "median_chars": statistics.median(lengths) if lengths else math.nan,
        "n": n,
    }


# ---- retrieval ----------------------------------------------------------------------------------


def recall_at(ranked: Sequence[str], relevant: str, k: int) -> float:
    """1.0 when ``relevant`` is among the first ``k`` of ``ranked`` (duplicates allowed)."""
    return 1.0 if relevant in ranked[:k] else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: str, depth: int = 10) -> float:
    """1 / rank of the first occurrence of ``relevant`` within ``depth``, else 0."""
    for i, r in enumerate(ranked[:depth], start=1):
        if r == relevant:
            return 1.0 / i
    return 0.0


def retrieval_scores(rankings: Sequence[Sequence[str]], relevant: Sequence[str], depth: int = 10) -> dict[str, Any]:
    """R@1, R@5 and MRR@``depth`` over queries with one relevant item each.

    ``rankings`` may repeat an id (several chunks of one passage); its first rank counts.
    """
    n = len(relevant)
    if n == 0:
        return {"R@1": math.nan, "R@5": math.nan, "MRR": math.nan, "n": 0}
    r1 = sum(recall_at(r, g, 1) for r, g in zip(rankings, relevant, strict=True))
    r5 = sum(recall_at(r, g, 5) for r, g in zip(rankings, relevant, strict=True))
    mrr = sum(reciprocal_rank(r, g, depth) for r, g in zip(rankings, relevant, strict=True))
    return {"R@1": r1 / n, "R@5": r5 / n, "MRR": mrr / n, "n": n}


# ---- CMRC2018 EM / F1 -------------------------------------------------------------------------


def segments(text: str) -> list[str]:
    """Lower-cased segments without punctuation or whitespace: each CJK character alone, other
    runs (Latin words, numbers) as one segment each — the official CMRC2018 segmentation."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append("".join(run))
            run.clear()

    for ch in (text or "").lower():
        if ch.isspace() or ch in PUNCT:
            flush()
        elif _CJK.match(ch):
            flush()
            out.append(ch)
        else:
            run.append(ch)
    flush()
    return out


def normalize_answer(text: str) -> str:
    """Lower-cased, punctuation and whitespace removed (the EM comparison)."""
    return "".join(ch for ch in (text or "").lower() if not ch.isspace() and ch not in PUNCT)


def longest_common_substring(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest run of equal consecutive segments in ``a`` and ``b``."""
    if not a or not b:
        return 0
    best = 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, start=1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def f1_score(prediction: str, reference: str) -> float:
    """Official CMRC2018 F1: precision and recall of the longest common segment run."""
    p, r = segments(prediction), segments(reference)
    lcs = longest_common_substring(r, p)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(p), lcs / len(r)
    return 2 * precision * recall / (precision + recall)


def exact_match(prediction: str, reference: str) -> float:
    return 1.0 if normalize_answer(prediction) == normalize_answer(reference) and normalize_answer(reference) else 0.0


def best_em_f1(prediction: str, references: Sequence[str]) -> tuple[float, float]:
    """EM and F1 of ``prediction``, each the maximum over ``references``."""
    refs = [r for r in references if normalize_answer(r)]
    if not refs:
        return 0.0, 0.0
    return max(exact_match(prediction, r) for r in refs), max(f1_score(prediction, r) for r in refs)


_MARKER = re.compile(r"\[\d+\]")


def strip_markers(answer: str) -> str:
    """An answer without its ``[n]`` citation markers."""
    return _MARKER.sub("", answer or "")


def contains_answer(prediction: str, references: Sequence[str]) -> bool:
    """Whether one normalised reference occurs inside the normalised prediction."""
    p = normalize_answer(prediction)
    return any(normalize_answer(r) and normalize_answer(r) in p for r in references)


# ---- latency ----------------------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest observed value with ``pct``% of values at or below it."""
    if not values:
        return math.nan
    xs = sorted(values)
    rank = max(1, math.ceil(pct / 100.0 * len(xs)))
    return xs[min(rank, len(xs)) - 1]


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    """p50, p95, mean and count of latencies in milliseconds."""
    return {
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "mean": statistics.fmean(ms) if ms else math.nan,
        "n": len(ms),
    }
