"""PDF: the text layer (or OCR of a scanned page) laid out as the plain text the pipeline reads.

A PDF holds positioned lines, not paragraphs. Three things stand between them and the text a
reader sees:

- running headers and footers: the printing date, the document title, a file path, "3/7",
  "- 3 -" on every page. They are found as lines near the top or bottom of a page whose wording
  (digits aside) repeats on many pages, or that are only a page number, and are dropped;
- lines wrapped by the layout: a line continues the paragraph above unless the paragraph above
  ended (a short last line after sentence punctuation, or a short line such as a heading), the
  line is indented, a clearly larger gap separates them, or it starts with heading numbering
  after a finished sentence. Justified Chinese lines end anywhere, even mid-number
  ("2122个5G基 / 站"), so a line merely stopping short of the margin never ends a paragraph;
- pages: every block keeps the page it starts on, so a passage can be cited as "第3页".

Pages without a text layer but with an image — or mostly covered by images with no more text
than a scanning app's watermark — are read by OCR (``ingest.ocr``) and go through the same
cleanup. A PDF with no text anywhere and no OCR is an error, never an empty document.
Tables come from pdfplumber's ruling-line detection; a table broken by a page break is joined.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest import ocr
from ingest.errors import IngestError
from ingest.loaders import LoadResult, Source, loader, render_blocks_located
from ingest.structure import heading_level
from ingest.unify import unify

# pdfminer logs a warning per glyph for fonts without a bounding box (Chromium's CJK subsets).
logging.getLogger("pdfminer").setLevel(logging.ERROR)

PAGE_NUMBER = re.compile(
    r"^[-—–\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[-—–\s]*$"
)
_PARA_END = re.compile(r"[。！？：；:!?…]['’”」』）)]*$")
# A page holding fewer characters than this in its text layer is treated as having none.
MIN_TEXT_CHARS = 8
# A page mostly covered by images with fewer characters than this is a scan with a watermark.
WATERMARK_CHARS = 100
# Header and footer lines sit among the first or last few lines of a page.
EDGE_LINES = 3


@dataclass(frozen=True, slots=True)
class Line:
    """One text line of a page, in points from the page's top-left corner."""

    page: int  # 1-based
    top: float
    bottom: float
    x0: float
    x1: float
    text: str


@dataclass(frozen=True, slots=True)
class Grid:
    """A table found on a page."""

    page: int
    top: float
    rows: list[list[str]]


@dataclass
class PageContent:
    number: int
    width: float
    height: float
    lines: list[Line]
    tables: list[Grid]
    ocr: bool = False


# ---------------------------------------------------------------- reading pages


def _text_page(page: Any, number: int) -> PageContent:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj: dict) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    raw = page.filter(outside).extract_text_lines() if boxes else page.extract_text_lines()
    lines = [
        Line(number, ln["top"], ln["bottom"], ln["x0"], ln["x1"], ln["text"].strip())
        for ln in raw
        if ln["text"].strip()
    ]
    grids = [Grid(number, t.bbox[1], [[_cell(c) for c in row] for row in t.extract()]) for t in tables]
    return PageContent(number, float(page.width), float(page.height), lines, grids)


def _cell(text: str | None) -> str:
    """A cell's text with the lines its width wrapped joined back (no space between CJK)."""
    out = ""
    for part in (text or "").split("\n"):
        out = _join(out, part.strip())
    return out


def _text_chars(page: Any) -> int:
    return sum(1 for c in page.chars if not c.get("text", " ").isspace())


def _is_scan(page: Any, chars: int) -> bool:
    """A page of image(s) whose text layer holds at most a watermark ("扫描全能王")."""
    if chars < MIN_TEXT_CHARS:
        return bool(page.images)
    area = float(page.width) * float(page.height)
    covered = sum(abs((im["x1"] - im["x0"]) * (im["bottom"] - im["top"])) for im in page.images)
    return chars < WATERMARK_CHARS and covered >= area / 2


