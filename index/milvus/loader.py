"""Load what a process serves from Milvus: documents, user dictionary, retrievers.

``MilvusIndex`` has the attributes of the local ``SearchIndex`` that the runtime, the answer
engine and the API read, so everything above the index is unaware of the backend. A reload
after another process wrote new documents fetches only the documents whose hash changed and
reuses the rest; a document caught half-written (its chunks disagree) makes the load fail
with a clear error, and the caller keeps serving what it had.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from index.exact import ExactPhraseSearch, synthesize_uncovered
from index.hybrid import FusionConfig, HybridRetriever
from index.milvus.retriever import MilvusBM25Retriever, MilvusDenseRetriever, MilvusExactSearch
from index.milvus.schema import FIX, SCHEMA_VERSION, Connection, in_list
from index.milvus.writer import META_KEY, read_meta, read_words
from index.serialize import document_from_dict
from index.tokenize import Tokenizer
from index.types import Embedder
from ingest.errors import IndexError_
from ingest.identity import with_distinct_names
from ingest.model import Document, Paragraph, Passage


@dataclass
class MilvusIndex:
    """The served view of a Milvus collection pair (same surface as ``store.SearchIndex``)."""

    conn: Connection
    manifest: dict[str, Any]
    documents: dict[str, Document]
    passages: dict[str, Passage]
    paragraphs: dict[str, Paragraph]
    indexed: list[Passage]
    tokenizer: Tokenizer
    bm25: MilvusBM25Retriever
    exact: MilvusExactSearch
    hashes: dict[str, str]
    dense: MilvusDenseRetriever | None = None
    hybrid: HybridRetriever | None = None
    fusion: FusionConfig = field(default_factory=FusionConfig)
    # the documents as stored, before their names were made distinct within the collection
    stored: dict[str, Document] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"{self.conn.uri}#{self.conn.name}"

    @property
    def generation(self) -> str:
        return str(self.manifest.get("generation", ""))

    @property
    def passage_count(self) -> int:
        return len(self.indexed)

    @property
    def model_id(self) -> str:
        return str(self.manifest["model"])


def current_generation(conn: Connection) -> str:
    """The generation the collections hold now (one small query); raises when Milvus is down."""
    rows = conn.query(conn.docs, f'key == "{META_KEY}"', ["hash"], limit=1)
    if not rows:
        raise IndexError_(f"Milvus at {conn.uri} has no planqa collection '{conn.name}'; {FIX}")
    return str(rows[0]["hash"])


def _fetch_documents(conn: Connection, doc_ids: list[str], want: dict[str, str]) -> dict[str, Document]:
    out: dict[str, Document] = {}
    for i in range(0, len(doc_ids), 200):
        part = doc_ids[i : i + 200]
        rows = conn.query(conn.docs, f'part == "struct" and {in_list("doc_id", part)}', ["doc_id", "seq", "hash", "body"])
        by_doc: dict[str, list[dict]] = {}
        for r in rows:
            by_doc.setdefault(r["doc_id"], []).append(r)
        for doc_id in part:
            chunks = sorted(by_doc.get(doc_id, []), key=lambda r: int(r["seq"]))
            consistent = (
                chunks and all(r["hash"] == want[doc_id] for r in chunks)
                and [int(r["seq"]) for r in chunks] == list(range(len(chunks)))
            )
            if not consistent:
                raise IndexError_(
                    f"Milvus collection '{conn.docs}' at {conn.uri}: document '{doc_id}' is being written "
                    "or is incomplete; it is loaded once its write finishes"
                )
            try:
                out[doc_id] = document_from_dict(json.loads("".join(r["body"] for r in chunks)))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
                raise IndexError_(
                    f"Milvus collection '{conn.docs}' at {conn.uri}: document '{doc_id}' is corrupt "
                    f"({type(e).__name__}: {e}); {FIX}"
                ) from None
    return out


def load_milvus_index(
    conn: Connection, embedder: Embedder | None = None, previous: MilvusIndex | None = None
) -> MilvusIndex:
    """Load the collections' content; documents unchanged since ``previous`` are reused."""
    if not conn.exists():
        raise IndexError_(f"Milvus at {conn.uri} has no planqa collection '{conn.name}'; {FIX}")
    conn.load()
    meta = read_meta(conn)
    if meta is None:
        raise IndexError_(f"Milvus collection '{conn.name}' at {conn.uri} has no meta row; {FIX}")
    if meta.get("schema") != SCHEMA_VERSION:
        raise IndexError_(
            f"Milvus collection '{conn.name}' at {conn.uri} has schema {meta.get('schema')}, not {SCHEMA_VERSION}; {FIX}"
        )
    where = f"Milvus collection '{conn.name}' at {conn.uri}"
    if embedder is not None:
        if embedder.model_id != meta.get("model"):
            raise IndexError_(f"{where} was built with embedding model '{meta.get('model')}' but the configured "
                              f"model is '{embedder.model_id}'; {FIX}")
        if int(embedder.dim) != int(meta.get("dims", 0)):
            raise IndexError_(f"{where} has {meta.get('dims')}-dimensional embeddings but the model produces "
                              f"{embedder.dim}; {FIX}")
    rows = conn.query(conn.docs, 'part == "struct" and seq == 0', ["doc_id", "hash", "ord"])
    order = [r["doc_id"] for r in sorted(rows, key=lambda r: (int(r["ord"]), r["doc_id"]))]
    hashes = {r["doc_id"]: r["hash"] for r in rows}
    if len(hashes) != int(meta.get("documents", -1)):
        raise IndexError_(f"{where} holds {len(hashes)} documents, its meta row {meta.get('documents')}: a write "
                          "is in progress or was interrupted; it is loaded once a write completes")
    reuse: dict[str, Document] = {}
    if previous is not None:
        reuse = {d: doc for d, doc in previous.stored.items() if previous.hashes.get(d) == hashes.get(d)}
    fetched = _fetch_documents(conn, [d for d in order if d not in reuse], hashes)
    stored = {d: reuse.get(d) or fetched[d] for d in order}
    documents = {d.doc_id: d for d in with_distinct_names(stored.values())}

    indexed = [p for d in documents.values() for p in d.passages]
    synthesized = [s for d in documents.values() for s in synthesize_uncovered(d)]
    passages = {p.id: p for p in indexed}
    passages.update({p.id: p for p in synthesized})
    paragraphs = {p.id: p for d in documents.values() for p in d.paragraphs}
    if previous is not None and previous.manifest.get("userdict_hash") == meta.get("userdict_hash"):
        tokenizer = previous.tokenizer
    else:
        tokenizer = Tokenizer(read_words(conn))
    fusion = FusionConfig.from_dict(meta.get("fusion") or {})
    bm25 = MilvusBM25Retriever(indexed, conn, tokenizer)
    exact = MilvusExactSearch(conn, ExactPhraseSearch(list(documents.values()), synthesized))
    dense = hybrid = None
    if embedder is not None:
        dense = MilvusDenseRetriever(indexed, conn, tokenizer, embedder)
        hybrid = HybridRetriever(bm25, dense, fusion)  # type: ignore[arg-type]
    return MilvusIndex(
        conn=conn, manifest=meta, documents=documents, passages=passages, paragraphs=paragraphs, indexed=indexed,
        tokenizer=tokenizer, bm25=bm25, exact=exact, hashes=hashes, dense=dense, hybrid=hybrid, fusion=fusion,
        stored=stored,
    )

