"""Write documents to Milvus incrementally: only what changed is embedded and written.

Each document carries a hash of its content, the model, and the indexer version. A document whose
hash is unchanged is left alone (no embedding, no write); a changed one is replaced (its rows are
upserted, rows it no longer has are deleted by id); a document gone from the corpus is deleted by
``doc_id``. BM25 terms depend on the user dictionary built from all documents, so when the
dictionary changes, exactly the documents containing an added or removed word are written again
(their embeddings come from the embedding cache). Every write is an idempotent upsert of rows
derived from the documents alone, so two builders writing the same corpus at once leave the same
collections; the ``meta`` row is written last, and its ``generation`` tells replicas to reload.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from index.bm25 import K1, B, indexed_text
from index.builder import check_documents
from index.dense import embed_text
from index.hybrid import DEFAULT_FUSION, FusionConfig
from index.milvus.schema import SCHEMA_VERSION, Connection, encode_tokens, fit_bytes, in_list
from index.options import BuildOptions
from index.serialize import document_to_dict, row_to_dict
from index.store import builder_fingerprint
from index.textnorm import normalize
from index.tokenize import Tokenizer
from index.types import Embedder
from index.userdict import build_user_words
from ingest.errors import IndexError_
from ingest.model import Document

log = logging.getLogger("planqa")

META_KEY = "__meta__"
WORDS_PREFIX = "__words__/"
STRUCT_CHARS = 16_000  # a JSON chunk stays under 64 KiB in UTF-8 whatever its characters
TEXT_CHARS = 8_000
TEXT_OVERLAP = 512  # a phrase up to this long is found whole in some text chunk


@dataclass(frozen=True)
class SyncReport:
    """What a write did: documents written, removed and left alone, and passages embedded."""

    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    passages_written: int
    generation: str
    seconds: float


def document_hash(doc: Document, model_id: str, embed_section: bool = True) -> str:
    """Changes when the document, the model, or anything the indexer derives from it changes."""
    h = hashlib.sha256()
    h.update(f"schema={SCHEMA_VERSION};builder={builder_fingerprint()};model={model_id};"
             f"section={embed_section}\n".encode())
    h.update(json.dumps(document_to_dict(doc), ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()[:32]


def generation_of(doc_hashes: dict[str, str], words_hash: str) -> str:
    h = hashlib.sha256(words_hash.encode())
    for d in sorted(doc_hashes):
        h.update(f"{d}\t{doc_hashes[d]}\n".encode())
    return h.hexdigest()[:20]


def chunks(text: str, size: int, overlap: int = 0) -> list[str]:
    if not text:
        return [""]
    step = max(1, size - overlap)
    return [text[i : i + size] for i in range(0, max(1, len(text) - overlap), step)]


def read_meta(conn: Connection) -> dict[str, Any] | None:
    rows = conn.query(conn.docs, f'key == "{META_KEY}"', ["body"], limit=1)
    if not rows:
        return None
    try:
        return json.loads(rows[0]["body"])
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise IndexError_(f"Milvus collection '{conn.docs}' at {conn.uri}: the meta row is corrupt ({e})") from None


def read_words(conn: Connection) -> list[str]:
    rows = conn.query(conn.docs, 'part == "words"', ["seq", "body"])
    body = "".join(r["body"] for r in sorted(rows, key=lambda r: int(r["seq"])))
    return [w for w in body.split("\n") if w]


def stored_hashes(conn: Connection) -> dict[str, str]:
    """``doc_id → hash`` of every document whose structure is stored (from its first chunk)."""
    rows = conn.query(conn.docs, 'part == "struct" and seq == 0', ["doc_id", "hash"])
    return {r["doc_id"]: r["hash"] for r in rows}


def _affected_by_words(doc: Document, changed: set[str]) -> bool:
    """Whether ``doc``'s BM25 terms can differ under a dictionary with ``changed`` words in or out."""
    if not changed:
        return False
    for p in doc.passages:
        text = normalize(indexed_text(p))
        if any(w in text for w in changed):
            return True
    return False


