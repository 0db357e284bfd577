"""``make bench``: planqa's speed and scale on this machine, in one run, written to ``docs/benchmarks.md``.

1. indexing ``corpus/`` with ``planqa index``: cold (empty embedding cache), unchanged (no-op),
   forced with a warm cache; build throughput against naive fp32 sentence-transformers;
2. server start-up (process start → ``/healthz`` ok) and its memory;
3. search and ask latency, in-process and over HTTP, against one query embedding (the floor);
4. load: 32 concurrent clients for 30 s mixing ask and search;
5. scale: build time, latency and memory from 1k to 100k passages.

    python -m service.evaluation.run_bench [--quick] [--out docs/benchmarks.md]
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
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from service.evaluation import buildspeed, dev, latency, load, machine, report, scale
from service.evaluation.server import run_index, serving, start_server

REPO = dev.REPO
console = Console(stderr=True)
SCALE_TARGETS = (1_000, 10_000, 30_000, 100_000)
QUICK_TARGETS = (1_000, 10_000, 30_000)
MILVUS_TARGETS = (10_000, 100_000)  # written to Milvus Lite beside the local index of the same corpus
# The load test without micro-batching of query embeddings (each request embeds its question alone).
UNBATCHED = {"PLANQA_QUERY_BATCH_WINDOW_MS": "0"}


def step(msg: str) -> None:
    console.print(f"[bold cyan]›[/] {msg}")


def make_embedder_factory(settings: Any):  # noqa: ANN201
    from index.embedder import load_embedder

    def make(cache_dir: Path) -> Any:
        return load_embedder(settings.embedding_model, settings.model_dir, cache_dir, settings.embedding_batch_size)

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


class RssSampler:
    """Samples a server's RSS once a second in the background; keeps the maximum."""

    def __init__(self, server: Any) -> None:
        self.server, self.peak, self._stop = server, 0.0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.peak = max(self.peak, self.server.rss_mb())

    def __enter__(self) -> RssSampler:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def bench_serving(settings: Any, embedder: Any, index_dir: Path, env: dict[str, str], questions: list[str],
                  work: Path, rounds: int, clients: int, seconds: float, progress: bool) -> dict[str, Any]:
    """Latency in-process and over HTTP against the floor, then the load test, on one server."""
    from service.runtime import Runtime
    from service.settings import Settings

    corpus = Path(settings.corpus_dir)
    rt = Runtime(Settings(corpus_dir=corpus, index_dir=index_dir), embedder=embedder)
    rt.load()
    out: dict[str, Any] = {}
    with serving(corpus, index_dir, env, log_path=work / "server.log") as srv:
        step(f"latency: {len(questions)} questions × {rounds} rounds, in-process and HTTP, interleaved")
        out["latency"] = latency.with_ratios(latency.measure(rt, embedder, srv.url, questions, rounds, progress=progress))
        out["rss_idle_mb"] = srv.rss_mb()
    # The same load against a server with query batching off, then on, each a fresh process.
    out.update(bench_load_pair(corpus, index_dir, env, questions, work, clients, seconds, progress))
    return out


def bench_scale(shared: Path, settings: Any, make_embedder: Any, work: Path, targets: Sequence[int],
                real: list, progress: bool) -> dict[str, Any]:
    """Nested corpora built with one cold-started cache; each probed in a fresh process."""
    corpora = scale.nested_corpora(real, targets, progress)
    queries = scale.probe_queries(shared)
    root = work / "scale"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    cache = root / "cache"
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
    return {"rows": rows, "queries": len(queries), "server": server, "milvus": milvus}


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


# ---- the document ------------------------------------------------------------------------------------


