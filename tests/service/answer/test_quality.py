"""Answer quality scored the way ``score.py`` scores the server, in process.

``data/kinds_qa.jsonl`` holds questions of every kind written for these tests (facts, targets,
lists, table lookups, aggregates, out-of-scope, English, Traditional); the shared dev set is used
when it sits beside the repository. The fast tests use a lexical stand-in retriever; the slow one
the real index.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from service.answer.engine import AnswerEngine

HERE = Path(__file__).resolve().parent
KINDS = HERE / "data" / "kinds_qa.jsonl"
DEV = HERE.parents[2].parent / "shared" / "eval" / "dev_qa.jsonl"


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


@dataclass
class Score:
    n: int = 0
    answer: int = 0
    cite1: int = 0
    cite5: int = 0
    oos: int = 0
    oos_ok: int = 0
    failures: list[str] = field(default_factory=list)

    def rate(self, k: str) -> float:
        return getattr(self, k) / self.n if self.n else 1.0


def score(engine: AnswerEngine, items: list[dict], top_k: int = 5) -> Score:
    s = Score()
    for d in items:
        if d["type"] == "phrase":
            continue
        ans = engine.ask(d["q"], top_k=top_k)
        if d.get("expect_ungrounded"):
            s.oos += 1
            s.oos_ok += not ans.grounded
            if ans.grounded:
                s.failures.append(f"{d['id']} answered although out of scope: {ans.text[:80]}")
            continue
        gold = [squash(g) for g in d["cite_any"]]
        hits = [any(g in squash(h.passage.text) for g in gold) for h in ans.citations[:top_k]]
        c1, c5 = bool(hits and hits[0]), any(hits)
        if d["answer_all"]:
            ok = ans.grounded and all(squash(x) in squash(ans.text) for x in d["answer_all"])
        else:
            ok = ans.grounded and c5
        s.n += 1
        s.answer += ok
        s.cite1 += c1
        s.cite5 += c5
        if not (ok and c1):
            s.failures.append(f"{d['id']} ok={ok} c1={c1} c5={c5}: {d['q']} -> {ans.text[:80]}")
    return s


def test_kinds_with_a_lexical_retriever(engine: AnswerEngine) -> None:
    items = [d for d in load(KINDS) if d["type"] != "crosslingual"]
    s = score(engine, items)
    assert s.rate("answer") >= 0.95, s.failures
    assert s.rate("cite1") >= 0.93, s.failures
    assert s.rate("cite5") >= 0.97, s.failures
    assert s.oos_ok == s.oos, s.failures
    aggregates = [d for d in items if d["type"] == "aggregate"]
    assert score(engine, aggregates).answer == len(aggregates)  # every aggregate right


def test_dev_set_with_a_lexical_retriever(engine: AnswerEngine) -> None:
    if not DEV.is_file():
        pytest.skip("the shared dev set is not beside the repository")
    items = [d for d in load(DEV) if d["type"] != "crosslingual"]
    s = score(engine, items)
    assert s.rate("answer") >= 0.95, s.failures
    assert s.rate("cite1") >= 0.9, s.failures
    assert s.rate("cite5") >= 0.97, s.failures
    assert s.oos_ok == s.oos, s.failures


@pytest.mark.slow
def test_quality_bar_with_the_real_index(real_runtime) -> None:
    engine = real_runtime.engine
    sets = [load(KINDS)] + ([load(DEV)] if DEV.is_file() else [])
    for items in sets:
        s = score(engine, items)
        assert s.rate("answer") >= 0.9, s.failures
        assert s.rate("cite1") >= 0.85, s.failures
        assert s.rate("cite5") >= 0.97, s.failures
        # the fitted gate decides by a probability: out of scope is held to the same share of questions
        # as the leave-documents-out target (a question the documents do not answer is declined >= 95%)
        assert s.oos_ok >= 0.95 * s.oos, s.failures
