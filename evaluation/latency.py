"""Query latency measured against its floor: one query-embedding call, in the same run.

On a shared two-core machine absolute milliseconds drift with whatever else runs, so every
operation is timed interleaved with the floor, question by question: one ``embed_queries([q])``,
then hybrid search and ask in-process (``Runtime``), then the same two over HTTP. Ratios of the
percentiles to the floor's median are what the goals are held against.

Every question is asked once: an embedder remembers its last few queries (answering one question
embeds it twice), so a question seen before would time that memory, not the model. For the same
reason the in-process embedder forgets its recent queries before each in-process operation. The
first questions warm caches and are not counted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from tqdm import tqdm

from evaluation.metrics import latency_summary, percentile
from index.embed_cache import forget_queries

OPS = ("embed", "search", "ask", "http search", "http ask")
# Answers composed from retrieved passages; table lookups and aggregates may not retrieve at all.
RETRIEVED_KINDS = ("extractive", "llm")


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def measure(
    runtime: Any, embedder: Any, url: str | None, questions: Sequence[str], warmup: int = 20,
    progress: bool = True,
) -> dict[str, dict[str, float]]:
    """Latency summaries (ms) of each operation over ``questions`` (distinct), the first ``warmup`` not counted.

    ``runtime`` is a loaded ``service.runtime.Runtime`` on ``embedder``; ``url`` a server on the
    same index (HTTP operations are skipped without one). ``ask*`` and ``http ask*`` summarise the
    asks answered from retrieved passages only (``RETRIEVED_KINDS``).
    """
    if len(set(questions)) != len(questions):
        raise ValueError("latency questions must be distinct: a repeated one is answered from memory")
    samples: dict[str, list[float]] = {op: [] for op in OPS}
    extractive: dict[str, list[float]] = {"ask*": [], "http ask*": []}
    # Each operation minus the embedding call timed just before it for the same question.
    over: dict[str, list[float]] = {op: [] for op in OPS if op != "embed"}
    over.update({"ask*": [], "http ask*": []})
    client = httpx.Client(base_url=url, timeout=120.0) if url else None
    kinds: dict[str, str] = {}

    def http(path: str, body: dict[str, Any]) -> None:
        assert client is not None
        r = client.post(path, json=body)
        r.raise_for_status()

    def ask(q: str) -> None:
        kinds[q] = getattr(runtime.ask(q, top_k=5), "kind", "")

    bar = tqdm(total=len(questions), desc="latency", disable=not progress, leave=False)
    try:
        for i, q in enumerate(questions):
            ops: dict[str, Callable[[], Any]] = {
                "embed": lambda q=q: embedder.embed_queries([q]),
                "search": lambda q=q: runtime.search(q, mode="hybrid", top_k=10),
                "ask": lambda q=q: ask(q),
            }
            if client is not None:
                ops["http search"] = lambda q=q: http("/api/search", {"query": q, "mode": "hybrid", "top_k": 10})
                ops["http ask"] = lambda q=q: http("/api/ask", {"question": q, "top_k": 5})
            floor = 0.0
            for op, fn in ops.items():
                forget_queries(embedder)
                ms = _timed(fn)
                if op == "embed":
                    floor = ms
                if i >= warmup:
                    samples[op].append(ms)
                    if op != "embed":
                        over[op].append(ms - floor)
                    if op in ("ask", "http ask") and kinds[q] in RETRIEVED_KINDS:
                        extractive[op + "*"].append(ms)
                        over[op + "*"].append(ms - floor)
            bar.update(1)
    finally:
        bar.close()
        if client is not None:
            client.close()
    out = {op: latency_summary(xs) for op, xs in samples.items() if xs}
    out.update({op: latency_summary(xs) for op, xs in extractive.items() if xs})
    for op, xs in over.items():
        if xs and op in out:
            out[op]["over_p50"] = percentile(xs, 50)
    return out


def latency_questions(dev_sets: Sequence[Sequence[str]], extra: Sequence[str], n: int, warmup: int) -> list[str]:
    """``warmup`` + ``n`` distinct questions: the warm-up ones from ``extra``, then every dev set's
    questions, then ``extra`` again to fill up to ``n`` counted ones."""
    dev_qs = {q: None for qs in dev_sets for q in qs}
    others = [q for q in dict.fromkeys(extra) if q not in dev_qs]
    counted = (list(dev_qs) + others[warmup:])[:n]
    return others[:warmup] + counted


def with_ratios(summary: dict[str, dict[str, float]], floor_op: str = "embed") -> list[dict[str, Any]]:
    """One row per operation: p50 and p95, each divided by the floor's p50; p95 also divided by the
    floor's p95; and the median of (operation − the embedding call just before it)."""
    floor, floor95 = summary[floor_op]["p50"], summary[floor_op]["p95"]
    rows = []
    for op, s in summary.items():
        rows.append({"op": op, "p50": s["p50"], "p95": s["p95"], "mean": s["mean"], "n": s["n"],
                     "p50_x": s["p50"] / floor if floor else float("nan"),
                     "p95_x": s["p95"] / floor if floor else float("nan"),
                     "p95_x95": s["p95"] / floor95 if floor95 else float("nan"),
                     "over_p50": s.get("over_p50", 0.0 if op == floor_op else float("nan"))})
    return rows


# ---- the floor under other thread settings ------------------------------------------------------

FLOOR_VARIANTS: tuple[tuple[str, dict[str, str], int | None], ...] = (
    ("as configured", {}, None),
    ("OMP_WAIT_POLICY=PASSIVE", {"OMP_WAIT_POLICY": "PASSIVE"}, None),
    ("one torch thread", {}, 1),
)


def floor_once(questions: Sequence[str], threads: int | None) -> dict[str, float]:
    """p50/p95 of ``embed_queries([q])`` in this process (after a warm-up pass)."""
    import torch

    from index.embedder import load_embedder
    from service.settings import Settings

    s = Settings()
    emb = load_embedder(s.embedding_model, s.model_dir, None, s.embedding_batch_size)
    if threads:
        torch.set_num_threads(threads)
    for q in questions[:5]:
        emb.embed_queries([q])
    ms = [_timed(lambda q=q: emb.embed_queries([q])) for q in questions]
    return {**latency_summary(ms), "threads": torch.get_num_threads()}


def floor_variants(questions: Sequence[str], work: Any) -> list[dict[str, Any]]:
    """The floor measured in fresh processes: as configured, with passive OpenMP waiting, and
    with one thread — on a busy machine, spinning OpenMP threads can make one call many times
    slower, and this shows whether that happened during the run."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    qfile = Path(work) / "floor-questions.json"
    qfile.write_text(json.dumps(list(questions), ensure_ascii=False), encoding="utf-8")
    rows = []
    for name, env, threads in FLOOR_VARIANTS:
        cmd = [sys.executable, "-m", "evaluation.latency", str(qfile), str(threads or 0)]
        out = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, check=True).stdout
        rows.append({"variant": name, **json.loads(out.strip().splitlines()[-1])})
    return rows


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    qs = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    print(json.dumps(floor_once(qs, int(sys.argv[2]) or None)))
