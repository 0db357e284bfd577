"""CMRC2018 as a second, public test: passage retrieval (R@1, R@5, MRR) and extractive answers (EM/F1).

Retrieval uses the recast in ``evaldata/cmrc2018/derived_retrieval``: 1,104 Wikipedia paragraphs,
4,221 questions, one relevant paragraph each. ``corpus.jsonl`` is ingested as it is (one
document per line, ``doc_id`` = paragraph id), so a retrieved passage is relevant when its
``doc_id`` is the question's paragraph. planqa's retrievers are called through the loaded index
exactly as the service calls them; query embeddings are computed in batches first and then
served from memory, which changes only how long the run takes.

Answers: every question of ``cmrc2018_dev.json`` goes to ``POST /api/ask`` on a server holding
that index; the answer (``[n]`` markers removed) is scored with the official CMRC2018 EM/F1
(``metrics.best_em_f1``) against all reference answers.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from tqdm import tqdm

from evaluation.metrics import (
    best_em_f1,
    contains_answer,
    latency_summary,
    retrieval_scores,
    strip_markers,
)
from index.types import Embedder

QUERY_BATCH = 64


def cmrc_dir(shared: Path) -> Path:
    return Path(shared) / "evaldata" / "cmrc2018"


def prepare_corpus(shared: Path, corpus_dir: Path) -> Path:
    """A corpus directory holding only the recast's ``corpus.jsonl`` (copied when it differs)."""
    src = cmrc_dir(shared) / "derived_retrieval" / "corpus.jsonl"
    corpus_dir.mkdir(parents=True, exist_ok=True)
    dst = corpus_dir / "corpus.jsonl"
    if not dst.is_file() or dst.read_bytes() != src.read_bytes():
        shutil.copyfile(src, dst)
    return corpus_dir


def passages(shared: Path) -> list[tuple[str, str]]:
    """``(paragraph id, text)`` of every recast paragraph."""
    out = []
    for line in (cmrc_dir(shared) / "derived_retrieval" / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append((d["pid"], d["text"]))
    return out


def retrieval_pairs(shared: Path, limit: int | None = None) -> list[tuple[str, str]]:
    """``(question, relevant paragraph id)`` for every recast query, in file order."""
    base = cmrc_dir(shared) / "derived_retrieval"
    rel = {}
    for line in (base / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, pid, _ = line.split("\t")
        rel[qid] = pid
    pairs = []
    for line in (base / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            pairs.append((q["query"], rel[q["qid"]]))
    return pairs[:limit] if limit else pairs


def dev_questions(shared: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """``{"id", "question", "answers"}`` for every question of the official dev file."""
    data = json.loads((cmrc_dir(shared) / "cmrc2018_dev.json").read_text(encoding="utf-8"))
    out = []
    for article in data["data"]:
        for para in article["paragraphs"]:
            for qa in para["qas"]:
                out.append({"id": qa["id"], "question": qa["question"],
                            "answers": [a["text"] for a in qa["answers"]]})
    return out[:limit] if limit else out


class PrefetchEmbedder:
    """Serves query embeddings computed ahead in batches; everything else goes to ``inner``."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self._cache: dict[str, np.ndarray] = {}

    def prefetch(self, queries: Sequence[str], progress: bool = True, desc: str = "embedding queries") -> None:
        todo = list(dict.fromkeys(q for q in queries if q not in self._cache))
        bar = tqdm(total=len(todo), desc=desc, disable=not progress, leave=False)
        for start in range(0, len(todo), QUERY_BATCH):
            batch = todo[start : start + QUERY_BATCH]
            for q, v in zip(batch, np.asarray(self.inner.embed_queries(batch), dtype=np.float32), strict=True):
                self._cache[q] = v
            bar.update(len(batch))
        bar.close()

    def remember(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Serve these vectors for these queries (computed elsewhere, e.g. by another model)."""
        for t, v in zip(texts, np.asarray(vectors, dtype=np.float32), strict=True):
            self._cache[t] = v

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self._cache]
        if missing:
            for t, v in zip(missing, np.asarray(self.inner.embed_queries(missing), dtype=np.float32), strict=True):
                self._cache[t] = v
        return np.stack([self._cache[t] for t in texts])

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self.inner.embed_passages(texts, progress=progress)


def planqa_retrieval(index: Any, pairs: Sequence[tuple[str, str]], progress: bool = True) -> list[dict[str, Any]]:
    """R@1/R@5/MRR of the index's hybrid retriever, and of its BM25 and dense parts alone.

    ``index`` must have been loaded with a ``PrefetchEmbedder`` (its queries are prefetched here).
    """
    queries = [q for q, _ in pairs]
    gold = [p for _, p in pairs]
    emb = index.dense.embedder
    if isinstance(emb, PrefetchEmbedder):
        emb.prefetch(queries, progress, "cmrc query embeddings")
    retrievers = (("planqa hybrid", index.hybrid), ("planqa BM25 only", index.bm25), ("planqa dense only", index.dense))
    rows = []
    for name, retriever in retrievers:
        ranked = []
        t0 = time.perf_counter()
        for q in tqdm(queries, desc=f"cmrc {name}", disable=not progress, leave=False):
            ranked.append([h.passage.doc_id for h in retriever.search(q, top_k=10)])
        rows.append({"pipeline": name, "seconds": time.perf_counter() - t0, **retrieval_scores(ranked, gold)})
    return rows


def ask_scores(
    url: str, questions: Sequence[dict[str, Any]], workers: int = 2, progress: bool = True, top_k: int = 5,
) -> dict[str, Any]:
    """EM, F1 (official CMRC2018 style, best over references) and how often the answer contains
    a reference, over ``POST /api/ask`` answers; errors are counted, not hidden."""
    def one(client: httpx.Client, d: dict[str, Any]) -> tuple[float, float, bool, float, bool]:
        t0 = time.perf_counter()
        try:
            r = client.post("/api/ask", json={"question": d["question"], "top_k": top_k})
            r.raise_for_status()
            body = r.json()
        except (httpx.HTTPError, ValueError):
            return 0.0, 0.0, False, (time.perf_counter() - t0) * 1000, False
        ms = (time.perf_counter() - t0) * 1000
        answer = strip_markers(body.get("answer", "")) if body.get("grounded") else ""
        em, f1 = best_em_f1(answer, d["answers"])
        return em, f1, contains_answer(answer, d["answers"]), ms, True

    results = []
    with httpx.Client(base_url=url, timeout=120.0) as client, ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(one, client, d) for d in questions]
        for f in tqdm(futures, desc="cmrc /api/ask", disable=not progress, leave=False):
            results.append(f.result())
    ok = [r for r in results if r[4]]
    n = len(results) or 1
    return {
        "EM": sum(r[0] for r in results) / n,
        "F1": sum(r[1] for r in results) / n,
        "contains": sum(r[2] for r in results) / n,
        "n": len(results),
        "errors": len(results) - len(ok),
        "latency": latency_summary([r[3] for r in ok]),
    }
