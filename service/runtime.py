"""The heavy objects of a running planqa, built once: settings, embedder, index, answer engine.

HTTP routes, the command line and the UI all call these methods, so there is one implementation
of search and answering. The loaded index is swapped as a whole (one reference assignment) when
documents change, so a request always sees one consistent index.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from index.types import Embedder, Hit
from ingest.errors import IndexError_, InvalidRequest, NotFound
from ingest.model import Document
from service.settings import Settings

if TYPE_CHECKING:
    from service.answer.engine import Answer


class IndexNotReady(IndexError_):
    """The server is up but has no usable index yet (HTTP 503)."""


@dataclass(frozen=True)
class SearchResult:
    query: str
    mode: str
    total: int
    took_ms: float
    hits: list[Hit]
    per_doc: dict[str, int] = field(default_factory=dict)


MODES = ("hybrid", "semantic", "keyword", "exact")


class Runtime:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._lock = threading.RLock()
        self.index: Any = None
        self.engine: Any = None
        self.load_error: str | None = None

    # ---- life cycle -------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                from index.embedder import load_embedder

                s = self.settings
                self._embedder = load_embedder(
                    s.embedding_model, s.model_dir, s.embedding_cache_dir, s.embedding_batch_size
                )
            return self._embedder

    def build(self, force: bool = False, progress: bool = False) -> bool:
        """Build the index of the corpus when stale (or always with ``force``); True if built."""
        from index.builder import build_from_corpus

        with self._lock:
            return build_from_corpus(
                self.settings, lambda: self.embedder, force=force, progress=progress
            )

    def load(self) -> None:
        """Load the index from disk; on failure keep serving what was loaded before, if anything."""
        from index.store import load_index

        from service.answer.engine import AnswerEngine
        from service.answer.llm import client_from_settings

        with self._lock:
            try:
                idx = load_index(self.settings.index_dir, self.embedder, self.settings)
            except IndexError_ as e:
                self.load_error = str(e)
                raise
            self.engine = AnswerEngine(idx, idx.hybrid, llm=client_from_settings(self.settings))
            self.index = idx
            self.load_error = None

    def require_index(self) -> Any:
        idx = self.index
        if idx is None:
            raise IndexNotReady(self.load_error or "the index is not loaded yet; run `planqa index`")
        return idx

    # ---- queries ------------------------------------------------------------------------------
    def doc_title(self, doc_id: str) -> str:
        doc = self.require_index().documents.get(doc_id)
        return doc.title if doc is not None else doc_id

    def documents(self) -> list[Document]:
        return list(self.require_index().documents.values())

    def document(self, doc_id: str) -> Document:
        doc = self.require_index().documents.get(doc_id)
        if doc is None:
            raise NotFound(f"no document with id '{doc_id}'")
        return doc

    def passage(self, passage_id: str) -> Hit:
        idx = self.require_index()
        p = idx.passages.get(passage_id)
        if p is None:
            raise NotFound(f"no passage with id '{passage_id}'")
        return Hit(passage=p, score=0.0)

    def _check_doc_ids(self, doc_ids: list[str] | None) -> None:
        if doc_ids:
            docs = self.require_index().documents
            unknown = [d for d in doc_ids if d not in docs]
            if unknown:
                raise NotFound(f"no document with id '{unknown[0]}'")

    def search(
        self, query: str, mode: str = "hybrid", top_k: int = 10, doc_ids: list[str] | None = None
    ) -> SearchResult:
        if mode not in MODES:
            raise InvalidRequest(f"unknown mode '{mode}'; use one of {', '.join(MODES)}")
        idx = self.require_index()
        self._check_doc_ids(doc_ids)
        t0 = time.perf_counter()
        if mode == "exact":
            res = idx.exact.find(query, doc_ids=doc_ids)
            hits, total, per_doc = list(res.hits), res.total, dict(res.per_doc)
            hits = hits[:top_k]
        else:
            retriever = {"hybrid": idx.hybrid, "semantic": idx.dense, "keyword": idx.bm25}[mode]
            hits = retriever.search(query, top_k=top_k, doc_ids=doc_ids)
            total = len(hits)
            per_doc: dict[str, int] = {}
            for h in hits:
                per_doc[h.passage.doc_id] = per_doc.get(h.passage.doc_id, 0) + 1
        took = (time.perf_counter() - t0) * 1000
        return SearchResult(query, mode, total, took, hits, per_doc)

    def ask(self, question: str, top_k: int = 5, doc_ids: list[str] | None = None) -> Answer:
        self.require_index()
        self._check_doc_ids(doc_ids)
        return self.engine.ask(question, top_k=top_k, doc_ids=doc_ids)

    def ask_stream(
        self, question: str, top_k: int = 5, doc_ids: list[str] | None = None
    ) -> Iterator[str | Answer]:
        """Text chunks of the answer as they are ready, then the final ``Answer``."""
        self.require_index()
        self._check_doc_ids(doc_ids)
        return self.engine.stream(question, top_k=top_k, doc_ids=doc_ids)
