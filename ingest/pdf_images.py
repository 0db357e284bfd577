"""Pictures inside text pages — 专栏 boxes, tables pasted as images — read by OCR.

Official PDFs often print their boxes and indicator tables as images among the text: the text
layer has nothing of them, and a page that carries text is not a scan, so nothing read them. A
picture is worth reading when it is large next to the page's own text (several characters wide,
a few lines high) and the text layer has nothing inside it (an image under real text is a
background). Each is cut out of the page rendered at the OCR resolution and read by Tesseract;
where its rules make a grid (``ingest.image_grid``) the words inside become table rows, each
with its confidence, and the words around the grid (the box's title, a note) become lines.

A reading that finds almost no Chinese text or has a low mean confidence (a photo, a seal, a
logo) is dropped rather than put into the document as noise.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from ingest import ocr
from ingest.errors import IngestError
from ingest.image_grid import read_grid
from ingest.pdf_page import Box, Grid, Line, is_han

# In units of the page's median line height: how wide and how high a picture must be to be read.
MIN_WIDTH_LINES = 8
MIN_HEIGHT_LINES = 2
# A picture holding this many text-layer characters is a background, not a picture of text.
MAX_CHARS_INSIDE = 8
# Readings below this mean word confidence, or with fewer Chinese characters, are dropped.
MIN_CONFIDENCE = 50.0
MIN_HAN = 4


@dataclass(frozen=True, slots=True)
class Figure:
    """A picture's box on its page, in points from the top-left corner."""

    x0: float
    top: float
    x1: float
    bottom: float


def figures(page: Any, lines: list[Line]) -> list[Figure]:
    """The pictures of a text page worth reading, overlapping ones merged."""
    if not page.images:
        return []
    unit = statistics.median([ln.bottom - ln.top for ln in lines]) if lines else 12.0
    found: list[Figure] = []
    for im in page.images:
        fig = Figure(max(0.0, float(im["x0"])), max(0.0, float(im["top"])),
                     min(float(page.width), float(im["x1"])), min(float(page.height), float(im["bottom"])))
        if fig.x1 - fig.x0 < MIN_WIDTH_LINES * unit or fig.bottom - fig.top < MIN_HEIGHT_LINES * unit:
            continue
        inside = sum(
            1
            for c in page.chars
            if fig.x0 <= (c["x0"] + c["x1"]) / 2 <= fig.x1 and fig.top <= (c["top"] + c["bottom"]) / 2 <= fig.bottom
        )
        if inside >= MAX_CHARS_INSIDE:
            continue
        for k, other in enumerate(found):
            if fig.x0 < other.x1 and other.x0 < fig.x1 and fig.top < other.bottom and other.top < fig.bottom:
                found[k] = Figure(min(fig.x0, other.x0), min(fig.top, other.top),
                                  max(fig.x1, other.x1), max(fig.bottom, other.bottom))
                break
        else:
            found.append(fig)
    return found


def _box(page: int, fig: Figure, image: Any, name: str) -> Box | None:
    scale = 72 / ocr.DPI
    tsv = ocr.recognise(image, name, f"page {page}")
    words = [w for w in ocr.parse_words(tsv, scale, fig.x0, fig.top) if w.text]
    known = ocr.confidences(words)
    if not known or statistics.fmean(known) < MIN_CONFIDENCE:
        return None
    if sum(1 for w in words for ch in w.text if is_han(ch)) < MIN_HAN:
        return None
    grid = read_grid(image, words, scale, fig.x0, fig.top)
    tables: tuple[Grid, ...] = ()
    if grid is not None:
        tables = (Grid(page, grid.top, [list(r) for r in grid.rows], grid.confidence),)
        words = [w for w in words if not grid.top <= (w.top + w.bottom) / 2 <= grid.bottom]
    lines = tuple(Line(page, ln.top, ln.bottom, ln.x0, ln.x1, ln.text, size=ln.bottom - ln.top)
                  for ln in ocr.lines_of(words))
    if not lines and not tables:
        return None
    return Box(page, fig.top, lines, tables, round(statistics.fmean(known), 1))


def read_figures(data: bytes, wanted: dict[int, list[Figure]], name: str) -> list[Box]:
    """OCR the pictures of each page (1-based page → its figures), in page order."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as exc:  # PDFium reports damaged files as one error kind
        raise IngestError(name, f"not a readable .pdf file ({type(exc).__name__})") from None
    boxes: list[Box] = []
    try:
        for number in sorted(wanted):
            page = pdf[number - 1]
            zoom = ocr.DPI / 72
            rendered = page.render(scale=zoom).to_pil().convert("L")
            for fig in wanted[number]:
                crop = rendered.crop((round(fig.x0 * zoom), round(fig.top * zoom),
                                      round(fig.x1 * zoom), round(fig.bottom * zoom)))
                box = _box(number, fig, crop, name)
                if box is not None:
                    boxes.append(box)
    finally:
        pdf.close()
    return boxes


def facts(boxes: list[Box]) -> dict[str, Any]:
    """What ``planqa ingest`` reports of the pictures read: how many, their tables and confidence."""
    if not boxes:
        return {}
    return {
        "ocr_figures": len(boxes),
        "ocr_figure_tables": sum(len(b.tables) for b in boxes),
        "ocr_figure_confidence": round(statistics.fmean(b.confidence or 0.0 for b in boxes), 1),
    }


__all__ = ["Figure", "MIN_CONFIDENCE", "facts", "figures", "read_figures"]
