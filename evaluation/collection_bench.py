"""The whole shared collection beside ``corpus/`` alone: build, load, ask latency and memory.

The synthetic scale corpora say how the index grows; this says what a user who drops every
shared policy document into the corpus folder gets. Each collection is copied into its own
folder (one file per document: where a document comes in several formats the ``.docx``
original is taken, as users drop it in) and then measured the way it is used:

1. ``planqa index`` with an embedding cache that starts empty, process start to exit;
2. ``planqa serve`` start-up in fresh processes, process start → ``/healthz`` ok;
3. ``POST /api/ask`` over HTTP on one server, a seeded sample of distinct questions (the
   paraphrase and years sets), after warm-up questions that are not counted;
4. the server's RSS after start-up, at its peak during the asks, and after them.

    python -m evaluation.collection_bench [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from evaluation import dev, machine, report
from evaluation.metrics import latency_summary
from evaluation.server import RssSampler, run_index, serving, start_server
from ingest.pipeline import SIDECAR_SUFFIX, collect_files

TITLE = "## Full shared collection beside `corpus/`"
NEXT_SECTION = "## Reader and reranker latency"  # where the section goes in a document that lacks it
SEED = 20250601
QUESTIONS, WARMUP, STARTUP_RUNS = 60, 10, 3
# When one document comes in several formats, the first of these present is ingested.
PREFERENCE = (".docx", ".pdf", ".md", ".txt")
QUESTION_FILES = ("training/data/paraphrase/*.jsonl", "tests/service/answer/data/years_qa.jsonl")


# ---- what is measured --------------------------------------------------------------------------


def pick_formats(files: Sequence[Path], preference: Sequence[str] = PREFERENCE) -> list[Path]:
    """One file per document: of files sharing a folder and a stem, the most preferred format."""
    rank = {s: i for i, s in enumerate(preference)}
    best: dict[Path, Path] = {}
    for f in files:
        key = f.with_suffix("")
        old = best.get(key)
        if old is None or rank.get(f.suffix.lower(), len(rank)) < rank.get(old.suffix.lower(), len(rank)):
            best[key] = f
    return sorted(best.values())


def select(sources: Sequence[Path], preference: Sequence[str] = PREFERENCE) -> list[tuple[Path, Path]]:
    """(file, path in the assembled folder) for every document file under ``sources`` (files or
    folders), ``.meta.json`` sidecars kept beside their document; folders keep their name."""
    out: list[tuple[Path, Path]] = []
    for src in sources:
        src = Path(src)
        files, errors = collect_files([src])
        if errors:
            raise FileNotFoundError("; ".join(str(e) for e in errors))
        base = src if src.is_dir() else src.parent
        for f in pick_formats(files, preference):
            rel = Path(base.name) / f.relative_to(base)
            out.append((f, rel))
            sidecar = f.with_name(f.stem + SIDECAR_SUFFIX)
            if sidecar.is_file():
                out.append((sidecar, rel.with_name(sidecar.name)))
    return out


def assemble(selection: Sequence[tuple[Path, Path]], dest: Path) -> Path:
    """A fresh folder holding copies of ``selection`` (the corpus a server is pointed at)."""
    shutil.rmtree(dest, ignore_errors=True)
    for src, rel in selection:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / rel)
    return dest


def collections(shared: Path, corpus_dir: Path) -> dict[str, list[tuple[Path, Path]]]:
    """``corpus/`` alone, and it with every shared policy document and the 2022 work report."""
    ev = Path(shared) / "evaldata"
    return {"corpus/ alone": select([corpus_dir]),
            "full collection": select([corpus_dir, ev / "policy_docs", ev / "gov_docs"])}


def sample_questions(repo: Path, n: int = QUESTIONS + WARMUP, seed: int = SEED) -> list[str]:
    """``n`` distinct questions drawn with a fixed seed (a repeated one would be answered from memory)."""
    pool: list[str] = []
    for pattern in QUESTION_FILES:
        for path in sorted(Path(repo).glob(pattern)):
            pool += [d["q"] for d in dev.load_items(path)]
    pool = list(dict.fromkeys(q.strip() for q in pool if q.strip()))
    return random.Random(seed).sample(pool, min(n, len(pool)))


# ---- measuring ---------------------------------------------------------------------------------


def _step(msg: str) -> None:
    print(f"› {msg}", file=sys.stderr, flush=True)


def _load1() -> float:
    return os.getloadavg()[0]


def _disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20


def measure(label: str, corpus: Path, work: Path, questions: Sequence[str], warmup: int = WARMUP,
            startup_runs: int = STARTUP_RUNS, progress: bool = True) -> dict[str, Any]:
    """Build, start-up, ask latency and RSS of one assembled collection."""
    index_dir, cache = work / "index", work / "embedding-cache"
    for d in (index_dir, index_dir.parent / f"{index_dir.name}.builds", cache):
        shutil.rmtree(d, ignore_errors=True)
    env = {"PLANQA_EMBEDDING_CACHE_DIR": str(cache)}
    out: dict[str, Any] = {"label": label, "files": sum(1 for p in corpus.rglob("*")
                                                         if p.is_file() and not p.name.endswith(SIDECAR_SUFFIX)),
                           "load_build_start": _load1()}
    _step(f"{label}: planqa index, empty embedding cache")
    out["build_s"] = run_index(corpus, index_dir, env, log_path=work / "index.log", show=progress)
    out["index_mb"] = _disk_mb(index_dir)
    out["load_build_end"] = _load1()
    starts, rss = [], []
    for i in range(startup_runs):
        _step(f"{label}: server start-up {i + 1}/{startup_runs}")
        srv = start_server(corpus, index_dir, env, log_path=work / "startup.log")
        starts.append(srv.startup_s)
        rss.append(srv.rss_mb())
        out["documents"], out["passages"] = srv.health.get("documents"), srv.health.get("passages")
        srv.stop()
    out.update(startup_runs=starts, startup_s=statistics.median(starts), rss_start_mb=statistics.median(rss))
    _step(f"{label}: /api/ask, {len(questions) - warmup} questions after {warmup} warm-up ones")
    with serving(corpus, index_dir, env, log_path=work / "server.log") as srv, \
            httpx.Client(base_url=srv.url, timeout=300.0) as client:
        ms, grounded = [], 0
        out["load_ask_start"] = _load1()
        with RssSampler(srv) as sampler:
            for i, q in enumerate(tqdm(questions, desc=f"ask ({label})", disable=not progress, leave=False)):
                t0 = time.perf_counter()
                r = client.post("/api/ask", json={"question": q, "top_k": 5})
                took = (time.perf_counter() - t0) * 1000
                r.raise_for_status()
                if i >= warmup:
                    ms.append(took)
                    grounded += bool(r.json().get("grounded"))
        out["load_ask_end"] = _load1()
        out.update(ask=latency_summary(ms), grounded=grounded, rss_after_mb=srv.rss_mb())
        out["rss_peak_mb"] = max(sampler.peak, out["rss_after_mb"])
    return out


def run(shared: Path, corpus_dir: Path, work: Path, n: int = QUESTIONS, warmup: int = WARMUP,
        progress: bool = True) -> dict[str, Any]:
    """Both collections measured in turn, each with its own empty embedding cache."""
    questions = sample_questions(dev.REPO, n + warmup)
    info = machine.describe()
    rows = []
    for label, selection in collections(shared, corpus_dir).items():
        where = work / "collection" / label.split()[0].strip("/")
        corpus = assemble(selection, where / "corpus")
        rows.append(measure(label, corpus, where, questions, warmup, progress=progress))
    return {"rows": rows, "questions": len(questions) - warmup, "warmup": warmup, "seed": SEED,
            "preference": list(PREFERENCE), "machine": info, "finished": machine.describe()["date"]}


# ---- the report --------------------------------------------------------------------------------


def render(res: dict[str, Any] | None, command: str | None = None) -> str:
    """The section of ``docs/benchmarks.md``: one column per collection."""
    if res is None:
        return "\n".join([TITLE, "", "Not run (`--no-collection`).", ""])
    rows = res["rows"]
    m = res.get("machine", {})

    def line(name: str, fn: Any) -> list[str]:
        return [name, *(fn(r) for r in rows)]

    def f(x: float, d: int = 1) -> str:
        return report.fmt(float(x), d)

    table = report.table(["", *("`corpus/`" if r["label"] == "corpus/ alone" else r["label"] for r in rows)], [
        line("document files (one format each)", lambda r: f"{r['files']:,}"),
        line("documents / passages indexed", lambda r: f"{r['documents']:,} / {r['passages']:,}"),
        line("`planqa index`, empty embedding cache, process start to exit", lambda r: f"{f(r['build_s'])} s"),
        line("index on disk", lambda r: f"{f(r['index_mb'])} MiB"),
        line(f"`planqa serve` start-up → `/healthz` ok (median of {len(rows[0]['startup_runs'])})",
             lambda r: f"{f(r['startup_s'])} s (runs: {', '.join(f(x) for x in r['startup_runs'])})"),
        line("`POST /api/ask` p50, HTTP", lambda r: f"{f(r['ask']['p50'], 0)} ms"),
        line("`POST /api/ask` p95, HTTP", lambda r: f"{f(r['ask']['p95'], 0)} ms"),
        line("answers marked grounded", lambda r: f"{r['grounded']} / {r['ask']['n']}"),
        line("server RSS after start-up (median)", lambda r: f"{f(r['rss_start_mb'], 0)} MiB"),
        line("server RSS peak during the asks / after them",
             lambda r: f"{f(r['rss_peak_mb'], 0)} / {f(r['rss_after_mb'], 0)} MiB"),
        line("load average (1 min): build start → end; asks start → end",
             lambda r: f"{f(r['load_build_start'], 2)} → {f(r['load_build_end'], 2)}; "
                       f"{f(r['load_ask_start'], 2)} → {f(r['load_ask_end'], 2)}"),
    ], 0)
    return "\n".join([
        TITLE, "",
        *([f"Measured with `{command}` from {m.get('date', '?')} to {res.get('finished', '?')}; "
           f"{m.get('cpu', '?')}, {m.get('nproc', '?')} logical cores shared with other jobs.", ""]
          if command else []),
        "The full collection is `corpus/` plus every document of the shared `evaldata/policy_docs/` "
        f"(a document present as both `.docx` and `.txt` is ingested once, from the `{res['preference'][0]}` "
        "original users would drop in) and `evaldata/gov_docs/2022_government_work_report.txt`, copied "
        "into one folder. Each collection is built by `planqa index` with an embedding cache that starts "
        "empty, so the build embeds every passage and every sentence the answers score (a cold build, model "
        "load and ingestion included). Start-up "
        "is a fresh `planqa serve` process on the built index. Latency is `POST /api/ask` (top 5) over "
        f"HTTP, one request at a time, {res['questions']} distinct questions after {res['warmup']} "
        f"warm-up ones, a seeded sample (seed {res['seed']}) of `training/data/paraphrase/*.jsonl` and "
        "`tests/service/answer/data/years_qa.jsonl`; the same questions for both, so against `corpus/` "
        "alone most are about documents it lacks and are declined. RSS is that of the server process. "
        "Timings drift with the load of the shared machine; the last row gives it for each phase.",
        "",
        table,
        "",
    ])


def replace_section(doc: str, section: str, title: str = TITLE, before: str = NEXT_SECTION) -> str:
    """``doc`` with its ``title`` section replaced by ``section``; without one, ``section`` goes
    before the ``before`` heading, or at the end."""
    lines = doc.splitlines()
    body = section.rstrip("\n").splitlines() + [""]
    if title in lines:
        start = lines.index(title)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[start:end] = body
    elif before in lines:
        at = lines.index(before)
        lines[at:at] = ([""] if at and lines[at - 1] else []) + body
    else:
        lines += ["", *body] if lines and lines[-1] else body
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=int, default=QUESTIONS)
    ap.add_argument("--warmup", type=int, default=WARMUP)
    ap.add_argument("--work-dir", type=Path, default=dev.REPO / ".planqa" / "bench")
    ap.add_argument("--write", type=Path, default=None, metavar="MARKDOWN",
                    help="replace (or insert) this section in a document, e.g. docs/benchmarks.md")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--render", type=Path, default=None, metavar="RESULTS_JSON",
                    help="only render the results.json of an earlier run")
    a = ap.parse_args(argv)
    work = a.work_dir.resolve()
    if a.render:
        res = json.loads(a.render.read_text(encoding="utf-8"))
    else:
        work.mkdir(parents=True, exist_ok=True)
        res = run(dev.shared_dir(), dev.REPO / "corpus", work, a.questions, a.warmup, progress=not a.no_progress)
        res["command"] = "python -m evaluation.collection_bench" + "".join(
            f" {x}" for x in (argv if argv is not None else sys.argv[1:]))
        (work / "collection" / "results.json").write_text(json.dumps(res, ensure_ascii=False, indent=2),
                                                          encoding="utf-8")
    text = render(res, res.get("command", "python -m evaluation.collection_bench"))
    print(text)
    if a.write:
        a.write.write_text(replace_section(a.write.read_text(encoding="utf-8"), text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