def read_pages(data: bytes, name: str) -> tuple[list[PageContent], str | None, dict[str, Any]]:
    """Every page's lines and tables, OCR where a page has no text layer; plus title and facts."""
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            title = ((pdf.metadata or {}).get("Title") or "").strip() or None
            pages: list[PageContent | None] = []
            scanned: list[int] = []
            for n, page in enumerate(pdf.pages, start=1):
                chars = _text_chars(page)
                if _is_scan(page, chars):
                    scanned.append(n)
                # The text layer stays the fallback of a scan that OCR cannot read.
                pages.append(_text_page(page, n) if chars >= MIN_TEXT_CHARS else None)
    except Exception as exc:  # pdfminer raises many kinds for damaged or encrypted files
        raise IngestError(name, f"not a readable .pdf file ({type(exc).__name__})") from None
    facts: dict[str, Any] = {"pages": len(pages), "ocr": False}
    if scanned:
        if not ocr.available():
            if all(p is None or not (p.lines or p.tables) for p in pages):
                raise IngestError(name, f"the PDF has no text layer (a scanned document?) and {ocr.UNAVAILABLE}")
            facts["pages_without_text"] = scanned
        else:
            read = ocr.read_pdf_pages(data, scanned, name)
            for page in read.pages:
                lines = [Line(page.number, ln.top, ln.bottom, ln.x0, ln.x1, ln.text) for ln in page.lines]
                pages[page.number - 1] = PageContent(page.number, page.width, page.height, lines, [], ocr=True)
            facts.update(ocr=True, ocr_pages=len(read.pages), ocr_confidence=read.confidence, ocr_engine=read.engine)
    present = [p for p in pages if p is not None]
    if not any(p.lines or p.tables for p in present):
        reason = "OCR found no text on its scanned pages" if facts["ocr"] else "the PDF has no text"
        raise IngestError(name, reason)
    return present, title, facts


# ---------------------------------------------------------------- running headers and footers

_DIGITS = re.compile(r"\d+")


def _key(text: str) -> str:
    return _DIGITS.sub("#", re.sub(r"\s+", "", text))


