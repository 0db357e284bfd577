"""Fixed-size character chunking, the way a typical RAG pipeline cuts a document.

The peer pipelines planqa is compared with cut the cleaned document text into windows of
``size`` characters that overlap by ``overlap`` characters, with no regard for sentences,
headings or table rows. Chunks keep their offsets so a hit can be traced back to its source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Chunk:
    """A window of a source text; ``source`` is the document (or passage) it was cut from."""

    id: str
    source: str
    text: str
    start: int
    end: int


def windows(length: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """``(start, end)`` windows of ``size`` covering ``[0, length)``, consecutive ones sharing
    ``overlap`` characters; the last window ends at ``length`` (it may be shorter)."""
    if size <= 0:
        raise ValueError("size must be positive")
    if not 0 <= overlap < size:
        raise ValueError("overlap must be at least 0 and smaller than size")
    if length <= 0:
        return []
    step = size - overlap
    out: list[tuple[int, int]] = []
    start = 0
    while True:
        end = min(start + size, length)
        out.append((start, end))
        if end >= length:
            return out
        start += step


def chunk_text(source: str, text: str, size: int, overlap: int) -> list[Chunk]:
    """Chunks of ``text``; windows holding only whitespace are dropped."""
    out = []
    for n, (s, e) in enumerate(windows(len(text), size, overlap)):
        piece = text[s:e]
        if piece.strip():
            out.append(Chunk(f"{source}#c{n}", source, piece, s, e))
    return out


def chunk_all(sources: Iterable[tuple[str, str]], size: int, overlap: int) -> list[Chunk]:
    """Chunks of every ``(source id, text)`` pair, in order."""
    return [c for sid, text in sources for c in chunk_text(sid, text, size, overlap)]