def render(res: dict[str, Any]) -> str:
    idx, bs, st, sv = res["indexing"], res["buildspeed"], res["startup"], res["serving"]
    lat = {r["op"]: r for r in sv["latency"]}
    floor = lat["embed"]
    for r in sv["latency"]:
        r.setdefault("p95_x95", r["p95"] / floor["p95"] if floor["p95"] else float("nan"))
    ld = sv["load"]
    sc = res.get("scale")

    names = {"embed": "one query embedding (floor)", "search": "hybrid search, in-process (Runtime)",
             "ask": "ask, in-process (Runtime)", "http search": "`POST /api/search` hybrid, HTTP",
             "http ask": "`POST /api/ask`, HTTP",
             "ask*": "ask, in-process, answers from retrieved passages only",
             "http ask*": "`POST /api/ask`, HTTP, answers from retrieved passages only"}
    lat_rows = [[names[r["op"]], r["p50"], r["p95"], r["p50_x"], r["p95_x"], r.get("p95_x95"), r.get("over_p50"), r["n"]]
                for r in sv["latency"]]

    g = [
        report.goal("`/api/ask` p50 / one embedding", lat["http ask"]["p50_x"], 2.0, False, "×", 2),
        report.goal("`/api/ask` p95 / one embedding", lat["http ask"]["p95_x"], 4.0, False, "×", 2),
    ]
    g.append(report.goal("`/api/ask` p95 / embedding p95 (tails compared)", lat["http ask"]["p95_x95"], 4.0, False,
                         "×", 2))
    if "http ask*" in lat:
        g += [
            report.goal("`/api/ask` p50 / one embedding, retrieved answers only", lat["http ask*"]["p50_x"], 2.0, False, "×", 2),
            report.goal("`/api/ask` p95 / one embedding, retrieved answers only", lat["http ask*"]["p95_x"], 4.0, False, "×", 2),
        ]
    g += [
        report.goal("index build / naive fp32 (speed)", bs["speedup"], 2.0, True, "×", 2),
        report.goal("unchanged re-index", idx["fresh_s"], 2.0, False, " s", 2),
        report.goal("server start-up", st["median_s"], 10.0, False, " s", 1),
        report.goal("load errors", float(ld["errors"]), 0.0, False, "", 0),
    ]
    lu = sv.get("load_unbatched")
    if lu:
        g += [
            report.goal("load throughput, batching on / off (same run)",
                        ld["throughput"] / lu["throughput"] if lu["throughput"] else float("nan"), 2.0, True, "×", 2),
            report.goal("load p95, batching on / off (same run)",
                        ld["all"]["p95"] / lu["all"]["p95"] if lu["all"]["p95"] else float("nan"), 1.0, False, "×", 2),
        ]
    if sc:
        big = sc["rows"][-1]
        g.append(report.goal(f"search p50 / one embedding at {big['passages']:,} passages",
                             big["search"]["p50"] / big["embed"]["p50"], 4.0, False, "×", 2))
        g.append(report.goal(f"RSS at {big['passages']:,} passages (probe process)", big["rss_mb"] / 1024, 2.0, False,
                             " GiB", 2))
        g.append(report.goal(f"RSS at {big['passages']:,} passages (`planqa serve`)", sc["server"]["rss_mb"] / 1024, 2.0,
                             False, " GiB", 2))

    parts = [
        *report.preamble("Benchmarks: speed and scale", res),
        "Timings on a shared machine drift with its load, so each speed goal is a ratio of two things "
        "measured in the same run, interleaved where possible.",
        "",
        "## Goals",
        "",
        report.goals_table(g),
        "",
        "## Latency against one query embedding",
        "",
        f"{floor['n'] // max(1, res['rounds'])} dev questions × {res['rounds']} rounds after a warm-up round; "
        "for each question, in turn: `embedder.embed_queries([q])`, hybrid search (top 10) and ask (top 5) "
        "in-process, then the same over HTTP to a `planqa serve` process on the same index. "
        "Ratios divide by the median of the embedding call. Table lookups and aggregates are "
        "answered from the typed rows and may not embed the question at all, so the asks answered "
        "from retrieved passages are also shown alone (rows marked *only*).",
        "",
        report.table(["operation", "p50 ms", "p95 ms", "p50 / embed p50", "p95 / embed p50", "p95 / embed p95",
                      "median ms over the embedding", "n"], lat_rows, [0, 1, 1, 2, 2, 2, 1, 0]),
        "",
        "*p95 / embed p95* compares tails with tails; *median ms over the embedding* is the median, over "
        "questions and rounds, of each operation's time minus that of the embedding call timed just before "
        "it for the same question (the work beyond the floor; – where not measured). Each embedding call "
        "follows HTTP requests during which this process idled, so it includes waking torch's worker "
        "threads, as a request arriving at an idle server does; the in-process search and ask right after it "
        "find them awake, which is why they can come out below the floor. The HTTP requests run in the "
        "server, which idled meanwhile, like the floor.",
        "",
        "The same call in fresh processes, right after, called back to back (threads awake): as configured, "
        "with `OMP_WAIT_POLICY=PASSIVE`, and with one torch thread. When the machine is busy, OpenMP "
        "threads that spin while waiting for each other can make one call many times slower; this shows "
        "how much that weighed in this run.",
        "",
        report.table(["query embedding", "torch threads", "p50 ms", "p95 ms", "n"],
                     [[r["variant"], r["threads"], r["p50"], r["p95"], r["n"]] for r in sv.get("floor_variants", [])],
                     [0, 0, 1, 1, 0]),
        "",
        "## Indexing",
        "",
        report.table(["", "value"], [
            ["`planqa index`, cold: empty embedding cache, process start to exit", f"{idx['cold_s']:.1f} s"],
            ["`planqa index`, corpus unchanged (median of 3)",
             f"{idx['fresh_s']:.2f} s (runs: {', '.join(f'{x:.2f}' for x in idx['fresh_runs'])})"],
            ["`planqa index --force`, warm embedding cache", f"{idx['warm_s']:.1f} s"],
        ]),
        "",
        f"Build throughput on {bs['documents']:,} documents ({bs['passages']:,} passages, {bs['chars']:,} characters "
        "embedded — the plan, the 2022 work report and CMRC2018/DRCD paragraphs, the 1k scale corpus). "
        "planqa: the whole in-process build (BM25, embeddings, FAISS, manifest) with a new, empty "
        "embedding cache, model already loaded. Naive: `SentenceTransformer(model_dir, device=\"cpu\")` "
        "in fp32, `encode` of the same texts with the `passage: ` prompt, batch 32, no cache. "
        f"Alternating runs, fastest of {len(bs['build_runs'])} each.",
        "",
        report.table(["", "seconds", "characters / s", "runs (s)"], [
            ["planqa build", bs["build_s"], bs["build_cps"], ", ".join(f"{x:.1f}" for x in bs["build_runs"])],
            ["naive fp32 encode", bs["naive_s"], bs["naive_cps"], ", ".join(f"{x:.1f}" for x in bs["naive_runs"])],
            ["speed-up", f"{bs['speedup']:.2f}×", "", ""],
        ], [0, 1, 0, 0]),
        "",
        "## Server",
        "",
        report.table(["", "value"], [
            ["start-up, process start → `/healthz` ok (median of 3)",
             f"{st['median_s']:.1f} s (runs: {', '.join(f'{x:.1f}' for x in st['runs'])})"],
            ["RSS after start-up", f"{st['rss_mb']:.0f} MiB"],
            ["RSS after the latency runs", f"{sv['rss_idle_mb']:.0f} MiB"],
            ["RSS peak during the load test", f"{sv['rss_load_peak_mb']:.0f} MiB"],
        ]),
        "",
        "## Load",
        "",
        f"{ld['clients']} concurrent clients (asyncio + httpx over loopback) for {ld['seconds']:.1f} s, each "
        "sending its next request when the previous one returns, alternating `/api/ask` (top 5) and "
        "`/api/search` (hybrid, top 10) over the dev questions.",
        "",
        "Two fresh servers on the same index, one after the other: first with micro-batching of query "
        "embeddings off (`PLANQA_QUERY_BATCH_WINDOW_MS=0`: each request embeds its question alone, as "
        "before), then as configured (concurrent questions share one forward pass; see `index/batching.py`).",
        "",
        report.table(["server", "requests", "errors", "throughput (req/s)", "p50 ms", "p95 ms", "ask p50 / p95 ms",
                      "search p50 / p95 ms", "RSS peak MiB"], [[
            name, x["requests"], x["errors"], x["throughput"], x["all"]["p50"], x["all"]["p95"],
            f"{x['ask']['p50']:.0f} / {x['ask']['p95']:.0f}", f"{x['search']['p50']:.0f} / {x['search']['p95']:.0f}",
            sv.get(f"rss_{key}_peak_mb", sv["rss_load_peak_mb"]),
        ] for name, key, x in (("batching off", "load_unbatched", lu), ("batching on", "load", ld)) if x],
            [0, 0, 0, 1, 0, 0, 0, 0, 0]),
        "",
    ]
    if ld["error_samples"]:
        parts += ["Errors seen:", "", "```", *ld["error_samples"], "```", ""]
    if sc:
        rows = []
        for r in sc["rows"]:
            rows.append([r["label"], r["passages"], r["documents"], r["chars"], r["embedded"], r["build_s"],
                         r["dense_index"], r["load_s"], r["search"]["p50"], r["search"]["p95"],
                         r["search"]["p50"] / r["embed"]["p50"], r["ask"]["p50"], r["ask"]["p95"], r["embed"]["p50"],
                         r["rss_mb"]])
        parts += [
            "## Scale",
            "",
            "Corpora are nested: the real texts (the plan, the 2022 government work report, CMRC2018 dev + trial "
            "and DRCD dev + test paragraphs, one document each, taken alternately), then synthetic documents "
            "assembled from those texts' sentences (a seeded shuffle of all sentences, cut into paragraphs of "
            "two to four sentences, twenty paragraphs a document, ids `syn-<n>`), so every synthetic passage is "
            "a new text. N is the shortest prefix with at least that many passages. One embedding cache, empty "
            "at the start of the run, serves all builds: each build embeds only the passages the smaller corpus "
            "did not have (column *embedded*). Latency and RSS come from a fresh process per corpus that loads "
            f"the index as the server does and runs {sc['queries']} questions (dev, CMRC2018, DRCD), each as one "
            "query embedding, a hybrid search (top 10) and an ask (top 5).",
            "",
            report.table(["corpus", "passages", "documents", "characters", "embedded", "build s", "FAISS", "load s",
                          "search p50 ms", "search p95 ms", "search p50 / embed", "ask p50 ms", "ask p95 ms",
                          "embed p50 ms", "RSS MiB"], rows,
                         [0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 2, 1, 1, 1, 0]),
            "",
            f"`planqa serve` on the largest corpus ({sc['server']['passages']:,} passages): start-up "
            f"{sc['server']['startup_s']:.1f} s, RSS {sc['server']['rss_mb']:.0f} MiB.",
            "",
        ]
        parts += render_milvus(sc)
    else:
        parts += ["## Scale", "", "Not run (`--no-scale`).", ""]
    return "\n".join(parts)


