"""What API keys, per-key limits and metrics cost an answer: ``/api/ask`` p50 with them on and off.

Two ``planqa serve`` processes over the same index run side by side: one with an API key file
(a key whose limits are high enough never to refuse, so the moving window is still counted) and
``/metrics`` on, one with no key file and ``PLANQA_METRICS=false``. Each question is asked of both,
one after the other, the order swapped every question, so drift in the machine's load falls on both
alike; the result is the ratio of the two medians.

    python -m evaluation.access_bench [--questions N]      # this section alone, printed
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from evaluation import dev, latency, load, report
from evaluation.metrics import latency_summary
from evaluation.server import run_index, serving

WARMUP = 10
GOAL_RATIO = 1.05  # keys and metrics may cost at most 5 % of the median answer


def _make_key(keys_file: Path) -> str:
    from service.keys import KeyFile

    keys_file.unlink(missing_ok=True)
    key, _ = KeyFile(keys_file).create("bench", requests_per_minute=1_000_000, max_concurrent=1_000)
    return key


def measure(corpus: Path, index_dir: Path, env: dict[str, str], questions: Sequence[str], work: Path,
            warmup: int = WARMUP) -> dict[str, Any]:
    """p50/p95 of ``/api/ask`` on both servers and the ratio of their medians (on ÷ off)."""
    keys_file = work / "access-bench-keys.json"
    key = _make_key(keys_file)
    on_env = {**env, "PLANQA_KEYS_FILE": str(keys_file), "PLANQA_METRICS": "true"}
    off_env = {**env, "PLANQA_KEYS_FILE": str(work / "access-bench-no-keys.json"), "PLANQA_METRICS": "false"}
    times: dict[str, list[float]] = {"on": [], "off": []}
    with serving(corpus, index_dir, on_env, log_path=work / "server-access-on.log") as on, \
            serving(corpus, index_dir, off_env, log_path=work / "server-access-off.log") as off, \
            httpx.Client(timeout=120) as client:
        targets = {"on": (on.url, {"Authorization": f"Bearer {key}"}), "off": (off.url, {})}
        for i, q in enumerate(questions):
            order = ("on", "off") if i % 2 else ("off", "on")
            for which in order:
                url, headers = targets[which]
                t0 = time.perf_counter()
                r = client.post(f"{url}/api/ask", json={"question": q}, headers=headers)
                ms = (time.perf_counter() - t0) * 1000
                r.raise_for_status()
                if i >= warmup:
                    times[which].append(ms)
        metrics_ok = client.get(f"{on.url}/metrics", headers=targets["on"][1]).status_code == 200
    res = {which: latency_summary(xs) for which, xs in times.items()}
    res["ratio_p50"] = res["on"]["p50"] / res["off"]["p50"]
    res["warmup"] = warmup
    res["metrics_served"] = metrics_ok
    return res


def render(res: dict[str, Any]) -> str:
    on, off = res["on"], res["off"]
    return "\n".join([
        "## API keys, limits and metrics",
        "",
        f"`/api/ask` over HTTP, {on['n']} questions asked of two servers over the same index, alternately: one "
        "with an API key file, per-key limits and `/metrics` on, one with none of them "
        f"(`PLANQA_METRICS=false`, no key file); {res.get('warmup', WARMUP)} warm-up questions first, every "
        "question distinct.",
        "",
        report.goals_table([report.goal("ask p50, keys + metrics on ÷ off", res["ratio_p50"], GOAL_RATIO, False, "×",
                                        3)]),
        "",
        report.table(["server", "p50 ms", "p95 ms", "mean ms", "n"],
                     [["keys + limits + metrics on", on["p50"], on["p95"], on["mean"], on["n"]],
                      ["all off", off["p50"], off["p95"], off["mean"], off["n"]]], [0, 1, 1, 1, 0]),
        "",
    ])


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=int, default=120, help="questions timed (after the warm-up ones)")
    ap.add_argument("--work-dir", type=Path, default=dev.REPO / ".planqa" / "bench")
    a = ap.parse_args(argv)
    from service.settings import Settings

    settings = Settings()
    work = a.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    shared = dev.shared_dir()
    dev_sets = [[d["q"] for d in dev.load_items(shared / "eval" / name)]
                for name in ("dev_qa.jsonl", "dev_qa_govreport.jsonl")]
    # distinct questions, as make bench times them: a repeated one would find its embedding cached
    questions = latency.latency_questions(dev_sets, load.question_pool(shared), a.questions, WARMUP)
    corpus, index_dir = Path(settings.corpus_dir), work / "plan-index"
    run_index(corpus, index_dir, {}, log_path=work / "index-access.log")
    res = measure(corpus, index_dir, {}, questions, work)
    (work / "access-bench.json").write_text(json.dumps(res, indent=2), encoding="utf-8")
    print(render(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
