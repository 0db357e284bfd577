"""In-process retrieval scoring: the dev questions and CMRC2018 recast as passage retrieval.

Scores are computed the way ``../shared/eval/score.py`` scores citations: a passage hits when its
text contains one of the question's ``cite_any`` strings, whitespace ignored; phrase and
out-of-scope questions are left out. CMRC2018: every paragraph is ingested as its own document
and a retrieved passage is relevant when its ``doc_id`` is the question's paragraph id.

BM25 and dense candidate lists are computed once per query, so every fusion variant is scored on
the same candidates: ``compare_fusions`` is how the default fusion was chosen.

    python -m evaluation.retrieval [--dev FILE] [--cmrc DIR] [--fusions] [--hash-embedder]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.hybrid import DEFAULT_FUSION, FusionConfig, fuse
from index.store import SearchIndex, corpus_hash, is_stale, load_index
from index.types import Embedder
from ingest.model import Document, Passage

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV_QA = SHARED / "eval" / "dev_qa.jsonl"
CMRC_DIR = SHARED / "evaldata" / "cmrc2018" / "derived_retrieval"
SKIP_TYPES = ("phrase", "oos")

FUSION_GRID: tuple[FusionConfig, ...] = (
    FusionConfig("rrf", alpha=0.5, rrf_k=60),
    FusionConfig("rrf", alpha=0.5, rrf_k=20),
    FusionConfig("rrf", alpha=0.5, rrf_k=5),
    FusionConfig("rrf", alpha=0.5, rrf_k=1),
    FusionConfig("minmax", alpha=0.3),
    FusionConfig("minmax", alpha=0.4),
    FusionConfig("minmax", alpha=0.5),
    FusionConfig("minmax", alpha=0.6),
    FusionConfig("minmax", alpha=0.7),
    FusionConfig("zscore", alpha=0.3),
    FusionConfig("zscore", alpha=0.5),
    FusionConfig("zscore", alpha=0.7),
)


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


def cite_hit(text: str, cite_any: Sequence[str]) -> bool:
    t = squash(text)
    return any(squash(c) in t for c in cite_any)


# ---- data -----------------------------------------------------------------------------------


def load_dev(path: Path = DEV_QA) -> list[dict[str, Any]]:
    """The dev questions that cite passages (phrase and out-of-scope items left out)."""
    items = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [d for d in items if d["type"] not in SKIP_TYPES and d.get("cite_any")]


def cmrc_documents(directory: Path = CMRC_DIR) -> list[Document]:
    """Every CMRC2018 paragraph as its own ingested document (``doc_id`` = paragraph id)."""
    from ingest.pipeline import ingest_text

    docs = []
    for line in (Path(directory) / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            docs.append(ingest_text(d["pid"], d.get("title") or d["pid"], d["text"], source=f"cmrc:{d['pid']}"))
    return docs


def cmrc_queries(directory: Path = CMRC_DIR, limit: int | None = None) -> list[tuple[str, str]]:
    """``(query, relevant paragraph id)`` pairs."""
    directory = Path(directory)
    rel: dict[str, str] = {}
    for line in (directory / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, pid, _ = line.split("\t")
        rel[qid] = pid
    out = []
    for line in (directory / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            out.append((q["query"], rel[q["qid"]]))
    return out[:limit] if limit else out


# ---- scoring --------------------------------------------------------------------------------


def score_dev(rankings: Sequence[Sequence[Passage]], items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """cite@1, cite@5 and the median length of the top-5 passages, over ``items``."""
    c1 = c5 = 0
    lengths: list[int] = []
    failures = []
    for ranked, item in zip(rankings, items, strict=True):
        h = [cite_hit(p.text, item["cite_any"]) for p in ranked[:5]]
        c1 += bool(h and h[0])
        c5 += any(h)
        lengths.extend(len(p.text) for p in ranked[:5])
        if not (h and h[0]):
            failures.append(item["id"])
    n = len(items) or 1
    return {"cite@1": c1 / n, "cite@5": c5 / n, "n": len(items),
            "median_len": statistics.median(lengths) if lengths else 0, "failures": failures}


def score_cmrc(rankings: Sequence[Sequence[str]], gold: Sequence[str]) -> dict[str, Any]:
    """R@1, R@5 and MRR@10 where ``rankings`` are the doc ids of the ranked passages."""
    r1 = r5 = 0
    mrr = 0.0
    for ranked, pid in zip(rankings, gold, strict=True):
        ranked = list(ranked[:10])
        if ranked[:1] == [pid]:
            r1 += 1
        if pid in ranked[:5]:
            r5 += 1
        if pid in ranked:
            mrr += 1.0 / (ranked.index(pid) + 1)
    n = len(gold) or 1
    return {"R@1": r1 / n, "R@5": r5 / n, "MRR": mrr / n, "n": len(gold)}


# ---- candidates, computed once per query ----------------------------------------------------------


@dataclass(frozen=True)
class Candidates:
    bm25: list[tuple[int, float]]
    dense: list[tuple[int, float]]


def collect(index: SearchIndex, queries: Sequence[str], depth: int = 100, batch: int = 256) -> list[Candidates]:
    """BM25 and dense candidate lists for every query (queries embedded in batches)."""
    assert index.dense is not None, "load the index with an embedder"
    out: list[Candidates] = []
    for start in range(0, len(queries), batch):
        chunk = list(queries[start : start + batch])
        vecs = index.dense.embedder.embed_queries(chunk)
        for q, v in zip(chunk, vecs, strict=True):
            out.append(Candidates(index.bm25.ranked(q, depth), index.dense.ranked_vector(v.reshape(1, -1), depth)))
    return out


Method = str | FusionConfig


def ranking(c: Candidates, method: Method, k: int = 10) -> list[int]:
    if method == "bm25":
        return [i for i, _ in c.bm25[:k]]
    if method == "dense":
        return [i for i, _ in c.dense[:k]]
    assert isinstance(method, FusionConfig)
    return [i for i, _ in fuse(c.bm25, c.dense, method)[:k]]


def method_name(m: Method) -> str:
    if isinstance(m, FusionConfig):
        return f"rrf k={m.rrf_k}" if m.method == "rrf" else f"{m.method} α={m.alpha}"
    return m


def compare_fusions(
    dev_index: SearchIndex | None,
    dev_items: Sequence[dict[str, Any]],
    cmrc_index: SearchIndex | None,
    cmrc_pairs: Sequence[tuple[str, str]],
    methods: Sequence[Method] = ("bm25", "dense", *FUSION_GRID),
) -> list[dict[str, Any]]:
    """One row per method: dev cite@1/@5 and CMRC R@1/R@5/MRR on shared candidates."""
    dev_c = collect(dev_index, [d["q"] for d in dev_items]) if dev_index and dev_items else []
    cm_c = collect(cmrc_index, [q for q, _ in cmrc_pairs]) if cmrc_index and cmrc_pairs else []
    rows = []
    for m in methods:
        row: dict[str, Any] = {"method": method_name(m)}
        if dev_c:
            assert dev_index is not None
            ranks = [[dev_index.indexed[i] for i in ranking(c, m)] for c in dev_c]
            row.update({f"dev {k}": v for k, v in score_dev(ranks, dev_items).items()})
        if cm_c:
            assert cmrc_index is not None
            ranks_ids = [[cmrc_index.indexed[i].doc_id for i in ranking(c, m)] for c in cm_c]
            row.update({f"cmrc {k}": v for k, v in score_cmrc(ranks_ids, [p for _, p in cmrc_pairs]).items()})
        rows.append(row)
    return rows


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    cols = [c for c in ("dev cite@1", "dev cite@5", "cmrc R@1", "cmrc R@5", "cmrc MRR") if c in rows[0]]
    lines = [f"{'method':<14}" + "".join(f"{c:>12}" for c in cols)]
    for r in rows:
        lines.append(f"{r['method']:<14}" + "".join(f"{r[c]:12.3f}" for c in cols))
    return "\n".join(lines)


# ---- indexes for evaluation -------------------------------------------------------------------


def ensure_index(
    documents: Callable[[], Sequence[Document]], index_dir: Path, corpus_dir: Path, embedder: Embedder,
) -> SearchIndex:
    """Load the index at ``index_dir``, (re)building it first when ``corpus_dir`` changed."""
    from index.builder import build_index

    if is_stale(index_dir, corpus_dir, embedder.model_id):
        build_index(documents(), index_dir, embedder, corpus_digest=corpus_hash(corpus_dir))
    return load_index(index_dir, embedder)


def evaluate(index: SearchIndex, items: Sequence[dict[str, Any]], fusion: FusionConfig = DEFAULT_FUSION) -> dict[str, Any]:
    """Dev scores of the index's hybrid retriever (what ``make eval`` reports)."""
    assert index.hybrid is not None
    ranks = [[h.passage for h in index.hybrid.search(d["q"], top_k=5)] for d in items]
    return score_dev(ranks, items)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dev", type=Path, default=DEV_QA)
    ap.add_argument("--cmrc", type=Path, default=None, help="CMRC2018 derived_retrieval directory")
    ap.add_argument("--cmrc-limit", type=int, default=None)
    ap.add_argument("--fusions", action="store_true", help="compare BM25, dense and every fusion variant")
    ap.add_argument("--work-dir", type=Path, default=Path(".planqa/eval"))
    ap.add_argument("--hash-embedder", action="store_true", help="a fast stand-in embedder (for plumbing checks)")
    a = ap.parse_args(argv)

    from service.settings import get_settings

    s = get_settings()
    if a.hash_embedder:
        from index.testing import HashEmbedder

        embedder: Embedder = HashEmbedder(dim=256)
    else:
        from index.embedder import load_embedder

        embedder = load_embedder(s.embedding_model, s.model_dir, s.embedding_cache_dir, s.embedding_batch_size)

    from index.builder import ingest_corpus

    t0 = time.perf_counter()
    dev_index = ensure_index(lambda: ingest_corpus(s.corpus_dir), a.work_dir / "plan-index", s.corpus_dir, embedder)
    items = load_dev(a.dev)
    cmrc_index, pairs = None, []
    if a.cmrc:
        cmrc_index = ensure_index(lambda: cmrc_documents(a.cmrc), a.work_dir / "cmrc-index", a.cmrc, embedder)
        pairs = cmrc_queries(a.cmrc, a.cmrc_limit)
    print(f"indexes ready in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    if a.fusions:
        print(format_table(compare_fusions(dev_index, items, cmrc_index, pairs)))
    else:
        methods: list[Method] = [dev_index.fusion]
        print(format_table(compare_fusions(dev_index, items, cmrc_index, pairs, methods)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
