"""Cleaning that keeps offsets.

Word exports leave ``[bookmark: _Toc…]`` anchors glued to line starts, and files arrive with CRLF
line ends, byte-order marks or zero-width characters. None of that is content. Cleaning removes it
once, here, and the cleaned text becomes the reference for every span that later stages store;
``Cleaned.raw_offset`` maps a cleaned offset back to the decoded source for anyone who needs it.

PDF text layers (and some fonts' copy-paste) carry compatibility forms where the author typed an
ordinary character: Kangxi radicals for 一 十 人, radical-supplement forms for 民 长, "⸺" for
"——". They look the same but match nothing a reader types, and heading numbering ("⼀、") goes
unrecognised, so cleaning maps them to the ordinary characters with the same table the search
normaliser uses (``ingest.unify.unify``); a two- or three-em dash becomes the two em dashes a
Chinese text writes, the one place where cleaning lengthens the text.

Otherwise cleaning only deletes characters (or swaps a lone ``\\r`` for ``\\n``), so the line
structure, the tab indentation of table cells and every visible character stay where the author
put them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.unify import unify, unify_changes

# Spaces before a marker at a line start come from the same export (the plan's first line has
# one); tabs are kept because they carry the table layout.
_EDIT = re.compile(
    r"(?m:^ +(?=\[bookmark: ))"  # spaces that only precede a marker at a line start
    r"|\[bookmark: [^\]\n]*\]"  # Word bookmark anchors
    r"|\r(?=\n)"  # CR of CRLF
    r"|[\ufeff\u200b\u200c\u200d\u2060]"  # BOM and zero-width characters
    r"|(?P<long_dash>[\u2e3a\u2e3b])"  # two- and three-em dashes → "——"
)
LONG_DASH = "\u2014\u2014"

BOOKMARK_RE = re.compile(r"\[bookmark: [^\]\n]*\]")


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The cleaned text plus the raw ranges that were edited, in order.

    ``edits`` holds ``(raw_start, raw_end, cleaned_length)``: the raw range became that many
    characters (0 for a deletion).
    """

    text: str
    edits: tuple[tuple[int, int, int], ...] = ()
    normalised_chars: int = 0

    def raw_offset(self, offset: int) -> int:
        """The offset in the uncleaned text of the character at ``offset`` in the cleaned text."""
        shift = 0  # raw offset - cleaned offset, before the current edit
        for start, end, length in self.edits:
            at = start - shift  # where this edit's output starts in the cleaned text
            if offset < at:
                break
            if offset < at + length:
                return start + min(offset - at, end - start - 1)
            shift += (end - start) - length
        return offset + shift

    @property
    def removed(self) -> tuple[tuple[int, int], ...]:
        """Raw ranges deleted outright."""
        return tuple((s, e) for s, e, n in self.edits if n == 0)

    @property
    def removed_chars(self) -> int:
        return sum(end - start for start, end, n in self.edits if n == 0)


def clean_text(raw: str) -> Cleaned:
    """Remove export artefacts and unify compatibility characters; keep everything else."""
    edits: list[tuple[int, int, int]] = []
    parts: list[str] = []
    last = 0
    normalised = 0
    for m in _EDIT.finditer(raw):
        if m.start() == m.end():
            continue
        parts.append(raw[last : m.start()])
        if m.group("long_dash"):
            parts.append(LONG_DASH)
            edits.append((m.start(), m.end(), len(LONG_DASH)))
            normalised += 1
        else:
            edits.append((m.start(), m.end(), 0))
        last = m.end()
    parts.append(raw[last:])
    text = "".join(parts).replace("\r", "\n")
    normalised += unify_changes(text)
    return Cleaned(text=unify(text), edits=tuple(edits), normalised_chars=normalised)


def line_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every line, without its newline."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer("\n", text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow ``(start, end)`` so it neither starts nor ends with whitespace (incl. U+3000)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


__all__ = ["BOOKMARK_RE", "Cleaned", "LONG_DASH", "clean_text", "line_spans", "strip_span"]
