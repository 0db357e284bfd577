"""What an index build from a corpus directory needs to know, and the one copy of its defaults.

This module imports nothing heavy, so the service's settings can take their defaults from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

HNSW_THRESHOLD = 50_000
"""Above this many passages the dense index is HNSW instead of exact inner product."""


class HasBuildSettings(Protocol):
    """The attributes ``BuildOptions.from_settings`` reads (``service.settings.Settings`` has them)."""

    corpus_dir: Path
    index_dir: Path
    embedding_model: str
    hnsw_threshold: int


@dataclass(frozen=True)
class BuildOptions:
    """Where the corpus is, where its index goes, and how the index is built."""

    corpus_dir: Path
    index_dir: Path
    embedding_model: str | None = None  # the configured model name, recorded in the manifest
    hnsw_threshold: int = HNSW_THRESHOLD

    def __post_init__(self) -> None:
        object.__setattr__(self, "corpus_dir", Path(self.corpus_dir))
        object.__setattr__(self, "index_dir", Path(self.index_dir))

    @classmethod
    def from_settings(cls, settings: HasBuildSettings) -> BuildOptions:
        """The build options of the service's settings (or anything with the same attributes)."""
        return cls(
            corpus_dir=settings.corpus_dir,
            index_dir=settings.index_dir,
            embedding_model=settings.embedding_model,
            hnsw_threshold=settings.hnsw_threshold,
        )
