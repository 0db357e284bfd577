"""The index directory: layout, manifest, atomic publication, verified loading, staleness.

Each build is written to its own directory ``<index_dir>.builds/<stamp>/``; ``index_dir`` is a
symlink to the current build, replaced with ``os.replace`` of a fresh symlink, which is atomic:
a reader sees the old build or the new one, never a mix, and a build killed midway leaves the
previous index in service. Old builds are pruned after a successful swap.

A build directory holds plain files listed with their sha256 and size in ``manifest.json``;
loading checks every one, so a truncated or damaged file is reported by name instead of
surfacing later as a wrong answer.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.bm25 import BM25Retriever
from index.dense import DenseRetriever
from index.exact import ExactPhraseSearch, synthesize_uncovered
from index.hybrid import DEFAULT_FUSION, FusionConfig, HybridRetriever
from index.serialize import document_from_dict
from index.tokenize import DATA_DIR, Tokenizer
from index.types import Embedder
from index.userdict import read_userdict
from ingest import unify as unify_module
from ingest.errors import IndexError_
from ingest.identity import with_distinct_names
from ingest.model import Document, Paragraph, Passage

# 3: documents carry their identity (issuer, date, year, region, number, kind, period)
FORMAT_VERSION = 3
FIX = "run `planqa index` to rebuild"

MANIFEST = "manifest.json"
DOCUMENTS = "documents.jsonl"
USERDICT = "userdict.txt"
# Not a Python identifier: an index directory in the working directory can never shadow a module.
BM25_DIR = "bm25-index"
FAISS = "dense.faiss"


# ---- hashing --------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every regular, non-hidden file under ``corpus_dir`` (sources and ``*.meta.json``), sorted."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        return []
    out = []
    for p in sorted(corpus_dir.rglob("*")):
        rel = p.relative_to(corpus_dir)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts):
            out.append(p)
    return out


def corpus_hash(corpus_dir: Path) -> str:
    """sha256 over the relative names and bytes of ``corpus_files(corpus_dir)``."""
    h = hashlib.sha256()
    for p in corpus_files(corpus_dir):
        name = p.relative_to(corpus_dir).as_posix().encode("utf-8")
        h.update(len(name).to_bytes(8, "little") + name)
        data = p.read_bytes()
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def builder_fingerprint(fusion: FusionConfig = DEFAULT_FUSION) -> str:
    """Changes when the on-disk format, the shipped word lists, the normaliser or the default fusion change."""
    h = hashlib.sha256(f"format={FORMAT_VERSION};fusion={json.dumps(fusion.to_dict(), sort_keys=True)}".encode())
    code = [DATA_DIR.parent / name for name in ("textnorm.py", "units.py")] + [Path(unify_module.__file__)]
    for p in [*sorted(DATA_DIR.glob("*.txt")), *code]:
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()[:16]


# ---- directories and atomic publication -------------------------------------------------------


def builds_dir(index_dir: Path) -> Path:
    index_dir = Path(index_dir)
    return index_dir.parent / f"{index_dir.name}.builds"


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index directory (across processes)."""
    root = builds_dir(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def new_build_dir(index_dir: Path) -> Path:
    root = builds_dir(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    # one clock read for both parts, so names sort in build order even across a second boundary
    secs, frac = divmod(time.time_ns(), 1_000_000_000)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(secs)) + f"-{frac:09d}-{os.getpid()}"
    path = root / stamp
    path.mkdir()
    return path


def publish(build_dir: Path, index_dir: Path) -> None:
    """Point ``index_dir`` at ``build_dir`` atomically (a symlink replaced by ``os.replace``)."""
    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    if index_dir.exists() and not index_dir.is_symlink():
        # A plain directory from elsewhere: keep it beside the builds, then link.
        os.replace(index_dir, builds_dir(index_dir) / f"previous-{time.time_ns()}")
    target = os.path.relpath(build_dir, index_dir.parent)
    tmp = index_dir.parent / f".{index_dir.name}.link-{os.getpid()}-{time.time_ns()}"
    os.symlink(target, tmp)
    os.replace(tmp, index_dir)


def current_build(index_dir: Path) -> Path | None:
    index_dir = Path(index_dir)
    if not index_dir.exists():
        return None
    return index_dir.resolve()


def prune_builds(index_dir: Path, keep: int = 1) -> list[Path]:
    """Delete builds other than the current one and the ``keep`` newest complete ones."""
    root = builds_dir(index_dir)
    if not root.is_dir():
        return []
    current = current_build(index_dir)
    others = sorted(
        (p for p in root.iterdir() if p.is_dir() and p.resolve() != current), key=lambda p: p.name, reverse=True
    )
    complete = [p for p in others if (p / MANIFEST).is_file()]
    keep_set = set(complete[:keep])
    removed = []
    for p in others:
        if p not in keep_set:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


# ---- manifest -------------------------------------------------------------------------------


def file_entries(build_dir: Path) -> dict[str, dict[str, Any]]:
    """sha256 and size of every file in ``build_dir`` except the manifest."""
    out: dict[str, dict[str, Any]] = {}
    for p in sorted(build_dir.rglob("*")):
        if p.is_file() and p.name != MANIFEST:
            out[p.relative_to(build_dir).as_posix()] = {"sha256": file_sha256(p), "size": p.stat().st_size}
    return out


def write_manifest(build_dir: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest last (its presence marks a complete build), durably."""
    tmp = build_dir / (MANIFEST + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, build_dir / MANIFEST)


def read_manifest(index_dir: Path) -> dict[str, Any]:
    """The manifest of the index at ``index_dir``; ``IndexError_`` naming the file otherwise."""
    index_dir = Path(index_dir)
    if not index_dir.exists():
        raise IndexError_(f"no index at {index_dir}; run `planqa index` to build it")
    path = index_dir / MANIFEST
    if not path.is_file():
        raise IndexError_(f"{path}: index manifest is missing; {FIX}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise IndexError_(f"{path}: index manifest is corrupt ({e}); {FIX}") from None
    required = ("format", "model", "dims", "documents", "passages", "files")
    if not isinstance(manifest, dict) or any(k not in manifest for k in required):
        raise IndexError_(f"{path}: index manifest is corrupt (missing fields); {FIX}")
    if manifest["format"] != FORMAT_VERSION:
        raise IndexError_(
            f"{path}: index format {manifest['format']} is not the supported format {FORMAT_VERSION}; {FIX}"
        )
    return manifest


def verify_files(build_dir: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists exists with its recorded size and sha256."""
    for name, entry in manifest["files"].items():
        path = build_dir / name
        if not path.is_file():
            raise IndexError_(f"{path}: index file is missing; {FIX}")
        size = path.stat().st_size
        if size != entry["size"]:
            raise IndexError_(f"{path}: index file is truncated or altered ({size} bytes, expected {entry['size']}); {FIX}")
        if file_sha256(path) != entry["sha256"]:
            raise IndexError_(f"{path}: index file is corrupt (checksum mismatch); {FIX}")


# ---- staleness --------------------------------------------------------------------------------


def is_stale(index_dir: Path, corpus_dir: Path, model_id: str | None = None) -> str | bool:
    """``False`` when the index matches the corpus, model and builder; else the reason (a str)."""
    try:
        manifest = read_manifest(Path(index_dir))
    except IndexError_ as e:
        return str(e)
    if model_id is not None and model_id not in (manifest.get("model"), manifest.get("model_name")):
        return f"the index was built with model '{manifest.get('model')}', not '{model_id}'"
    if manifest.get("builder") != builder_fingerprint():
        return "the index was built by a different version of the indexer"
    if manifest.get("corpus_hash") != corpus_hash(Path(corpus_dir)):
        return f"the documents in {corpus_dir} changed since the index was built"
    return False


# ---- loading ----------------------------------------------------------------------------------


@dataclass
class SearchIndex:
    """A loaded index: the documents, every passage by id, and the retrievers over them.

    ``passages`` also resolves the synthesised heading/label passages exact search can return;
    ``indexed`` is the list BM25 and FAISS positions refer to. ``dense`` and ``hybrid`` are None
    when the index was loaded without an embedder.
    """

    path: Path
    manifest: dict[str, Any]
    documents: dict[str, Document]
    passages: dict[str, Passage]
    paragraphs: dict[str, Paragraph]
    indexed: list[Passage]
    tokenizer: Tokenizer
    bm25: BM25Retriever
    exact: ExactPhraseSearch
    dense: DenseRetriever | None = None
    hybrid: HybridRetriever | None = None
    fusion: FusionConfig = field(default_factory=FusionConfig)

    @property
    def passage_count(self) -> int:
        return len(self.indexed)

    @property
    def model_id(self) -> str:
        return str(self.manifest["model"])


def _load_documents(path: Path) -> list[Document]:
    docs = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    docs.append(document_from_dict(json.loads(line)))
    except FileNotFoundError:
        raise IndexError_(f"{path}: index file is missing; {FIX}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
        raise IndexError_(f"{path}: index file is corrupt ({type(e).__name__}: {e}); {FIX}") from None
    return docs


def load_index(
    index_dir: Path, embedder: Embedder | None = None, model_name: str | None = None, verify: bool = True
) -> SearchIndex:
    """Load and check the index at ``index_dir``.

    Refuses (``IndexError_``) when a file is missing, truncated or corrupt, or when the index was
    built with another embedding model or dimension than ``embedder`` (or than the model
    ``model_name`` names). Without an embedder only BM25 and exact search load.
    """
    index_dir = Path(index_dir)
    if not index_dir.exists():
        raise IndexError_(f"no index at {index_dir}; run `planqa index` to build it")
    build_dir = index_dir.resolve()  # the build the link points at now; a later swap cannot mix builds
    manifest = read_manifest(build_dir)
    if embedder is not None:
        if embedder.model_id != manifest["model"]:
            raise IndexError_(
                f"{index_dir}: index was built with embedding model '{manifest['model']}' "
                f"but the configured model is '{embedder.model_id}'; {FIX}"
            )
        if int(embedder.dim) != int(manifest["dims"]):
            raise IndexError_(
                f"{index_dir}: index has {manifest['dims']}-dimensional embeddings but the model "
                f"'{embedder.model_id}' produces {embedder.dim}; {FIX}"
            )
    if model_name and manifest.get("model_name") and model_name not in (manifest["model_name"], manifest["model"]):
        raise IndexError_(
            f"{index_dir}: index was built with embedding model '{manifest['model_name']}' "
            f"but the configured model is '{model_name}'; {FIX}"
        )
    if verify:
        verify_files(build_dir, manifest)

    documents = with_distinct_names(_load_documents(build_dir / DOCUMENTS))
    indexed = [p for d in documents for p in d.passages]
    if len(documents) != manifest["documents"] or len(indexed) != manifest["passages"]:
        raise IndexError_(
            f"{build_dir / DOCUMENTS}: index file holds {len(documents)} documents and {len(indexed)} passages, "
            f"the manifest {manifest['documents']} and {manifest['passages']}; {FIX}"
        )
    synthesized = [s for d in documents for s in synthesize_uncovered(d)]
    passages = {p.id: p for p in indexed}
    passages.update({p.id: p for p in synthesized})
    paragraphs = {p.id: p for d in documents for p in d.paragraphs}

    try:
        tokenizer = Tokenizer(read_userdict(build_dir / USERDICT))
    except (OSError, UnicodeDecodeError) as e:
        raise IndexError_(f"{build_dir / USERDICT}: index file is unreadable ({e}); {FIX}") from None
    try:
        bm25 = BM25Retriever.load(build_dir / BM25_DIR, indexed, tokenizer)
    except (OSError, EOFError, ValueError, KeyError, TypeError) as e:
        raise IndexError_(f"{build_dir / BM25_DIR}: BM25 index is corrupt ({e}); {FIX}") from None

    fusion = FusionConfig.from_dict(manifest.get("fusion") or {})
    dense = hybrid = None
    if embedder is not None:
        faiss_path = build_dir / FAISS
        if not faiss_path.is_file():
            raise IndexError_(f"{faiss_path}: index file is missing; {FIX}")
        try:
            dense = DenseRetriever.load(faiss_path, indexed, embedder, tokenizer)
        except (RuntimeError, ValueError) as e:
            raise IndexError_(f"{faiss_path}: FAISS index is corrupt ({str(e).splitlines()[0]}); {FIX}") from None
        hybrid = HybridRetriever(bm25, dense, fusion)
    return SearchIndex(
        path=build_dir, manifest=manifest, documents={d.doc_id: d for d in documents}, passages=passages,
        paragraphs=paragraphs, indexed=indexed, tokenizer=tokenizer, bm25=bm25,
        exact=ExactPhraseSearch(documents, synthesized), dense=dense, hybrid=hybrid, fusion=fusion,
    )
