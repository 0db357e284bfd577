"""``make bench``: planqa's speed and scale on this machine, in one run, written to ``docs/benchmarks.md``.

1. indexing ``corpus/`` with ``planqa index``: cold (empty embedding cache), unchanged (no-op),
   forced with a warm cache; build throughput against naive fp32 sentence-transformers;
2. server start-up (process start → ``/healthz`` ok) and its memory;
3. search and ask latency, in-process and over HTTP, against one query embedding (the floor);
4. load: 32 concurrent clients for 30 s mixing ask and search;
   API keys, per-key limits and metrics: ``/api/ask`` p50 with them on ÷ off (``evaluation.access_bench``);
5. scale: build time, latency and memory from 1k to 100k passages;
6. the full shared collection beside ``corpus/`` alone: build, start-up, ``/api/ask`` p50/p95 and
   RSS (``evaluation.collection_bench``).

    python -m evaluation.run_bench [--quick] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from evaluation import access_bench, buildspeed, collection_bench, dev, latency, load, machine, report, scale
from evaluation.report.speed import batching_goals, render
from evaluation.server import RssSampler, run_index, serving, start_server

REPO = dev.REPO
console = Console(stderr=True)
SCALE_TARGETS = (1_000, 10_000, 30_000, 100_000)
QUICK_TARGETS = (1_000, 10_000, 30_000)
MILVUS_TARGETS = (10_000, 100_000)  # written to Milvus Lite beside the local index of the same corpus
LATENCY_WARMUP = 20  # questions asked before latency is counted
# The load test without micro-batching of query embeddings (each request embeds its question alone).
UNBATCHED = {"PLANQA_QUERY_BATCH_WINDOW_MS": "0"}
# Servers of the load test, in order: batching off (each request embeds its question alone),
# as configured, and as configured with one intra-op thread per forward.
LOAD_RUNS = (("load_unbatched", UNBATCHED, "batching off"), ("load", {}, "batching on"),
             ("load_one_thread", {"PLANQA_TORCH_THREADS": "1"}, "batching on, one torch thread"))


def step(msg: str) -> None:
    console.print(f"[bold cyan]›[/] {msg}")


def make_embedder_factory(settings: Any):  # noqa: ANN201
    from index.embedder import load_embedder
    from service.reader.query import with_query_adapter

    def make(cache_dir: Path) -> Any:
        base = load_embedder(settings.embedding_model, settings.model_dir, cache_dir, settings.embedding_batch_size)
        return with_query_adapter(base, settings.query_adapter)

    return make


def model_path(embedder: Any, settings: Any) -> Path:
    """The sentence-transformers directory the embedder loaded (for the naive baseline)."""
    for attr in ("model_dir", "path", "model_path"):
        p = getattr(embedder, attr, None)
        if p and Path(p).is_dir():
            return Path(p)
    from index.embedder import resolve_model_dir

    return Path(resolve_model_dir(settings.embedding_model, settings.model_dir))


# ---- sections --------------------------------------------------------------------------------------


def bench_indexing(settings: Any, work: Path, progress: bool = True) -> dict[str, Any]:
    """``planqa index`` wall times: cold, unchanged (three runs), forced with a warm cache."""
    corpus = Path(settings.corpus_dir)
    index_dir = work / "plan-index"
    shutil.rmtree(index_dir, ignore_errors=True)
    shutil.rmtree(index_dir.parent / f"{index_dir.name}.builds", ignore_errors=True)
    cache = work / "plan-cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = {"PLANQA_EMBEDDING_CACHE_DIR": str(cache)}
    step("planqa index, cold (empty embedding cache)")
    cold = run_index(corpus, index_dir, env, log_path=work / "index-cold.log", show=progress)
    step("planqa index, corpus unchanged (3 runs)")
    fresh = [run_index(corpus, index_dir, env, log_path=work / "index-fresh.log") for _ in range(3)]
    step("planqa index --force, warm embedding cache")
    warm = run_index(corpus, index_dir, env, force=True, log_path=work / "index-warm.log")
    return {"index_dir": index_dir, "cache": cache, "cold_s": cold, "fresh_runs": fresh,
            "fresh_s": statistics.median(fresh), "warm_s": warm}


def bench_startup(corpus: Path, index_dir: Path, env: dict[str, str], work: Path, runs: int = 3) -> dict[str, Any]:
    times, rss = [], []
    for i in range(runs):
        step(f"server start-up {i + 1}/{runs}")
        srv = start_server(corpus, index_dir, env, log_path=work / "startup.log")
        times.append(srv.startup_s)
        rss.append(srv.rss_mb())
        srv.stop()
    return {"runs": times, "median_s": statistics.median(times), "max_s": max(times), "rss_mb": statistics.median(rss)}


def bench_serving(settings: Any, embedder: Any, index_dir: Path, env: dict[str, str], questions: list[str],
                  load_questions: list[str], work: Path, warmup: int, clients: int, seconds: float,
                  progress: bool) -> dict[str, Any]:
    """Latency in-process and over HTTP against the floor, then the load test, on one server."""
    from service.runtime import Runtime
    from service.settings import Settings

    corpus = Path(settings.corpus_dir)
    rt = Runtime(Settings(corpus_dir=corpus, index_dir=index_dir), embedder=embedder)
    rt.load()
    out: dict[str, Any] = {}
    with serving(corpus, index_dir, env, log_path=work / "server.log") as srv:
        step(f"latency: {len(questions) - warmup} distinct questions after {warmup} warm-up ones, "
             "in-process and HTTP, interleaved")
        out["latency"] = latency.with_ratios(latency.measure(rt, embedder, srv.url, questions, warmup, progress=progress))
        out["rss_idle_mb"] = srv.rss_mb()
    # The same load against a server with query batching off, then on, each a fresh process.
    out.update(bench_load_pair(corpus, index_dir, env, load_questions, work, clients, seconds, progress))
    return out


def bench_scale(shared: Path, settings: Any, make_embedder: Any, work: Path, targets: Sequence[int],
                real: list, progress: bool, keep_cache: bool = False) -> dict[str, Any]:
    """Nested corpora built with one cold-started cache (or, with ``keep_cache``, the last run's);
    each probed in a fresh process."""
    corpora = scale.nested_corpora(real, targets, progress)
    queries = scale.probe_queries(shared)
    root = work / "scale"
    cache = root / "cache"
    if keep_cache and cache.is_dir():
        for p in root.iterdir():
            if p != cache:
                shutil.rmtree(p) if p.is_dir() else p.unlink()
    else:
        shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    embedder = make_embedder(cache)
    env = {"PLANQA_EMBEDDING_CACHE_DIR": str(cache)}
    rows = []
    seen: set[str] = set()
    for c in corpora:
        texts = buildspeed.embedded_texts(c.documents)
        new = len({t for t in texts if t not in seen})
        seen.update(texts)
        index_dir = root / c.label.replace(" ", "-") / "index"
        step(f"scale {c.label}: {c.passages:,} passages, {len(c.documents):,} documents, {new:,} to embed")
        build_s = scale.build(c, index_dir, embedder, settings, progress)
        step(f"scale {c.label}: probing in a fresh process")
        probe = scale.run_probe(index_dir, queries, root, env)
        row = {"label": c.label, "passages": c.passages, "documents": len(c.documents), "chars": c.chars,
               "embedded": new, "build_s": build_s, **probe}
        rows.append(row)
        console.print(f"  build {build_s:.1f} s, search p50 {probe['search']['p50']:.1f} ms, "
                      f"embed p50 {probe['embed']['p50']:.1f} ms, RSS {probe['rss_mb']:.0f} MiB")
    milvus = bench_milvus(corpora, settings, embedder, root, queries, env, progress)
    largest = root / corpora[-1].label.replace(" ", "-")
    step(f"server on the largest corpus ({corpora[-1].passages:,} passages): start-up and memory")
    empty = largest / "corpus"
    empty.mkdir(exist_ok=True)
    with serving(empty, largest / "index", env, log_path=root / "server-largest.log") as srv:
        server = {"passages": corpora[-1].passages, "startup_s": srv.startup_s, "rss_mb": srv.rss_mb()}
    del embedder
    return {"rows": rows, "queries": len(queries), "server": server, "milvus": milvus, "warm_cache": keep_cache}


def bench_milvus(corpora: Sequence[Any], settings: Any, embedder: Any, root: Path, queries: list[str],
                 env: dict[str, str], progress: bool) -> list[dict[str, Any]]:
    """The scale corpora of ``MILVUS_TARGETS`` written to Milvus Lite (embeddings from the same
    cache) and probed in a fresh process exactly as the local indexes are."""
    from index.milvus.schema import Connection
    from index.milvus.writer import sync_documents

    rows = []
    for c in corpora:
        if c.label not in {scale.label(t) for t in MILVUS_TARGETS}:
            continue
        where = root / f"milvus-{c.label}"
        shutil.rmtree(where, ignore_errors=True)
        where.mkdir(parents=True)
        uri = str(where / "milvus.db")
        step(f"Milvus Lite {c.label}: writing {c.passages:,} passages")
        t0 = time.perf_counter()
        conn = Connection(uri, None, "planqa")
        report_ = sync_documents(c.documents, conn, embedder, model_name=settings.embedding_model, progress=progress)
        conn.close(release=True)
        write_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        conn = Connection(uri, None, "planqa")
        again = sync_documents(c.documents, conn, embedder, model_name=settings.embedding_model)
        conn.close(release=True)  # a Milvus Lite file is open in one process at a time: the probe's, next
        unchanged_s = time.perf_counter() - t0
        step(f"Milvus Lite {c.label}: probing in a fresh process")
        probe = scale.run_probe(where / "index", queries, root, {**env, "PLANQA_BACKEND": "milvus",
                                                                 "PLANQA_MILVUS_URI": uri})
        rows.append({"label": c.label, "passages": c.passages, "documents": len(c.documents), "write_s": write_s,
                     "rewrite_unchanged_s": unchanged_s, "written_again": len(again.written),
                     "passages_written": report_.passages_written, **probe})
        console.print(f"  write {write_s:.1f} s, search p50 {probe['search']['p50']:.1f} ms, "
                      f"ask p50 {probe['ask']['p50']:.1f} ms, RSS {probe['rss_mb']:.0f} MiB")
    return rows


def bench_load_pair(corpus: Path, index_dir: Path, env: dict[str, str], questions: list[str], work: Path,
                    clients: int, seconds: float, progress: bool) -> dict[str, Any]:
    """The load test against fresh servers: query batching off, as configured, with one torch thread."""
    out: dict[str, Any] = {}
    for key, extra, what in LOAD_RUNS:
        with serving(corpus, index_dir, {**env, **extra}, log_path=work / f"server-{key}.log") as srv:
            step(f"load ({what}): {clients} clients × {seconds:.0f} s, ask and search alternating")
            with RssSampler(srv) as sampler:
                res = load.run_load(srv.url, questions, clients, seconds, progress=progress)
            out[key] = res.summary()
            out[f"rss_{key}_peak_mb"] = max(sampler.peak, srv.rss_mb())
            out[f"{key}_server_alive"] = srv.proc.poll() is None
    return out


def load_only(settings: Any, work: Path, questions: list[str], clients: int, seconds: float, progress: bool,
              info: dict[str, Any]) -> str:
    """``--load-only``: the plan indexed (a no-op when fresh), then the two load runs."""
    corpus, index_dir = Path(settings.corpus_dir), work / "plan-index"
    step(f"planqa index {corpus} → {index_dir}")
    run_index(corpus, index_dir, {}, log_path=work / "index-load.log")
    sv = bench_load_pair(corpus, index_dir, {}, questions, work, clients, seconds, progress)
    ld, lu = sv["load"], sv["load_unbatched"]
    rows = [[name, sv[key]["requests"], sv[key]["errors"], sv[key]["throughput"], sv[key]["all"]["p50"],
             sv[key]["all"]["p95"], sv[f"rss_{key}_peak_mb"]] for key, _, name in LOAD_RUNS]
    return "\n".join([
        f"Load test only ({info.get('cpu', '')}; load average at the end "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}): {clients} clients × {seconds:.0f} s on `corpus/`, "
        f"{len(questions):,} distinct questions.",
        "",
        report.goals_table([
            *batching_goals(ld, lu),
            report.goal("load errors", float(sum(sv[key]["errors"] for key, _, _ in LOAD_RUNS)), 0.0, False, "", 0),
        ]),
        "",
        report.table(["server", "requests", "errors", "throughput (req/s)", "p50 ms", "p95 ms", "RSS peak MiB"], rows,
                     [0, 0, 0, 1, 0, 0, 0]),
        "",
    ])


def document(res: dict[str, Any]) -> str:
    """``docs/benchmarks.md`` from a run's results (the reader's section last, when it was measured)."""
    from evaluation import reader_eval

    reader = res["serving"].get("reader")
    access = res["serving"].get("access")
    collection = ("\n\n" + collection_bench.render(res["collection"])) if "collection" in res else ""
    return (render(res) + collection + ("\n\n" + access_bench.render(access) if access else "")
            + ("\n\n" + reader_eval.render_bench(reader) if reader else "\n"))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="scale only to 30k passages, 40 latency questions")
    ap.add_argument("--no-scale", action="store_true", help="skip the scale section")
    ap.add_argument("--no-collection", action="store_true",
                    help="skip the full shared collection beside corpus/ alone")
    ap.add_argument("--keep-scale-cache", action="store_true",
                    help="reuse the scale section's embedding cache from the last run (build times are then warm)")
    ap.add_argument("--latency-questions", type=int, default=120,
                    help="distinct questions timed for latency (the dev sets', then CMRC2018 trial's)")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=30.0, help="load test duration")
    ap.add_argument("--work-dir", type=Path, default=REPO / ".planqa" / "bench")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--load-only", action="store_true",
                    help="only the load test, query batching off then on, printed (and written to --out if given)")
    ap.add_argument("--render", type=Path, default=None, metavar="RESULTS_JSON",
                    help="only rewrite --out from the results.json of an earlier run")
    a = ap.parse_args(argv)
    progress = not a.no_progress
    n_latency = 40 if a.quick else a.latency_questions
    if a.render:
        report.write(a.out, document(json.loads(a.render.read_text(encoding="utf-8"))))
        step(f"wrote {a.out} from {a.render}")
        return 0

    from service.settings import Settings

    shared = dev.shared_dir()
    settings = Settings()
    work = a.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    info = machine.describe()
    t0 = time.perf_counter()
    dev_sets = [[d["q"] for d in dev.load_items(shared / "eval" / name)]
                for name in ("dev_qa.jsonl", "dev_qa_govreport.jsonl")]
    questions = dev_sets[0]
    load_questions = load.question_pool(shared)
    timed = latency.latency_questions(dev_sets, load_questions, n_latency, LATENCY_WARMUP)
    if a.load_only:
        text = load_only(settings, work, load_questions, a.clients, a.seconds, progress, info)
        if "--out" in (argv if argv is not None else sys.argv[1:]):
            report.write(a.out, text)
        console.print(text)
        return 0

    idx = bench_indexing(settings, work, progress)
    env = {"PLANQA_EMBEDDING_CACHE_DIR": str(idx["cache"])}
    startup = bench_startup(Path(settings.corpus_dir), idx["index_dir"], env, work)

    step(f"loading the embedding model {settings.embedding_model}")
    make_embedder = make_embedder_factory(settings)
    embedder = make_embedder(idx["cache"])
    serving_res = bench_serving(settings, embedder, idx["index_dir"], env, timed, load_questions, work,
                                LATENCY_WARMUP, a.clients, a.seconds, progress)
    step("API keys, limits and metrics: /api/ask on two servers, with them on and off, alternately")
    serving_res["access"] = access_bench.measure(Path(settings.corpus_dir), idx["index_dir"], env, timed, work,
                                                LATENCY_WARMUP)
    step("the floor in fresh processes: as configured, passive OpenMP waiting, one thread")
    serving_res["floor_variants"] = latency.floor_variants(questions, work)
    from evaluation import reader_eval
    from service.runtime import Runtime
    from service.settings import Settings

    step("reader and reranker latency beside one query embedding")
    rt = Runtime(Settings(corpus_dir=Path(settings.corpus_dir), index_dir=idx["index_dir"]), embedder=embedder)
    rt.load()
    serving_res["reader"] = reader_eval.bench(rt, embedder, questions, progress=progress)

    step("ingesting the real texts (plan, work report, CMRC2018, DRCD)")
    real = scale.real_documents(shared, Path(settings.corpus_dir), progress)
    one_k = scale.nested_corpora(real, (1_000,), progress)[0]
    step(f"build throughput against naive fp32 on {one_k.passages:,} passages")
    with tempfile.TemporaryDirectory(prefix="buildspeed-", dir=work) as tmp:
        bs = buildspeed.compare(one_k.documents, make_embedder, model_path(embedder, settings), Path(tmp),
                                settings.hnsw_threshold, repeats=3, progress=progress)
    console.print(f"  planqa {bs['build_cps']:.0f} chars/s, naive {bs['naive_cps']:.0f} chars/s, {bs['speedup']:.2f}×")

    sc = None
    if not a.no_scale:
        sc = bench_scale(shared, settings, make_embedder, work, QUICK_TARGETS if a.quick else SCALE_TARGETS,
                         real, progress, keep_cache=a.keep_scale_cache)

    coll = None
    if not a.no_collection:
        step("the full shared collection beside corpus/ alone, each with an empty embedding cache")
        coll = collection_bench.run(shared, Path(settings.corpus_dir), work, progress=progress)

    args = "".join(" " + shlex.quote(x) for x in (argv if argv is not None else sys.argv[1:]))
    command = ("make bench" + (f" ARGS='{args.strip()}'" if args else "")) if os.environ.get("MAKELEVEL") \
        else f"python -m evaluation.run_bench{args}"
    res = {"machine": info, "indexing": idx, "startup": startup, "serving": serving_res, "buildspeed": bs,
           "scale": sc, "collection": coll, "latency_warmup": LATENCY_WARMUP, "seconds": time.perf_counter() - t0,
           "command": command,
           "load_end": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    text = document(res)
    report.publish(a.out, text, res, work)
    console.print(text.split("## Latency")[0].split("## Goals")[1])
    step(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
