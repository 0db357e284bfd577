"""Positioned PDF lines re-flowed into paragraphs, headings, tables and boxes, in reading order.

A line continues the paragraph above unless the paragraph above ended (a short last line after
sentence punctuation, or a short line such as a heading), the line is indented, a clearly larger
gap separates them, or it starts with heading numbering after a finished sentence. Justified
Chinese lines end anywhere, even mid-number ("2122个5G基 / 站"), so a line merely stopping short
of the margin never ends a paragraph.

Type decides too (``ingest.pdf_style``): a change between body text and emphasised type ends a
paragraph, and emphasised lines of one style run together only when they are one wrapped
heading (centred lines, or a line reaching the margin). The first page's title is one block.

A sentence is never cut by what the page puts in its way: when the last line reaches the margin
without closing its sentence, the paragraph continues on the next page whatever the indent, and
a table, an OCRed box or the footnotes (the lines in type smaller than the body's at the foot
of the page) met meanwhile are set after the paragraph, not inside it.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ingest.pdf_page import Box, Grid, Line, PageContent
from ingest.pdf_style import BodyStyle, Style, emphasis, heading_levels
from ingest.structure import heading_level, outline_of
from ingest.unify import unify

_PARA_END = re.compile(r"[。！？：；:!?…]['’”」』）)]*$")

# kind ("text" | "table"), text or rows, heading level, page, and an OCRed table's row confidences
Block = tuple[str, Any, int | None, int, tuple[float, ...]]


@dataclass(frozen=True, slots=True)
class Metrics:
    left: float
    right: float
    char: float  # a character's height: the unit for indents and gaps
    pitch: float  # the usual distance from one line's top to the next one's


def metrics(lines: list[Line]) -> Metrics:
    heights = [ln.bottom - ln.top for ln in lines] or [12.0]
    char = statistics.median(heights)
    lefts = Counter(round(ln.x0) for ln in lines)
    left = float(min(x for x, c in lefts.items() if c >= max(1, lefts.most_common(1)[0][1] // 3)))
    right = max(ln.x1 for ln in lines)
    steps = [b.top - a.top for a, b in zip(lines, lines[1:], strict=False) if 0 < b.top - a.top < 4 * char]
    pitch = statistics.median(steps) if steps else char * 1.5
    return Metrics(left, right, char, pitch)


def join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def _numbered(line: Line) -> bool:
    # Numbering is read on unified characters: the text layer may hold "（⼆）" for "（二）".
    return heading_level(unify(line.text)) is not None


def _ends_paragraph(line: Line, m: Metrics) -> bool:
    short = line.x1 < m.right - 1.5 * m.char
    narrow = line.x1 - m.left < 0.7 * (m.right - m.left)
    return (short and bool(_PARA_END.search(line.text))) or narrow


def _starts_paragraph(prev: Line, line: Line, m: Metrics) -> bool:
    if line.x0 > m.left + 0.8 * m.char:  # indented first line
        return True
    if line.page == prev.page and line.top - prev.top > 1.6 * m.pitch:  # a blank line's gap
        return True
    return _numbered(line) and bool(_PARA_END.search(prev.text))


def _runs_on(line: Line, m: Metrics) -> bool:
    """The line reaches the margin and its sentence is not closed: the paragraph goes on."""
    return line.x1 >= m.right - 1.5 * m.char and not _PARA_END.search(line.text)


def _centred(line: Line, m: Metrics) -> bool:
    return line.x0 > m.left + m.char and abs((line.x0 + line.x1) - (m.left + m.right)) / 2 < 1.5 * m.char


def same_columns(a: list[list[str]], b: list[list[str]]) -> bool:
    return bool(a and b) and max(map(len, a)) == max(map(len, b))


class _Flow:
    def __init__(self, page_metrics: dict[int, Metrics], body: BodyStyle | None, title: frozenset[Line]) -> None:
        self.metrics = page_metrics
        self.body = body
        self.title = title
        self.blocks: list[tuple[str, Any, Style | None, int, bool]] = []  # + whether it is the title
        self.para: list[tuple[Line, Style | None]] = []
        self.deferred: list[Grid | Box] = []

    # ------------------------------------------------------------ lines

    def line(self, line: Line) -> None:
        style = emphasis(line, self.body)
        if self.para and self._breaks(line, style):
            self.close()
        self.para.append((line, style))

    def _breaks(self, line: Line, style: Style | None) -> bool:
        last, last_style = self.para[-1]
        if (last in self.title) != (line in self.title):
            return True
        if line in self.title:
            return False
        before, here = self.metrics[last.page], self.metrics[line.page]
        runs_on = _runs_on(last, before) and not _numbered(line)
        if style != last_style:
            # Only emphasis in the body's size and spacing runs on into body text (a bold run-in
            # heading that wraps); a heading in larger type or set apart by space never does.
            same_size = max(line.size, last.size) < 1.1 * min(line.size, last.size)
            spaced = line.page == last.page and line.top - last.top > 1.15 * here.pitch
            return not (runs_on and same_size and not spaced and line.x0 <= here.left + 0.8 * here.char)
        if line.page != last.page and runs_on:
            return False
        if style is not None:
            if _numbered(line) or _PARA_END.search(last.text) or line.page != last.page:
                return True
            if line.top - last.top > max(1.6 * here.pitch, 2 * line.size):
                return True
            return not (runs_on or (_centred(last, before) and _centred(line, here)))
        return _ends_paragraph(last, before) or _starts_paragraph(last, line, here)

    # ------------------------------------------------------------ tables and boxes

    def aside(self, item: Grid | Box) -> None:
        if self.para and _runs_on(self.para[-1][0], self.metrics[self.para[-1][0].page]):
            self.deferred.append(item)
            return
        self.close()
        self._emit(item)

    def _emit(self, item: Grid | Box) -> None:
        if isinstance(item, Box):
            # A box is a flow of its own: its title, its table, the note under it, in that order.
            inner = _Flow({item.page: metrics(list(item.lines))} if item.lines else {}, None, frozenset())
            for _, value in sorted([(ln.top, ln) for ln in item.lines] + [(g.top, g) for g in item.tables],
                                   key=lambda it: it[0]):
                if isinstance(value, Line):
                    inner.line(value)
                else:
                    inner.close()
                    inner._emit(value)
            inner.close()
            self.blocks.extend(inner.blocks)
            return
        prev = self.blocks[-1] if self.blocks else None
        if prev and prev[0] == "table" and prev[3] < item.page and same_columns(prev[1][0], item.rows):
            rows, conf = prev[1]
            more = item.rows[1:] if item.rows[:1] == rows[:1] else item.rows
            extra = item.confidence[len(item.rows) - len(more) :] if item.confidence else ()
            self.blocks[-1] = ("table", (rows + more, conf + extra), None, prev[3], False)
        else:
            self.blocks.append(("table", (item.rows, tuple(item.confidence)), None, item.page, False))

    def close(self) -> None:
        if self.para:
            text = ""
            for ln, _ in self.para:
                text = join(text, ln.text)
            styles = {s for _, s in self.para}
            style = styles.pop() if len(styles) == 1 else None
            first = self.para[0][0]
            self.blocks.append(("text", text, style, first.page, first in self.title))
            self.para.clear()
        deferred, self.deferred = self.deferred, []
        for item in deferred:
            self._emit(item)


def _footnotes(lines: list[Line], body: BodyStyle | None) -> list[Line]:
    """The lines at the foot of a page in type smaller than the body's, below its last body line."""
    if body is None:
        return []
    n = len(lines)
    while n and lines[n - 1].font and lines[n - 1].size < 0.9 * body.size:
        n -= 1
    return lines[n:] if 0 < n < len(lines) else []


