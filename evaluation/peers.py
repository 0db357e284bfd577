"""The peer pipelines planqa is compared with: what a user would assemble from common parts.

Fixed-size character chunks (``chunks.py``) of the cleaned text, retrieved three ways:
- ``bm25``: jieba (default precise mode, no user dictionary, no normalisation) + BM25 (bm25s);
- ``dense``: the same embedding model planqa uses, chunks embedded as they are, FAISS exact
  inner product;
- ``rrf``: reciprocal-rank fusion (k = 60, equal weights) of the top 100 of each.

Both candidate lists are computed once per query (queries embedded in batches), so the three
methods are scored on the same candidates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import bm25s
import faiss
import jieba
import numpy as np
from tqdm import tqdm

from evaluation.chunks import Chunk, chunk_all
from evaluation.metrics import cite_scores, retrieval_scores
from index.types import Embedder

CONFIGS: tuple[tuple[int, int], ...] = ((250, 50), (500, 100))
METHODS: tuple[str, ...] = ("bm25", "dense", "rrf")
RRF_K = 60
DEPTH = 100
QUERY_BATCH = 64

_NOT_WORD = re.compile(r"^[\W_]+$")
_jieba = jieba.Tokenizer()


def peer_tokens(text: str) -> list[str]:
    """jieba precise-mode words of lower-cased text, whitespace and punctuation dropped."""
    return [t for t in _jieba.lcut(text.lower()) if t.strip() and not _NOT_WORD.match(t)]


def rrf(lists: Sequence[Sequence[int]], k: int = RRF_K) -> list[int]:
    """Items ranked by ``Σ 1 / (k + rank)`` over ``lists`` (ties by first appearance)."""
    score: dict[int, float] = {}
    for ranked in lists:
        for rank, i in enumerate(ranked, start=1):
            score[i] = score.get(i, 0.0) + 1.0 / (k + rank)
    return sorted(score, key=lambda i: -score[i])


@dataclass(frozen=True)
class Candidates:
    bm25: list[int]
    dense: list[int]

    def ranking(self, method: str) -> list[int]:
        if method == "bm25":
            return self.bm25
        if method == "dense":
            return self.dense
        if method == "rrf":
            return rrf([self.bm25, self.dense])
        raise ValueError(f"unknown method {method!r}")


class PeerIndex:
    """BM25 and FAISS over one list of chunks."""

    def __init__(self, chunks: Sequence[Chunk], embedder: Embedder, label: str = "", progress: bool = True) -> None:
        self.chunks = list(chunks)
        self.embedder = embedder
        tokens = [peer_tokens(c.text) for c in tqdm(self.chunks, desc=f"{label} jieba", disable=not progress, leave=False)]
        self.bm25 = bm25s.BM25()
        self.bm25.index(tokens, show_progress=False)
        vecs = embedder.embed_passages([c.text for c in self.chunks], progress=progress)
        self.faiss = faiss.IndexFlatIP(int(embedder.dim))
        self.faiss.add(np.ascontiguousarray(vecs, dtype=np.float32))

    def bm25_ranked(self, query: str, k: int = DEPTH) -> list[int]:
        ids = self.bm25.get_tokens_ids(peer_tokens(query))
        if not ids:
            return []
        scores = np.asarray(self.bm25.get_scores(ids), dtype=np.float32)
        k = min(k, scores.shape[0])
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.lexsort((top, -scores[top]))]
        return [int(i) for i in top if scores[i] > 0]

    def candidates(self, queries: Sequence[str], label: str = "", progress: bool = True) -> list[Candidates]:
        out: list[Candidates] = []
        k = min(DEPTH, len(self.chunks))
        bar = tqdm(total=len(queries), desc=f"{label} queries", disable=not progress, leave=False)
        for start in range(0, len(queries), QUERY_BATCH):
            batch = list(queries[start : start + QUERY_BATCH])
            qv = np.ascontiguousarray(self.embedder.embed_queries(batch), dtype=np.float32)
            _, ids = self.faiss.search(qv, k)
            for q, row in zip(batch, ids, strict=True):
                out.append(Candidates(self.bm25_ranked(q), [int(i) for i in row if i >= 0]))
            bar.update(len(batch))
        bar.close()
        return out


def peer_name(size: int, overlap: int, method: str) -> str:
    return f"{method} · chunks {size}/{overlap}"


def evaluate_dev(
    documents: Sequence[tuple[str, str]],
    items: Sequence[dict[str, Any]],
    embedder: Embedder,
    configs: Sequence[tuple[int, int]] = CONFIGS,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """cite@1, cite@5 and median cited characters of every peer on the dev questions.

    ``documents`` are ``(doc_id, cleaned text)``; ``items`` the dev questions with ``cite_any``.
    """
    rows = []
    queries = [d["q"] for d in items]
    golds = [d["cite_any"] for d in items]
    for size, overlap in configs:
        idx = PeerIndex(chunk_all(documents, size, overlap), embedder, f"dev {size}/{overlap}", progress)
        cands = idx.candidates(queries, f"dev {size}/{overlap}", progress)
        for m in METHODS:
            texts = [[idx.chunks[i].text for i in c.ranking(m)[:5]] for c in cands]
            s = cite_scores(texts, golds, k=5)
            rows.append({"pipeline": peer_name(size, overlap, m), "size": size, "overlap": overlap, "method": m,
                         "chunks": len(idx.chunks), **s})
    return rows


def evaluate_cmrc(
    passages: Sequence[tuple[str, str]],
    pairs: Sequence[tuple[str, str]],
    embedder: Embedder,
    configs: Sequence[tuple[int, int]] = CONFIGS,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """R@1, R@5 and MRR of every peer on CMRC2018 retrieval: ``passages`` are ``(pid, text)``,
    ``pairs`` ``(query, relevant pid)``; a chunk is relevant when cut from the relevant passage.
    Ranks count chunks, as planqa's count its passages (two chunks of one passage take two ranks)."""
    rows = []
    queries = [q for q, _ in pairs]
    gold = [p for _, p in pairs]
    for size, overlap in configs:
        idx = PeerIndex(chunk_all(passages, size, overlap), embedder, f"cmrc {size}/{overlap}", progress)
        cands = idx.candidates(queries, f"cmrc {size}/{overlap}", progress)
        for m in METHODS:
            ranked = [[idx.chunks[i].source for i in c.ranking(m)[:10]] for c in cands]
            s = retrieval_scores(ranked, gold)
            rows.append({"pipeline": peer_name(size, overlap, m), "size": size, "overlap": overlap, "method": m,
                         "chunks": len(idx.chunks), **s})
    return rows
