"""The heavy objects of a running planqa, built once: settings, embedder, index, answer engine.

HTTP routes, the command line and the UI all call these methods, so there is one implementation
of search and answering. The loaded index and its answer engine live in one ``Live`` record that
is swapped with a single reference assignment when documents change: a request reads it once and
sees one consistent index for its whole life, and searches keep being served while a rebuild runs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from index.filters import DocFilter
from index.types import Embedder, Hit
from ingest.errors import IndexError_, IndexNotReady, InvalidRequest, NotFound
from ingest.model import Document
from service.settings import Settings

if TYPE_CHECKING:
    import numpy as np

    from index.milvus.loader import MilvusIndex
    from index.milvus.schema import Connection
    from index.store import SearchIndex
    from service.answer.engine import Answer, AnswerEngine
    from service.timeline import Timeline

    ServedIndex = SearchIndex | MilvusIndex  # the local index files or the Milvus collections

log = logging.getLogger("planqa")


@dataclass(frozen=True)
class SearchResult:
    query: str
    mode: str
    total: int
    took_ms: float
    hits: list[Hit]
    per_doc: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Live:
    """What requests read: an index and the engine answering over it, always replaced together."""

    index: ServedIndex
    engine: AnswerEngine


MODES = ("hybrid", "semantic", "keyword", "exact")


class _ModelStandIn:
    """Has the identity of the model an index was built with; checking files never embeds."""

    def __init__(self, model_id: str, dim: int) -> None:
        self.model_id = model_id
        self.dim = dim

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("the stand-in model cannot embed")

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        raise RuntimeError("the stand-in model cannot embed")


def set_aside_embedding_cache(cache_dir: Path, error: Exception) -> Path:
    """Rename a damaged embedding cache (and its journal files) so a fresh one is started."""
    from index.embed_cache import EmbeddingCache

    db = cache_dir / EmbeddingCache.FILENAME
    aside = db.with_name(f"{db.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
    log.warning("%s: the embedding cache is damaged (%s); moved it to %s and starting a new one "
                "(passages are embedded again once)", db, error, aside.name)
    if db.exists():
        os.replace(db, aside)
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return aside


def tune_for_serving(embedder: Embedder, settings: Settings) -> Embedder:
    """Apply the thread setting and batch concurrent query embeddings (``PLANQA_QUERY_BATCH_*``)."""
    from index.batching import wrap_for_serving

    if settings.torch_threads:
        import torch

        torch.set_num_threads(settings.torch_threads)
    return wrap_for_serving(embedder, settings.query_batch_window_ms, settings.query_batch_max)


class Runtime:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._lock = threading.RLock()
        self._live: Live | None = None
        self.load_error: str | None = None
        self.rebuild_reason: str | None = None
        self.backend_error: str | None = None  # set while the loaded index's backend cannot answer
        self._seen: str | None = None  # the build path / collection generation last loaded or tried
        self._watch_stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._conn: Connection | None = None
        self.reloads = 0  # indexes swapped in after the first load (a rebuilt index, new Milvus content)

    # ---- life cycle -------------------------------------------------------------------------
    @property
    def index(self) -> ServedIndex | None:
        live = self._live
        return live.index if live is not None else None

    @property
    def engine(self) -> AnswerEngine | None:
        live = self._live
        return live.engine if live is not None else None

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                from index.embedder import load_embedder

                s = self.settings
                try:
                    self._embedder = load_embedder(
                        s.embedding_model, s.model_dir, s.embedding_cache_dir, s.embedding_batch_size
                    )
                except sqlite3.DatabaseError as e:
                    # The embedding cache is only a cache: set a damaged one aside and start afresh.
                    set_aside_embedding_cache(Path(s.embedding_cache_dir), e)
                    self._embedder = load_embedder(
                        s.embedding_model, s.model_dir, s.embedding_cache_dir, s.embedding_batch_size
                    )
                from service.reader.query import with_query_adapter

                self._embedder = tune_for_serving(with_query_adapter(self._embedder, s.query_adapter), s)
            return self._embedder

    def index_problem(self) -> str | None:
        """Why the index on disk cannot be served (missing, truncated, corrupt file), or None.

        Staleness only compares the manifest with the corpus; this also checks every file
        against the checksums in the manifest and parses the documents, so a damaged index is
        rebuilt instead of being declared up to date.
        """
        from index.store import load_index, read_manifest

        if self.settings.backend == "milvus":
            return None  # each document's rows carry its hash; a write replaces what differs
        index_dir = Path(self.settings.index_dir)
        if not index_dir.exists():
            return None  # nothing built yet: the staleness check handles it
        try:
            manifest = read_manifest(index_dir.resolve())
            # A stand-in for the model makes the FAISS file load too, without loading the model.
            probe = _ModelStandIn(str(manifest["model"]), int(manifest["dims"]))
            load_index(index_dir, probe, None, verify=True)
        except IndexError_ as e:
            return str(e)
        except (TypeError, ValueError) as e:
            return f"{index_dir}: index manifest is corrupt ({e}); run `planqa index` to rebuild"
        return None

    def build(self, force: bool = False, progress: bool = False) -> bool:
        """Build the index of the corpus when stale or damaged (or always with ``force``).

        Returns True if it built. A damaged index is logged with the file at fault and rebuilt;
        the reason is kept in ``rebuild_reason``.
        """
        from index.builder import build_from_corpus
        from index.options import BuildOptions

        with self._lock:
            self.rebuild_reason = None
            if not force:
                problem = self.index_problem()
                if problem:
                    log.warning("the index is damaged, rebuilding it: %s", problem)
                    self.rebuild_reason = problem
                    force = True
            options = BuildOptions.from_settings(self.settings)
            if self.settings.backend == "milvus":
                from index.milvus.writer import sync_corpus

                return sync_corpus(options, self.milvus(), lambda: self.embedder, force=force, progress=progress)
            return build_from_corpus(options, lambda: self.embedder, force=force, progress=progress)

    def milvus(self) -> Connection:
        """The connection to the configured Milvus collections (opened once)."""
        with self._lock:
            if self._conn is None:
                from index.milvus.schema import Connection

                s = self.settings
                self._conn = Connection(s.milvus_uri, s.milvus_token, s.milvus_collection, s.milvus_timeout_s)
            return self._conn

    def load(self) -> None:
        """Load the index from disk; on failure keep serving what was loaded before, if anything."""
        from index.store import load_index, read_manifest
        from service.answer.engine import AnswerEngine
        from service.answer.llm import client_from_settings

        with self._lock:
            try:
                if self.settings.backend == "milvus":
                    idx = self._load_milvus()
                else:
                    # A missing or unreadable index is reported before the model is loaded for nothing.
                    index_dir = Path(self.settings.index_dir)
                    self._seen = str(index_dir.resolve()) if index_dir.exists() else None
                    read_manifest(index_dir.resolve())
                    idx = load_index(self.settings.index_dir, self.embedder, self.settings.embedding_model)
            except IndexError_ as e:
                self.load_error = str(e)
                raise
            from index.embedder import transformer_of
            from service.reader import RerankingRetriever, load_reader, load_reranker

            if not hasattr(self, "_reader"):  # loaded once per Runtime, kept across index reloads
                base = transformer_of(self.embedder)  # its lower layers serve the reader's frozen ones
                self._reader = load_reader(self.settings, share_with=base)
                self._reranker = load_reranker(self.settings, share_with=base)
            retriever = idx.hybrid if self._reranker is None else RerankingRetriever(idx.hybrid, self._reranker)
            engine = AnswerEngine(idx, retriever, llm=client_from_settings(self.settings), reader=self._reader)
            if self._live is not None:
                self.reloads += 1
            self._live = Live(idx, engine)
            self.load_error = None
            self.backend_error = None

    def _load_milvus(self) -> MilvusIndex:
        from index.milvus.loader import current_generation, load_milvus_index

        conn = self.milvus()
        self._seen = current_generation(conn) if conn.exists() else None
        previous = self.index if getattr(self.index, "hashes", None) is not None else None
        return load_milvus_index(conn, self.embedder, previous=previous)

    # ---- health and reload --------------------------------------------------------------------
    def current_source(self) -> str | None:
        """What a load would read now: the build the index link points at, or the collection
        generation. Raises ``BackendUnavailable`` when Milvus cannot be reached."""
        if self.settings.backend == "milvus":
            from index.milvus.loader import current_generation

            conn = self.milvus()
            return current_generation(conn) if conn.exists() else None
        index_dir = Path(self.settings.index_dir)
        return str(index_dir.resolve()) if index_dir.exists() else None

    def check(self) -> str | None:
        """Why this process cannot answer now, or None; reloads a rebuilt index on the way.

        Called by the watcher thread and by ``/healthz``: a rebuilt local index (the link moved)
        or new collection content (the generation changed) is loaded and swapped in; an
        unreachable Milvus marks the process unable to answer until it is reachable again.
        """
        try:
            source = self.current_source()
        except IndexError_ as e:
            if self.settings.backend == "milvus":
                if self.backend_error is None:
                    log.error("the index backend cannot answer: %s", e)
                self.backend_error = str(e)
            return str(e)
        recovered = self.backend_error is not None
        if recovered:
            log.info("the index backend answers again")
            with contextlib.suppress(IndexError_):
                self.milvus().load()
            self.backend_error = None
        changed = source is not None and (source != self._seen or self._live is None and recovered)
        # A build or load under way holds the lock and loads what it wrote: no second load then.
        if changed and self._lock.acquire(blocking=False):
            try:
                if self.current_source() != self._seen or self._live is None:
                    self.load()
                    log.info("loaded the index %s", source)
            except IndexError_ as e:
                log.warning("the new index could not be loaded (still serving the previous one): %s", e)
                self._seen = source
            finally:
                self._lock.release()
        if self._live is None:
            return self.load_error or "the index is not loaded yet; run `planqa index`"
        return None

    def start_watch(self) -> None:
        """Check every ``reload_interval_s`` in a background thread (see ``check``)."""
        interval = self.settings.reload_interval_s
        if interval <= 0 or (self._watcher is not None and self._watcher.is_alive()):
            return
        self._watch_stop.clear()

        def run() -> None:
            while not self._watch_stop.wait(interval):
                try:
                    self.check()
                except Exception:  # the watcher must outlive any surprise
                    log.exception("index check failed")

        self._watcher = threading.Thread(target=run, name="index-watch", daemon=True)
        self._watcher.start()

    def stop_watch(self) -> None:
        self._watch_stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=10)

    def reindex(self, added: Path | None = None, removed: str | None = None) -> bool:
        """Bring the served index up to date with the corpus; the old one serves until the swap.

        On Milvus, an admin change names what changed (``added`` file, ``removed`` document id)
        and only that is written, against the documents the collection holds: replicas sharing the
        collection need not share a corpus directory, and one replica's change never drops the
        documents another added.
        """
        with self._lock:
            if self.settings.backend == "milvus" and (added is not None or removed is not None):
                self._apply_to_milvus(added, removed)
                self.load()
                return True
            built = self.build()
            if built or self._live is None:
                self.load()
            return built

    def _apply_to_milvus(self, added: Path | None, removed: str | None) -> None:
        from index.milvus.writer import sync_documents
        from index.store import corpus_hash
        from ingest.pipeline import ingest_file

        # the documents as written, not as named for this collection (names are made distinct on load)
        docs = dict(getattr(self.index, "stored", None) or {d.doc_id: d for d in self.documents()})
        if removed is not None:
            docs.pop(removed, None)
        if added is not None:
            doc = ingest_file(added)
            docs[doc.doc_id] = doc
        s = self.settings
        sync_documents(list(docs.values()), self.milvus(), self.embedder,
                       corpus_digest=corpus_hash(Path(s.corpus_dir)), model_name=s.embedding_model)

    def _require(self) -> Live:
        live = self._live
        if live is None:
            raise IndexNotReady(self.load_error or "the index is not loaded yet; run `planqa index`")
        if self.backend_error is not None:
            raise IndexNotReady(self.backend_error)
        return live

    def _answered(self, live: Live, notes: list[str]) -> None:
        """An answer whose retrieval failed is a backend outage when the backend is down: say so."""
        if self.settings.backend == "milvus" and any(n.startswith("retrieval failed") for n in notes):
            problem = self.check()
            if problem:
                raise IndexNotReady(problem)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens of each text by the embedding model's tokenizer (what ``usage`` reports)."""
        from index.embedder import count_tokens

        return count_tokens(self.embedder, texts)

    def require_index(self) -> ServedIndex:
        return self._require().index

    # ---- queries ------------------------------------------------------------------------------
    def doc_title(self, doc_id: str) -> str:
        """The name a document is shown under (distinct within the collection)."""
        doc = self.require_index().documents.get(doc_id)
        return doc.name if doc is not None else doc_id

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

    @staticmethod
    def _check_doc_ids(idx: ServedIndex, doc_ids: list[str] | tuple[str, ...] | None) -> None:
        if doc_ids:
            unknown = [d for d in doc_ids if d not in idx.documents]
            if unknown:
                raise NotFound(f"no document with id '{unknown[0]}'")

    @classmethod
    def _selected(
        cls, idx: ServedIndex, doc_ids: list[str] | None, filters: DocFilter | None
    ) -> list[str] | None:
        """The documents a request may draw on: ``doc_ids`` (or the filter's), narrowed by the
        filter's year, region and kind; None for all. A region or kind that no document has is
        refused with the values there are, so a typo is not read as "no results"."""
        ids = doc_ids or (list(filters.doc_ids) if filters is not None and filters.doc_ids else None)
        cls._check_doc_ids(idx, ids)
        if filters is None or not filters.by_identity:
            return ids
        docs = list(idx.documents.values())
        for what, wanted in (("region", filters.region), ("kind", filters.kind)):
            if wanted is not None and not any(DocFilter(**{what: wanted}).matches(d) for d in docs):
                known = sorted({v for d in docs if (v := getattr(d.identity, what))})
                raise InvalidRequest(f"{what} '{wanted}' matches no document; the documents' {what}s are: "
                                     + ("、".join(known) if known else "(none recorded)"))
        scope = DocFilter(filters.year_from, filters.year_to, filters.region, filters.kind,
                          tuple(ids) if ids else None)
        return scope.select(docs)

    @staticmethod
    def _nothing_selected(question: str, filters: DocFilter | None) -> Answer:
        from service.answer.engine import Answer

        said = filters.describe() if filters is not None else ""
        return Answer(question, "没有符合筛选条件的文档，请放宽年份、地区或类型。", False, [], "not_found",
                      [f"no document matches the filters: {said}"])

    def search(
        self, query: str, mode: str = "hybrid", top_k: int = 10, doc_ids: list[str] | None = None,
        filters: DocFilter | None = None,
    ) -> SearchResult:
        if mode not in MODES:
            raise InvalidRequest(f"unknown mode '{mode}'; use one of {', '.join(MODES)}")
        idx = self._require().index
        doc_ids = self._selected(idx, doc_ids, filters)
        if doc_ids == []:
            return SearchResult(query, mode, 0, 0.0, [], {})
        t0 = time.perf_counter()
        if mode == "exact":
            res = idx.exact.find(query, doc_ids=doc_ids)
            hits, total, per_doc = list(res.hits), res.total, dict(res.per_doc)
            hits = hits[:top_k]
        else:
            retriever = {"hybrid": idx.hybrid, "semantic": idx.dense, "keyword": idx.bm25}[mode]
            hits = retriever.search(query, top_k=top_k, doc_ids=doc_ids)
            total = len(hits)
            per_doc = {}
            for h in hits:
                per_doc[h.passage.doc_id] = per_doc.get(h.passage.doc_id, 0) + 1
        took = (time.perf_counter() - t0) * 1000
        return SearchResult(query, mode, total, took, hits, per_doc)

    def timeline(
        self, phrase: str, doc_ids: list[str] | None = None, filters: DocFilter | None = None,
    ) -> Timeline:
        """``phrase``'s exact-search counts per document in date order, and per year."""
        from service.timeline import build_timeline

        idx = self._require().index
        ids = self._selected(idx, doc_ids, filters)
        docs = list(idx.documents.values()) if ids is None else [idx.documents[i] for i in ids]
        per_doc = dict(idx.exact.find(phrase, doc_ids=ids, limit=0).per_doc) if docs else {}
        return build_timeline(phrase, per_doc, docs)

    def ask(
        self, question: str, top_k: int = 5, doc_ids: list[str] | None = None, history: list[str] | None = None,
        filters: DocFilter | None = None,
    ) -> Answer:
        live = self._require()
        doc_ids = self._selected(live.index, doc_ids, filters)
        if doc_ids == []:
            return self._nothing_selected(question, filters)
        ans = live.engine.ask(question, top_k=top_k, doc_ids=doc_ids, history=history)
        self._answered(live, list(ans.notes))
        return ans

    def ask_stream(
        self, question: str, top_k: int = 5, doc_ids: list[str] | None = None, history: list[str] | None = None,
        filters: DocFilter | None = None,
    ) -> Iterator[str | Answer]:
        """Text chunks of the answer as they are ready, then the final ``Answer``."""
        live = self._require()
        doc_ids = self._selected(live.index, doc_ids, filters)
        if doc_ids == []:
            ans = self._nothing_selected(question, filters)
            return iter([ans.text, ans])
        return live.engine.stream(question, top_k=top_k, doc_ids=doc_ids, history=history)
