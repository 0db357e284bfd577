"""Load: many concurrent clients mixing ``/api/ask`` and ``/api/search`` against one server.

Clients are asyncio tasks on one event loop (threads would spend the two cores on the client
side). Each client sends its next request as soon as the previous one returns, alternating ask
and hybrid search, until the time or the request budget runs out. Any non-2xx status, timeout or
connection failure counts as an error.

Every request carries the next question of the pool, so a pool larger than the requests sent means
no question is seen twice: a server remembers its last few query embeddings, and the same few
questions over and over would measure that memory, not the model under load.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from evaluation.dev import load_items
from evaluation.metrics import latency_summary


@dataclass
class LoadResult:
    clients: int
    seconds: float
    requests: int
    errors: int
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        every = [x for xs in self.latencies_ms.values() for x in xs]
        return {
            "clients": self.clients, "seconds": self.seconds, "requests": self.requests, "errors": self.errors,
            "throughput": self.throughput, "all": latency_summary(every),
            **{kind: latency_summary(xs) for kind, xs in self.latencies_ms.items()},
            "error_samples": self.error_samples[:5],
        }


def question_pool(shared: Path, seed: int = 0) -> list[str]:
    """Distinct questions for the load test: the dev sets' and CMRC2018 trial's, in a seeded order.

    Questions about other texts than the indexed plan are still full requests (retrieval, evidence
    scoring, a declined answer), as a public server would see them.
    """
    seen: dict[str, None] = {}
    for name in ("dev_qa.jsonl", "dev_qa_govreport.jsonl"):
        for item in load_items(shared / "eval" / name):
            seen.setdefault(item["q"], None)
    trial = json.loads((shared / "evaldata" / "cmrc2018" / "cmrc2018_trial.json").read_text(encoding="utf-8"))
    for article in trial["data"]:
        for para in article["paragraphs"]:
            for qa in para["qas"]:
                seen.setdefault(qa["question"].strip(), None)
    pool = [q for q in seen if q]
    random.Random(seed).shuffle(pool)
    return pool


def _request(i: int, questions: Sequence[str]) -> tuple[str, str, dict[str, Any]]:
    q = questions[i % len(questions)]
    if i % 2 == 0:
        return "ask", "/api/ask", {"question": q, "top_k": 5}
    return "search", "/api/search", {"query": q, "mode": "hybrid", "top_k": 10}


async def _run(url: str, questions: Sequence[str], clients: int, duration_s: float, max_requests: int,
               timeout_s: float, progress: bool) -> LoadResult:
    res = LoadResult(clients, 0.0, 0, 0, {"ask": [], "search": []})
    counter = iter(range(max_requests))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    bar = tqdm(total=int(duration_s), desc=f"load {clients} clients", unit="s", disable=not progress, leave=False)
    start = time.perf_counter()
    deadline = start + duration_s

    async def client(c: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            n = next(counter, None)
            if n is None:
                return
            kind, path, body = _request(n, questions)
            t0 = time.perf_counter()
            try:
                r = await c.post(path, json=body)
                ok = r.status_code < 300
                why = f"HTTP {r.status_code}: {r.text[:120]}"
            except httpx.HTTPError as e:
                ok, why = False, f"{type(e).__name__}: {e}"
            ms = (time.perf_counter() - t0) * 1000
            res.requests += 1
            if ok:
                res.latencies_ms[kind].append(ms)
            else:
                res.errors += 1
                res.error_samples.append(why)

    async def ticker() -> None:
        while time.perf_counter() < deadline:
            await asyncio.sleep(1.0)
            bar.n = min(int(time.perf_counter() - start), int(duration_s))
            bar.set_postfix(requests=res.requests, errors=res.errors)
            bar.refresh()

    async with httpx.AsyncClient(base_url=url, timeout=timeout_s, limits=limits) as c:
        tick = asyncio.create_task(ticker())
        await asyncio.gather(*(client(c) for _ in range(clients)))
        tick.cancel()
    res.seconds = time.perf_counter() - start
    bar.close()
    return res


def run_load(
    url: str, questions: Sequence[str], clients: int = 32, duration_s: float = 30.0, max_requests: int = 100_000,
    timeout_s: float = 60.0, progress: bool = True,
) -> LoadResult:
    """``clients`` concurrent clients for ``duration_s`` seconds (at most ``max_requests`` requests)."""
    if not questions:
        raise ValueError("no questions to send")
    return asyncio.run(_run(url, list(questions), clients, duration_s, max_requests, timeout_s, progress))
