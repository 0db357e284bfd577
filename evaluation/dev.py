"""The dev questions against a running server, scored by the project's judge: ``score.py``.

``score.py`` is run unchanged as a subprocess and its output kept verbatim; its SCORE line and
per-type table are parsed for the report. The one number it does not print — how long the cited
texts are — comes from a second pass over ``/api/ask`` with the same questions and ``top_k``.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

REPO = Path(__file__).resolve().parents[1]
SKIP_TYPES = ("phrase", "oos")

_SCORE = re.compile(r"^SCORE\s+(.*)$", re.MULTILINE)
_TYPE_ROW = re.compile(r"^(\S+)\s+(\d+)\s+([\d.]+|nan)\s+([\d.]+|nan)\s+([\d.]+|nan)\s*$")


def shared_dir(repo: Path = REPO) -> Path:
    """``<repo>/../shared``, checked to hold the judge; SystemExit with what is missing otherwise."""
    shared = (repo / ".." / "shared").resolve()
    needed = [shared / "eval" / "score.py", shared / "eval" / "dev_qa.jsonl",
              shared / "evaldata" / "cmrc2018" / "derived_retrieval" / "corpus.jsonl"]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise SystemExit(
            "the shared evaluation data is missing: " + ", ".join(missing)
            + f"\nplace the shared folder (eval/ and evaldata/) at {shared}"
        )
    return shared


def load_items(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def cited_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The questions score.py scores citations on (phrase and out-of-scope items left out)."""
    return [d for d in items if d["type"] not in SKIP_TYPES]


@dataclass
class ScoreRun:
    """score.py's verdict: the SCORE fields, the per-type rows and its full output."""

    score: dict[str, float]
    per_type: list[dict[str, Any]]
    failures: list[str]
    output: str
    median_cited_chars: float = math.nan
    extra: dict[str, Any] = field(default_factory=dict)


def parse_score_output(text: str) -> tuple[dict[str, float], list[dict[str, Any]], list[str]]:
    """The SCORE line as numbers, the per-type table rows and the FAIL lines of score.py output."""
    found = list(_SCORE.finditer(text))
    if not found:
        raise ValueError("score.py printed no SCORE line:\n" + text[-2000:])
    score: dict[str, float] = {}
    for part in found[-1].group(1).split():
        key, _, value = part.partition("=")
        score[key] = float(value)
    rows = []
    for line in text.splitlines():
        r = _TYPE_ROW.match(line.strip())
        if r and r.group(1) != "type":
            rows.append({"type": r.group(1), "n": int(r.group(2)), "answer": float(r.group(3)),
                         "cite@1": float(r.group(4)), "cite@5": float(r.group(5))})
    fails = [line for line in text.splitlines() if line.startswith("FAIL ")]
    return score, rows, fails


def run_score(url: str, qa: Path, score_py: Path, top_k: int = 5, timeout: float = 1800.0) -> ScoreRun:
    """Run ``score.py --url … --qa …`` and parse what it prints."""
    cmd = [sys.executable, str(score_py), "--url", url, "--qa", str(qa), "--top-k", str(top_k)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    out = proc.stdout + (("\n" + proc.stderr) if proc.stderr.strip() else "")
    if proc.returncode != 0:
        raise RuntimeError(f"score.py exited with {proc.returncode}:\n{out[-2000:]}")
    score, rows, fails = parse_score_output(proc.stdout)
    return ScoreRun(score, rows, fails, out)


def median_cited_chars(url: str, items: list[dict[str, Any]], top_k: int = 5, progress: bool = True) -> float:
    """Median length of the first ``top_k`` citations ``/api/ask`` returns for ``items``."""
    lengths: list[int] = []
    with httpx.Client(base_url=url, timeout=120.0) as client:
        for d in tqdm(items, desc="dev citations", disable=not progress, leave=False):
            r = client.post("/api/ask", json={"question": d["q"], "top_k": top_k})
            r.raise_for_status()
            lengths.extend(len(c.get("text", "")) for c in (r.json().get("citations") or [])[:top_k])
    return statistics.median(lengths) if lengths else math.nan
