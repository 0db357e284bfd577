"""Scale: build time, query latency and memory as the corpus grows to 100,000 passages.

The corpora are nested prefixes of one document list:
1. the real texts — the plan, the 2022 government work report, then CMRC2018 (dev + trial) and
   DRCD (dev + test, Traditional) paragraphs taken alternately, each paragraph its own document;
2. then synthetic documents assembled from the sentences of those texts: a seeded shuffle of all
   their sentences, cut into paragraphs of two to four sentences, twenty paragraphs a document.
   Each paragraph is a new combination, so its passages are new texts that must be embedded,
   with distinct ids (``syn-<n>``).
A corpus of N passages is the shortest prefix holding at least N. Every corpus is built with one
embedder whose cache starts empty for the run, so each build embeds only the passages the
previous (smaller) corpus did not have; the table says how many that was.

Latency and memory are measured in a fresh process per corpus (``probe``), so RSS is that of a
process holding just that index, the embedding model and the answer engine.

    python -m evaluation.scale probe --index DIR --queries FILE   (used by run_bench)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ingest.model import Document

SEED = 20240501
SYN_PARAGRAPHS = 20


@dataclass(frozen=True)
class Corpus:
    label: str
    documents: list[Document]

    @property
    def passages(self) -> int:
        return sum(len(d.passages) for d in self.documents)

    @property
    def chars(self) -> int:
        return sum(len(d.text) for d in self.documents)


# ---- the real texts ------------------------------------------------------------------------------


def _squad_paragraphs(path: Path, prefix: str) -> Iterator[tuple[str, str, str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    for article in data["data"]:
        for para in article["paragraphs"]:
            yield f"{prefix}-{para['id']}", article.get("title") or para["id"], para["context"]


def real_documents(shared: Path, corpus_dir: Path, progress: bool = True) -> list[Document]:
    """Plan, work report, then CMRC2018 and DRCD paragraphs alternately, all ingested."""
    from index.builder import ingest_corpus
    from ingest.pipeline import ingest_text

    ev = Path(shared) / "evaldata"
    docs = list(ingest_corpus(Path(corpus_dir)))
    report = ev / "gov_docs" / "2022_government_work_report.txt"
    docs.append(ingest_text("gov-2022-work-report", "2022年政府工作报告", report.read_text(encoding="utf-8"),
                            source=str(report)))
    cmrc = [*_squad_paragraphs(ev / "cmrc2018" / "cmrc2018_dev.json", "cmrc"),
            *_squad_paragraphs(ev / "cmrc2018" / "cmrc2018_trial.json", "cmrc")]
    drcd = [*_squad_paragraphs(ev / "drcd" / "DRCD_dev.json", "drcd"),
            *_squad_paragraphs(ev / "drcd" / "DRCD_test.json", "drcd")]
    mixed: list[tuple[str, str, str]] = []
    for i in range(max(len(cmrc), len(drcd))):
        mixed.extend(src[i] for src in (cmrc, drcd) if i < len(src))
    seen: set[str] = set()
    for doc_id, title, text in tqdm(mixed, desc="ingesting CMRC2018 + DRCD", disable=not progress, leave=False):
        if doc_id in seen or not text.strip():
            continue
        seen.add(doc_id)
        docs.append(ingest_text(doc_id, title, text, source=doc_id))
    return docs


# ---- synthetic documents ---------------------------------------------------------------------------


def sentence_pool(documents: Sequence[Document], min_chars: int = 8, max_chars: int = 200) -> list[str]:
    """Every sentence of every paragraph of ``documents`` (table rows left out), in order."""
    from ingest.sentences import split_sentences

    out = []
    for d in documents:
        for p in d.paragraphs:
            for s, e in split_sentences(p.text):
                sent = p.text[s:e].strip()
                if min_chars <= len(sent) <= max_chars:
                    out.append(sent)
    return out


def synthetic_documents(pool: Sequence[str], passages_needed: int, seed: int = SEED,
                        progress: bool = True) -> list[Document]:
    """Documents of recombined sentences until they hold at least ``passages_needed`` passages."""
    from ingest.pipeline import ingest_text

    rng = random.Random(seed)
    order: list[str] = []
    docs: list[Document] = []
    total = 0
    bar = tqdm(total=passages_needed, desc="assembling synthetic documents", disable=not progress, leave=False)
    n = 0
    while total < passages_needed:
        paragraphs = []
        for _ in range(SYN_PARAGRAPHS):
            k = rng.randint(2, 4)
            if len(order) < k:
                order = list(pool)
                rng.shuffle(order)
            paragraphs.append("".join(order[-k:]))
            del order[-k:]
        n += 1
        doc = ingest_text(f"syn-{n:05d}", f"合成文档 {n}", "\n".join(paragraphs), source=f"synthetic:{n}")
        docs.append(doc)
        total += len(doc.passages)
        bar.update(len(doc.passages))
    bar.close()
    return docs


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else f"{n:,}"


def _prefix(documents: Sequence[Document], passages: int) -> list[Document]:
    """The shortest prefix of ``documents`` holding at least ``passages`` passages."""
    total, k = 0, 0
    while total < passages and k < len(documents):
        total += len(documents[k].passages)
        k += 1
    return list(documents[:k])


def nested_corpora(real: Sequence[Document], targets: Sequence[int], progress: bool = True) -> list[Corpus]:
    """One corpus per target size and one of all the real texts, smallest first."""
    real = list(real)
    real_n = sum(len(d.passages) for d in real)
    need = max([0, *targets]) - real_n
    everything = real + (synthetic_documents(sentence_pool(real), need, progress=progress) if need > 0 else [])
    out = [Corpus(label(t), _prefix(everything, t)) for t in sorted(set(targets))]
    out.append(Corpus("all real texts", real))
    return sorted(out, key=lambda c: c.passages)


# ---- queries ---------------------------------------------------------------------------------------


def probe_queries(shared: Path, per_source: int = 40) -> list[str]:
    """Dev questions, then CMRC2018 and DRCD questions (every n-th, so all sources are spread)."""
    ev = Path(shared) / "evaldata"
    dev = [json.loads(x)["q"] for x in (Path(shared) / "eval" / "dev_qa.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    out = list(dev)
    for path in (ev / "cmrc2018" / "cmrc2018_dev.json", ev / "drcd" / "DRCD_dev.json"):
        qs = [qa["question"] for a in json.loads(path.read_text(encoding="utf-8"))["data"]
              for p in a["paragraphs"] for qa in p["qas"]]
        step = max(1, len(qs) // per_source)
        out.extend(qs[::step][:per_source])
    return out


# ---- building and probing ---------------------------------------------------------------------------


def build(corpus: Corpus, index_dir: Path, embedder: Any, settings: Any, progress: bool = True) -> float:
    """Seconds to build ``corpus`` into ``index_dir`` with ``embedder``, as ``planqa index`` would."""
    from index.builder import build_index

    t0 = time.perf_counter()
    build_index(corpus.documents, index_dir, embedder, model_name=settings.embedding_model,
                hnsw_threshold=settings.hnsw_threshold, progress=progress)
    return time.perf_counter() - t0


def run_probe(index_dir: Path, queries: Sequence[str], work: Path, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``probe`` in a fresh process on ``index_dir`` and return what it measured."""
    qfile = work / "probe-queries.json"
    qfile.write_text(json.dumps(list(queries), ensure_ascii=False), encoding="utf-8")
    out = work / f"probe-{index_dir.parent.name}.json"
    cmd = [sys.executable, "-m", "evaluation.scale", "probe", "--index", str(index_dir),
           "--queries", str(qfile), "--out", str(out)]
    env = {**os.environ, **(extra_env or {})}
    subprocess.run(cmd, check=True, env=env)
    return json.loads(out.read_text(encoding="utf-8"))


