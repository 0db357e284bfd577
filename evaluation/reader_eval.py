"""The reader and the reranker measured on their own, on CMRC2018 (never trained on).

- Reader alone: each CMRC2018 dev question with its gold paragraph, the best span scored with the
  official CMRC2018 EM/F1 against all references. This separates reading from retrieval: through
  ``/api/ask`` a question is only answered right when retrieval also brought the paragraph.
- Reranker: the CMRC2018 retrieval recast, the hybrid retriever's first ``depth`` hits reordered
  by the cross-encoder, R@1/R@5/MRR with the reranker off and on over the same questions.

    python -m evaluation.reader_eval [--limit N] [--rerank-limit N] [--rerank-depth K]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from evaluation.metrics import best_em_f1, retrieval_scores
from index.embed_cache import forget_queries

READER_LIMIT = 1000
RERANK_LIMIT = 300
RERANK_DEPTH = 10


def gold_paragraph_questions(shared: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """``{"question", "context", "answers"}`` of CMRC2018 dev, in file order."""
    data = json.loads((Path(shared) / "evaldata" / "cmrc2018" / "cmrc2018_dev.json").read_text(encoding="utf-8"))
    out = [
        {"question": qa["question"], "context": para["context"], "answers": [a["text"] for a in qa["answers"]]}
        for article in data["data"]
        for para in article["paragraphs"]
        for qa in para["qas"]
    ]
    return out[:limit] if limit else out


def reader_alone(reader: Any, questions: Sequence[dict[str, Any]], progress: bool = True) -> dict[str, Any]:
    """EM/F1 of the reader's best span given the gold paragraph, and its time per question."""
    em = f1 = 0.0
    answered = 0
    ms: list[float] = []
    for d in tqdm(questions, desc="reader, gold paragraph", disable=not progress, leave=False):
        t0 = time.perf_counter()
        spans = reader.read(d["question"], [d["context"]], top_n=1)
        ms.append((time.perf_counter() - t0) * 1000)
        pred = spans[0].text if spans else ""
        answered += bool(spans)
        a, b = best_em_f1(pred, d["answers"])
        em, f1 = em + a, f1 + b
    n = max(len(questions), 1)
    return {
        "EM": em / n,
        "F1": f1 / n,
        "n": len(questions),
        "answered": answered,
        "ms_p50": statistics.median(ms) if ms else 0.0,
        "max_windows": reader.max_windows,
        "max_tokens": reader.max_tokens,
    }


def reranker_retrieval(
    index: Any, reranker: Any, pairs: Sequence[tuple[str, str]], depth: int = RERANK_DEPTH, progress: bool = True
) -> list[dict[str, Any]]:
    """R@1/R@5/MRR of the hybrid retriever with the reranker off and on, over the same questions."""
    from service.reader import RerankingRetriever

    gold = [p for _, p in pairs]
    rows = []
    for name, retriever in (("hybrid", index.hybrid), (f"hybrid + reranker (top {depth})", RerankingRetriever(index.hybrid, reranker, depth))):
        ranked, t0 = [], time.perf_counter()
        for q, _ in tqdm(pairs, desc=f"cmrc {name}", disable=not progress, leave=False):
            ranked.append([h.passage.doc_id for h in retriever.search(q, top_k=10)])
        secs = time.perf_counter() - t0
        rows.append({"pipeline": name, "ms_per_query": 1000 * secs / max(len(pairs), 1), **retrieval_scores(ranked, gold)})
    return rows


def run(
    shared: Path,
    settings: Any,
    cmrc_index: Any,
    limit: int | None = READER_LIMIT,
    rerank_limit: int | None = RERANK_LIMIT,
    depth: int = RERANK_DEPTH,
    progress: bool = True,
) -> dict[str, Any]:
    """Both measurements; ``cmrc_index`` is the loaded index of the CMRC2018 recast paragraphs."""
    from evaluation import cmrc
    from service.reader import load_reader, load_reranker
    from service.reader.loading import WEIGHTS

    res: dict[str, Any] = {"reader": None, "reranker": None, "manifest": None}
    reader = load_reader(settings.model_copy(update={"reader": True}))
    if reader is not None:
        res["reader"] = reader_alone(reader, gold_paragraph_questions(shared, limit), progress)
    reranker = load_reranker(settings.model_copy(update={"reranker": "on"}))
    if reranker is not None and cmrc_index is not None:
        res["reranker"] = reranker_retrieval(cmrc_index, reranker, cmrc.retrieval_pairs(shared, rerank_limit), depth, progress)
    mf = WEIGHTS / "reader" / "manifest.json"
    if mf.is_file() and not settings.reader_model:
        res["manifest"] = json.loads(mf.read_text(encoding="utf-8"))
    return res


_DATA_NAMES = {"drcd/DRCD_dev.json": "DRCD dev", "drcd/DRCD_test.json": "DRCD test",
               "cmrc2018/cmrc2018_trial.json": "CMRC2018 trial", "cmrc2018/cmrc2018_dev.json": "CMRC2018 dev"}


