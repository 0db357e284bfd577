"""``docs/eval.md``: one function per section of the first part of the document ``make eval`` writes
(the backends, reader, formats and answers sections come from their own modules)."""

from __future__ import annotations

import math
from typing import Any

from evaluation import dev, report

TITLE = "Evaluation: planqa against peer pipelines"


def render(res: dict[str, Any]) -> str:
    """Summary, goals, score.py on the dev questions and CMRC2018 through ``/api/ask``."""
    return "\n".join([
        *report.preamble(TITLE, res),
        *summary_section(res),
        *goals_section(res),
        *dev_section(res["dev"]),
        *cmrc_ask_section(res["cmrc_answers"]),
    ])


def score_line(run: dev.ScoreRun) -> str:
    """score.py's SCORE line, verbatim."""
    return next((ln for ln in run.output.splitlines() if ln.startswith("SCORE")), "")


def best_peer_cite1(res: dict[str, Any]) -> float:
    return max((r["cite@1"] for r in res["peer_dev"]), default=math.nan)


def summary_rows(res: dict[str, Any]) -> list[list[Any]]:
    """planqa's row (dev and CMRC2018), its BM25 and dense parts, then each peer pipeline."""
    run: dev.ScoreRun = res["dev"]
    s, ans = run.score, res["cmrc_answers"]
    cm = {r["pipeline"]: r for r in res["cmrc_retrieval"]}
    hyb = cm["planqa hybrid"]
    rows: list[list[Any]] = [[
        "**planqa** (sentence passages and table rows, hybrid)", s.get("answer"), s.get("cite@1"), s.get("cite@5"),
        run.median_cited_chars, hyb["R@1"], hyb["R@5"], hyb["MRR"], ans["EM"], ans["F1"],
    ]]
    for name in ("planqa BM25 only", "planqa dense only"):
        r = cm[name]
        rows.append([name, None, None, None, None, r["R@1"], r["R@5"], r["MRR"], None, None])
    peer_cm = {r["pipeline"]: r for r in res["peer_cmrc"]}
    for r in res["peer_dev"]:
        c = peer_cm.get(r["pipeline"], {})
        rows.append([f"peer: {r['pipeline']}", None, r["cite@1"], r["cite@5"], r["median_chars"],
                     c.get("R@1"), c.get("R@5"), c.get("MRR"), None, None])
    return rows


def summary_section(res: dict[str, Any]) -> list[str]:
    headers = ["pipeline", "dev answer", "dev cite@1", "dev cite@5", "median cited chars",
               "CMRC R@1", "CMRC R@5", "CMRC MRR", "CMRC EM", "CMRC F1"]
    return [
        "## Summary",
        "",
        report.table(headers, summary_rows(res), [0, 3, 3, 3, 0, 3, 3, 3, 3, 3]),
        "",
        *summary_notes(res),
        "",
    ]


