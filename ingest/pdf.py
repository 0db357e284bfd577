"""PDF: the text layer (or OCR of a scanned page) laid out as the plain text the pipeline reads.

A PDF holds positioned characters, not paragraphs. Between them and the text a reader sees:

- running headers and footers: the printing date, the document title, a file path, "3/7",
  "- 3 -" on every page. They are found as lines near the top or bottom of a page whose wording
  (digits aside) repeats on many pages, or that are only a page number, and are dropped;
- lines, with their type (``ingest.pdf_page``), re-flowed into paragraphs, headings and the
  first page's title (``ingest.pdf_flow``, ``ingest.pdf_style``); the title read from the page
  is the document's title, the file's Title property only when the page shows none;
- pages: every block keeps the page it starts on, so a passage can be cited as "第3页".

Pages without a text layer but with an image — or mostly covered by images with no more text
than a scanning app's watermark — are read by OCR (``ingest.ocr``) and go through the same
cleanup; so are pictures inside text pages (boxes, tables printed as images:
``ingest.pdf_images``). A PDF with no text anywhere and no OCR is an error, never an empty
document. Tables come from pdfplumber's ruling-line detection; a table broken by a page break is
joined.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

from ingest import ocr, pdf_images
from ingest.errors import IngestError
from ingest.loaders import LoadResult, Source, loader, render_blocks_located
from ingest.pdf_flow import Block, join, layout_blocks
from ingest.pdf_page import Box, Grid, Line, PageContent, lines_from_chars
from ingest.pdf_style import LARGER, BodyStyle, body_style, first_page_title

# pdfminer logs a warning per glyph for fonts without a bounding box (Chromium's CJK subsets).
logging.getLogger("pdfminer").setLevel(logging.ERROR)

PAGE_NUMBER = re.compile(
    r"^[-—–\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[-—–\s]*$"
)
# A page holding fewer characters than this in its text layer is treated as having none.
MIN_TEXT_CHARS = 8
# A page mostly covered by images with fewer characters than this is a scan with a watermark.
WATERMARK_CHARS = 100
# Header and footer lines sit among the first or last few lines of a page.
EDGE_LINES = 3


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

    chars = page.filter(outside).chars if boxes else page.chars
    lines = lines_from_chars(number, chars)
    grids = [Grid(number, t.bbox[1], [[_cell(c) for c in row] for row in t.extract()]) for t in tables]
    return PageContent(number, float(page.width), float(page.height), lines, grids)


def _cell(text: str | None) -> str:
    """A cell's text with the lines its width wrapped joined back (no space between CJK)."""
    out = ""
    for part in (text or "").split("\n"):
        out = join(out, part.strip())
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
    """Every page's lines and tables, OCR where a page has no text layer and of the pictures in
    text pages; plus the file's Title property and facts."""
    import pdfplumber

    figures: dict[int, list[pdf_images.Figure]] = {}
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
                content = _text_page(page, n) if chars >= MIN_TEXT_CHARS else None
                if content is not None and n not in scanned:
                    figures[n] = pdf_images.figures(page, content.lines)
                pages.append(content)
    except Exception as exc:  # pdfminer raises many kinds for damaged or encrypted files
        raise IngestError(name, f"not a readable .pdf file ({type(exc).__name__})") from None
    facts: dict[str, Any] = {"pages": len(pages), "ocr": False}
    wanted = {n: f for n, f in figures.items() if f}
    if wanted and ocr.available():
        boxes = pdf_images.read_figures(data, wanted, name)
        for box in boxes:
            page_content = pages[box.page - 1]
            assert page_content is not None
            page_content.boxes.append(box)
        facts.update(pdf_images.facts(boxes))
    elif wanted:
        facts["figures_not_read"] = sorted(wanted)
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


def keep_first_page_display(
    pages: list[PageContent], drop: set[tuple[int, int]], body: BodyStyle | None
) -> set[tuple[int, int]]:
    """``drop`` without the first page's lines in display type: a title printed again at the top
    of every page repeats like a running header, but on its first page it is the title."""
    if body is None or not pages:
        return drop
    first = pages[0]
    return {(n, i) for n, i in drop if n != first.number or first.lines[i].size < LARGER * body.size}


# ---------------------------------------------------------------- the loader


def _row_ranges(text: str, blocks: list[Block], starts: list[int | None]) -> tuple[tuple[int, int, float], ...]:
    """``(start, end, confidence)`` in the rendered text of every row of an OCRed table."""
    out: list[tuple[int, int, float]] = []
    for block, start in zip(blocks, starts, strict=True):
        kind, rows, _, _, confidence = block
        if kind != "table" or start is None or not confidence:
            continue
        kept = [c for r, c in zip(rows, confidence, strict=False) if any(cell.strip() for cell in r)]
        at = start
        for conf in kept:
            end = text.find("\n\n", at)
            end = len(text) if end < 0 else end
            out.append((at, end, conf))
            at = end + 2
    return tuple(out)


@loader(".pdf")
def load_pdf(path: Path, data: bytes) -> LoadResult:
    pages, title, facts = read_pages(data, str(path))
    drop = running_lines(pages)
    text_lines = [ln for p in pages if not p.ocr for i, ln in enumerate(p.lines) if (p.number, i) not in drop]
    body = body_style(text_lines)
    drop = keep_first_page_display(pages, drop, body)
    first = pages[0]
    heading = () if first.ocr else first_page_title(first, {i for n, i in drop if n == first.number}, body)
    blocks = layout_blocks(pages, drop, body=body, title=heading)
    text, hints, starts = render_blocks_located([(k, v, lvl) for k, v, lvl, *_ in blocks])
    if not text.strip():
        raise IngestError(str(path), "the PDF has no extractable text (a scanned document?)")
    page_starts: list[tuple[int, int]] = []
    for block, offset in zip(blocks, starts, strict=True):
        if offset is not None and (not page_starts or block[3] > page_starts[-1][1]):
            page_starts.append((offset, block[3]))
    facts["header_footer_lines"] = len(drop)
    if title:
        facts["title_property"] = title
    page_title = next((b[1] for b in blocks if b[2] == 0), None)
    if page_title:
        facts["page_title"] = page_title
    source = Source(
        path.stem,
        text,
        path,
        "pdf",
        title=page_title or title,
        heading_hints=hints,
        meta=facts,
        pages=tuple(page_starts),
        row_confidence=_row_ranges(text, blocks, starts),
    )
    return LoadResult((source,))


__all__ = [
    "Box",
    "Grid",
    "Line",
    "PAGE_NUMBER",
    "PageContent",
    "keep_first_page_display",
    "layout_blocks",
    "load_pdf",
    "read_pages",
    "running_lines",
]
