"""Document structure: headings, the heading path of every paragraph, and where tables stand.

Chinese government documents number their headings in a fixed style, and that numbering (not
typography, which a text export loses) is what tells the levels apart:

====  ===============================  ==========================================
1     ``一、`` … and ``附件N：``          chapter (an appendix counts as a chapter)
2     ``（一）`` …                        section
3     ``1.`` / ``1、`` …                 item
4     ``—`` / ``——`` target lines        a target or highlight under its section
====  ===============================  ==========================================

Long plans (a five-year plan's outline) put ``第X篇`` / ``第X章`` / ``第X节`` above these. Levels
are relative to the document: the ones of those three a document uses as headings come first
(an outline of 篇, 章 and 节 makes them 1–3 and pushes ``一、`` to 4), so a report without them
keeps the levels of the table. A line of a table of contents ("第一章 发展环境……3") is not a
heading.

A heading either stands on its own line or is run into its paragraph
(``1.工业质量效益稳步提升。“十三五”时期，…``): then the heading is the text up to the first 。
and the paragraph is the rest. Run-in items and targets (levels 3–4) head only their own
paragraph: in these documents the plain paragraph after a run of them sums up the enclosing
section, not the last item. Everything else heads what follows until a heading of the same or a
higher level. A short first line without sentence punctuation is the document title (level 0),
kept out of heading paths.

Markdown ``#`` headings and docx heading styles give levels directly (as hints by line).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ingest.clean import line_spans, strip_span
from ingest.model import Heading
from ingest.tables import RawTable, parse_pipe_grid, parse_tab_grid, unit_from_line

_CN = "一二三四五六七八九十百零〇两"
# Part, chapter and section of a long plan, above the numbering every document uses.
PART, CHAPTER, SECTION = "篇", "章", "节"
_OUTLINE = re.compile(rf"^第\s*[{_CN}0-9０-９]{{1,4}}\s*([{PART}{CHAPTER}{SECTION}])(?![0-9０-９])")
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^[{_CN}]{{1,3}}、")),
    (1, re.compile(r"^附件\s*[0-9０-９一二三四五六七八九十]{0,3}\s*(?:[:：]|$)")),
    (2, re.compile(rf"^[（(][{_CN}]{{1,3}}[）)]")),
    (3, re.compile(r"^[0-9０-９]{1,2}\s*[.．、](?![0-9０-９])")),
    (4, re.compile(r"^[—―]{1,2}(?=\S)")),
)
# An entry of a table of contents: dot leaders, then the page number.
_TOC_ENTRY = re.compile(r"(?:[.．·…⋯・]\s*){3,}\s*[0-9０-９]{1,4}\s*$|[…⋯]{2,}\s*[0-9０-９]{1,4}\s*$")
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
# A heading line is short; a numbered line longer than this without an early 。 is a paragraph.
MAX_HEADING_CHARS = 60
_SENTENCE_PUNCT = re.compile(r"[。；！？]")
_TITLE_BAN = re.compile(r"[。；！？：:，,]")

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class ParagraphBlock:
    """A body paragraph: its span in the cleaned text and its heading path."""

    span: Span
    section: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TableBlock:
    """A table grid with what surrounds it: caption, unit line and heading path."""

    raw: RawTable
    title: str
    unit: str | None
    section: tuple[str, ...]
    span: Span  # from the caption (if any) to the last cell


@dataclass(frozen=True, slots=True)
class Layout:
    title: str | None
    headings: tuple[Heading, ...]
    paragraphs: tuple[ParagraphBlock, ...]
    tables: tuple[TableBlock, ...]


_BASE = {PART: -2, CHAPTER: -1, SECTION: 0}


def _base_level(line: str) -> int | None:
    """The numbering's place in the fixed order: 篇 −2, 章 −1, 节 0, then 1–4 as in the table."""
    s = line.lstrip()
    m = _OUTLINE.match(s)
    if m:
        return _BASE[m.group(1)]
    for level, pattern in _MARKERS:
        if pattern.match(s):
            return level
    return None


