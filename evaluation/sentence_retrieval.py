"""Fusing passages ranked by their best sentence with BM25 and passage vectors, leave-documents-out.

Every answerable question in everyday words (``training/data/paraphrase``) is searched in the
collection of ``evaluation.paraphrase`` (every policy document, the 2022 work report and
``corpus/``), within its own document and over the whole collection. Three lists are kept per
question (BM25, passage vectors, best sentence; 100 each) and fused by z-score with weights
``(1 - s)·(1 - α)``, ``(1 - s)·α``, ``s`` over a grid. For each fold of documents the weights with
the best mean reciprocal rank on the other folds are chosen and scored on the fold's own
questions; the pooled result is the leave-documents-out row.

    python -m evaluation.sentence_retrieval [--md FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from index.hybrid import FusionConfig, fuse
from training import paraphrase as P

REPO = Path(__file__).resolve().parents[1]
DEPTH = 100
ALPHAS = (0.3, 0.4, 0.5, 0.6)
SHARES = (0.0, 0.3, 0.4, 0.5, 0.6)
KS = (1, 5, 10, 20)


def collect(index: Any, embedder: Any, progress: bool = True) -> list[dict[str, Any]]:
    """Per answerable question: its gold passages and the three ranked lists, in both scopes."""
    from evaluation.paraphrase import doc_id
    from index.sentences import SentenceRanker
    from index.textnorm import normalize
    from service.answer.question import analyse

    hybrid = index.hybrid
    passages = hybrid.passages
    ranker = SentenceRanker(passages, embedder)
    flat = [normalize(p.text).replace(" ", "") for p in passages]
    out = []
    t0 = time.time()
    qs = [q for q in P.load() if not q.oos]
    for n, q in enumerate(qs):
        golds = [normalize(c).replace(" ", "") for c in q.cite_any]
        gold = sorted(i for i, t in enumerate(flat) if any(g in t for g in golds))
        if not gold:
            continue
        text = analyse(q.q).text
        qv = hybrid.dense.embed_query(text)
        rec: dict[str, Any] = {"id": q.id, "fold": P.fold_of(q.doc), "gold": gold}
        for scope, ids in (("document", [doc_id(q.doc)]), ("collection", None)):
            rec[scope] = (hybrid.bm25.ranked(text, DEPTH, ids), hybrid.dense.ranked_vector(qv, DEPTH, ids),
                          ranker.ranked(text, DEPTH, ids))
        out.append(rec)
        if progress and (n + 1) % 200 == 0:
            print(f"  {n + 1}/{len(qs)} questions, {(n + 1) / (time.time() - t0):.1f}/s", flush=True)
    return out


def first_gold(rec: dict[str, Any], scope: str, alpha: float, share: float) -> int:
    """Rank of the first gold passage in the fused list (``DEPTH * 3`` when none is there)."""
    b, d, s = rec[scope]
    fused = fuse(b, d, FusionConfig("zscore", alpha=alpha, sentences=share), s)
    gold = set(rec["gold"])
    return next((r for r, (i, _) in enumerate(fused) if i in gold), DEPTH * 3)


def metrics(ranks: np.ndarray) -> dict[str, float]:
    return {**{f"@{k}": float((ranks < k).mean()) for k in KS}, "mrr": float(np.mean(1.0 / (1.0 + ranks)))}


def evaluate(records: list[dict[str, Any]]) -> dict[str, Any]:
    folds = np.asarray([r["fold"] for r in records])
    grid = [(a, s) for a in ALPHAS for s in SHARES]
    res: dict[str, Any] = {"questions": len(records)}
    for scope in ("document", "collection"):
        ranks = {w: np.asarray([first_gold(r, scope, *w) for r in records]) for w in grid}
        held = np.zeros(len(records))
        chosen = {}
        for f in range(P.FOLDS):
            train = folds != f
            best = max(grid, key=lambda w: float(np.mean(1.0 / (1.0 + ranks[w][train]))))
            chosen[f] = best
            held[folds == f] = ranks[best][folds == f]
        res[scope] = {"two_lists": metrics(ranks[(0.5, 0.0)]), "leave_documents_out": metrics(held),
                      "chosen": chosen, "grid": {f"alpha={a} share={s}": metrics(ranks[(a, s)]) for a, s in grid}}
    return res


def render(res: dict[str, Any]) -> str:
    lines = [f"{res['questions']} answerable questions in everyday words; gold passage rank after fusion.", "",
             "| scope | fusion | " + " | ".join(f"hit@{k}" for k in KS) + " | MRR |",
             "|---|---|" + "---:|" * (len(KS) + 1)]
    for scope in ("document", "collection"):
        r = res[scope]
        shares = sorted({s for _, s in r["chosen"].values()})
        for name, m in (("BM25 + passage vectors (α = 0.5)", r["two_lists"]),
                        (f"+ best sentence, leave-documents-out (shares chosen: {', '.join(map(str, shares))})",
                         r["leave_documents_out"])):
            lines.append(f"| {scope} | {name} | " + " | ".join(f"{m[f'@{k}']:.3f}" for k in KS) + f" | {m['mrr']:.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", type=Path, default=REPO / ".planqa" / "eval" / "collection")
    ap.add_argument("--md", type=Path, default=None, help="write the table here")
    args = ap.parse_args(argv)
    from evaluation.paraphrase import open_collection
    from index.embedder import load_embedder
    from service.settings import Settings

    s = Settings()
    embedder = load_embedder(s.embedding_model, s.model_dir, s.embedding_cache_dir, s.embedding_batch_size)
    index = open_collection(args.work, embedder)
    res = evaluate(collect(index, embedder))
    text = render(res)
    print(text)
    if args.md:
        args.md.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
