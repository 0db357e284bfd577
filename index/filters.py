"""Which documents a search or a question may draw on: by year, region, kind and document id.

A filter is resolved against the loaded documents' identities into the list of document ids
every retriever already takes (``Retriever.search(..., doc_ids=…)``): the local BM25 and FAISS
retrievers keep only those documents' passages, Milvus applies ``doc_id in […]`` in its search,
exact search counts only in them. So both backends filter in retrieval, with one rule for what
matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ingest.errors import InvalidRequest
from ingest.govdoc import matches_region
from ingest.model import Document

MIN_YEAR, MAX_YEAR = 1949, 2100
MAX_FILTER_TEXT = 50


@dataclass(frozen=True, slots=True)
class DocFilter:
    """Documents whose year lies in ``[year_from, year_to]``, whose region covers ``region``
    (``安徽`` matches 安徽省), whose kind is ``kind`` (``报告`` matches every kind of report), and
    whose id is among ``doc_ids``. Unset parts match everything; a document without a year is
    left out by any year bound."""

    year_from: int | None = None
    year_to: int | None = None
    region: str | None = None
    kind: str | None = None
    doc_ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for what, year in (("year_from", self.year_from), ("year_to", self.year_to)):
            if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
                raise InvalidRequest(f"{what} is {year}; use a year from {MIN_YEAR} to {MAX_YEAR}")
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise InvalidRequest(f"year_from ({self.year_from}) is after year_to ({self.year_to}); swap them")
        for what, text in (("region", self.region), ("kind", self.kind)):
            if text is not None and (not text.strip() or len(text) > MAX_FILTER_TEXT):
                raise InvalidRequest(f"{what} must be 1–{MAX_FILTER_TEXT} characters")

    @property
    def empty(self) -> bool:
        return (self.year_from, self.year_to, self.region, self.kind, self.doc_ids) == (None,) * 5

    @property
    def by_identity(self) -> bool:
        """Whether it looks at more than document ids."""
        return (self.year_from, self.year_to, self.region, self.kind) != (None,) * 4

    def matches(self, doc: Document) -> bool:
        i = doc.identity
        if self.doc_ids is not None and doc.doc_id not in self.doc_ids:
            return False
        if self.year_from is not None or self.year_to is not None:
            if i.year is None:
                return False
            if self.year_from is not None and i.year < self.year_from:
                return False
            if self.year_to is not None and i.year > self.year_to:
                return False
        if self.region is not None and not matches_region(self.region, i.region):
            return False
        return self.kind is None or (i.kind is not None and (self.kind.strip() == i.kind or self.kind.strip() in i.kind))

    def select(self, documents: Iterable[Document]) -> list[str] | None:
        """The ids of the matching documents, in collection order; None when nothing is filtered."""
        if self.empty:
            return None
        return [d.doc_id for d in documents if self.matches(d)]

    def describe(self) -> str:
        """The filter in words, for notes and messages: ``year 2019–2021, region 安徽``."""
        parts = []
        if self.year_from is not None or self.year_to is not None:
            a, b = self.year_from, self.year_to
            parts.append(f"year {a}" if a == b else f"year {a or '…'}–{b or '…'}")
        if self.region:
            parts.append(f"region {self.region}")
        if self.kind:
            parts.append(f"kind {self.kind}")
        if self.doc_ids is not None:
            parts.append("documents " + ", ".join(self.doc_ids))
        return ", ".join(parts)


def doc_filter(
    *,
    year_from: int | None = None,
    year_to: int | None = None,
    region: str | None = None,
    kind: str | None = None,
    doc_ids: Sequence[str] | None = None,
) -> DocFilter:
    """A ``DocFilter`` with blank text treated as unset (a form's empty field)."""
    return DocFilter(
        year_from=year_from, year_to=year_to,
        region=region.strip() if region and region.strip() else None,
        kind=kind.strip() if kind and kind.strip() else None,
        doc_ids=tuple(doc_ids) if doc_ids else None,
    )


def parse_years(value: str) -> tuple[int, int]:
    """``2019`` or a range ``2018-2020`` (also ``2018–2020``, ``2018:2020``) as (from, to)."""
    s = value.strip()
    for sep in ("-", "–", "—", ":", "~", "至"):
        if sep in s:
            a, _, b = s.partition(sep)
            if a.strip().isdigit() and b.strip().isdigit():
                return int(a), int(b)
            break
    if s.isdigit():
        return int(s), int(s)
    raise InvalidRequest(f"year '{value}' is not a year (2019) or a range of years (2018-2020)")


__all__ = ["DocFilter", "MAX_YEAR", "MIN_YEAR", "doc_filter", "parse_years"]