def _data_names(files: dict) -> str:
    """What trained the adapter, as its manifest lists it ("DRCD dev and CMRC2018 trial")."""
    names = [_DATA_NAMES.get(f, f) for f in files]
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def render(res: dict[str, Any]) -> str:
    """The report's section on the reader and the reranker."""
    out = ["## Reader and reranker", ""]
    r = res.get("reader")
    if r is None:
        out.append("The reader did not load (see the log); short answers fall back to sentences.")
    else:
        out += [
            f"Reader alone, CMRC2018 dev with the gold paragraph given ({r['n']:,} questions, at most "
            f"{r['max_windows']} windows, {r['max_tokens']} tokens read as in the service): **EM {r['EM']:.3f}, F1 {r['F1']:.3f}**; "
            f"a span for {r['answered']:,}; {r['ms_p50']:.0f} ms per question (median).",
        ]
    rows = res.get("reranker")
    if rows:
        out += ["", "| CMRC2018 retrieval | R@1 | R@5 | MRR | ms / query | n |", "|---|---|---|---|---|---|"]
        out += [f"| {x['pipeline']} | {x['R@1']:.3f} | {x['R@5']:.3f} | {x['MRR']:.3f} | {x['ms_per_query']:.0f} | {x['n']:,} |" for x in rows]
    m = res.get("manifest")
    if m:
        t = m["training"]
        held = m["metrics"]["held_out"]
        out += [
            "",
            f"Adapter: LoRA rank {m['adapter']['rank']} on the top {12 - m['adapter']['freeze']} layers of "
            f"{m['base_model']['id']} plus span and relevance heads, {t['trainable_parameters']:,} parameters; "
            f"trained on {t['questions']:,} questions ({t['windows']:,} windows, {t['tokens']:,} tokens) of "
            f"{_data_names(t['data'])} in {t['steps']:,} steps, {t['wall_time_s'] / 60:.0f} min on this CPU; held-out DRCD "
            f"EM {held['em']:.3f} / F1 {held['f1']:.3f}. Reproduce: `{t['reproduce']}`.",
        ]
    return "\n".join(out) + "\n"


def bench(runtime: Any, embedder: Any, questions: Sequence[str], depth: int = 20, progress: bool = True) -> dict[str, Any]:
    """Median ms of one query embedding, of the reader over the top 3 hybrid passages and of the
    reranker over the top ``depth``, question by question, in-process on the served index."""
    from service.reader import load_reader, load_reranker

    settings = runtime.settings
    reader = load_reader(settings.model_copy(update={"reader": True}))
    reranker = load_reranker(settings.model_copy(update={"reranker": "on"}))
    times: dict[str, list[float]] = {"embed": [], "reader": [], "reranker": []}
    for q in tqdm(questions, desc="reader latency", disable=not progress, leave=False):
        forget_queries(embedder)
        t0 = time.perf_counter()
        embedder.embed_queries([q])
        times["embed"].append((time.perf_counter() - t0) * 1000)
        hits = runtime.search(q, top_k=depth).hits
        if reader is not None and hits:
            t0 = time.perf_counter()
            reader.read(q, [h.passage.text for h in hits[:3]])
            times["reader"].append((time.perf_counter() - t0) * 1000)
        if reranker is not None and hits:
            t0 = time.perf_counter()
            reranker.scores(q, [h.passage.text for h in hits])
            times["reranker"].append((time.perf_counter() - t0) * 1000)
    return {k: {"p50": statistics.median(v), "n": len(v)} for k, v in times.items() if v} | {"depth": depth}


def render_bench(res: dict[str, Any]) -> str:
    out = ["## Reader and reranker latency", "", "| operation | p50 ms | p50 / embedding | n |", "|---|---|---|---|"]
    floor = res.get("embed", {}).get("p50") or float("nan")
    names = {"embed": "one query embedding", "reader": "reader over the top 3 passages (one batched forward)",
             "reranker": f"reranker over the top {res.get('depth')} passages"}
    for k, name in names.items():
        if k in res:
            out.append(f"| {name} | {res[k]['p50']:.1f} | {res[k]['p50'] / floor:.2f}× | {res[k]['n']} |")
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=READER_LIMIT, help="CMRC2018 dev questions read (0: all)")
    ap.add_argument("--rerank-limit", type=int, default=RERANK_LIMIT, help="CMRC2018 retrieval questions reranked (0: all)")
    ap.add_argument("--rerank-depth", type=int, default=RERANK_DEPTH)
    ap.add_argument("--work-dir", type=Path, default=Path(".planqa/eval"))
    ap.add_argument("--no-progress", action="store_true")
    a = ap.parse_args(argv)

    from evaluation import cmrc, dev
    from evaluation.run_eval import load_embedder
    from evaluation.server import run_index
    from index.store import load_index
    from service.settings import Settings

    settings = Settings()
    shared = dev.shared_dir()
    index = None
    if a.rerank_limit >= 0:
        corpus = cmrc.prepare_corpus(shared, a.work_dir / "cmrc-corpus")
        run_index(corpus, a.work_dir / "cmrc-index", show=not a.no_progress)
        index = load_index(a.work_dir / "cmrc-index", load_embedder(settings))
    res = run(shared, settings, index, a.limit or None, a.rerank_limit or None, a.rerank_depth, not a.no_progress)
    print(render(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