def _passage_rows(doc: Document, tokenizer: Tokenizer, vectors: Any) -> list[dict[str, Any]]:
    rows = []
    for p, v in zip(doc.passages, vectors, strict=True):
        rows.append({
            "id": p.id, "doc_id": p.doc_id, "kind": p.kind,
            "section": fit_bytes(json.dumps(list(p.section), ensure_ascii=False)),
            "text": fit_bytes(p.text), "span_start": int(p.span[0]), "span_end": int(p.span[1]),
            "row": fit_bytes(json.dumps(row_to_dict(p.row), ensure_ascii=False)) if p.row is not None else "",
            "terms": fit_bytes(encode_tokens(tokenizer.tokens(indexed_text(p)))),
            "vector": [float(x) for x in v],
        })
    return rows


def _doc_rows(doc: Document, ord_: int, digest: str) -> list[dict[str, Any]]:
    body = json.dumps(document_to_dict(doc), ensure_ascii=False)
    rows = []
    for n, part in enumerate(chunks(body, STRUCT_CHARS)):
        rows.append({"key": f"{doc.doc_id}/s{n}", "doc_id": doc.doc_id, "part": "struct", "ord": ord_, "seq": n,
                     "hash": digest, "body": part, "pad": [0.0, 0.0]})
    for n, part in enumerate(chunks(normalize(doc.text), TEXT_CHARS, TEXT_OVERLAP)):
        rows.append({"key": f"{doc.doc_id}/t{n}", "doc_id": doc.doc_id, "part": "text", "ord": ord_, "seq": n,
                     "hash": digest, "body": part, "pad": [0.0, 0.0]})
    return rows