def summary_notes(res: dict[str, Any]) -> list[str]:
    """What each column of the summary measures, and on what."""
    hyb = {r["pipeline"]: r for r in res["cmrc_retrieval"]}["planqa hybrid"]
    ans = res["cmrc_answers"]
    return [
        "- **dev**: the 41 questions of `../shared/eval/dev_qa.jsonl` about the Dongli plan. planqa's "
        "answer, cite@1 and cite@5 are `score.py`'s, run unchanged against a `planqa serve` process on "
        "`corpus/`; peers are scored the way `score.py` scores citations (a retrieved text hits when it "
        f"contains a `cite_any` string, whitespace ignored; phrase and out-of-scope items left out, n = {res['peer_dev'][0]['n'] if res['peer_dev'] else 0}). "
        "Median cited chars: the median length of the first five citations (planqa: `/api/ask` citations; "
        "peers: their first five chunks).",
        f"- **CMRC R@k / MRR**: CMRC2018 dev + trial recast as retrieval ({hyb['n']:,} questions over "
        f"{res['cmrc_paragraphs']:,} paragraphs; planqa indexed them as {hyb.get('passages', 0):,} passages). "
        "A result is relevant when it comes from the question's paragraph; ranks count passages (planqa) "
        "or chunks (peers); MRR over the first 10.",
        f"- **CMRC EM / F1**: the {ans['n']:,} CMRC2018 dev questions through `POST /api/ask` on a server "
        "holding that index; the answer text (citation markers removed; empty when `grounded` is false) "
        "against all reference answers with the official CMRC2018 metric: punctuation and whitespace "
        "removed, Chinese character-level, F1 from the longest common substring, best over references. "
        f"{ans['errors']} request errors. The answer contains a reference answer in {ans['contains']:.3f} "
        "of the questions: planqa answers with the evidence sentence, not a minimal span, which "
        "EM counts as wrong and F1 penalises by length.",
        "- **peers**: fixed-size chunks of the cleaned text (size/overlap in characters) retrieved by "
        "jieba (precise mode) + BM25 (bm25s), by the same mE5-small embeddings in a FAISS flat inner-product "
        "index, and by reciprocal-rank fusion (k = 60) of the two.",
    ]


def goals(res: dict[str, Any]) -> list[dict[str, Any]]:
    s = res["dev"].score
    best_peer = best_peer_cite1(res)
    hyb = {r["pipeline"]: r for r in res["cmrc_retrieval"]}["planqa hybrid"]
    margin = report.goal("dev cite@1 margin over the best peer", s.get("cite@1", math.nan) - best_peer, 0.0, True)
    margin.update(met=s.get("cite@1", math.nan) > best_peer, op=">", ratio=math.nan)
    return [
        report.goal("dev answer", s.get("answer", math.nan), 0.90, True),
        report.goal("dev cite@1", s.get("cite@1", math.nan), 0.85, True),
        margin,
        report.goal("CMRC2018 R@1", hyb["R@1"], 0.97, True),
    ]


def goals_section(res: dict[str, Any]) -> list[str]:
    return ["## Goals", "", report.goals_table(goals(res)), "", f"Best peer dev cite@1: {best_peer_cite1(res):.3f}.", ""]


def dev_section(run: dev.ScoreRun) -> list[str]:
    """score.py's SCORE line and per-type table on the dev questions, and the failures it reported."""
    type_rows = [[r["type"], r["n"], r["answer"], r["cite@1"], r["cite@5"]] for r in run.per_type]
    failures = ["Failures reported by score.py:", "", "```", *run.failures, "```", ""] if run.failures else []
    return [
        "## score.py on the dev questions",
        "",
        "```",
        score_line(run),
        "```",
        "",
        report.table(["type", "n", "answer", "cite@1", "cite@5"], type_rows),
        "",
        *failures,
    ]


def cmrc_ask_section(ans: dict[str, Any]) -> list[str]:
    lat = ans["latency"]
    return [
        "## CMRC2018 /api/ask",
        "",
        f"- n = {ans['n']:,}, EM {ans['EM']:.3f}, F1 {ans['F1']:.3f}, answer contains a reference {ans['contains']:.3f}, "
        f"errors {ans['errors']}",
        f"- client latency p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms (2 concurrent clients)",
        "",
    ]


def govreport_section(run: dev.ScoreRun) -> str:
    """score.py on the government work report questions (a section further down the document)."""
    lines = ["## score.py on the government work report questions (report + plan indexed together)", "",
             "```", score_line(run), "```", "",
             "| type | n | answer | cite@1 | cite@5 |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {r['type']} | {r['n']} | {r['answer']:.3f} | {r['cite@1']:.3f} | {r['cite@5']:.3f} |" for r in run.per_type]
    lines += ["", "Every miss:", ""] + [f"- {f}" for f in run.failures] + [""]
    return "\n".join(lines) + "\n"