def probe(index_dir: Path, queries: Sequence[str], warmup: int = 10) -> dict[str, Any]:
    """In this (fresh) process: load the index as the service does, then time every query.

    Each query is timed as one ``embed_queries([q])`` (the floor), a hybrid search and an ask.
    """
    import psutil

    from evaluation.metrics import latency_summary
    from service.runtime import Runtime
    from service.settings import Settings

    settings = Settings(index_dir=index_dir)
    rss0 = psutil.Process().memory_info().rss
    t0 = time.perf_counter()
    rt = Runtime(settings)
    rt.load()
    load_s = time.perf_counter() - t0
    emb = rt.embedder
    for q in queries[:warmup]:
        emb.embed_queries([q])
        rt.search(q, mode="hybrid", top_k=10)
        rt.ask(q, top_k=5)
    times: dict[str, list[float]] = {"embed": [], "search": [], "ask": []}
    for q in tqdm(queries, desc=f"probe {rt.index.passage_count:,} passages", leave=False):
        for op, fn in (("embed", lambda q=q: emb.embed_queries([q])),
                       ("search", lambda q=q: rt.search(q, mode="hybrid", top_k=10)),
                       ("ask", lambda q=q: rt.ask(q, top_k=5))):
            t = time.perf_counter()
            fn()
            times[op].append((time.perf_counter() - t) * 1000)
    rss = psutil.Process().memory_info().rss
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "passages": rt.index.passage_count, "load_s": load_s,
        "dense_index": rt.index.manifest.get("dense", {}).get("index"),
        "rss_mb": rss / 2**20, "peak_rss_mb": peak_kb / 1024, "baseline_rss_mb": rss0 / 2**20,
        **{op: latency_summary(xs) for op, xs in times.items()},
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Measure one index in this process (used by run_bench).")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("probe")
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--queries", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    queries = json.loads(a.queries.read_text(encoding="utf-8"))
    a.out.write_text(json.dumps(probe(a.index, queries), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