@dataclass(frozen=True, slots=True)
class Outline:
    """Which of 第X篇 / 第X章 / 第X节 a document uses as headings, and so every numbering's level."""

    kinds: tuple[str, ...] = ()  # in the order 篇, 章, 节

    def level(self, base: int) -> int:
        if base <= 0:
            kind = next(k for k, b in _BASE.items() if b == base)
            return self.kinds.index(kind) + 1 if kind in self.kinds else 1
        return base + len(self.kinds)


def heading_level(line: str, outline: Outline | None = None) -> int | None:
    """The level its numbering gives a line (1 ``一、``/``附件N：``, 2 ``（一）``, 3 ``1.``, 4 ``—``).

    Without the document's ``outline`` a ``第X篇/章/节`` line is a chapter (level 1).
    """
    base = _base_level(line)
    return None if base is None else (outline or Outline()).level(base)


def _split(line: str) -> tuple[int, int, int | None] | None:
    """``split_heading`` with the numbering's base level (see ``_base_level``)."""
    base = _base_level(line)
    if base is None or _TOC_ENTRY.search(line):
        return None
    if not _SENTENCE_PUNCT.search(line) and len(line) <= MAX_HEADING_CHARS:
        return base, len(line), None
    stop = line.find("。")
    if stop < 0 or stop > MAX_HEADING_CHARS:
        return None
    body = stop + 1
    while body < len(line) and line[body].isspace():
        body += 1
    if body >= len(line):
        return base, stop, None
    return base, stop, body


def split_heading(line: str, outline: Outline | None = None) -> tuple[int, int, int | None] | None:
    """Classify a stripped line: ``(level, heading_end, body_start)`` or None for a paragraph.

    ``body_start`` is None for a heading on its own line; for a run-in heading it is the offset
    just after the first 。 (the heading text is ``line[:heading_end]`` without the 。).
    """
    split = _split(line)
    if split is None:
        return None
    return (outline or Outline()).level(split[0]), split[1], split[2]


def is_contents_entry(line: str) -> bool:
    """A line of a table of contents: dot leaders, then a page number."""
    return _TOC_ENTRY.search(line) is not None


def outline_of(lines: Iterable[str]) -> Outline:
    """The 篇/章/节 kinds that head lines of a document (stripped lines, in any order)."""
    found: set[str] = set()
    for line in lines:
        m = _OUTLINE.match(line)
        if m and _split(line) is not None:
            found.add(m.group(1))
    return Outline(tuple(k for k in (PART, CHAPTER, SECTION) if k in found))


def _looks_like_title(line: str) -> bool:
    return (
        0 < len(line) <= 40
        and heading_level(line) is None
        and not _TITLE_BAN.search(line)
        and not line.startswith(("\t", "|", "#"))
    )


def _is_caption(line: str) -> bool:
    return 0 < len(line) <= MAX_HEADING_CHARS and not _SENTENCE_PUNCT.search(line)


class _Builder:
    def __init__(self, text: str) -> None:
        self.text = text
        self.stack: list[tuple[int, str]] = []
        self.headings: list[Heading] = []
        self.paragraphs: list[ParagraphBlock] = []
        self.tables: list[TableBlock] = []
        self.last_heading_end = -1

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(t for _, t in self.stack)

    def open_heading(self, level: int, span: Span, scoped: bool = True) -> None:
        text = self.text[span[0] : span[1]]
        self.headings.append(Heading(level=level, text=text, span=span))
        self.stack = [(lv, t) for lv, t in self.stack if lv < level]
        if scoped:
            self.stack.append((level, text))
        self.last_heading_end = span[1]

    def paragraph(self, span: Span, extra: tuple[str, ...] = ()) -> None:
        self.paragraphs.append(ParagraphBlock(span=span, section=self.path + extra))

    def table(self, raw: RawTable) -> None:
        # Caption and unit lines directly above the grid belong to it, not to the body text.
        unit: str | None = None
        title = ""
        start = raw.span[0]
        for _ in range(2):
            if not self.paragraphs:
                break
            prev = self.paragraphs[-1]
            line = self.text[prev.span[0] : prev.span[1]]
            if self.text[prev.span[1] : start].strip() or "\n" in line:
                break
            found_unit = unit_from_line(line)
            if found_unit and unit is None:
                unit = found_unit
            elif not title and _is_caption(line):
                title = line
            else:
                break
            self.paragraphs.pop()
            start = prev.span[0]
        if not title and self.stack and not self.text[self.last_heading_end : start].strip():
            title = self.stack[-1][1]
        self.tables.append(
            TableBlock(raw=raw, title=title, unit=unit, section=self.path, span=(start, raw.span[1]))
        )


