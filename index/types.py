"""What every retriever returns, and the one small interface they share."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ingest.model import Passage

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage with a score and the character ranges (within ``passage.text``) that matched."""

    passage: Passage
    score: float
    highlights: tuple[tuple[int, int], ...] = ()


class Retriever(Protocol):
    """BM25, dense, hybrid and exact-phrase retrievers are interchangeable behind this."""

    def search(self, query: str, top_k: int = 10, doc_ids: list[str] | None = None) -> list[Hit]: ...


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; queries and passages may be prompted differently.

    ``model_id`` names the model and its configuration; an index built with one model id refuses
    to load with another.
    """

    model_id: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray: ...


def wrapped(embedder: object) -> Iterator[object]:
    """``embedder`` and each embedder it wraps (caching, batching: ``.inner``), outermost first."""
    for _ in range(5):
        if embedder is None:
            return
        yield embedder
        embedder = getattr(embedder, "inner", None)
