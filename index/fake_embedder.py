"""A deterministic, dependency-light embedder for fast unit tests.

It hashes character unigrams and bigrams into a fixed number of buckets, so texts sharing
characters land near each other: enough to exercise FAISS, fusion and caching without a model.
"""

from __future__ import annotations

import hashlib

import numpy as np


class HashEmbedder:
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