def running_lines(pages: list[PageContent]) -> set[tuple[int, int]]:
    """``(page, line index)`` of header, footer and page-number lines."""
    edges: dict[tuple[int, int], str] = {}
    texts: dict[tuple[int, int], str] = {}
    for p in pages:
        n = len(p.lines)
        for i in {*range(min(EDGE_LINES, n)), *range(max(0, n - EDGE_LINES), n)}:
            half = "top" if p.lines[i].top < p.height / 2 else "bottom"
            edges[(p.number, i)] = f"{half}:{_key(p.lines[i].text)}"
            texts[(p.number, i)] = p.lines[i].text
    pages_with: dict[str, set[int]] = {}
    for (page, _), key in edges.items():
        pages_with.setdefault(key, set()).add(page)
    # Repeating on at least two pages and on at least half of them (a document of one page has
    # only its page number to lose).
    needed = max(2, (len(pages) + 1) // 2)
    return {
        at for at, key in edges.items() if len(pages_with[key]) >= needed or PAGE_NUMBER.match(texts[at])
    }


# ---------------------------------------------------------------- paragraphs


@dataclass(frozen=True, slots=True)
class _Metrics:
    left: float
    right: float
    char: float  # a character's height: the unit for indents and gaps
    pitch: float  # the usual distance from one line's top to the next one's


def _metrics(lines: list[Line]) -> _Metrics:
    heights = [ln.bottom - ln.top for ln in lines] or [12.0]
    char = statistics.median(heights)
    lefts = Counter(round(ln.x0) for ln in lines)
    left = float(min(x for x, c in lefts.items() if c >= max(1, lefts.most_common(1)[0][1] // 3)))
    right = max(ln.x1 for ln in lines)
    steps = [b.top - a.top for a, b in zip(lines, lines[1:], strict=False) if 0 < b.top - a.top < 4 * char]
    pitch = statistics.median(steps) if steps else char * 1.5
    return _Metrics(left, right, char, pitch)


def _ends_paragraph(line: Line, m: _Metrics) -> bool:
    short = line.x1 < m.right - 1.5 * m.char
    narrow = line.x1 - m.left < 0.7 * (m.right - m.left)
    return (short and bool(_PARA_END.search(line.text))) or narrow


def _starts_paragraph(prev: Line, line: Line, m: _Metrics) -> bool:
    if line.x0 > m.left + 0.8 * m.char:  # indented first line
        return True
    if line.page == prev.page and line.top - prev.top > 1.6 * m.pitch:  # a blank line's gap
        return True
    # Numbering is read on unified characters: the text layer may hold "（⼆）" for "（二）".
    return heading_level(unify(line.text)) is not None and bool(_PARA_END.search(prev.text))


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def layout_blocks(pages: list[PageContent], drop: set[tuple[int, int]]) -> list[tuple[str, Any, None, int]]:
    """Lines re-flowed into paragraphs, and tables, each with the page it starts on."""
    items: list[tuple[int, float, str, Any]] = []
    metrics: dict[int, _Metrics] = {}
    for p in pages:
        kept = [ln for i, ln in enumerate(p.lines) if (p.number, i) not in drop]
        if kept:
            metrics[p.number] = _metrics(kept)
        items.extend((p.number, ln.top, "line", ln) for ln in kept)
        items.extend((p.number, g.top, "table", g) for g in p.tables)
    items.sort(key=lambda it: (it[0], it[1]))

    blocks: list[tuple[str, Any, None, int]] = []
    para: list[Line] = []

    def flush() -> None:
        if para:
            text = ""
            for ln in para:
                text = _join(text, ln.text)
            blocks.append(("text", text, None, para[0].page))
            para.clear()

    for page, _, kind, value in items:
        if kind == "table":
            flush()
            prev = blocks[-1] if blocks else None
            if prev and prev[0] == "table" and prev[3] < page and _same_columns(prev[1], value.rows):
                rows = value.rows[1:] if value.rows[:1] == prev[1][:1] else value.rows
                blocks[-1] = ("table", prev[1] + rows, None, prev[3])
            else:
                blocks.append(("table", value.rows, None, page))
            continue
        line: Line = value
        if para:
            last = para[-1]
            if _ends_paragraph(last, metrics[last.page]) or _starts_paragraph(last, line, metrics[line.page]):
                flush()
        para.append(line)
    flush()
    return blocks


def _same_columns(a: list[list[str]], b: list[list[str]]) -> bool:
    return bool(a and b) and max(map(len, a)) == max(map(len, b))


# ---------------------------------------------------------------- the loader


@loader(".pdf")
def load_pdf(path: Path, data: bytes) -> LoadResult:
    pages, title, facts = read_pages(data, str(path))
    drop = running_lines(pages)
    blocks = layout_blocks(pages, drop)
    text, hints, starts = render_blocks_located([(k, v, lvl) for k, v, lvl, _ in blocks])
    if not text.strip():
        raise IngestError(str(path), "the PDF has no extractable text (a scanned document?)")
    page_starts: list[tuple[int, int]] = []
    for (*_, page), offset in zip(blocks, starts, strict=True):
        if offset is not None and (not page_starts or page > page_starts[-1][1]):
            page_starts.append((offset, page))
    facts["header_footer_lines"] = len(drop)
    source = Source(
        path.stem, text, path, "pdf", title=title, heading_hints=hints, meta=facts, pages=tuple(page_starts)
    )
    return LoadResult((source,))


__all__ = ["Line", "PAGE_NUMBER", "PageContent", "layout_blocks", "load_pdf", "read_pages", "running_lines"]
