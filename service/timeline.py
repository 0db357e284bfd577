"""A phrase over time: its exact-search counts per document in date order, and per year.

A journalist asks when wording entered the documents and how often it is used since. The counts
are exact search's own (``ExactResult.per_doc``), never recounted, so a timeline and a search for
the same phrase always agree. Every searched document is listed, those without the phrase with a
count of 0, so a year it is absent from shows as a gap rather than disappearing. Documents
without a date or year come last and stay out of the years.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ingest.errors import InvalidRequest
from ingest.model import Document


@dataclass(frozen=True, slots=True)
class DocCount:
    """How often the phrase occurs in one document, and when the document is from."""

    doc_id: str
    name: str
    date: str | None  # ISO, as precise as the document says: 2019-03-05, 2019-03, 2019
    year: int | None
    count: int

    @property
    def when(self) -> str:
        """The date in Chinese: 2019年3月5日, 2019年3月, 2019年; empty when unknown."""
        return chinese_date(self.date, self.year)


@dataclass(frozen=True, slots=True)
class YearCount:
    """The occurrences in one year's documents, summed; ``matched`` of ``documents`` hold it."""

    year: int
    count: int
    documents: int
    matched: int


@dataclass(frozen=True, slots=True)
class Timeline:
    """A phrase's occurrences over the searched documents, oldest first."""

    phrase: str
    documents: tuple[DocCount, ...]  # every searched document, dated in date order, undated last
    years: tuple[YearCount, ...]  # every year a searched document is from, ascending

    @property
    def total(self) -> int:
        return sum(d.count for d in self.documents)

    @property
    def found(self) -> tuple[DocCount, ...]:
        """The documents holding the phrase, in date order."""
        return tuple(d for d in self.documents if d.count)

    @property
    def undated(self) -> int:
        """Occurrences in documents without a year (in no bar of the chart)."""
        return sum(d.count for d in self.documents if d.year is None)

    @property
    def first(self) -> DocCount | None:
        """The earliest dated document holding the phrase."""
        return next((d for d in self.documents if d.count and d.year is not None), None)

    @property
    def last(self) -> DocCount | None:
        """The latest dated document holding the phrase."""
        return next((d for d in reversed(self.documents) if d.count and d.year is not None), None)

    def year(self, year: int) -> YearCount | None:
        return next((y for y in self.years if y.year == year), None)

    def describe(self) -> str:
        """First and last appearance in one Chinese sentence, as the 检索 tab and the API state it."""
        q = f"“{self.phrase}”"
        searched = len(self.documents)
        if not self.total:
            return f"{q}没有出现在所检索的 {searched} 份文档中。"
        spread = f"共 {self.total} 处，见于 {len(self.found)} 份文档（共检索 {searched} 份）"
        first, last = self.first, self.last
        if first is None or last is None:
            return f"{q}只出现在未注明年份的文档中，{spread}。"
        said = f"{q}首次出现于《{first.name}》（{first.when}）"
        if last.doc_id != first.doc_id:
            said += f"，最后出现于《{last.name}》（{last.when}）"
        undated = f"；另有 {self.undated} 处在未注明年份的文档中" if self.undated else ""
        return f"{said}；{spread}{undated}。"


def chinese_date(date: str | None, year: int | None = None) -> str:
    """``2019-03-05`` → 2019年3月5日 (as precise as given); the year alone when there is no date."""
    parts = (date or "").split("-")
    if not parts[0].isdigit():
        return f"{year}年" if year is not None else ""
    out = f"{int(parts[0])}年"
    for value, unit in zip(parts[1:3], "月日", strict=False):
        if not value.isdigit():
            break
        out += f"{int(value)}{unit}"
    return out


def _year_of(doc: Document) -> int | None:
    i = doc.identity
    if i.year is not None:
        return i.year
    head = (i.date or "")[:4]
    return int(head) if head.isdigit() else None


def build_timeline(phrase: str, per_doc: Mapping[str, int], documents: Iterable[Document]) -> Timeline:
    """The timeline of ``phrase`` over ``documents`` (those searched) from exact search's counts.

    Dated documents are ordered by their date (a year alone sorts before the dates within it),
    then name; undated ones keep their collection order after them.
    """
    if not phrase.strip():
        raise InvalidRequest("the phrase must not be empty or whitespace only")
    dated: list[tuple[str, str, DocCount]] = []
    undated: list[DocCount] = []
    for doc in documents:
        year = _year_of(doc)
        row = DocCount(doc.doc_id, doc.name, doc.identity.date, year, int(per_doc.get(doc.doc_id, 0)))
        if year is None:
            undated.append(row)
        else:
            date = doc.identity.date if (doc.identity.date or "").startswith(str(year)) else str(year)
            dated.append((date or str(year), row.name, row))
    rows = [r for *_, r in sorted(dated, key=lambda t: (t[0], t[1]))] + undated
    years: dict[int, list[DocCount]] = {}
    for r in rows:
        if r.year is not None:
            years.setdefault(r.year, []).append(r)
    by_year = tuple(YearCount(y, sum(r.count for r in rs), len(rs), sum(1 for r in rs if r.count))
                    for y, rs in sorted(years.items()))
    return Timeline(phrase.strip(), tuple(rows), by_year)
