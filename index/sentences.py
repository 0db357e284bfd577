"""Passages ranked by their best sentence: the dense list fused with BM25 and passage vectors.

A passage is embedded whole, so the one sentence that answers a question in everyday words is
diluted by the rest of its paragraph: a long "主要预期目标" paragraph does not come near
"经济增速目标定的多少" although one of its sentences says exactly that. The build already embeds
every sentence (``units.embed_sentences``, for the answer stage); this ranks passages by the
cosine of their best sentence with the question, from those same vectors.

On the 1,747 answerable questions in everyday words over the policy documents (``python -m
evaluation.sentence_retrieval``), leave-documents-out, the gold passage is first for 0.688 of the
questions searched within their document (BM25 + passage vectors: 0.611) and among the first five
for 0.871 (0.810).

The sentence matrix is built once per loaded index from the embedder (cache hits after a build);
a search is one matrix-vector product over the sentences of the documents asked about.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from index.bm25 import DocFilter
from index.textnorm import normalize
from index.types import Embedder
from index.units import sentence_units
from ingest.model import Passage

log = logging.getLogger(__name__)


class SentenceRanker:
    """``ranked(query, k, doc_ids)`` over passages, scored by their best sentence's cosine."""

    def __init__(self, passages: Sequence[Passage], embedder: Embedder) -> None:
        self.passages = list(passages)
        self.embedder = embedder
        owner: list[int] = []
        units: list[str] = []
        for i, p in enumerate(self.passages):
            for u in sentence_units(p.text):
                units.append(u)
                owner.append(i)
        self._owner = np.asarray(owner, dtype=np.int64)
        if units:
            self._vectors = np.ascontiguousarray(embedder.embed_passages(units), dtype=np.float32)
        else:
            self._vectors = np.zeros((0, int(getattr(embedder, "dim", 0) or 0)), dtype=np.float32)
        self._filter = DocFilter(self.passages)

    def __len__(self) -> int:
        return len(self._owner)

    def ranked_vector(self, qv: np.ndarray, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[int, float]]:
        """``(passage index, best sentence cosine)`` of the ``k`` passages nearest ``qv``."""
        if k <= 0 or len(self._owner) == 0:
            return []
        q = np.asarray(qv, dtype=np.float32).reshape(-1)
        if q.shape[0] != self._vectors.shape[1]:
            raise ValueError(f"query vector has {q.shape[0]} dimensions, the sentence vectors {self._vectors.shape[1]}")
        mask = self._filter.mask(doc_ids)
        rows = np.arange(len(self._owner)) if mask is None else np.flatnonzero(mask[self._owner])
        if rows.size == 0:
            return []
        sims = self._vectors[rows] @ q
        # best sentence per passage: sort by cosine, keep each passage's first occurrence
        order = np.argsort(-sims, kind="stable")
        owners = self._owner[rows[order]]
        _, first = np.unique(owners, return_index=True)
        keep = np.sort(first)[:k]
        return [(int(owners[j]), float(sims[order[j]])) for j in keep]

    def ranked(self, query: str, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[int, float]]:
        """As ``ranked_vector`` for the query, normalised as the sentences were."""
        qv = np.asarray(self.embedder.embed_queries([normalize(query)]), dtype=np.float32)[0]
        return self.ranked_vector(qv, k, doc_ids)


def sentence_ranker(passages: Sequence[Passage], embedder: Embedder | None) -> SentenceRanker | None:
    """The ranker over ``passages``, or None (with a log line) when their sentences cannot be embedded."""
    if embedder is None:
        return None
    try:
        return SentenceRanker(passages, embedder)
    except Exception as e:  # the hybrid retriever keeps BM25 and passage vectors
        log.warning("sentence ranking unavailable: %s", e)
        return None