def bench_load_pair(corpus: Path, index_dir: Path, env: dict[str, str], questions: list[str], work: Path,
                    clients: int, seconds: float, progress: bool) -> dict[str, Any]:
    """The load test against a fresh server with query batching off, then one as configured."""
    out: dict[str, Any] = {}
    for key, extra, what in (("load_unbatched", UNBATCHED, "batching off"), ("load", {}, "batching on")):
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
    rows = [[name, x["requests"], x["errors"], x["throughput"], x["all"]["p50"], x["all"]["p95"],
             sv[f"rss_{key}_peak_mb"]] for name, key, x in (("batching off", "load_unbatched", lu),
                                                             ("batching on", "load", ld))]
    return "\n".join([
        f"Load test only ({info.get('cpu', '')}; load average at the end "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}): {clients} clients × {seconds:.0f} s on `corpus/`.",
        "",
        report.goals_table([
            report.goal("load throughput, batching on / off", ld["throughput"] / lu["throughput"], 2.0, True, "×", 2),
            report.goal("load p95, batching on / off", ld["all"]["p95"] / lu["all"]["p95"], 1.0, False, "×", 2),
            report.goal("load errors", float(ld["errors"] + lu["errors"]), 0.0, False, "", 0),
        ]),
        "",
        report.table(["server", "requests", "errors", "throughput (req/s)", "p50 ms", "p95 ms", "RSS peak MiB"], rows,
                     [0, 0, 0, 1, 0, 0, 0]),
        "",
    ])


