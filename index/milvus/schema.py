"""The two collections planqa keeps in Milvus, the connection to them, and their errors.

``<name>`` holds one row per passage: its id, document, kind, section path, text, span and table
row (JSON), its embedding, and its BM25 terms. ``<name>_docs`` holds what a process needs besides:
each document's structure as JSON (in chunks), its normalised text (overlapping chunks, for
exact-phrase search with ``like``), the user dictionary, and one ``meta`` row naming the model and
a ``generation`` that changes whenever the content does (replicas poll it to notice changes).

BM25 terms are planqa's own tokens (the one tokenizer, with the index's user dictionary),
hex-encoded and space-separated under Milvus's ``standard`` analyzer, so Milvus counts exactly
the terms the local BM25 counts: keyword scores match the local backend's, on Milvus Lite and on
a cluster alike, and nothing depends on a server-side Chinese analyzer. Milvus needs a vector
field in every collection; the ``_docs`` collection's ``pad`` vector is never searched.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ingest.errors import BackendUnavailable

log = logging.getLogger("planqa")

# 2: each document's structure carries its identity (issuer, date, year, region, kind …)
SCHEMA_VERSION = 2
MAX_VARCHAR = 65535  # bytes, Milvus's limit for a VARCHAR field
MAX_ID = 1024
PAGE = 16_384  # Milvus's largest query limit
_NOT_LOADED = re.compile(r"released|not loaded|load\(\)|collection not loaded", re.IGNORECASE)
FIX = "run `planqa index --backend milvus` to write it"


def docs_collection(name: str) -> str:
    return f"{name}_docs"


def encode_tokens(tokens: Sequence[str]) -> str:
    """planqa tokens as space-separated hex words: ``standard`` analysis keeps each whole."""
    return " ".join(t.encode("utf-8").hex() for t in tokens if t)


def fit_bytes(text: str, limit: int = MAX_VARCHAR) -> str:
    """``text`` cut (at a character boundary) to at most ``limit`` UTF-8 bytes."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


def is_remote(uri: str) -> bool:
    return uri.startswith(("http://", "https://", "tcp://", "unix:"))


