"""Query latency measured against its floor: one query-embedding call, in the same run.

On a shared two-core machine absolute milliseconds drift with whatever else runs, so every
operation is timed interleaved with the floor, question by question: one ``embed_queries([q])``,
then hybrid search and ask in-process (``Runtime``), then the same two over HTTP. Ratios of the
percentiles to the floor's median are what the goals are held against; the first pass over the
questions warms caches and is not counted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from tqdm import tqdm

from service.evaluation.metrics import latency_summary

OPS = ("embed", "search", "ask", "http search", "http ask")


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def measure(
    runtime: Any, embedder: Any, url: str | None, questions: Sequence[str], rounds: int = 3,
    warmup: int = 1, progress: bool = True,
) -> dict[str, dict[str, float]]:
    """Latency summaries (ms) of each operation over ``rounds`` passes of ``questions``.

    ``runtime`` is a loaded ``service.runtime.Runtime``; ``url`` a server on the same index
    (HTTP operations are skipped without one).
    """
    samples: dict[str, list[float]] = {op: [] for op in OPS}
    client = httpx.Client(base_url=url, timeout=120.0) if url else None

    def http(path: str, body: dict[str, Any]) -> None:
        assert client is not None
        r = client.post(path, json=body)
        r.raise_for_status()

    total = (warmup + rounds) * len(questions)
    bar = tqdm(total=total, desc="latency", disable=not progress, leave=False)
    try:
        for r in range(warmup + rounds):
            for q in questions:
                ops: dict[str, Callable[[], Any]] = {
                    "embed": lambda q=q: embedder.embed_queries([q]),
                    "search": lambda q=q: runtime.search(q, mode="hybrid", top_k=10),
                    "ask": lambda q=q: runtime.ask(q, top_k=5),
                }
                if client is not None:
                    ops["http search"] = lambda q=q: http("/api/search", {"query": q, "mode": "hybrid", "top_k": 10})
                    ops["http ask"] = lambda q=q: http("/api/ask", {"question": q, "top_k": 5})
                for op, fn in ops.items():
                    ms = _timed(fn)
                    if r >= warmup:
                        samples[op].append(ms)
                bar.update(1)
    finally:
        bar.close()
        if client is not None:
            client.close()
    return {op: latency_summary(xs) for op, xs in samples.items() if xs}


def with_ratios(summary: dict[str, dict[str, float]], floor_op: str = "embed") -> list[dict[str, Any]]:
    """One row per operation with p50 and p95, each also divided by the floor's p50."""
    floor = summary[floor_op]["p50"]
    rows = []
    for op, s in summary.items():
        rows.append({"op": op, "p50": s["p50"], "p95": s["p95"], "mean": s["mean"], "n": s["n"],
                     "p50_x": s["p50"] / floor if floor else float("nan"),
                     "p95_x": s["p95"] / floor if floor else float("nan")})
    return rows
