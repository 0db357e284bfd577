"""Hybrid retrieval: BM25 and dense candidate lists fused into one ranking.

Three fusions are implemented and compared by ``evaluation/retrieval.py``:
- ``rrf``: reciprocal-rank fusion, ``Σ w / (k + rank)``; scale-free but blind to score gaps;
- ``minmax``: each list's scores scaled to [0, 1] over its candidates, then
  ``(1 - α)·bm25 + α·dense`` (a passage missing from a list gets 0 there);
- ``zscore``: as ``minmax`` with standardised scores (missing → the list's minimum).

The default, z-score fusion with α = 0.5, was chosen by measurement with mE5-small (bf16) on the
36 dev questions that cite passages (phrase/oos left out) and on CMRC2018 retrieval (1,104
paragraphs ingested as documents, 4,221 queries); BM25 and dense candidates (top 100) are shared
by every variant (``python -m evaluation.retrieval --fusions --cmrc …``):

    method          dev cite@1  dev cite@5   cmrc R@1   cmrc R@5   cmrc MRR
    bm25                 0.861       0.944      0.969      0.995      0.980
    dense                0.861       0.889      0.963      0.988      0.974
    rrf k=60             0.861       0.917      0.977      0.994      0.985
    rrf k=5              0.861       0.944      0.978      0.997      0.986
    rrf k=1              0.861       0.944      0.980      0.996      0.987
    minmax α=0.3         0.861       0.972      0.982      0.997      0.988
    minmax α=0.4         0.889       0.972      0.983      0.997      0.989
    minmax α=0.5         0.889       0.944      0.984      0.996      0.989
    zscore α=0.3         0.889       0.972      0.983      0.997      0.989
    zscore α=0.5         0.889       0.972      0.984      0.996      0.990
    zscore α=0.7         0.889       0.944      0.978      0.994      0.986

Score fusion beats RRF on both sets: RRF throws away how far ahead BM25's first hit is, which
is what decides questions naming a project or a figure. z-score is as good as the best min-max
weight and flat across α ∈ [0.3, 0.5], so it is the least tuned choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from index.bm25 import BM25Retriever
from index.dense import DenseRetriever
from index.tokenize import find_highlights
from index.types import Hit

FusionMethod = Literal["rrf", "minmax", "zscore"]
Ranked = Sequence[tuple[int, float]]


@dataclass(frozen=True, slots=True)
class FusionConfig:
    """How BM25 and dense lists are combined; ``alpha`` is the dense weight."""

    method: FusionMethod = "zscore"
    alpha: float = 0.5
    rrf_k: int = 60
    depth: int = 100

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FusionConfig:
        fields = {k: d[k] for k in ("method", "alpha", "rrf_k", "depth") if k in d}
        cfg = cls(**fields)
        if cfg.method not in ("rrf", "minmax", "zscore"):
            raise ValueError(f"unknown fusion method {cfg.method!r}")
        return cfg


# Chosen by measurement: see the table in the module docstring.
DEFAULT_FUSION = FusionConfig("zscore", alpha=0.5)


def _minmax(r: Ranked) -> tuple[dict[int, float], float]:
    """Scores scaled to [0, 1] over the list; a passage missing from it gets 0."""
    if not r:
        return {}, 0.0
    vals = [s for _, s in r]
    lo, hi = min(vals), max(vals)
    span = hi - lo
    return {i: (s - lo) / span if span > 0 else 1.0 for i, s in r}, 0.0


def _zscore(r: Ranked) -> tuple[dict[int, float], float]:
    """Standardised scores; a missing passage gets the list's lowest (0/1 when all are equal)."""
    if not r:
        return {}, 0.0
    vals = [s for _, s in r]
    mean = sum(vals) / len(vals)
    std = (sum((v - mean) ** 2 for v in vals) / len(vals)) ** 0.5
    if std == 0:
        return {i: 1.0 for i, _ in r}, 0.0
    z = {i: (s - mean) / std for i, s in r}
    return z, min(z.values())


def fuse(bm25: Ranked, dense: Ranked, cfg: FusionConfig) -> list[tuple[int, float]]:
    """Fused ``(passage index, score)`` best first (ties by passage index)."""
    fused: dict[int, float] = {}
    if cfg.method == "rrf":
        for weight, ranked in ((1.0 - cfg.alpha, bm25), (cfg.alpha, dense)):
            for rank, (i, _) in enumerate(ranked, start=1):
                fused[i] = fused.get(i, 0.0) + weight / (cfg.rrf_k + rank)
    else:
        norm = _minmax if cfg.method == "minmax" else _zscore
        (nb, miss_b), (nd, miss_d) = norm(bm25), norm(dense)
        for i in set(nb) | set(nd):
            fused[i] = (1.0 - cfg.alpha) * nb.get(i, miss_b) + cfg.alpha * nd.get(i, miss_d)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


class HybridRetriever:
    """BM25 + dense, fused by ``config``; the interface of every retriever."""

    def __init__(self, bm25: BM25Retriever, dense: DenseRetriever, config: FusionConfig = DEFAULT_FUSION) -> None:
        if len(bm25.passages) != len(dense.passages):
            raise ValueError("BM25 and dense retrievers must index the same passages")
        self.bm25 = bm25
        self.dense = dense
        self.config = config
        self.passages = bm25.passages

    def ranked(self, query: str, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[int, float]]:
        depth = max(self.config.depth, k)
        b = self.bm25.ranked(query, depth, doc_ids)
        d = self.dense.ranked(query, depth, doc_ids)
        return fuse(b, d, self.config)[:k]

    def search(self, query: str, top_k: int = 10, doc_ids: list[str] | None = None) -> list[Hit]:
        terms = self.bm25.tokenizer.terms(query)
        return [
            Hit(self.passages[i], s, find_highlights(self.passages[i].text, terms))
            for i, s in self.ranked(query, top_k, doc_ids)
        ]
