"""Cleaning that keeps offsets.

Word exports leave ``[bookmark: _Toc…]`` anchors glued to line starts, and files arrive with CRLF
line ends, byte-order marks or zero-width characters. None of that is content. Cleaning removes it
once, here, and the cleaned text becomes the reference for every span that later stages store;
``Cleaned.raw_offset`` maps a cleaned offset back to the decoded source for anyone who needs it.

Cleaning only ever deletes characters (or swaps a lone ``\\r`` for ``\\n``), so the line structure,
the tab indentation of table cells and every visible character stay where the author put them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Spaces before a marker at a line start come from the same export (the plan's first line has
# one); tabs are kept because they carry the table layout.
_REMOVE = re.compile(
    r"(?m:^ +(?=\[bookmark: ))"  # spaces that only precede a marker at a line start
    r"|\[bookmark: [^\]\n]*\]"  # Word bookmark anchors
    r"|\r(?=\n)"  # CR of CRLF
    r"|[\ufeff\u200b\u200c\u200d\u2060]"  # BOM and zero-width characters
)

BOOKMARK_RE = re.compile(r"\[bookmark: [^\]\n]*\]")


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The cleaned text plus the raw ranges that were cut out of it, in order."""

    text: str
    removed: tuple[tuple[int, int], ...] = ()

    def raw_offset(self, offset: int) -> int:
        """The offset in the uncleaned text of the character at ``offset`` in the cleaned text."""
        raw = offset
        for start, end in self.removed:
            if start <= raw:
                raw += end - start
            else:
                break
        return raw

    @property
    def removed_chars(self) -> int:
        return sum(end - start for start, end in self.removed)


def clean_text(raw: str) -> Cleaned:
    """Remove export artefacts; keep everything else character for character."""
    removed: list[tuple[int, int]] = []
    parts: list[str] = []
    last = 0
    for m in _REMOVE.finditer(raw):
        if m.start() == m.end():
            continue
        parts.append(raw[last : m.start()])
        removed.append((m.start(), m.end()))
        last = m.end()
    parts.append(raw[last:])
    text = "".join(parts).replace("\r", "\n")
    return Cleaned(text=text, removed=tuple(removed))


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


__all__ = ["BOOKMARK_RE", "Cleaned", "clean_text", "line_spans", "strip_span"]
