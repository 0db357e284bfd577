"""``docs/benchmarks.md``: one function per section of the document ``make bench`` writes."""

from __future__ import annotations

import math
from typing import Any

from evaluation import report

TITLE = "Benchmarks: speed and scale"
LATENCY_NAMES = {
    "embed": "one query embedding (floor)", "search": "hybrid search, in-process (Runtime)",
    "ask": "ask, in-process (Runtime)", "http search": "`POST /api/search` hybrid, HTTP",
    "http ask": "`POST /api/ask`, HTTP",
    "ask*": "ask, in-process, answers from retrieved passages only",
    "http ask*": "`POST /api/ask`, HTTP, answers from retrieved passages only",
}


def render(res: dict[str, Any]) -> str:
    """The whole document; also adds ``p95_x95`` to each latency row of ``res`` (kept in results.json)."""
    add_tail_ratios(res["serving"]["latency"])
    return "\n".join([
        *report.preamble(TITLE, res),
        "Timings on a shared machine drift with its load, so each speed goal is a ratio of two things "
        "measured in the same run, interleaved where possible.",
        "",
        *goals_section(res),
        *latency_section(res),
        *indexing_section(res["indexing"], res["buildspeed"]),
        *server_section(res["startup"], res["serving"]),
        *load_section(res["serving"]),
        *scale_section(res.get("scale")),
    ])


def ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def add_tail_ratios(latency: list[dict[str, Any]]) -> None:
    """Each operation's p95 over the embedding's p95, where the run did not record it."""
    floor = {r["op"]: r for r in latency}["embed"]
    for r in latency:
        r.setdefault("p95_x95", ratio(r["p95"], floor["p95"]))


# ---- goals -------------------------------------------------------------------------------------------


def times(name: str, measured: float, target: float, higher_is_better: bool = False) -> dict[str, Any]:
    """A goal on a ratio, shown as ``1.23×``."""
    return report.goal(name, measured, target, higher_is_better, "×", 2)


def goals_section(res: dict[str, Any]) -> list[str]:
    return ["## Goals", "", report.goals_table(goals(res)), ""]


def goals(res: dict[str, Any]) -> list[dict[str, Any]]:
    sv = res["serving"]
    return [
        *latency_goals(sv["latency"]),
        *build_goals(res),
        *batching_goals(sv["load"], sv.get("load_unbatched"), " (same run)"),
        *scale_goals(res.get("scale")),
    ]


# An ask reads a short answer with the reader besides retrieval and evidence scoring: its median
# may take up to three query embeddings.
ASK_P50_X = 3.0


def latency_goals(latency: list[dict[str, Any]]) -> list[dict[str, Any]]:
    lat = {r["op"]: r for r in latency}
    g = [
        times("`/api/ask` p50 / one embedding", lat["http ask"]["p50_x"], ASK_P50_X),
        times("`/api/ask` p95 / one embedding", lat["http ask"]["p95_x"], 4.0),
        times("`/api/ask` p95 / embedding p95 (tails compared)", lat["http ask"]["p95_x95"], 4.0),
    ]
    if "http ask*" in lat:
        g += [
            times("`/api/ask` p50 / one embedding, retrieved answers only", lat["http ask*"]["p50_x"], ASK_P50_X),
            times("`/api/ask` p95 / one embedding, retrieved answers only", lat["http ask*"]["p95_x"], 4.0),
        ]
    return g


def build_goals(res: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        times("index build / naive fp32 (speed)", res["buildspeed"]["speedup"], 2.0, True),
        report.goal("unchanged re-index", res["indexing"]["fresh_s"], 2.0, False, " s", 2),
        report.goal("server start-up", res["startup"]["median_s"], 10.0, False, " s", 1),
        report.goal("load errors", float(res["serving"]["load"]["errors"]), 0.0, False, "", 0),
    ]


def batching_goals(on: dict[str, Any], off: dict[str, Any] | None, suffix: str = "") -> list[dict[str, Any]]:
    """The load test with query batching on against off: throughput and p95."""
    if not off:
        return []
    return [
        times(f"load throughput, batching on / off{suffix}", ratio(on["throughput"], off["throughput"]), 2.0, True),
        times(f"load p95, batching on / off{suffix}", ratio(on["all"]["p95"], off["all"]["p95"]), 1.0),
    ]