def sync_documents(
    documents: Sequence[Document],
    conn: Connection,
    embedder: Embedder,
    *,
    corpus_digest: str = "",
    model_name: str | None = None,
    fusion: FusionConfig = DEFAULT_FUSION,
    embed_section: bool = True,
    force: bool = False,
    progress: bool = False,
) -> SyncReport:
    """Make the collections hold exactly ``documents``, writing only what changed."""
    t0 = time.perf_counter()
    check_documents(documents)
    meta = read_meta(conn) if conn.exists() else None
    if meta is not None and (meta.get("model") != embedder.model_id or int(meta.get("dims", 0)) != embedder.dim):
        log.info("Milvus collection '%s' holds model %s; rewriting it for %s", conn.name, meta.get("model"),
                 embedder.model_id)
        conn.drop()
        meta = None
    if meta is None and conn.exists() and conn.vector_dim() != embedder.dim:
        conn.drop()
    if meta is not None and meta.get("schema") != SCHEMA_VERSION:
        log.info("Milvus collection '%s' holds schema %s; rewriting every document for schema %s", conn.name,
                 meta.get("schema"), SCHEMA_VERSION)
        force = True
    # A collection created here holds nothing stale: each delete-after-upsert (a scan of what is
    # stored, in Milvus Lite over everything written so far) is skipped.
    fresh = conn.absent()
    conn.create(embedder.dim, K1, B)

    words = build_user_words(documents)
    words_hash = hashlib.sha256("\n".join(words).encode("utf-8")).hexdigest()[:16]
    old_words = set(read_words(conn)) if meta is not None else set()
    changed_words = set() if meta is None else {normalize(w) for w in old_words ^ set(words)}
    tokenizer = Tokenizer(words)

    old = stored_hashes(conn) if not force else {}
    new = {d.doc_id: document_hash(d, embedder.model_id, embed_section) for d in documents}
    todo = [
        (i, d) for i, d in enumerate(documents)
        if force or old.get(d.doc_id) != new[d.doc_id] or _affected_by_words(d, changed_words)
    ]
    removed = sorted(set(old) - set(new)) if not force else []

    written = 0
    for i, doc in todo:
        texts = [embed_text(p, embed_section) for p in doc.passages]
        vectors = embedder.embed_passages(texts, progress=progress) if texts else []
        rows = _passage_rows(doc, tokenizer, vectors)
        conn.upsert(conn.name, rows)
        drows = _doc_rows(doc, i, new[doc.doc_id])
        conn.upsert(conn.docs, drows)
        if not fresh:
            keep = [r["id"] for r in rows]
            stale = f'doc_id == "{_esc(doc.doc_id)}"' + (f" and not ({in_list('id', keep)})" if keep else "")
            conn.delete(conn.name, stale)
            conn.delete(conn.docs, f'doc_id == "{_esc(doc.doc_id)}" and not ({in_list("key", [r["key"] for r in drows])})')
        written += len(rows)
    for doc_id in removed:
        conn.delete(conn.name, f'doc_id == "{_esc(doc_id)}"')
        conn.delete(conn.docs, f'doc_id == "{_esc(doc_id)}"')
    if force or words_hash != (meta or {}).get("userdict_hash"):
        body = "\n".join(words)
        wrows = [{"key": f"{WORDS_PREFIX}{n}", "doc_id": "", "part": "words", "ord": 0, "seq": n,
                  "hash": words_hash, "body": part, "pad": [0.0, 0.0]} for n, part in enumerate(chunks(body, STRUCT_CHARS))]
        conn.upsert(conn.docs, wrows)
        conn.delete(conn.docs, f'part == "words" and not ({in_list("key", [r["key"] for r in wrows])})')

    generation = generation_of(new, words_hash)
    if meta is None or force or todo or removed or meta.get("generation") != generation \
            or meta.get("corpus_hash") != corpus_digest:
        meta_out = {
            "schema": SCHEMA_VERSION, "builder": builder_fingerprint(), "model": embedder.model_id,
            "model_name": model_name or embedder.model_id, "dims": int(embedder.dim),
            "corpus_hash": corpus_digest, "userdict_hash": words_hash, "userdict_words": len(words),
            "documents": len(documents), "passages": sum(len(d.passages) for d in documents),
            "fusion": fusion.to_dict(), "bm25": {"k1": K1, "b": B},
            "dense": {"index": "milvus", "embed_section": embed_section},
            "generation": generation, "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "backend": "milvus",
        }
        conn.upsert(conn.docs, [{"key": META_KEY, "doc_id": "", "part": "meta", "ord": 0, "seq": 0, "hash": generation,
                                 "body": json.dumps(meta_out, ensure_ascii=False), "pad": [0.0, 0.0]}])
    if todo or removed:
        conn.flush()
    report = SyncReport(
        written=tuple(d.doc_id for _, d in todo), removed=tuple(removed), unchanged=len(documents) - len(todo),
        passages_written=written, generation=generation, seconds=round(time.perf_counter() - t0, 3),
    )
    log.info("Milvus %s: %d documents written, %d removed, %d unchanged", conn.name, len(report.written),
             len(removed), report.unchanged)
    return report


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def milvus_staleness(conn: Connection, corpus_digest: str, model_name: str | None) -> str | bool:
    """``False`` when the collections match the corpus, model and indexer; else the reason."""
    meta = read_meta(conn) if conn.exists() else None
    if meta is None:
        return f"Milvus at {conn.uri} has no planqa collection '{conn.name}'"
    if model_name and model_name not in (meta.get("model"), meta.get("model_name")):
        return f"the collection was written with model '{meta.get('model')}', not '{model_name}'"
    if meta.get("builder") != builder_fingerprint() or meta.get("schema") != SCHEMA_VERSION:
        return "the collection was written by a different version of the indexer"
    if meta.get("corpus_hash") != corpus_digest:
        return "the documents in the corpus changed since the collection was written"
    return False


def sync_corpus(
    options: BuildOptions, conn: Connection, embedder: Embedder | Callable[[], Embedder], force: bool = False,
    progress: bool = False,
) -> bool:
    """Write ``options.corpus_dir`` to Milvus when it changed; ``embedder`` may be a factory.

    Returns True when it wrote anything (or checked every document, with ``force``).
    """
    from pathlib import Path

    from index.builder import ingest_corpus
    from index.store import corpus_hash

    corpus_dir = Path(options.corpus_dir)
    digest = corpus_hash(corpus_dir)
    model_name = options.embedding_model
    if not force:
        reason = milvus_staleness(conn, digest, model_name)
        if not reason:
            return False
        log.info("updating the Milvus collection: %s", reason)
    documents = ingest_corpus(corpus_dir)
    if not documents:
        raise IndexError_(f"no documents to index in {corpus_dir}; add .txt, .md, .docx or .pdf files")
    emb = embedder if hasattr(embedder, "embed_passages") else embedder()
    report = sync_documents(documents, conn, emb, corpus_digest=digest, model_name=model_name, progress=progress)
    return bool(force or report.written or report.removed)