class Connection:
    """A ``MilvusClient`` for one URI; every call goes through ``guard`` so failures name the URI."""

    def __init__(self, uri: str, token: str | None = None, collection: str = "planqa", timeout: float = 10.0) -> None:
        from pymilvus import MilvusClient

        # The client logs every failed call and reconnection attempt itself; ``guard`` turns each
        # into one error naming the URI, which the runtime logs once per outage.
        logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
        self.uri = str(uri)
        self.name = collection
        self.docs = docs_collection(collection)
        self.timeout = timeout
        if not is_remote(self.uri):
            Path(self.uri).expanduser().parent.mkdir(parents=True, exist_ok=True)
        with self.guard("connect"):
            kwargs: dict[str, Any] = {"uri": self.uri, "timeout": timeout}
            if token:
                kwargs["token"] = token
            self.client = MilvusClient(**kwargs)

    @contextlib.contextmanager
    def guard(self, what: str) -> Iterator[None]:
        """Translate the client's many failure types into ``BackendUnavailable``."""
        from pymilvus import MilvusException

        try:
            yield
        except BackendUnavailable:
            raise
        except MilvusException as e:
            msg = getattr(e, "message", None) or str(e)
            raise BackendUnavailable(f"Milvus at {self.uri} failed to {what}: {msg}") from None
        except (OSError, RuntimeError, ValueError) as e:
            raise BackendUnavailable(f"Milvus at {self.uri} failed to {what}: {type(e).__name__}: {e}") from None
        except Exception as e:  # grpc raises its own error types when the server is gone
            if type(e).__module__.startswith("grpc"):
                raise BackendUnavailable(f"Milvus at {self.uri} is unreachable ({what}): {e}") from None
            raise

    def run(self, what: str, fn: Callable[[], Any]) -> Any:
        """``fn()`` under ``guard``; a collection found released (a restarted server, a reopened
        Lite file) is loaded and the call made once more."""
        try:
            with self.guard(what):
                return fn()
        except BackendUnavailable as e:
            if not _NOT_LOADED.search(str(e)):
                raise
        self.load()
        with self.guard(what):
            return fn()

    def close(self, release: bool = False) -> None:
        """Close the client; with ``release``, also stop this process's embedded Milvus Lite for the
        file, which only one process can hold open (another process can open it afterwards)."""
        with contextlib.suppress(Exception):
            self.client.close()
        if release and not is_remote(self.uri):
            with contextlib.suppress(Exception):
                from milvus_lite.server_manager import server_manager_instance

                server_manager_instance.release_server(str(Path(self.uri).expanduser()))

    # ---- collections ----------------------------------------------------------------------
    def exists(self) -> bool:
        with self.guard("list collections"):
            return bool(self.client.has_collection(self.name)) and bool(self.client.has_collection(self.docs))

    def absent(self) -> bool:
        """Neither collection exists: nothing at all is stored under this name."""
        with self.guard("list collections"):
            return not self.client.has_collection(self.name) and not self.client.has_collection(self.docs)

    def load(self) -> None:
        """Load both collections for search (a reopened Milvus Lite file or a restarted server needs it)."""
        with self.guard("load the collections"):
            for c in (self.name, self.docs):
                self.client.load_collection(c)

    def create(self, dim: int, k1: float, b: float) -> None:
        """Create both collections (if missing) with their indexes, consistency ``Strong``."""
        from pymilvus import DataType, Function, FunctionType

        c = self.client
        with self.guard("create the collections"):
            if not c.has_collection(self.name):
                s = c.create_schema(auto_id=False, enable_dynamic_field=False)
                s.add_field("id", DataType.VARCHAR, is_primary=True, max_length=MAX_ID)
                s.add_field("doc_id", DataType.VARCHAR, max_length=MAX_ID)
                s.add_field("kind", DataType.VARCHAR, max_length=32)
                s.add_field("section", DataType.VARCHAR, max_length=MAX_VARCHAR)
                s.add_field("text", DataType.VARCHAR, max_length=MAX_VARCHAR)
                s.add_field("span_start", DataType.INT64)
                s.add_field("span_end", DataType.INT64)
                s.add_field("row", DataType.VARCHAR, max_length=MAX_VARCHAR)
                s.add_field("terms", DataType.VARCHAR, max_length=MAX_VARCHAR, enable_analyzer=True,
                            analyzer_params={"tokenizer": "standard"})
                s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
                s.add_field("vector", DataType.FLOAT_VECTOR, dim=int(dim))
                s.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                        input_field_names=["terms"], output_field_names=["sparse"]))
                ip = c.prepare_index_params()
                # Nested under "params" (one JSON value): Milvus servers and Milvus Lite both read it so.
                ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                             params={"params": {"bm25_k1": k1, "bm25_b": b}})
                ip.add_index("vector", index_type="AUTOINDEX", metric_type="IP")
                self._create_once(self.name, s, ip)
            if not c.has_collection(self.docs):
                s = c.create_schema(auto_id=False, enable_dynamic_field=False)
                s.add_field("key", DataType.VARCHAR, is_primary=True, max_length=MAX_ID + 32)
                s.add_field("doc_id", DataType.VARCHAR, max_length=MAX_ID)
                s.add_field("part", DataType.VARCHAR, max_length=16)
                s.add_field("ord", DataType.INT64)
                s.add_field("seq", DataType.INT64)
                s.add_field("hash", DataType.VARCHAR, max_length=128)
                s.add_field("body", DataType.VARCHAR, max_length=MAX_VARCHAR)
                s.add_field("pad", DataType.FLOAT_VECTOR, dim=2)
                ip = c.prepare_index_params()
                ip.add_index("pad", index_type="AUTOINDEX", metric_type="L2")
                self._create_once(self.docs, s, ip)
        self.load()

    def _create_once(self, name: str, schema: Any, index_params: Any) -> None:
        """Create a collection; another writer creating it at the same moment is no failure."""
        try:
            self.client.create_collection(name, schema=schema, index_params=index_params, consistency_level="Strong")
        except Exception:
            for _ in range(50):  # the other writer's creation may still be under way
                if self.client.has_collection(name):
                    return
                time.sleep(0.1)
            raise

    def vector_dim(self) -> int:
        with self.guard("describe the collection"):
            info = self.client.describe_collection(self.name)
        for f in info.get("fields", []):
            if f.get("name") == "vector":
                return int(f.get("params", {}).get("dim", 0))
        return 0

    def drop(self) -> None:
        with self.guard("drop the collections"):
            for c in (self.name, self.docs):
                if self.client.has_collection(c):
                    self.client.drop_collection(c)

    # ---- rows -------------------------------------------------------------------------------
    def query(self, collection: str, filter: str, fields: list[str], limit: int | None = None) -> list[dict]:
        """Every row matching ``filter`` (paged by primary key, so any number of rows comes back)."""

        def page(expr: str, n: int, out_fields: list[str]) -> list[dict]:
            return list(self.run("query", lambda: self.client.query(
                collection, filter=expr, output_fields=out_fields, limit=n, consistency_level="Strong")))

        if limit is not None:
            return page(filter, limit, fields)
        pk = "id" if collection == self.name else "key"
        out: list[dict] = []
        last: str | None = None
        while True:
            expr = filter if last is None else f"{pk} > {quote(last)}" + (f" and ({filter})" if filter else "")
            rows = page(expr, PAGE, [*fields, pk])
            out.extend(rows)
            if len(rows) < PAGE:  # a short page is complete whatever order rows come in
                return out
            # a full page: Milvus returns the lowest keys first, so continue after the highest
            last = max(r[pk] for r in rows)

    def search(self, data: list, field: str, limit: int, filter: str, params: dict) -> list[dict]:
        res = self.run("search", lambda: self.client.search(
            self.name, data=data, anns_field=field, limit=limit, filter=filter, search_params=params,
            output_fields=["id"], consistency_level="Strong"))
        return list(res[0]) if res else []

    def upsert(self, collection: str, rows: list[dict], batch: int = 256) -> None:
        for i in range(0, len(rows), batch):
            part = rows[i : i + batch]
            self.run("write", lambda part=part: self.client.upsert(collection, part))

    def flush(self) -> None:
        """Seal what was written: searches then use built indexes instead of scanning fresh rows
        (on Milvus Lite, 5k unsealed rows cost ~1 s a BM25 search, sealed ~8 ms)."""
        for c in (self.name, self.docs):
            self.run("flush", lambda c=c: self.client.flush(c))

    def delete(self, collection: str, filter: str) -> None:
        self.run("delete", lambda: self.client.delete(collection, filter=filter))


def quote(s: str) -> str:
    """A string literal for a Milvus filter expression."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def in_list(field: str, values: Sequence[str]) -> str:
    return f"{field} in [{', '.join(quote(v) for v in values)}]"


def like_contains(field: str, phrase: str) -> str:
    """``field like "%phrase%"`` with the phrase's own ``%``, ``_`` and ``\\`` taken literally."""
    pattern = phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{field} like {quote('%' + pattern + '%')}"