def scale_goals(sc: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not sc:
        return []
    big = sc["rows"][-1]
    n = f"{big['passages']:,} passages"
    return [
        times(f"search p50 / one embedding at {n}", big["search"]["p50"] / big["embed"]["p50"], 4.0),
        report.goal(f"RSS at {n} (probe process)", big["rss_mb"] / 1024, 2.0, False, " GiB", 2),
        report.goal(f"RSS at {n} (`planqa serve`)", sc["server"]["rss_mb"] / 1024, 2.0, False, " GiB", 2),
    ]


# ---- sections ----------------------------------------------------------------------------------------


def latency_section(res: dict[str, Any]) -> list[str]:
    sv = res["serving"]
    floor = {r["op"]: r for r in sv["latency"]}["embed"]
    rows = [[LATENCY_NAMES[r["op"]], r["p50"], r["p95"], r["p50_x"], r["p95_x"], r.get("p95_x95"), r.get("over_p50"),
             r["n"]] for r in sv["latency"]]
    return [
        "## Latency against one query embedding",
        "",
        f"{floor['n']} distinct questions, each asked once, after {res.get('latency_warmup', 0)} warm-up "
        "questions: the dev sets' (the plan's and the 2022 work report's; the report is not in `corpus/`, "
        "so its questions are answered or declined from the plan like any question), then CMRC2018 trial "
        "questions. For each question, in turn: `embedder.embed_queries([q])`, hybrid search (top 10) and "
        "ask (top 5) in-process, then the same over HTTP to a `planqa serve` process on the same index. "
        "Ratios divide by the median of the embedding call. Table lookups and aggregates are "
        "answered from the typed rows and may not embed the question at all, so the asks answered "
        "from retrieved passages are also shown alone (rows marked *only*).",
        "",
        report.table(["operation", "p50 ms", "p95 ms", "p50 / embed p50", "p95 / embed p50", "p95 / embed p95",
                      "median ms over the embedding", "n"], rows, [0, 1, 1, 2, 2, 2, 1, 0]),
        "",
        "*p95 / embed p95* compares tails with tails; *median ms over the embedding* is the median, over "
        "questions, of each operation's time minus that of the embedding call timed just before it for the "
        "same question (the work beyond the floor; – where not measured). An embedder remembers its last "
        "few queries (an ask embeds its question twice), so no question is asked twice and the in-process "
        "embedder forgets its recent queries before each operation: every operation embeds its question "
        "as a new one. Each embedding call follows HTTP requests during which this process idled, so it "
        "includes waking torch's worker threads, as a request arriving at an idle server does. The HTTP "
        "requests run in the server, which idled meanwhile, like the floor.",
        "",
        *floor_variants_part(sv.get("floor_variants", [])),
    ]


def floor_variants_part(variants: list[dict[str, Any]]) -> list[str]:
    return [
        "The same call in fresh processes, right after, called back to back (threads awake): as configured, "
        "with `OMP_WAIT_POLICY=PASSIVE`, and with one torch thread. When the machine is busy, OpenMP "
        "threads that spin while waiting for each other can make one call many times slower; this shows "
        "how much that weighed in this run.",
        "",
        report.table(["query embedding", "torch threads", "p50 ms", "p95 ms", "n"],
                     [[r["variant"], r["threads"], r["p50"], r["p95"], r["n"]] for r in variants],
                     [0, 0, 1, 1, 0]),
        "",
    ]


def values_section(title: str, rows: list[list[str]]) -> list[str]:
    """A section that is one two-column table: what was measured, and its value."""
    return [f"## {title}", "", report.table(["", "value"], rows), ""]


def indexing_section(idx: dict[str, Any], bs: dict[str, Any]) -> list[str]:
    return [
        *values_section("Indexing", [
            ["`planqa index`, cold: empty embedding cache, process start to exit", f"{idx['cold_s']:.1f} s"],
            ["`planqa index`, corpus unchanged (median of 3)",
             f"{idx['fresh_s']:.2f} s (runs: {', '.join(f'{x:.2f}' for x in idx['fresh_runs'])})"],
            ["`planqa index --force`, warm embedding cache", f"{idx['warm_s']:.1f} s"],
        ]),
        *buildspeed_part(bs),
    ]


def buildspeed_part(bs: dict[str, Any]) -> list[str]:
    return [
        f"Build throughput on {bs['documents']:,} documents ({bs['passages']:,} passages"
        + (f" and their sentences, {bs['texts']:,} texts" if bs.get("texts") else "")
        + f", {bs['chars']:,} characters embedded — the plan, the 2022 work report and CMRC2018/DRCD "
        "paragraphs, the 1k scale corpus). "
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
    ]


def server_section(st: dict[str, Any], sv: dict[str, Any]) -> list[str]:
    return values_section("Server", [
        ["start-up, process start → `/healthz` ok (median of 3)",
         f"{st['median_s']:.1f} s (runs: {', '.join(f'{x:.1f}' for x in st['runs'])})"],
        ["RSS after start-up", f"{st['rss_mb']:.0f} MiB"],
        ["RSS after the latency runs", f"{sv['rss_idle_mb']:.0f} MiB"],
        ["RSS peak during the load test", f"{sv['rss_load_peak_mb']:.0f} MiB"],
    ])


def load_section(sv: dict[str, Any]) -> list[str]:
    ld = sv["load"]
    runs = (("batching off", "load_unbatched", sv.get("load_unbatched")), ("batching on", "load", ld),
            ("batching on, one torch thread", "load_one_thread", sv.get("load_one_thread")))
    rows = [[name, x["requests"], x["errors"], x["throughput"], x["all"]["p50"], x["all"]["p95"],
             f"{x['ask']['p50']:.0f} / {x['ask']['p95']:.0f}", f"{x['search']['p50']:.0f} / {x['search']['p95']:.0f}",
             sv.get(f"rss_{key}_peak_mb", sv["rss_load_peak_mb"])] for name, key, x in runs if x]
    errors = ["Errors seen:", "", "```", *ld["error_samples"], "```", ""] if ld["error_samples"] else []
    return [
        "## Load",
        "",
        f"{ld['clients']} concurrent clients (asyncio + httpx over loopback) for {ld['seconds']:.1f} s, each "
        "sending its next request when the previous one returns, alternating `/api/ask` (top 5) and "
        "`/api/search` (hybrid, top 10). Every request carries a question not sent before (the dev sets' "
        "and CMRC2018 trial's, shuffled): a server keeps its last few query embeddings in memory, so the "
        "same 41 questions over and over would measure that memory instead of the model under load.",
        "",
        "Fresh servers on the same index, one after the other: micro-batching of query embeddings off "
        "(`PLANQA_QUERY_BATCH_WINDOW_MS=0`: each request embeds its question alone, as before), as "
        "configured (concurrent questions share one forward pass; see `index/batching.py`), and as "
        "configured with one intra-op thread per forward (`PLANQA_TORCH_THREADS=1`), the thread change "
        "the default keeps only if it is faster.",
        "",
        report.table(["server", "requests", "errors", "throughput (req/s)", "p50 ms", "p95 ms", "ask p50 / p95 ms",
                      "search p50 / p95 ms", "RSS peak MiB"], rows, [0, 0, 0, 1, 0, 0, 0, 0, 0]),
        "",
        *errors,
    ]


def scale_section(sc: dict[str, Any] | None) -> list[str]:
    if not sc:
        return ["## Scale", "", "Not run (`--no-scale`).", ""]
    rows = [[r["label"], r["passages"], r["documents"], r["chars"], r["embedded"], r["build_s"], r["dense_index"],
             r["load_s"], r["search"]["p50"], r["search"]["p95"], r["search"]["p50"] / r["embed"]["p50"],
             r["ask"]["p50"], r["ask"]["p95"], r["embed"]["p50"], r["rss_mb"]] for r in sc["rows"]]
    return [
        "## Scale",
        "",
        "Corpora are nested: the real texts (the plan, the 2022 government work report, CMRC2018 dev + trial "
        "and DRCD dev + test paragraphs, one document each, taken alternately), then synthetic documents "
        "assembled from those texts' sentences (a seeded shuffle of all sentences, cut into paragraphs of "
        "two to four sentences, twenty paragraphs a document, ids `syn-<n>`), so every synthetic passage is "
        "a new text. N is the shortest prefix with at least that many passages. "
        + ("The embedding cache of the previous run was kept (`--keep-scale-cache`): the passages of column "
           "*embedded* were read from it, so *build s* is a warm build. " if sc.get("warm_cache") else
           "One embedding cache, empty at the start of the run, serves all builds: each build embeds only "
           "the passages the smaller corpus did not have (column *embedded*). ")
        + "Latency and RSS come from a fresh process per corpus that loads "
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
        *milvus_section(sc),
    ]


def milvus_section(sc: dict[str, Any]) -> list[str]:
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
