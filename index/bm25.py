"""Keyword retrieval: BM25 (bm25s) over jieba tokens of each passage.

A passage is indexed with its section path, and a table row also with its category path and
every cell, so a row is found by any of them (a company, a year range, 高端装备制造) even when
its display text leaves one out.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from index.tokenize import Tokenizer, find_highlights
from index.types import Hit
from ingest.model import Passage

logging.getLogger("bm25s").setLevel(logging.WARNING)

# Tuned on the dev questions and CMRC2018 retrieval (BM25 alone, R@1 0.966 → 0.969); short
# passages with long section paths prefer a weaker length normalisation than the usual 0.75.
K1, B = 0.9, 0.4


def indexed_text(p: Passage) -> str:
    """What BM25 sees of a passage: its text, its headings, and for rows their cells/category."""
    parts = [p.text, *p.section]
    if p.row is not None:
        parts.extend(p.row.category)
        for c in p.row.cells:
            if c.text and c.text not in p.text:
                parts.append(c.text)
    return "\n".join(parts)


def top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores, best first (ties by position)."""
    k = min(k, scores.shape[0])
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k] if k < scores.shape[0] else np.arange(scores.shape[0])
    order = np.lexsort((part, -scores[part]))
    return part[order]


class DocFilter:
    """Maps ``doc_ids`` to a boolean mask over the passage list."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._docs = np.array([p.doc_id for p in passages], dtype=object)

    def mask(self, doc_ids: Sequence[str] | None) -> np.ndarray | None:
        if doc_ids is None:
            return None
        return np.isin(self._docs, list(doc_ids))


class BM25Retriever:
    """BM25 over the passages; ``search`` returns passages sharing at least one query token."""

    def __init__(self, passages: Sequence[Passage], tokenizer: Tokenizer, model: bm25s.BM25) -> None:
        self.passages = list(passages)
        self.tokenizer = tokenizer
        self.model = model
        self._filter = DocFilter(self.passages)

    @classmethod
    def build(cls, passages: Sequence[Passage], tokenizer: Tokenizer, k1: float = K1, b: float = B) -> BM25Retriever:
        corpus = [tokenizer.tokens(indexed_text(p)) for p in passages]
        model = bm25s.BM25(k1=k1, b=b)
        model.index(corpus, show_progress=False)
        return cls(passages, tokenizer, model)

    def save(self, directory: Path) -> None:
        self.model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, passages: Sequence[Passage], tokenizer: Tokenizer) -> BM25Retriever:
        model = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)
        n = int(model.scores["num_docs"])
        if n != len(passages):
            raise ValueError(f"BM25 index holds {n} passages, the passage file {len(passages)}")
        return cls(passages, tokenizer, model)

    def scores(self, query: str, doc_ids: Sequence[str] | None = None) -> np.ndarray:
        """BM25 score of every passage for ``query`` (0 where filtered out or nothing matches)."""
        n = len(self.passages)
        ids = self.model.get_tokens_ids(self.tokenizer.tokens(query))
        if not ids or n == 0:
            return np.zeros(n, dtype=np.float32)
        scores = np.asarray(self.model.get_scores(ids), dtype=np.float32)
        mask = self._filter.mask(doc_ids)
        if mask is not None:
            scores = np.where(mask, scores, 0.0).astype(np.float32)
        return scores

    def ranked(self, query: str, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[int, float]]:
        """``(passage index, score)`` of the best ``k`` passages with a positive score."""
        scores = self.scores(query, doc_ids)
        top = top_indices(scores, k)
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def search(self, query: str, top_k: int = 10, doc_ids: list[str] | None = None) -> list[Hit]:
        terms = self.tokenizer.terms(query)
        return [
            Hit(self.passages[i], s, find_highlights(self.passages[i].text, terms))
            for i, s in self.ranked(query, top_k, doc_ids)
        ]
