"""When the reader reads passages and when only the evidence model's best sentence: the sweep behind ``CONFIDENT_MARGIN``.

The engine asks the reader for a short span in every answer. Reading the three best-ranked passages
lets it find an answer the evidence model ranked lower, at about one query embedding per 100
characters read; reading the best sentence alone only finds the short span within it. This runs
CMRC2018 trial (training data) at several margins (the evidence model's best probability minus its
second) and prints, for each, how often the answer contains the gold answer, the short answer's
EM/F1 and the reader's time per question.

    python -m evaluation.reader_gate [--limit 600] [--margins 0 0.2 0.3 0.5 0.7 2]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluation import answers as A

SET = "cmrc-trial"


def sweep(engine: Any, reader: Any, qs: list[dict[str, Any]], margins: Sequence[float]) -> list[dict[str, Any]]:
    """One row per margin: answer contains gold, short EM/F1, reader ms (mean, median) per question."""
    from service.answer.engine import SOURCE_RE

    spent = [0.0]
    read = reader.read

    def timed(question: str, texts: list[str], top_n: int = 1) -> Any:
        t0 = time.perf_counter()
        try:
            return read(question, texts, top_n=top_n)
        finally:
            spent[0] += (time.perf_counter() - t0) * 1000

    reader.read = timed
    rows = []
    try:
        for margin in margins:
            engine.extractor.confident_margin = margin
            contains, em, f1, ms = [], [], [], []
            for d in qs:
                spent[0] = 0.0
                ans = engine.ask(d["q"], top_k=5)
                ms.append(spent[0])
                text = A.strip_markers(SOURCE_RE.sub("", ans.text)) if ans.grounded else ""
                contains.append(bool(ans.grounded and A.contains_answer(text, d["refs"])))
                e, f = A.best_em_f1(ans.short_answer or "", d["refs"])
                em.append(e)
                f1.append(f)
            n = max(1, len(qs))
            rows.append({"margin": margin, "n": len(qs), "contains": sum(contains) / n, "em": sum(em) / n,
                         "f1": sum(f1) / n, "reader_ms_mean": statistics.mean(ms), "reader_ms_p50": statistics.median(ms)})
            r = rows[-1]
            print(f"margin {margin:>4}: contains {r['contains']:.3f}  EM {r['em']:.3f}  F1 {r['f1']:.3f}  "
                  f"reader ms mean {r['reader_ms_mean']:.1f}, median {r['reader_ms_p50']:.1f}", flush=True)
    finally:
        reader.read = read
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=600)
    ap.add_argument("--margins", type=float, nargs="+", default=[0.0, 0.2, 0.3, 0.5, 0.7, 2.0])
    ap.add_argument("--work", type=Path, default=Path(".planqa/eval"))
    a = ap.parse_args(argv)
    from evaluation.cmrc import PrefetchEmbedder
    from evaluation.dev import shared_dir
    from evaluation.run_eval import load_embedder
    from service.answer.question import analyse
    from service.reader import load_reader
    from service.settings import Settings

    s = Settings()
    reader = load_reader(s)
    if reader is None:
        print("no reader is configured: nothing to sweep")
        return 1
    embedder = PrefetchEmbedder(load_embedder(s))
    docs, qs = A.load_set(shared_dir(), SET)
    if a.limit and a.limit < len(qs):
        qs = random.Random(A.SEED).sample(qs, a.limit)
    engine = A.open_engine(SET, docs, a.work, embedder, reader)
    embedder.prefetch([analyse(d["q"]).text for d in qs], progress=False)
    print(f"{SET}: {len(qs)} questions; margin 2 = always passages, 0 = always the best sentence")
    sweep(engine, reader, qs, a.margins)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
