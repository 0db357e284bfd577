"""Build an index directory from ingested documents, and rebuild it from ``corpus/`` when stale.

The build writes everything into a fresh build directory, writes the manifest last and only
then swaps it in (``store.publish``); any exception before the swap leaves the served index as
it was. With an unchanged corpus ``build_from_corpus`` is a no-op decided from file hashes alone,
without loading the embedding model.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.bm25 import K1, B, BM25Retriever
from index.dense import DenseRetriever
from index.hybrid import DEFAULT_FUSION, FusionConfig
from index.options import HNSW_THRESHOLD, BuildOptions
from index.serialize import document_to_dict
from index.store import (
    BM25_DIR,
    DOCUMENTS,
    FAISS,
    FORMAT_VERSION,
    USERDICT,
    build_lock,
    builder_fingerprint,
    corpus_hash,
    file_entries,
    is_stale,
    new_build_dir,
    prune_builds,
    publish,
    write_manifest,
)
from index.tokenize import Tokenizer
from index.types import Embedder
from index.units import embed_sentences
from index.userdict import build_user_words, write_userdict
from ingest.errors import IndexError_
from ingest.model import Document

log = logging.getLogger(__name__)


def check_documents(documents: Sequence[Document]) -> None:
    """Ids must be unique: passages are addressed by id in the API."""
    seen_docs: set[str] = set()
    seen_passages: set[str] = set()
    for d in documents:
        if d.doc_id in seen_docs:
            raise IndexError_(f"two documents have the id '{d.doc_id}'; rename one of the files")
        seen_docs.add(d.doc_id)
        for p in d.passages:
            if p.id in seen_passages:
                raise IndexError_(f"two passages have the id '{p.id}'")
            seen_passages.add(p.id)


def write_build(
    documents: Sequence[Document],
    build_dir: Path,
    embedder: Embedder,
    *,
    corpus_digest: str = "",
    model_name: str | None = None,
    fusion: FusionConfig = DEFAULT_FUSION,
    hnsw_threshold: int = HNSW_THRESHOLD,
    embed_section: bool = True,
    progress: bool = False,
) -> dict[str, Any]:
    """Write every index file of ``documents`` into the empty ``build_dir``; return the manifest."""
    t0 = time.perf_counter()
    check_documents(documents)
    with open(build_dir / DOCUMENTS, "w", encoding="utf-8") as f:
        for d in documents:
            f.write(json.dumps(document_to_dict(d), ensure_ascii=False) + "\n")
    words = build_user_words(documents)
    userdict_hash = write_userdict(words, build_dir / USERDICT)
    tokenizer = Tokenizer(words)
    passages = [p for d in documents for p in d.passages]

    bm25 = BM25Retriever.build(passages, tokenizer)
    (build_dir / BM25_DIR).mkdir()
    bm25.save(build_dir / BM25_DIR)

    dense = DenseRetriever.build(
        passages, embedder, tokenizer, hnsw_threshold=hnsw_threshold, with_section=embed_section, progress=progress
    )
    dense.save(build_dir / FAISS)
    # the answer stage scores sentences by the dense model too: embed them now, into the cache
    embed_sentences(passages, embedder, progress=progress)

    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "builder": builder_fingerprint(),
        "model": embedder.model_id,
        "model_name": model_name or embedder.model_id,
        "dims": int(embedder.dim),
        "corpus_hash": corpus_digest,
        "userdict_hash": userdict_hash,
        "userdict_words": len(words),
        "documents": len(documents),
        "passages": len(passages),
        "fusion": fusion.to_dict(),
        "bm25": {"k1": K1, "b": B},
        "dense": {
            "index": "hnsw" if dense.is_hnsw else "flat",
            "hnsw_threshold": hnsw_threshold,
            "embed_section": embed_section,
        },
        "files": file_entries(build_dir),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - t0, 3),
    }
    write_manifest(build_dir, manifest)
    return manifest


def build_index(
    documents: Sequence[Document],
    index_dir: Path,
    embedder: Embedder,
    *,
    corpus_digest: str = "",
    model_name: str | None = None,
    fusion: FusionConfig = DEFAULT_FUSION,
    hnsw_threshold: int = HNSW_THRESHOLD,
    embed_section: bool = True,
    progress: bool = False,
    keep_builds: int = 1,
) -> Path:
    """Build an index of ``documents`` and swap it in at ``index_dir``; return the build directory.

    On any exception the new build directory is removed and ``index_dir`` is untouched.
    """
    index_dir = Path(index_dir)
    with build_lock(index_dir):
        build_dir = new_build_dir(index_dir)
        try:
            write_build(
                documents, build_dir, embedder, corpus_digest=corpus_digest, model_name=model_name,
                fusion=fusion, hnsw_threshold=hnsw_threshold, embed_section=embed_section, progress=progress,
            )
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
        publish(build_dir, index_dir)
        prune_builds(index_dir, keep=keep_builds)
    return build_dir


def ingest_corpus(corpus_dir: Path) -> list[Document]:
    """Ingest every document under ``corpus_dir``; unreadable files are logged and skipped."""
    from ingest.pipeline import ingest_paths

    report = ingest_paths([corpus_dir])
    for err in report.errors:
        log.warning("skipped %s", err)
    return list(report.documents)


def build_from_corpus(
    options: BuildOptions,
    embedder: Embedder | Callable[[], Embedder],
    force: bool = False,
    progress: bool = False,
) -> bool:
    """Rebuild the index of ``options.corpus_dir`` at ``options.index_dir`` when stale.

    ``embedder`` may be a zero-argument factory, called only when a build is needed, so an
    up-to-date index costs a manifest read and a corpus hash. Returns True when it built.
    """
    corpus_dir, index_dir = options.corpus_dir, options.index_dir
    model_id = embedder.model_id if hasattr(embedder, "model_id") else options.embedding_model
    if not force:
        reason = is_stale(index_dir, corpus_dir, model_id)
        if not reason:
            return False
        log.info("rebuilding the index: %s", reason)
    digest = corpus_hash(corpus_dir)
    documents = ingest_corpus(corpus_dir)
    if not documents:
        raise IndexError_(f"no documents to index in {corpus_dir}; add .txt, .md, .docx or .pdf files")
    emb: Embedder = embedder if hasattr(embedder, "embed_passages") else embedder()  # type: ignore[operator]
    build_index(
        documents, index_dir, emb, corpus_digest=digest, model_name=options.embedding_model,
        hnsw_threshold=options.hnsw_threshold, progress=progress,
    )
    return True
