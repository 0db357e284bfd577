"""A PDF page as positioned lines with their type, tables and OCRed boxes: the records of the PDF loader.

Lines are built from the page's characters rather than taken from pdfminer's text lines, for two
reasons found in real files:

- the typeface, size and weight of a line are what tell a heading from body text once the
  numbering is not enough (an unnumbered 前言, a title), so each line keeps them;
- a line's characters need not share a baseline: digits set in a Latin font ("2035" in a title
  of CJK characters) sit a few points higher or lower, and grouping characters by their top edge
  put them on a line of their own, cutting the title in two. Characters join a line when their
  vertical extents overlap by half the smaller one.

Spaces are kept where the PDF has a space character, and added only between two Latin letters or
digits set apart: a justified CJK line spreads its characters, and a gap between "增长" and
"5.4%" is layout, not a space a reader would type.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Weights a font name states ("SimHei" and the like are told apart by being another face than the body's).
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demibold|[-,]medium\b", re.IGNORECASE)
_SUBSET = re.compile(r"^[A-Z]{6}\+")
# Chinese characters, including the radicals and compatibility forms PDF text layers use for them.
_HAN = re.compile(r"[\u2e80-\u2fdf\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def is_han(ch: str) -> bool:
    return bool(_HAN.match(ch))


@dataclass(frozen=True, slots=True)
class Line:
    """One text line of a page, in points from the page's top-left corner, with its type.

    ``size``, ``font`` and ``bold`` describe the line's Chinese characters (all of them when it
    has none); ``uniform`` says whether they all share one face and size (a run-in heading in
    bold followed by body text does not). OCRed lines have no font.
    """

    page: int  # 1-based
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    size: float = 0.0
    font: str = ""
    bold: bool = False
    uniform: bool = True


@dataclass(frozen=True, slots=True)
class Grid:
    """A table found on a page; OCRed tables carry each row's mean word confidence (0–100)."""

    page: int
    top: float
    rows: list[list[str]]
    confidence: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Box:
    """Lines and tables set apart from a page's text flow: a picture inside a text page read by
    OCR (a 专栏 box, a table printed as an image, with the OCR's mean confidence), or footnotes.

    A paragraph running around a box continues after it; the box follows the paragraph.
    """

    page: int
    top: float
    lines: tuple[Line, ...]
    tables: tuple[Grid, ...] = ()
    confidence: float | None = None


@dataclass
class PageContent:
    number: int
    width: float
    height: float
    lines: list[Line]
    tables: list[Grid]
    ocr: bool = False
    boxes: list[Box] = field(default_factory=list)


def _face(c: dict[str, Any]) -> str:
    return _SUBSET.sub("", str(c.get("fontname", "")))


def _latin(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "%.,+-")


def _cluster(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Characters grouped into lines by vertical overlap, top to bottom."""
    ordered = sorted(chars, key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"]))
    groups: list[tuple[float, float, list[dict[str, Any]]]] = []
    for c in ordered:
        top, bottom = float(c["top"]), float(c["bottom"])
        if groups:
            gtop, gbottom, members = groups[-1]
            overlap = min(bottom, gbottom) - max(top, gtop)
            if overlap > 0 and overlap >= 0.5 * min(bottom - top, gbottom - gtop):
                groups[-1] = (min(gtop, top), max(gbottom, bottom), members + [c])
                continue
        groups.append((top, bottom, [c]))
    return [members for _, _, members in groups]


def _line(page: int, chars: list[dict[str, Any]]) -> Line | None:
    chars = sorted(chars, key=lambda c: c["x0"])
    kept: list[dict[str, Any]] = []
    doubled = 0
    for c in chars:
        prev = kept[-1] if kept else None
        # Bold faked by printing each character twice, a hair apart.
        if (
            prev is not None
            and c["text"] == prev["text"]
            and abs(c["x0"] - prev["x0"]) < min(0.25 * (prev["x1"] - prev["x0"]), 0.15 * float(c["size"]))
            and abs(c["top"] - prev["top"]) < 0.15 * float(c["size"])
        ):
            doubled += 1
            continue
        kept.append(c)
    text = ""
    prev = None
    for c in kept:
        ch = c["text"]
        if ch.isspace():
            if text and not text.endswith(" "):
                text += " "
            prev = None
            continue
        if (
            prev is not None
            and _latin(prev["text"][-1:])
            and _latin(ch[:1])
            and c["x0"] - prev["x1"] > 0.25 * float(c["size"])
            and not text.endswith(" ")
        ):
            text += " "
        text += ch
        prev = c
    text = text.strip()
    if not text:
        return None
    visible = [c for c in kept if not c["text"].isspace()]
    typed = [c for c in visible if is_han(c["text"])] or visible
    styles = Counter((_face(c), round(float(c["size"]) * 2) / 2) for c in typed)
    (font, size), _ = styles.most_common(1)[0]
    return Line(
        page,
        min(float(c["top"]) for c in visible),
        max(float(c["bottom"]) for c in visible),
        float(visible[0]["x0"]),
        float(visible[-1]["x1"]),
        text,
        size=size,
        font=font,
        bold=bool(_BOLD_NAME.search(font)) or doubled >= max(1, len(visible) // 2),
        uniform=len(styles) == 1,
    )


def lines_from_chars(page: int, chars: Iterable[dict[str, Any]]) -> list[Line]:
    """The text lines of a page's characters, top to bottom (upright text only)."""
    usable = [c for c in chars if c.get("upright", True) and c.get("text")]
    lines = [_line(page, group) for group in _cluster(usable)]
    return [ln for ln in lines if ln is not None]


__all__ = ["Box", "Grid", "Line", "PageContent", "is_han", "lines_from_chars"]
