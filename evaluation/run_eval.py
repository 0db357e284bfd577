"""``make eval``: planqa's quality against the peer pipelines, in one run, written to ``docs/eval.md``.

1. the dev questions: ``score.py`` against a server on ``corpus/``;
2. CMRC2018 retrieval (R@1/R@5/MRR) with planqa's hybrid retriever and its BM25 and dense parts,
   on an index of the recast's paragraphs;
3. CMRC2018 dev answers through ``POST /api/ask`` on a server holding that index (EM/F1);
4. the peer pipelines (fixed-size chunks × BM25 / dense / RRF) on the dev questions and on
   CMRC2018 retrieval, with the same embedding model;
5. the dev questions and CMRC2018 retrieval again with the index in Milvus Lite, beside the local
   backend's scores (``--no-milvus`` skips it).

    python -m evaluation.run_eval [--limit N] [--retrieval-limit N] [--out docs/eval.md]
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from evaluation import backends, cmrc, dev, formats, machine, peers, report
from evaluation.report.quality import govreport_section, render, score_line
from evaluation.server import run_index, serving

REPO = dev.REPO
console = Console(stderr=True)


def step(msg: str) -> None:
    console.print(f"[bold cyan]›[/] {msg}")


def load_embedder(settings: Any) -> Any:
    """The embedder as the server loads it: questions through the query adapter the settings name."""
    from index.embedder import load_embedder as _load
    from service.reader.query import with_query_adapter

    base = _load(settings.embedding_model, settings.model_dir, settings.embedding_cache_dir, settings.embedding_batch_size)
    return with_query_adapter(base, settings.query_adapter)


def eval_plan(shared: Path, settings: Any, work: Path, progress: bool) -> dev.ScoreRun:
    corpus, index_dir = Path(settings.corpus_dir), work / "plan-index"
    step(f"indexing {corpus} → {index_dir}")
    run_index(corpus, index_dir, show=progress)
    step("score.py on the dev questions")
    qa, score_py = shared / "eval" / "dev_qa.jsonl", shared / "eval" / "score.py"
    with serving(corpus, index_dir, log_path=work / "plan-server.log") as srv:
        with console.status("score.py is asking the dev questions"):
            run = dev.run_score(srv.url, qa, score_py)
        run.median_cited_chars = dev.median_cited_chars(srv.url, dev.cited_items(dev.load_items(qa)), progress=progress)
    console.print(score_line(run), soft_wrap=True)
    return run


def eval_govreport(shared: Path, settings: Any, work: Path) -> dev.ScoreRun:
    """score.py on the government work report questions, the report indexed beside the plan."""
    corpus, index_dir = work / "two-docs-corpus", work / "two-docs-index"
    corpus.mkdir(parents=True, exist_ok=True)
    for f in [*Path(settings.corpus_dir).iterdir(), shared / "evaldata" / "gov_docs" / "2022_government_work_report.txt"]:
        if f.is_file() and (not (corpus / f.name).is_file() or (corpus / f.name).read_bytes() != f.read_bytes()):
            (corpus / f.name).write_bytes(f.read_bytes())
    step(f"indexing {corpus} → {index_dir}")
    run_index(corpus, index_dir, show=False)
    step("score.py on the government work report questions (two documents indexed)")
    with serving(corpus, index_dir, log_path=work / "two-docs-server.log") as srv:
        run = dev.run_score(srv.url, shared / "eval" / "dev_qa_govreport.jsonl", shared / "eval" / "score.py")
    console.print(score_line(run), soft_wrap=True)
    return run


def eval_cmrc(shared: Path, embedder: Any, work: Path, limit: int | None, retrieval_limit: int | None,
              progress: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from index.store import load_index

    corpus = cmrc.prepare_corpus(shared, work / "cmrc-corpus")
    index_dir = work / "cmrc-index"
    step(f"indexing CMRC2018 paragraphs → {index_dir}")
    run_index(corpus, index_dir, show=progress)
    pairs = cmrc.retrieval_pairs(shared, retrieval_limit)
    step(f"CMRC2018 retrieval: {len(pairs):,} questions")
    idx = load_index(index_dir, embedder)
    rows = cmrc.planqa_retrieval(idx, pairs, progress)
    rows[0]["passages"] = idx.passage_count
    del idx
    for r in rows:
        console.print(f"  {r['pipeline']:<18} R@1 {r['R@1']:.3f}  R@5 {r['R@5']:.3f}  MRR {r['MRR']:.3f}")
    questions = cmrc.dev_questions(shared, limit)
    step(f"CMRC2018 dev answers via /api/ask: {len(questions):,} questions")
    with serving(corpus, index_dir, log_path=work / "cmrc-server.log") as srv:
        answers = cmrc.ask_scores(srv.url, questions, progress=progress)
    console.print(f"  EM {answers['EM']:.3f}  F1 {answers['F1']:.3f}  n {answers['n']}  errors {answers['errors']}")
    return rows, answers


def eval_peers(shared: Path, settings: Any, embedder: Any, retrieval_limit: int | None,
               progress: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from index.builder import ingest_corpus

    step("peer pipelines on the dev questions")
    docs = [(d.doc_id, d.text) for d in ingest_corpus(Path(settings.corpus_dir))]
    items = [d for d in dev.cited_items(dev.load_items(shared / "eval" / "dev_qa.jsonl")) if d.get("cite_any")]
    dev_rows = peers.evaluate_dev(docs, items, embedder, progress=progress)
    step("peer pipelines on CMRC2018 retrieval")
    cm_rows = peers.evaluate_cmrc(cmrc.passages(shared), cmrc.retrieval_pairs(shared, retrieval_limit), embedder,
                                  progress=progress)
    return dev_rows, cm_rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="CMRC2018 dev questions sent to /api/ask (default all)")
    ap.add_argument("--retrieval-limit", type=int, default=None, help="CMRC2018 retrieval questions (default all)")
    ap.add_argument("--work-dir", type=Path, default=REPO / ".planqa" / "eval")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "eval.md")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--answers-limit", type=int, default=None,
                    help="CMRC2018 dev / DRCD test questions for the answer section (default all)")
    ap.add_argument("--no-milvus", action="store_true", help="skip scoring the Milvus backend beside the local one")
    a = ap.parse_args(argv)
    progress = not a.no_progress

    from service.settings import Settings

    shared = dev.shared_dir()
    settings = Settings()
    work = a.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    info = machine.describe()
    t0 = time.perf_counter()
    step(f"loading the embedding model {settings.embedding_model}")
    # Query embeddings are computed once, in batches, and shared by planqa's and the peers' runs.
    embedder = cmrc.PrefetchEmbedder(load_embedder(settings))

    plan = eval_plan(shared, settings, work, progress)
    gov = eval_govreport(shared, settings, work)
    step("answers on CMRC2018 dev and DRCD test, answerable and with the gold paragraph removed")
    from evaluation import answers as answers_eval

    try:
        from service.reader import load_reader

        reader = load_reader(settings)
    except Exception:  # the reader is optional
        reader = None
    answer_res = answers_eval.run(shared, work, embedder, list(answers_eval.SETS), a.answers_limit, reader, progress)
    step("questions in everyday words over the whole collection, leave-documents-out")
    from evaluation import paraphrase as para

    try:
        para_res = para.evaluate_collection(work / "collection", embedder, reader, progress=progress)
    except SystemExit as e:  # the fold models come from `make train`; the rest of the report still stands
        step(str(e))
        para_res = None
    step("questions naming a year and across years, over the national work reports 2013–2023")
    from evaluation import years as years_eval

    years_res = years_eval.evaluate(work / "years", embedder, reader, progress=progress)
    cm_rows, answers = eval_cmrc(shared, embedder, work, a.limit, a.retrieval_limit, progress)
    peer_dev, peer_cm = eval_peers(shared, settings, embedder, a.retrieval_limit, progress)
    milvus = None if a.no_milvus else backends.eval_milvus(shared, settings, embedder, work, a.retrieval_limit,
                                                          progress)
    from evaluation import reader_eval
    from index.store import load_index

    step("CMRC2018: the reader alone (gold paragraph) and the reranker off and on")
    reader_res = reader_eval.run(shared, settings, load_index(work / "cmrc-index", embedder), progress=progress)

    args = "".join(" " + shlex.quote(x) for x in (argv if argv is not None else sys.argv[1:]))
    command = ("make eval" + (f" ARGS='{args.strip()}'" if args else "")) if os.environ.get("MAKELEVEL") \
        else f"python -m evaluation.run_eval{args}"
    res = {"machine": info, "dev": plan, "cmrc_retrieval": cm_rows, "cmrc_answers": answers,
           "peer_dev": peer_dev, "peer_cmrc": peer_cm, "cmrc_paragraphs": len(cmrc.passages(shared)),
           "seconds": time.perf_counter() - t0, "command": command,
           "load_end": " ".join(f"{x:.2f}" for x in os.getloadavg()), "milvus": milvus, "reader": reader_res,
           "answers": answer_res, "paraphrase": para_res["report"] if para_res else None, "years": years_res["summary"], "govreport": {"score": gov.score, "per_type": gov.per_type, "failures": gov.failures}}
    text = render(res) + backends.render_backends(plan.score, cm_rows, milvus) + reader_eval.render(reader_res)
    text += formats.report_section()
    text += govreport_section(gov) + "\n".join(answers_eval.render(answer_res)) + "\n"
    text += "\n" + (para.section(para_res["report"], command, para.FOLDS_DIR) if para_res else
                     "## Questions in everyday words, leave-documents-out\n\nNot measured: the fold models are made "
                     "by `make train` (`python -m training.gate`).\n")
    text += "\n" + years_eval.render(years_res["summary"], command)
    raw = {k: v for k, v in res.items() if k not in ("dev",)}
    raw["dev"] = {"score": plan.score, "per_type": plan.per_type, "failures": plan.failures,
                  "median_cited_chars": plan.median_cited_chars}
    report.publish(a.out, text, raw, work)
    console.print(text.split("## Goals")[0].split("## Summary")[1])
    step(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
