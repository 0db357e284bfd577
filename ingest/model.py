"""The typed records that cross every stage: documents, paragraphs, table rows and passages.

A ``Passage`` is the unit of retrieval and of citation. It carries everything a citation needs
(document, heading path, exact character span in the cleaned document text, table cells), so
later stages never go back to the source file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

PassageKind = Literal["paragraph", "table_row"]

SECTION_SEP = " › "


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: the source string plus what it parses to."""

    header: str
    text: str
    number: float | None = None
    unit: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    open_end: bool = False


@dataclass(frozen=True, slots=True)
class TableRow:
    """A data row (or the total row) of a table, with the category rows above it as a path.

    ``confidence`` is the OCR's mean word confidence (0–100) for a row read from an image.
    """

    table_id: str
    index: int
    category: tuple[str, ...]
    cells: tuple[Cell, ...]
    is_total: bool = False
    confidence: float | None = None

    def cell(self, header: str) -> Cell | None:
        for c in self.cells:
            if c.header == header:
                return c
        return None

    def as_dict(self) -> dict[str, Any]:
        """Cells by header plus the category path, as the HTTP contract's ``row`` field."""
        d: dict[str, Any] = {c.header: c.text for c in self.cells}
        d["类别"] = SECTION_SEP.join(self.category)
        if self.is_total:
            d["合计行"] = True
        return d


@dataclass(frozen=True, slots=True)
class Passage:
    """A citable piece of a document: a group of whole sentences or one table row.

    ``span`` is ``(start, end)`` in the cleaned document text: ``doc.text[start:end] == text``.
    ``sentences`` is the ``(first, last + 1)`` range of sentence numbers within the paragraph.
    ``page`` is the printed page it starts on, for paged formats (PDF), so a citation can say
    "第3页"; None where the format has no pages.
    """

    id: str
    doc_id: str
    kind: PassageKind
    text: str
    section: tuple[str, ...]
    span: tuple[int, int]
    paragraph_id: str
    sentences: tuple[int, int] = (0, 1)
    row: TableRow | None = None
    page: int | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A body paragraph under its heading path; the context a passage can be widened to."""

    id: str
    doc_id: str
    section: tuple[str, ...]
    span: tuple[int, int]
    text: str


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading line: its level (1 = chapter), text and span in the cleaned text."""

    level: int
    text: str
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Table:
    id: str
    doc_id: str
    title: str
    section: tuple[str, ...]
    headers: tuple[str, ...]
    unit: str | None
    numeric_headers: tuple[str, ...]
    rows: tuple[TableRow, ...]
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Identity:
    """What a document is, beside its title: who issued it, when, for where, what kind.

    Every field may be unknown (None). ``name`` is how the document is named to a reader (in
    citations, answers, lists, exports); it defaults to the title and is made distinct within a
    collection when the index is loaded. ``period`` is the span of years a plan covers
    (``(2021, 2025)`` for a 十四五 plan). ``origin`` says where each field was read: ``text``,
    ``properties`` (the file's own metadata), ``sidecar`` (``<stem>.meta.json``) or ``file name``.
    """

    name: str = ""
    issuer: str | None = None
    date: str | None = None  # ISO 8601, as precise as the document is: 2019-03-05, 2019-03 or 2019
    year: int | None = None
    region: str | None = None  # 全国, a province, a city or district: 安徽省, 天津市东丽区
    doc_number: str | None = None  # 国发〔2021〕29号
    kind: str | None = None  # 政府工作报告, 规划, 通知, 意见, 方案 …
    period: tuple[int, int] | None = None
    origin: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Document:
    """A cleaned document and everything ingest found in it."""

    doc_id: str
    title: str
    source: str
    text: str
    headings: tuple[Heading, ...] = ()
    paragraphs: tuple[Paragraph, ...] = ()
    tables: tuple[Table, ...] = ()
    passages: tuple[Passage, ...] = field(default=())
    meta: dict[str, Any] = field(default_factory=dict)
    identity: Identity = field(default_factory=Identity)

    @property
    def name(self) -> str:
        """The name a reader sees: distinct within the loaded collection."""
        return self.identity.name or self.title or self.doc_id