def parse_layout(
    text: str,
    *,
    markdown: bool = False,
    heading_hints: Mapping[int, int] | None = None,
) -> Layout:
    """Find headings, paragraphs (with heading paths) and tables in cleaned text.

    Lines are paragraphs, except in Markdown, where consecutive lines form one. ``heading_hints``
    maps a line number to a heading level that the source format states (docx heading styles).
    """
    hints = heading_hints or {}
    lines = line_spans(text)
    outline = outline_of(text[s:e].strip() for s, e in lines if not text.startswith("\t", s))
    b = _Builder(text)
    title: str | None = None
    seen_content = False
    md_para: list[Span] = []

    def flush_md() -> None:
        if md_para:
            b.paragraph((md_para[0][0], md_para[-1][1]))
            md_para.clear()

    no_grid_until = -1  # lines already known not to start a table
    i = 0
    while i < len(lines):
        ls, le = lines[i]
        raw_line = text[ls:le]
        s, e = strip_span(text, ls, le)
        line = text[s:e]
        if not line:
            flush_md()
            i += 1
            continue

        # Tables: tab-indented cell lines, or Markdown pipes.
        grid: RawTable | None = None
        j = i
        if raw_line.startswith("\t") and i >= no_grid_until:
            j = i
            while j < len(lines) and (
                text[lines[j][0] : lines[j][1]].startswith("\t")
                or not text[lines[j][0] : lines[j][1]].strip()
            ):
                j += 1
            grid = parse_tab_grid(text, lines[i:j])
            if grid is None:
                no_grid_until = j
        elif markdown and line.startswith("|") and i >= no_grid_until:
            j = i
            while j < len(lines) and text[lines[j][0] : lines[j][1]].lstrip().startswith("|"):
                j += 1
            grid = parse_pipe_grid(text, lines[i:j])
            if grid is None:
                no_grid_until = j
        if grid is not None:
            flush_md()
            b.table(grid)
            seen_content = True
            i = j
            continue

        hint = hints.get(i)
        md = _MD_HEADING.match(raw_line) if markdown else None
        if hint is not None or md:
            flush_md()
            if md:
                s, e = strip_span(text, ls + md.start(2), ls + md.end(2))
                level = len(md.group(1))
            else:
                level = hint if hint is not None else 1
            if e > s:
                if level == 0:
                    title = title or text[s:e]
                    b.headings.append(Heading(level=0, text=text[s:e], span=(s, e)))
                else:
                    b.open_heading(level, (s, e))
            seen_content = True
            i += 1
            continue

        if not seen_content and not b.headings and _looks_like_title(line) and i + 1 < len(lines):
            title = line
            b.headings.append(Heading(level=0, text=line, span=(s, e)))
            seen_content = True
            i += 1
            continue
        seen_content = True

        split = _split(line)
        # A target line only counts as a heading inside a section (not a subtitle before one).
        if split and split[0] == 4 and not b.stack:
            split = None
        if split is None:
            if markdown:
                md_para.append((s, e))
            else:
                b.paragraph((s, e))
            i += 1
            continue

        flush_md()
        base, head_end, body_start = split
        level = outline.level(base)
        if body_start is None:
            b.open_heading(level, (s, s + head_end))
        elif base >= 3:  # a run-in item or target heads its own paragraph only
            head = (s, s + head_end)
            b.open_heading(level, head, scoped=False)
            b.paragraph((s + body_start, e), extra=(text[head[0] : head[1]],))
        else:
            b.open_heading(level, (s, s + head_end))
            b.paragraph((s + body_start, e))
        i += 1
    flush_md()
    return Layout(
        title=title,
        headings=tuple(b.headings),
        paragraphs=tuple(b.paragraphs),
        tables=tuple(b.tables),
    )


__all__ = [
    "Layout",
    "MAX_HEADING_CHARS",
    "Outline",
    "ParagraphBlock",
    "TableBlock",
    "heading_level",
    "is_contents_entry",
    "outline_of",
    "parse_layout",
    "split_heading",
]
