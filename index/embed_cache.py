"""A persistent cache of passage embeddings keyed by (model id, sha256 of the text).

Re-indexing a corpus after a small edit should cost only the changed passages: everything else is
read back from a small SQLite file. The model id is part of the key, so vectors from another model
or configuration are never mixed in.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from index.types import Embedder, wrapped

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    model_id TEXT NOT NULL,
    text_sha256 BLOB NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model_id, text_sha256)
) WITHOUT ROWID
"""
_CHUNK = 500  # keys per SELECT, below SQLite's bound-parameter limit


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class EmbeddingCache:
    """Vectors of one model id in ``<cache_dir>/embeddings.sqlite``; safe across threads and processes."""

    FILENAME = "embeddings.sqlite"

    def __init__(self, cache_dir: Path, model_id: str, dim: int) -> None:
        self.path = Path(cache_dir).expanduser() / self.FILENAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.model_id = model_id
        self.dim = dim
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.commit()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """The cached vectors among ``keys``; vectors of the wrong size count as missing."""
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        with self._lock:
            for i in range(0, len(unique), _CHUNK):
                chunk = unique[i : i + _CHUNK]
                rows = self._db.execute(
                    "SELECT text_sha256, vector FROM embeddings WHERE model_id = ? AND text_sha256 IN "
                    f"({','.join('?' * len(chunk))})",
                    [self.model_id, *chunk],
                ).fetchall()
                for key, blob in rows:
                    if len(blob) == 4 * self.dim:
                        found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        rows = [(self.model_id, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)", rows)
            self._db.commit()

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM embeddings WHERE model_id = ?", [self.model_id]).fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CachedEmbedder:
    """Wraps an embedder so passages already embedded (by any earlier run) are read, not recomputed.

    Queries are not stored: they are short and rarely repeat. The last few are remembered in
    memory, because answering one question embeds it twice (retrieval, then evidence scoring).
    """

    RECENT_QUERIES = 64

    def __init__(self, inner: Embedder, cache: EmbeddingCache, flush_every: int = 256) -> None:
        self.inner = inner
        self.cache = cache
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.path = getattr(inner, "path", None)
        self.flush_every = flush_every
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._recent_lock:
            got = [self._recent.get(t) for t in texts]
        if all(v is not None for v in got) and texts:
            return np.stack(got).astype(np.float32, copy=False)  # type: ignore[arg-type]
        vectors = np.asarray(self.inner.embed_queries(texts), dtype=np.float32)
        with self._recent_lock:
            for t, v in zip(texts, vectors, strict=True):
                self._recent[t] = v
                self._recent.move_to_end(t)
            while len(self._recent) > self.RECENT_QUERIES:
                self._recent.popitem(last=False)
        return vectors

    def forget_queries(self) -> None:
        """Drop the remembered query embeddings (the next call of each question runs the model)."""
        with self._recent_lock:
            self._recent.clear()

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        vectors = self.cache.get_many(keys)
        missing: dict[bytes, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in vectors:
                missing.setdefault(k, t)
        if missing:
            # Longest first, so each slice batches texts of similar length (little padding).
            todo = sorted(missing.items(), key=lambda kv: -len(kv[1]))
            bar = tqdm(total=len(todo), desc="Embedding passages", unit="passage", disable=not progress)
            # Stored in slices, so an interrupted run keeps what it already paid for.
            for i in range(0, len(todo), self.flush_every):
                part = todo[i : i + self.flush_every]
                embedded = self.inner.embed_passages([t for _, t in part])
                items = [(k, embedded[j]) for j, (k, _) in enumerate(part)]
                self.cache.put_many(items)
                vectors.update(items)
                bar.update(len(part))
            bar.close()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([vectors[k] for k in keys]).astype(np.float32, copy=False)


def forget_queries(embedder: object) -> None:
    """Make ``embedder`` and every embedder it wraps drop the query embeddings they remember."""
    for e in wrapped(embedder):
        forget = getattr(e, "forget_queries", None)
        if callable(forget):
            forget()
