"""Sentences of a passage: the units answers are scored on, embedded once at index time.

The answer stage scores each sentence of a retrieved passage with the dense model as well as
lexically; embedding those sentences while the index is built (through the embedding cache)
means a question costs one model call, not one per candidate sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.textnorm import normalize
from index.types import Embedder, wrapped
from ingest.model import Passage

SENTENCE_RE = re.compile(r"[^。！？!?\n]+[。！？!?]*")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a sentence ends at 。！？ or a line break."""
    return [(m.start(), m.end()) for m in SENTENCE_RE.finditer(text) if m.group().strip()]


def sentence_units(text: str) -> list[str]:
    """The normalised sentences of ``text`` as they are embedded."""
    norm = normalize(text)
    return [norm[a:b].strip() for a, b in sentence_spans(norm) if norm[a:b].strip()]


def sentence_texts(passages: Iterable[Passage]) -> list[str]:
    """Every distinct sentence of ``passages``, in order, as embedded."""
    return list(dict.fromkeys(u for p in passages for u in sentence_units(p.text)))


def embed_sentences(passages: Iterable[Passage], embedder: Embedder, progress: bool = False) -> int:
    """Embed every sentence of ``passages`` so the embedder's cache holds them; returns how many.

    Only worth doing with a caching embedder: without one the vectors would be thrown away.
    """
    if not _caches(embedder):
        return 0
    units = sentence_texts(passages)
    if units:
        embedder.embed_passages(units, progress=progress)
    return len(units)


def _caches(embedder: object) -> bool:
    """Whether ``embedder`` (or one it wraps) keeps what it embeds."""
    return any(getattr(e, "cache", None) is not None for e in wrapped(embedder))
