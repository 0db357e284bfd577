"""The real plan, ingested once, and a small lexical retriever standing in for the index."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.textnorm import normalize
from index.types import Hit
from ingest.model import Document, TableRow
from ingest.pipeline import ingest_file, ingest_text
from service.answer import text as T
from service.answer.engine import AnswerEngine

ROOT = Path(__file__).resolve().parents[3]
PLAN = ROOT / "corpus" / "dongli-14th-fyp-industry.txt"
DOC_ID = "dongli-14th-fyp-industry"


class BigramRetriever:
    """Ranks passages by shared character bigrams with the query: enough to test the answer core."""

    def __init__(self, docs: dict[str, Document]) -> None:
        self.passages = [p for d in docs.values() for p in d.passages]
        self.grams = [T.bigrams(normalize(p.text)) for p in self.passages]
        self.calls = 0

    def search(self, query: str, top_k: int = 10, doc_ids: list[str] | None = None) -> list[Hit]:
        self.calls += 1
        q = T.bigrams(normalize(query))
        scored = [
            (len(q & g) / (1 + len(g)) ** 0.3, i)
            for i, (p, g) in enumerate(zip(self.passages, self.grams, strict=True))
            if not doc_ids or p.doc_id in doc_ids
        ]
        scored = [s for s in scored if s[0] > 0]
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [Hit(self.passages[i], float(s)) for s, i in scored[:top_k]]


class EmptyRetriever:
    def search(self, query: str, top_k: int = 10, doc_ids: list[str] | None = None) -> list[Hit]:
        return []


class BrokenRetriever:
    def search(self, query: str, top_k: int = 10, doc_ids: list[str] | None = None) -> list[Hit]:
        raise RuntimeError("index unavailable")


@pytest.fixture(scope="session")
def plan() -> Document:
    return ingest_file(PLAN)


@pytest.fixture(scope="session")
def docs(plan: Document) -> dict[str, Document]:
    return {plan.doc_id: plan}


@pytest.fixture(scope="session")
def rows(plan: Document) -> list[TableRow]:
    """The data rows of the plan's project table (total row excluded)."""
    assert len(plan.tables) == 1
    return [r for r in plan.tables[0].rows if not r.is_total]


@pytest.fixture(scope="session")
def total_row(plan: Document) -> TableRow:
    return next(r for r in plan.tables[0].rows if r.is_total)


@pytest.fixture(scope="session")
def retriever(docs: dict[str, Document]) -> BigramRetriever:
    return BigramRetriever(docs)


@pytest.fixture(scope="session")
def engine(docs: dict[str, Document], retriever: BigramRetriever) -> AnswerEngine:
    return AnswerEngine(docs, retriever)


SMALL_PLAN = Path(__file__).resolve().parent / "data" / "parts_plan.md"


@pytest.fixture(scope="session")
def small_plan() -> Document:
    """A small made-up plan: two paragraphs and a five-row project table in two categories."""
    return ingest_text("parts-plan", "示范区产业发展规划", SMALL_PLAN.read_text(encoding="utf-8"), markdown=True)


@pytest.fixture(scope="session")
def small_engine(small_plan: Document) -> AnswerEngine:
    docs = {small_plan.doc_id: small_plan}
    return AnswerEngine(docs, BigramRetriever(docs))