def layout_blocks(
    pages: list[PageContent],
    drop: set[tuple[int, int]],
    *,
    body: BodyStyle | None = None,
    title: tuple[Line, ...] = (),
) -> list[Block]:
    """Lines re-flowed into paragraphs, and tables, each with the page it starts on.

    Text blocks carry a heading level where type makes them one: 0 for the title, the level of an
    unnumbered heading; numbered headings are left to ``ingest.structure``. Table blocks carry
    their rows' OCR confidences (none for tables of a text layer).
    """
    text_pages = sum(1 for p in pages if not p.ocr)
    items: list[tuple[int, float, int, Any]] = []
    page_metrics: dict[int, Metrics] = {}
    for p in pages:
        kept = [ln for i, ln in enumerate(p.lines) if (p.number, i) not in drop]
        if p.ocr and 2 * text_pages > len(pages):
            # A page of a text document that is only a picture is a box of its own.
            if kept:
                items.append((p.number, 0.0, 1, Box(p.number, 0.0, tuple(kept))))
            continue
        notes = _footnotes(kept, body)
        if notes:
            kept = kept[: -len(notes)]
            items.append((p.number, notes[0].top, 1, Box(p.number, notes[0].top, tuple(notes))))
        if kept:
            page_metrics[p.number] = metrics(kept)
        items.extend((p.number, ln.top, 0, ln) for ln in kept)
        items.extend((p.number, g.top, 1, g) for g in p.tables)
        items.extend((p.number, b.top, 1, b) for b in p.boxes)
    items.sort(key=lambda it: (it[0], it[1], it[2]))

    flow = _Flow(page_metrics, body, frozenset(title))
    for *_, value in items:
        if isinstance(value, Line):
            flow.line(value)
        else:
            flow.aside(value)
    flow.close()

    texts = [(b[1], b[2]) for b in flow.blocks if b[0] == "text"]
    levels = iter(heading_levels(texts, body, outline_of(unify(t).strip() for t, _ in texts)))
    out: list[Block] = []
    for kind, value, _, page, is_title in flow.blocks:
        if kind == "text":
            level = next(levels)
            out.append((kind, value, 0 if is_title else level, page, ()))
        else:
            out.append((kind, value[0], None, page, value[1]))
    return out


__all__ = ["Block", "Metrics", "join", "layout_blocks", "metrics", "same_columns"]
