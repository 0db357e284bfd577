"""Micro-batching of query embeddings: concurrent requests share one forward pass.

On a small CPU a forward pass of one short query costs almost as much as one of a dozen: the
cost is in launching the model's layers, not in the extra rows. Under load, requests each
running their own forward contend for the same cores; here one worker thread runs the model,
and every query that arrived while it was busy (or, under load, within ``window_ms`` after the
first) goes into its next batch. A request reaching an idle worker runs at once. Passage embedding (index
builds) passes straight through.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from typing import Any

import numpy as np

from index.types import Embedder

log = logging.getLogger("planqa")

BUSY_S = 0.05  # a forward that ended this recently means requests are arriving back to back


class BatchingEmbedder:
    """An ``Embedder`` whose ``embed_queries`` calls from many threads are batched together."""

    def __init__(self, inner: Embedder, window_ms: float = 3.0, max_batch: int = 32) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.window_s = max(0.0, window_ms) / 1000.0
        self.max_batch = max(1, int(max_batch))
        self._queue: queue.SimpleQueue[tuple[list[str], Future] | None] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._last_end = float("-inf")
        self.batches = 0  # forwards run, and queries they carried: the batching ratio, for tests
        self.queries = 0

    def __getattr__(self, name: str) -> Any:
        # path, cache, precision …: whatever the wrapped embedder offers
        return getattr(self.__dict__["inner"], name)

    def _ensure_worker(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            return
        with self._start_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="query-embedder", daemon=True)
                self._worker.start()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) >= self.max_batch:
            return self.inner.embed_queries(texts)  # already a full batch
        fut: Future = Future()
        self._ensure_worker()
        self._queue.put((texts, fut))
        return fut.result()

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self.inner.embed_passages(texts, progress=progress)

    def close(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            self._queue.put(None)
            self._worker.join(timeout=5)

    # ---- worker --------------------------------------------------------------------------------
    def _collect(self, first: tuple[list[str], Future]) -> tuple[list[tuple[list[str], Future]], bool]:
        batch = [first]
        size = len(first[0])
        # Wait for companions only under load (a forward ended moments ago): an idle server runs
        # a lone question at once, so batching costs single requests nothing.
        busy = time.monotonic() - self._last_end < BUSY_S
        deadline = time.monotonic() + (self.window_s if busy else 0.0)
        stop = False
        while size < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    item = self._queue.get(timeout=left)
                except queue.Empty:
                    break
            if item is None:
                stop = True
                break
            batch.append(item)
            size += len(item[0])
        return batch, stop

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = self._collect(first)
            texts = [t for ts, _ in batch for t in ts]
            try:
                vecs = self.inner.embed_queries(texts)
            except BaseException as e:  # every waiting request gets the failure, the worker lives on
                for _, fut in batch:
                    fut.set_exception(e)
            else:
                self.batches += 1
                self.queries += len(texts)
                start = 0
                for ts, fut in batch:
                    fut.set_result(vecs[start : start + len(ts)])
                    start += len(ts)
            self._last_end = time.monotonic()
            if stop:
                return


def wrap_for_serving(embedder: Embedder, window_ms: float, max_batch: int) -> Embedder:
    """``embedder`` batched for concurrent queries, or unchanged when the window is 0.

    Behind a caching wrapper (``CachedEmbedder``) the model inside it is batched instead, so a
    question answered from the cache never waits for the batching worker.
    """
    if window_ms <= 0 or isinstance(embedder, BatchingEmbedder):
        return embedder
    inner = getattr(embedder, "inner", None)
    if inner is not None and hasattr(embedder, "cache"):
        if not isinstance(inner, BatchingEmbedder):
            embedder.inner = BatchingEmbedder(inner, window_ms, max_batch)  # type: ignore[attr-defined]
        return embedder
    return BatchingEmbedder(embedder, window_ms, max_batch)
