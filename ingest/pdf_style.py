"""Type in a PDF: the body text's face, the lines set apart from it, the title and heading levels.

An official PDF shows its structure by type as much as by numbering: the title is the largest
text on the first page, 篇 and 章 are larger or bolder than the body, a heading may be set in
another face (黑体 or 楷体 over a 仿宋 body) at the body's size. Everything here is relative to
the document's own body text — the face and size most of its Chinese characters are set in — so
no size is tied to one document or one printer:

- a line is *emphasised* when all its Chinese characters are at least 15 % larger than the body,
  bold where the body is not, or in another face (and not smaller than the body: footnotes and
  captions are not headings);
- the title is the largest emphasised type among the first lines of the first page, with the
  lines around it in the same size (a title wraps; its digits may be in a Latin face);
- an emphasised paragraph without numbering that reads like a heading (short, no closing
  punctuation) is a heading. Its level is the level of numbered headings in the same style when
  there are some; otherwise the deepest level of numbered styles as large and heavy as it, or
  just below the least prominent numbered style that is larger or heavier (at the top when none
  is); in a document with no numbered headings, the ranks of the emphasised styles by size and
  weight.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ingest.pdf_page import Line, PageContent, is_han
from ingest.structure import MAX_HEADING_CHARS, Outline, heading_level, is_contents_entry, split_heading
from ingest.unify import unify

# How much larger than the body type a line must be to stand out by size alone.
LARGER = 1.15
# The title is looked for among this many first lines of the first page.
TITLE_LINES = 8
_CLOSING = re.compile(r"[。；！？：:，,;!?…]['’”」』）)]*$")
# A document number: 国发〔2021〕5号, 津政办发[2020]12号.
_DOC_NUMBER = re.compile(r"[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d{1,4}\s*号")


@dataclass(frozen=True, slots=True)
class BodyStyle:
    """The face and size most of a document's Chinese characters are set in."""

    font: str
    size: float
    bold: bool


@dataclass(frozen=True, slots=True)
class Style:
    """The type of an emphasised line."""

    font: str
    size: float
    bold: bool

    def prominence(self, body: BodyStyle) -> tuple[float, bool]:
        return round(self.size / body.size, 2), self.bold or self.font != body.font


def body_style(lines: Iterable[Line]) -> BodyStyle | None:
    """The body type of a document's text-layer lines (None when no line has a font: OCR)."""
    counts: Counter[tuple[str, float, bool]] = Counter()
    for ln in lines:
        if ln.font and ln.uniform:
            counts[(ln.font, ln.size, ln.bold)] += sum(1 for ch in ln.text if is_han(ch))
    if not counts or counts.most_common(1)[0][1] == 0:
        return None
    (font, size, bold), _ = counts.most_common(1)[0]
    return BodyStyle(font, size, bold)


def emphasis(line: Line, body: BodyStyle | None) -> Style | None:
    """The line's style when all its Chinese characters are set apart from the body text."""
    if body is None or not line.font or not line.uniform or not any(is_han(ch) for ch in line.text):
        return None
    if line.size < 0.95 * body.size:
        return None
    if line.size >= LARGER * body.size or line.bold != body.bold or line.font != body.font:
        return Style(line.font, line.size, line.bold)
    return None


def first_page_title(page: PageContent, dropped: set[int], body: BodyStyle | None) -> tuple[Line, ...]:
    """The lines of the title on the first page: the largest type among its first lines.

    An official document's masthead ("××人民政府文件", in type larger than the title) ends with
    its document number (国发〔2021〕5号); the title is looked for below that number.
    """
    if body is None:
        return ()
    kept = [ln for i, ln in enumerate(page.lines) if i not in dropped]
    number = next((k for k, ln in enumerate(kept[:TITLE_LINES]) if _DOC_NUMBER.search(unify(ln.text))), None)
    first = kept[0 if number is None else number + 1 :][:TITLE_LINES]
    big = [ln for ln in first if ln.size >= LARGER * body.size and not _numbered(ln.text)]
    if not big:
        return ()
    top = max(ln.size for ln in big)
    start = next(i for i, ln in enumerate(first) if ln in big and ln.size == top)
    chosen = [first[start]]
    for ln in first[start + 1 :]:
        prev = chosen[-1]
        if ln.size < 0.85 * top or _numbered(ln.text) or ln.top - prev.bottom > 1.5 * top:
            break
        chosen.append(ln)
    if _CLOSING.search(chosen[-1].text):
        return ()
    return tuple(chosen)


def _numbered(text: str) -> bool:
    return heading_level(unify(text)) is not None


def looks_like_heading(text: str) -> bool:
    """Short and not closed by sentence punctuation: how an unnumbered heading reads (a line of
    a table of contents does not)."""
    return 0 < len(text) <= MAX_HEADING_CHARS and not _CLOSING.search(text) and not is_contents_entry(text)


def heading_levels(
    blocks: Sequence[tuple[str, Style | None]], body: BodyStyle | None, outline: Outline
) -> list[int | None]:
    """For each text block with its style, the level of an unnumbered heading (None otherwise).

    Numbered blocks are left to the numbering (``ingest.structure``); their styles place the
    unnumbered ones.
    """
    out: list[int | None] = [None] * len(blocks)
    if body is None:
        return out
    numbered: dict[Style, Counter[int]] = defaultdict(Counter)
    candidates: list[int] = []
    for i, (text, style) in enumerate(blocks):
        if style is None:
            continue
        split = split_heading(unify(text).strip(), outline)
        if split is not None:
            if split[2] is None:
                numbered[style][split[0]] += 1
        elif looks_like_heading(text):
            candidates.append(i)
    ranks = sorted({blocks[i][1].prominence(body) for i in candidates if blocks[i][1]}, reverse=True)  # type: ignore[union-attr]
    for i in candidates:
        style = blocks[i][1]
        assert style is not None
        if style in numbered:
            out[i] = numbered[style].most_common(1)[0][0]
        elif numbered:
            mine = style.prominence(body)
            levels = [(s.prominence(body), c.most_common(1)[0][0]) for s, c in numbered.items()]
            same = [lv for p, lv in levels if p == mine]
            above = [lv for p, lv in levels if p > mine]
            out[i] = max(same) if same else max(above) + 1 if above else 1
        else:
            out[i] = ranks.index(style.prominence(body)) + 1
    return out


__all__ = [
    "BodyStyle",
    "LARGER",
    "Style",
    "body_style",
    "emphasis",
    "first_page_title",
    "heading_levels",
    "looks_like_heading",
]
