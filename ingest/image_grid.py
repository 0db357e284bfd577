"""The ruled grid of a table printed as an image, and the OCRed words put into its cells.

A table in a 专栏 box or a pasted picture of a spreadsheet has no text layer to read cells from,
but its rules are still there in the pixels. A horizontal rule is a row of dark pixels running
without a break across at least half the image (a line of text always has gaps between its
characters); between two rules, a column boundary is a column of pixels dark over nearly the
whole band. Bands are read one by one, so a merged cell (a category spanning the table) is one
cell, put in the first column it covers. Each OCRed word goes to the cell holding its centre;
each row carries the mean confidence of its words.

Only a grid of at least two columns and two rows counts: a frame around a box is not a table.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from ingest.ocr import OcrWord, join_words

DARK = 128  # grey level below which a pixel is ink
RULE_SPAN = 0.5  # a horizontal rule runs across at least this share of the image
BORDER_COVER = 0.9  # a column boundary is dark over this share of a band's height


@dataclass(frozen=True, slots=True)
class ImageGrid:
    """Rows of cell texts with their mean word confidence, and the vertical extent of the grid."""

    rows: tuple[tuple[str, ...], ...]
    confidence: tuple[float, ...]
    top: float  # in the words' unit (points on the page)
    bottom: float


def _longest_runs(mask: Any) -> Any:
    """For each row of a boolean array, the length of its longest run of True."""
    import numpy as np

    rows, cols = mask.shape
    padded = np.zeros((rows, cols + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    diff = np.diff(padded, axis=1)
    out = np.zeros(rows, dtype=np.int64)
    starts_r, starts_c = np.nonzero(diff == 1)
    ends_r, ends_c = np.nonzero(diff == -1)
    # np.nonzero walks row by row, so the k-th start and end of a row pair up.
    lengths = ends_c - starts_c
    np.maximum.at(out, starts_r, lengths)
    assert (starts_r == ends_r).all()
    return out


def _groups(indices: list[int], gap: int = 2) -> list[int]:
    """Runs of neighbouring indices (a rule a few pixels thick) as their middles."""
    out: list[list[int]] = []
    for i in indices:
        if out and i - out[-1][-1] <= gap:
            out[-1].append(i)
        else:
            out.append([i])
    return [round(statistics.fmean(g)) for g in out]


def rules(image: Any) -> tuple[list[int], list[list[int]]]:
    """Horizontal rules (pixel rows) and, for each band between two, its column boundaries."""
    import numpy as np

    ink = np.asarray(image.convert("L")) < DARK
    height, width = ink.shape
    horizontal = _groups([int(y) for y in np.nonzero(_longest_runs(ink) >= RULE_SPAN * width)[0]])
    bands: list[list[int]] = []
    for y0, y1 in zip(horizontal, horizontal[1:], strict=False):
        inner = ink[y0 + 3 : y1 - 2]
        if inner.shape[0] < 4:
            bands.append([])
            continue
        cover = inner.mean(axis=0)
        bands.append(_groups([int(x) for x in np.nonzero(cover >= BORDER_COVER)[0]]))
    return horizontal, bands


def _columns(bands: list[list[int]], tolerance: int) -> list[int]:
    """The column boundaries of the whole grid: every band's, merged when a few pixels apart."""
    xs = sorted(x for band in bands for x in band)
    merged: list[list[int]] = []
    for x in xs:
        if merged and x - merged[-1][-1] <= tolerance:
            merged[-1].append(x)
        else:
            merged.append([x])
    return [round(statistics.fmean(m)) for m in merged]


def _cell_text(words: list[OcrWord]) -> str:
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        lines.setdefault(w.line, []).append(w)
    ordered = sorted(lines.values(), key=lambda ws: min(w.top for w in ws))
    return join_words([join_words([w.text for w in sorted(ws, key=lambda w: w.x0)]) for ws in ordered])


def read_grid(image: Any, words: list[OcrWord], scale: float, dx: float = 0.0, dy: float = 0.0) -> ImageGrid | None:
    """The table in ``image`` with ``words`` (in points: pixels × ``scale`` + offset) in its cells."""
    horizontal, bands = rules(image)
    tolerance = max(3, round(0.01 * image.width))
    columns = _columns(bands, tolerance)
    if len(horizontal) < 3 or len(columns) < 3:
        return None
    rows: list[tuple[str, ...]] = []
    confidence: list[float] = []
    for (y0, y1), band in zip(zip(horizontal, horizontal[1:], strict=False), bands, strict=True):
        if len(band) < 2:
            continue
        top, bottom = dy + y0 * scale, dy + y1 * scale
        cells: list[list[OcrWord]] = [[] for _ in columns[:-1]]
        for w in words:
            cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
            if not top <= cy < bottom:
                continue
            px = (cx - dx) / scale
            left = max((b for b in band if b <= px), default=None)
            if left is None or px > band[-1]:
                continue
            col = min(range(len(columns)), key=lambda k: abs(columns[k] - left))
            cells[min(col, len(cells) - 1)].append(w)
        inside = [w for c in cells for w in c]
        if not inside:
            continue
        rows.append(tuple(_cell_text(c) for c in cells))
        known = [w.confidence for w in inside if w.confidence >= 0]
        confidence.append(round(statistics.fmean(known), 1) if known else 0.0)
    if len(rows) < 2:
        return None
    return ImageGrid(tuple(rows), tuple(confidence), dy + horizontal[0] * scale, dy + horizontal[-1] * scale)


__all__ = ["ImageGrid", "read_grid", "rules"]
