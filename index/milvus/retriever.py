"""Retrievers over the Milvus collections, interchangeable with the local ones.

Milvus returns candidate ids and scores; passages come from the documents the process holds, so
hits are the same objects the local backend returns. Both retrievers rank by position in
``passages`` like the local ones, which lets ``HybridRetriever`` fuse them unchanged: the same
z-score fusion over the same candidate depth. BM25 distances are read as magnitudes (Milvus
Lite reports them negated, a Milvus server positive); dense scores are inner products.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.exact import ExactPhraseSearch, ExactResult
from index.milvus.schema import Connection, encode_tokens, in_list, like_contains, quote
from index.milvus.writer import TEXT_OVERLAP
from index.textnorm import normalize
from index.tokenize import Tokenizer, find_highlights
from index.types import Embedder, Hit
from ingest.model import Passage

HNSW_EF = 128
MAX_LIMIT = 16_384  # Milvus's largest top-k


def _doc_filter(doc_ids: Sequence[str] | None) -> str:
    return in_list("doc_id", list(doc_ids)) if doc_ids is not None else ""


class _Ranked:
    """Shared by both retrievers: passages by position, and Milvus ids mapped back to positions."""

    def __init__(self, passages: Sequence[Passage], conn: Connection, tokenizer: Tokenizer) -> None:
        self.passages = list(passages)
        self.conn = conn
        self.tokenizer = tokenizer
        self._pos = {p.id: i for i, p in enumerate(self.passages)}

    def _search(self, data: list, field: str, k: int, doc_ids: Sequence[str] | None, params: dict) -> list:
        k = min(k, len(self.passages), MAX_LIMIT)
        if k <= 0 or (doc_ids is not None and not doc_ids):
            return []
        return self.conn.search(data, field, k, _doc_filter(doc_ids), params)

    def search(self, query: str, top_k: int = 10, doc_ids: list[str] | None = None) -> list[Hit]:
        terms = self.tokenizer.terms(query)
        return [
            Hit(self.passages[i], s, find_highlights(self.passages[i].text, terms))
            for i, s in self.ranked(query, top_k, doc_ids)
        ]

    def ranked(self, query: str, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[int, float]]:
        raise NotImplementedError


class MilvusBM25Retriever(_Ranked):
    """BM25 over planqa's tokens, scored by Milvus."""

    def ranked(self, query: str, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[int, float]]:
        terms = encode_tokens(self.tokenizer.tokens(query))
        if not terms:
            return []
        out = []
        for hit in self._search([terms], "sparse", k, doc_ids, {"metric_type": "BM25"}):
            i = self._pos.get(hit["id"])
            score = abs(float(hit["distance"]))
            if i is not None and score > 0:
                out.append((i, score))
        out.sort(key=lambda t: (-t[1], t[0]))
        return out


class MilvusVectors:
    """Stored passage vectors by position, read back from Milvus on demand (``index.reconstruct``
    as FAISS offers it), kept once read: answering compares a few candidates with the question."""

    def __init__(self, passages: Sequence[Passage], conn: Connection, dim: int, keep: int = 50_000) -> None:
        self.passages = passages
        self.conn = conn
        self.d = dim
        self.ntotal = len(passages)
        self.keep = keep
        self._cache: dict[int, np.ndarray] = {}

    def reconstruct(self, i: int) -> np.ndarray:
        got = self._cache.get(i)
        if got is not None:
            return got
        rows = self.conn.query(self.conn.name, f"id == {quote(self.passages[i].id)}", ["vector"], limit=1)
        if not rows:
            raise KeyError(f"passage {self.passages[i].id} has no stored vector")
        vec = np.asarray(rows[0]["vector"], dtype=np.float32)
        if len(self._cache) < self.keep:
            self._cache[i] = vec
        return vec


class MilvusDenseRetriever(_Ranked):
    """Nearest passages to the query embedding (inner product on unit vectors = cosine)."""

    def __init__(self, passages: Sequence[Passage], conn: Connection, tokenizer: Tokenizer, embedder: Embedder) -> None:
        super().__init__(passages, conn, tokenizer)
        self.embedder = embedder
        self.index = MilvusVectors(self.passages, conn, embedder.dim)

    def embed_query(self, query: str) -> np.ndarray:
        return np.ascontiguousarray(self.embedder.embed_queries([query]), dtype=np.float32).reshape(1, -1)

    def ranked_vector(self, qv: np.ndarray, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[int, float]]:
        params = {"metric_type": "IP", "params": {"ef": max(HNSW_EF, 2 * k)}}
        out = []
        for hit in self._search([qv.reshape(-1).tolist()], "vector", k, doc_ids, params):
            i = self._pos.get(hit["id"])
            if i is not None:
                out.append((i, float(hit["distance"])))
        out.sort(key=lambda t: (-t[1], t[0]))
        return out

    def ranked(self, query: str, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[int, float]]:
        return self.ranked_vector(self.embed_query(query), k, doc_ids)


class MilvusExactSearch:
    """Exact phrase: Milvus finds the documents whose text holds the phrase (``like``), then the
    occurrences are counted and highlighted in those documents exactly as the local backend does.

    Document text is stored in chunks overlapping by ``TEXT_OVERLAP`` characters, so a phrase up to
    that long lies whole in some chunk; a longer one is looked up by its first ``TEXT_OVERLAP``
    characters (a superset) and counted exactly afterwards.
    """

    def __init__(self, conn: Connection, local: ExactPhraseSearch) -> None:
        self.conn = conn
        self.local = local

    def candidates(self, phrase: str, doc_ids: Sequence[str] | None = None) -> list[str]:
        expr = 'part == "text" and ' + like_contains("body", phrase[:TEXT_OVERLAP])
        if doc_ids is not None:
            expr += " and " + in_list("doc_id", list(doc_ids))
        rows = self.conn.query(self.conn.docs, expr, ["doc_id"])
        return sorted({r["doc_id"] for r in rows})

    def find(self, query: str, doc_ids: Sequence[str] | None = None, limit: int | None = None) -> ExactResult:
        phrase = normalize(query).strip()
        if not phrase:
            return ExactResult(query, (), 0, {})
        found = self.candidates(phrase, doc_ids)
        if not found:
            return ExactResult(query, (), 0, {})
        return self.local.find(query, doc_ids=found, limit=limit)

    def search(self, query: str, top_k: int = 10, doc_ids: list[str] | None = None) -> list[Hit]:
        return list(self.find(query, doc_ids, limit=top_k).hits)