def render_milvus(sc: dict[str, Any]) -> list[str]:
    """Milvus Lite beside the local index of the same corpus, and what a cluster changes."""
    ms = sc.get("milvus") or []
    if not ms:
        return []
    local = {r["label"]: r for r in sc["rows"]}
    rows = []
    for m in ms:
        loc = local.get(m["label"])
        for name, r in (("local (FAISS + bm25s)", loc), ("Milvus Lite", m)):
            if r is None:
                continue
            rows.append([m["label"], name, r.get("build_s", r.get("write_s")), r["load_s"], r["search"]["p50"],
                         r["search"]["p95"], r["ask"]["p50"], r["ask"]["p95"], r["embed"]["p50"], r["rss_mb"]])
    return [
        "## Milvus backend at scale",
        "",
        "The same corpora written to Milvus Lite (a file, embedded in the process) with "
        "`PLANQA_BACKEND=milvus`, embeddings taken from the same cache, then probed in a fresh process "
        "exactly like the local index. *build / write s* is `planqa index` for local and the first "
        "Milvus write (BM25 terms, vectors, document structure, flush); an unchanged re-write took "
        + ", ".join(f"{m['rewrite_unchanged_s']:.1f} s at {m['label']} ({m['written_again']} documents written)"
                    for m in ms) + ".",
        "",
        report.table(["corpus", "backend", "build / write s", "load s", "search p50 ms", "search p95 ms",
                      "ask p50 ms", "ask p95 ms", "embed p50 ms", "RSS MiB"], rows,
                     [0, 0, 1, 1, 1, 1, 1, 1, 1, 0]),
        "",
        "Milvus Lite is Milvus's API implemented in Python inside the process: it is for tests and small "
        "installations, and its search times are those of Python, not of a Milvus server. On a cluster "
        "the split is: each planqa replica embeds the question (one model forward, batched across "
        "concurrent requests), fuses the two candidate lists and composes the answer — CPU work that "
        "scales with the number of replicas behind the load balancer; Milvus answers two searches per "
        "question (BM25 over the sparse field and HNSW over the vectors, top 100 each) — work that "
        "scales with query nodes (replicas of the loaded segments), while data nodes and the index "
        "build scale with the number of passages. A replica holds the documents' structure in memory "
        "(the answer engine reads tables and headings), so its RSS grows with the corpus as the "
        "local backend's does, without the FAISS and BM25 arrays.",
        "",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="scale only to 30k passages, one latency round")
    ap.add_argument("--no-scale", action="store_true", help="skip the scale section")
    ap.add_argument("--rounds", type=int, default=3, help="latency rounds over the dev questions")
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
    rounds = 1 if a.quick else a.rounds
    if a.render:
        report.write(a.out, render(json.loads(a.render.read_text(encoding="utf-8"))))
        step(f"wrote {a.out} from {a.render}")
        return 0

    from service.settings import Settings

    shared = dev.shared_dir()
    settings = Settings()
    work = a.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    info = machine.describe()
    t0 = time.perf_counter()
    questions = [d["q"] for d in dev.load_items(shared / "eval" / "dev_qa.jsonl")]
    if a.load_only:
        text = load_only(settings, work, questions, a.clients, a.seconds, progress, info)
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
    serving_res = bench_serving(settings, embedder, idx["index_dir"], env, questions, work, rounds,
                                a.clients, a.seconds, progress)
    step("the floor in fresh processes: as configured, passive OpenMP waiting, one thread")
    serving_res["floor_variants"] = latency.floor_variants(questions, work)
    from service.evaluation import reader_eval
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
                         real, progress)

    args = "".join(" " + shlex.quote(x) for x in (argv if argv is not None else sys.argv[1:]))
    command = ("make bench" + (f" ARGS='{args.strip()}'" if args else "")) if os.environ.get("MAKELEVEL") \
        else f"python -m service.evaluation.run_bench{args}"
    res = {"machine": info, "indexing": idx, "startup": startup, "serving": serving_res, "buildspeed": bs,
           "scale": sc, "rounds": rounds, "seconds": time.perf_counter() - t0, "command": command,
           "load_end": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    text = render(res) + (reader_eval.render_bench(serving_res["reader"]) if serving_res.get("reader") else "")
    report.write(a.out, text)
    (work / "results.json").write_text(json.dumps(res, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    console.print(text.split("## Latency")[0].split("## Goals")[1])
    step(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
