"""Embedder doubles: stand-ins for the embedding model in tests and in ``--hash-embedder`` runs.

``HashEmbedder`` hashes character unigrams and bigrams into a fixed number of buckets, so texts
sharing characters land near each other: enough to exercise FAISS, fusion and caching without a
model. ``SlowEmbedder`` adds a fixed cost to every forward pass; ``cached_hash_embedder`` puts a
hash embedder behind the on-disk embedding cache, as ``load_embedder`` does with the real model.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np

from index.embed_cache import CachedEmbedder, EmbeddingCache


class HashEmbedder:
    """Deterministic, dependency-light vectors; ``calls`` and ``texts_embedded`` count the work."""

    def __init__(self, dim: int = 64, model_id: str = "hash-embedder") -> None:
        self.dim = dim
        self.model_id = f"{model_id}-{dim}"
        self.calls = 0
        self.texts_embedded = 0

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        grams = list(text) + [text[i : i + 2] for i in range(len(text) - 1)]
        for g in grams:
            h = int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 63) == 0 else -1.0
        n = float(np.linalg.norm(v))
        return v / n if n > 0 else v

    def _many(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._one(t) for t in texts])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._many(texts)

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self._many(texts)


class SlowEmbedder(HashEmbedder):
    """A forward pass costs ``cost_s`` whatever the batch, like a small model on a busy CPU.

    ``sizes`` records the size of every batch, queries and passages alike.
    """

    def __init__(self, dim: int = 32, cost_s: float = 0.02) -> None:
        super().__init__(dim=dim)
        self.cost_s = cost_s
        self.sizes: list[int] = []

    def _many(self, texts: list[str]) -> np.ndarray:
        time.sleep(self.cost_s)
        self.sizes.append(len(texts))
        return super()._many(texts)


def cached_hash_embedder(cache_dir: Path, dim: int = 32) -> CachedEmbedder:
    """A hash embedder behind an embedding cache in ``cache_dir``; ``.inner`` is the hash embedder."""
    inner = HashEmbedder(dim=dim)
    return CachedEmbedder(inner, EmbeddingCache(cache_dir, inner.model_id, inner.dim))
