"""The Milvus backend scored beside the local one: dev questions and CMRC2018 retrieval.

Both backends use the same tokenizer, the same embeddings and the same z-score fusion over top-100
candidate lists, so their scores should agree; this measures by how much they differ. Milvus
here is Milvus Lite (a file in the work directory), written with ``planqa index --backend milvus``
and served by ``planqa serve`` with ``PLANQA_BACKEND=milvus``.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

from rich.console import Console

from evaluation import cmrc, dev, report
from evaluation.server import run_index, serving

console = Console(stderr=True)
TOLERANCE = 0.01


def milvus_env(uri: Path) -> dict[str, str]:
    return {"PLANQA_BACKEND": "milvus", "PLANQA_MILVUS_URI": str(uri), "PLANQA_MILVUS_COLLECTION": "planqa"}


def eval_milvus(shared: Path, settings: Any, embedder: Any, work: Path, retrieval_limit: int | None,
                progress: bool, with_cmrc: bool = True) -> dict[str, Any]:
    """score.py on the dev questions and CMRC2018 retrieval, with the index in Milvus Lite."""
    from index.milvus.loader import load_milvus_index
    from index.milvus.schema import Connection

    root = work / "milvus"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    corpus = Path(settings.corpus_dir)
    env = milvus_env(root / "plan.db")
    console.print("[bold cyan]›[/] Milvus Lite: writing the plan (planqa index --backend milvus)")
    run_index(corpus, root / "unused-index", env, log_path=root / "plan-index.log", show=progress)
    qa, score_py = shared / "eval" / "dev_qa.jsonl", shared / "eval" / "score.py"
    with serving(corpus, root / "unused-index", env, log_path=root / "plan-server.log") as srv:
        run = dev.run_score(srv.url, qa, score_py)
    console.print(next(line for line in run.output.splitlines() if line.startswith("SCORE")), soft_wrap=True)
    if not with_cmrc:
        return {"dev": {"score": run.score, "failures": run.failures}, "cmrc_retrieval": []}

    cm_corpus = cmrc.prepare_corpus(shared, work / "cmrc-corpus")
    cm_env = milvus_env(root / "cmrc.db")
    console.print("[bold cyan]›[/] Milvus Lite: writing the CMRC2018 paragraphs")
    run_index(cm_corpus, root / "unused-cmrc-index", cm_env, log_path=root / "cmrc-index.log", show=progress)
    pairs = cmrc.retrieval_pairs(shared, retrieval_limit)
    conn = Connection(str(root / "cmrc.db"), None, "planqa")
    try:
        idx = load_milvus_index(conn, embedder)
        rows = cmrc.planqa_retrieval(idx, pairs, progress)
        rows[0]["passages"] = idx.passage_count
    finally:
        conn.close()
    for r in rows:
        console.print(f"  Milvus {r['pipeline']:<18} R@1 {r['R@1']:.3f}  R@5 {r['R@5']:.3f}  MRR {r['MRR']:.3f}")
    return {"dev": {"score": run.score, "failures": run.failures}, "cmrc_retrieval": rows}


def render_backends(local_dev: dict[str, Any], local_cmrc: list[dict[str, Any]], milvus: dict[str, Any] | None) -> str:
    if not milvus:
        return ""
    rows: list[list[Any]] = []
    diffs: list[float] = []
    ls, ms = local_dev, milvus["dev"]["score"]
    for key in ("answer", "cite@1", "cite@5"):
        a, b = ls.get(key, math.nan), ms.get(key, math.nan)
        rows.append([f"dev {key} (score.py)", a, b, b - a])
        diffs.append(abs(b - a))
    mc = {r["pipeline"]: r for r in milvus["cmrc_retrieval"]}
    for r in local_cmrc:
        m = mc.get(r["pipeline"])
        if m is None:
            continue
        for key in ("R@1", "R@5", "MRR"):
            rows.append([f"CMRC2018 {key}, {r['pipeline']}", r[key], m[key], m[key] - r[key]])
            diffs.append(abs(m[key] - r[key]))
    worst = max(diffs, default=math.nan)
    goal = report.goal("largest difference between Milvus and local", worst, TOLERANCE, False, "", 3)
    hyb = mc.get("planqa hybrid", {})
    parts = [
        "## Local and Milvus backends side by side",
        "",
        "The same scores with the index in Milvus Lite (`PLANQA_BACKEND=milvus`, a file in the work "
        "directory): the plan written by `planqa index --backend milvus` and served by `planqa serve`, "
        "scored by `score.py`; CMRC2018 retrieval over the paragraphs written the same way "
        f"({hyb.get('passages', 0):,} passages), searched in-process. Both backends tokenise with planqa's "
        "tokenizer (Milvus counts the same BM25 terms), use the same embeddings and fuse top-100 lists "
        "with the same z-score fusion.",
        "",
        report.goals_table([goal]),
        "",
        report.table(["score", "local", "Milvus Lite", "Milvus − local"], rows, [0, 3, 3, 3]),
        "",
    ]
    if milvus["dev"]["failures"]:
        parts += ["Failures reported by score.py (Milvus):", "", "```", *milvus["dev"]["failures"], "```", ""]
    return "\n".join(parts)


def eval_local(shared: Path, settings: Any, embedder: Any, work: Path, retrieval_limit: int | None,
               progress: bool, with_cmrc: bool = True) -> dict[str, Any]:
    """The local backend's side of the same comparison (as ``make eval`` computes it)."""
    from index.store import load_index

    root = work / "local"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    corpus = Path(settings.corpus_dir)
    run_index(corpus, root / "plan-index", {}, log_path=root / "plan-index.log")
    qa, score_py = shared / "eval" / "dev_qa.jsonl", shared / "eval" / "score.py"
    with serving(corpus, root / "plan-index", {}, log_path=root / "plan-server.log") as srv:
        run = dev.run_score(srv.url, qa, score_py)
    if not with_cmrc:
        return {"dev": {"score": run.score, "failures": run.failures}, "cmrc_retrieval": []}
    cm_corpus = cmrc.prepare_corpus(shared, work / "cmrc-corpus")
    run_index(cm_corpus, root / "cmrc-index", {}, log_path=root / "cmrc-index.log", show=progress)
    idx = load_index(root / "cmrc-index", embedder)
    rows = cmrc.planqa_retrieval(idx, cmrc.retrieval_pairs(shared, retrieval_limit), progress)
    rows[0]["passages"] = idx.passage_count
    return {"dev": {"score": run.score, "failures": run.failures}, "cmrc_retrieval": rows}


def main(argv: list[str] | None = None) -> int:
    """Both backends on the dev questions and CMRC2018 retrieval, printed side by side."""
    import argparse

    from evaluation.run_eval import load_embedder
    from service.settings import Settings

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--retrieval-limit", type=int, default=None, help="CMRC2018 retrieval questions (default all)")
    ap.add_argument("--work-dir", type=Path, default=dev.REPO / ".planqa" / "eval-backends")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--no-cmrc", action="store_true", help="the dev questions only")
    a = ap.parse_args(argv)
    settings = Settings()
    shared = dev.shared_dir()
    work = a.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    embedder = cmrc.PrefetchEmbedder(load_embedder(settings))
    local = eval_local(shared, settings, embedder, work, a.retrieval_limit, not a.no_progress, not a.no_cmrc)
    milvus = eval_milvus(shared, settings, embedder, work, a.retrieval_limit, not a.no_progress, not a.no_cmrc)
    console.print(render_backends(local["dev"]["score"], local["cmrc_retrieval"], milvus), soft_wrap=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
