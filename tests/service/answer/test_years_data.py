"""The questions naming a year and the questions across years: every gold string is in its report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SHARED = (Path(__file__).resolve().parents[3] / ".." / "shared" / "evaldata").resolve()
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"the shared documents are not at {SHARED}")


def _text(doc: str) -> str:
    for folder in ("policy_docs", "gov_docs"):
        path = SHARED / folder / doc
        if path.is_file():
            return re.sub(r"\s+", "", path.read_text(encoding="utf-8"))
    raise AssertionError(f"no document {doc}")


def _lines(name: str) -> list[dict]:
    return [json.loads(x) for x in (DATA / name).read_text(encoding="utf-8").splitlines() if x.strip()]


def _check(qid: str, doc: str, cite_any: list[str], answer_all: list[str]) -> list[str]:
    text, out = _text(doc), []
    for c in cite_any:
        if re.sub(r"\s+", "", c) not in text:
            out.append(f"{qid}: gold string not in {doc}: {c!r}")
    for a in answer_all:
        if not any(a in c for c in cite_any):
            out.append(f"{qid}: answer string not in any gold string: {a!r}")
    return out


def test_questions_naming_a_year_hold_their_gold_and_cover_every_report() -> None:
    items = _lines("years_qa.jsonl")
    assert len(items) >= 40 and len({d["id"] for d in items}) == len(items)
    assert [p for d in items for p in _check(d["id"], d["doc"], d["cite_any"], d["answer_all"])] == []
    assert all(re.search(r"\d{2,4}年|[一二三四五六七八九〇零]{2,4}年", d["q"]) for d in items)
    assert len({d["doc"] for d in items}) == 11


def test_questions_across_years_hold_a_gold_per_report_in_year_order() -> None:
    items = _lines("across_qa.jsonl")
    assert len(items) >= 10
    problems = []
    for d in items:
        years = [p["year"] for p in d["per_doc"]]
        assert years == sorted(years), d["id"]
        problems += [x for p in d["per_doc"] for x in _check(d["id"], p["doc"], p["cite_any"], p["answer_all"])]
        if "first" in d:
            assert d["first"] == d["per_doc"][0]["doc"], d["id"]
    assert problems == []
