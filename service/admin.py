"""Document administration: add an uploaded file to the corpus or remove one, then re-index.

The corpus directory is the source of truth, so an upload is only a file written there and a
deletion only a file removed; the index is rebuilt from the corpus either way (the embedding
cache makes that cost only the new passages). Every step that can fail runs before anything is
visible: an upload is ingested from a staging directory first, and if the re-index fails the
file is taken out again, so a failed operation leaves the corpus and the served index as they
were. One operation runs at a time; searches keep being served from the old index meanwhile.

Names come from the caller, so they are reduced to a plain file name before any path is built,
and every path written is checked to lie directly inside the corpus directory.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from pathlib import Path

from ingest.errors import (
    AdminDisabled,
    Conflict,
    Forbidden,
    IngestError,
    InvalidRequest,
    StorageError,
    TooLarge,
    Unauthorized,
)
from ingest.model import Document
from ingest.pipeline import SIDECAR_SUFFIX, SKIPPED_NAMES, collect_files, ingest_file, slug
from service.runtime import Runtime

log = logging.getLogger("planqa")

ALLOWED_SUFFIXES = (".txt", ".md", ".docx", ".doc", ".pdf", ".html", ".htm")
MAX_NAME_CHARS = 120
MAX_TITLE_CHARS = 200
STAGING_PREFIX = ".staging-"  # hidden: ingest and the corpus hash skip it


def check_token(expected: str | None, authorization: str | None) -> None:
    """Accept only ``Authorization: Bearer <expected>``; compared in constant time."""
    if not expected:
        raise AdminDisabled("document administration is disabled; set PLANQA_ADMIN_TOKEN to enable it")
    scheme, _, token = (authorization or "").strip().partition(" ")
    if not authorization or scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("this route needs the admin token: send the header 'Authorization: Bearer <token>'")
    if not hmac.compare_digest(_header_bytes(token.strip()), expected.encode("utf-8")):
        raise Forbidden("the admin token is wrong")


def _header_bytes(value: str) -> bytes:
    """The bytes a header value arrived as (servers decode headers as Latin-1), so a UTF-8 token matches."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def safe_filename(name: str) -> str:
    """A plain file name for ``corpus/`` from what the client called its file.

    Directories (``/`` or ``\\``) are dropped, leading dots and spaces removed (no hidden
    files), characters other than letters, digits and ``._-()`` replaced by ``-``.
    """
    if not isinstance(name, str) or not name.strip():
        raise InvalidRequest("the upload has no file name; send the file with its name (e.g. plan.txt)")
    base = re.split(r"[/\\]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join("-" if unicodedata.category(c)[0] == "C" else c for c in base)
    base = re.sub(r"[^\w.\-()（）]+", "-", base)
    base = re.sub(r"-{2,}", "-", base)
    stem, dot, suffix = base.rpartition(".")
    stem, suffix = (stem, "." + suffix.lower()) if dot else (base, "")
    stem = stem.strip(". -")
    if suffix not in ALLOWED_SUFFIXES:
        shown = f"'{suffix}'" if suffix else "no suffix"
        raise InvalidRequest(
            f"the file '{_shown(name)}' has {shown}; upload a {', '.join(ALLOWED_SUFFIXES)} file"
        )
    if not stem or not re.search(r"\w", stem):
        raise InvalidRequest(f"the file name '{_shown(name)}' has no usable name; rename the file")
    if len(stem) > MAX_NAME_CHARS:
        raise InvalidRequest(
            f"the file name is {len(stem)} characters long; the limit is {MAX_NAME_CHARS}: rename the file"
        )
    out = stem + suffix
    if SKIPPED_NAMES.match(out):
        raise InvalidRequest(f"files named '{out}' describe the corpus and are not indexed; rename the file")
    return out


def clean_title(title: str | None) -> str | None:
    if title is None or not title.strip():
        return None
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in title):
        raise InvalidRequest("the title contains control characters or unpaired surrogates; remove them")
    title = " ".join(title.split())
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidRequest(f"the title is {len(title)} characters; the limit is {MAX_TITLE_CHARS}")
    return title


def _shown(name: str) -> str:
    """A client-supplied name fit for an error message (no control characters, not too long)."""
    clean = "".join("?" if unicodedata.category(c) in ("Cc", "Cs") else c for c in name)
    return clean if len(clean) <= 80 else clean[:77] + "..."


def _sidecar(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


class DocumentAdmin:
    """Adds and deletes documents of one runtime's corpus, one operation at a time."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._lock = threading.Lock()

    @property
    def corpus(self) -> Path:
        return Path(self.runtime.settings.corpus_dir)

    def _inside(self, path: Path) -> Path:
        """``path`` if it lies directly in the corpus directory; refuse anything else."""
        root = self.corpus.resolve()
        resolved = path.resolve()
        if resolved.parent != root:
            raise InvalidRequest(f"'{path.name}' does not resolve to a file in the corpus directory")
        return resolved

    # ---- upload --------------------------------------------------------------------------------
    def add(self, filename: str, data: bytes, title: str | None = None) -> Document:
        """Ingest ``data`` as a new document named ``filename`` and re-index; return it."""
        limit = self.runtime.settings.max_upload_bytes
        if len(data) > limit:
            raise TooLarge(f"the file is {len(data)} bytes; the limit is {limit} (PLANQA_MAX_UPLOAD_BYTES)")
        name = safe_filename(filename)
        title = clean_title(title)
        with self._lock:
            self.runtime.require_index()
            target = self._inside(self.corpus / name)
            side = _sidecar(target)
            doc_id = slug(target.stem)
            for existing in (target, side):
                if existing.exists():
                    raise Conflict(
                        f"{existing.name} already exists in the corpus; delete document '{doc_id}' "
                        "first or upload the file under another name"
                    )
            if doc_id in self.runtime.require_index().documents:
                raise Conflict(
                    f"a document with id '{doc_id}' already exists; delete it first or rename the file"
                )
            staging = self._staging()
            try:
                doc = self._ingest_staged(staging, name, data, title)
                written = self._publish(staging, target, title is not None)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            try:
                self.runtime.reindex(added=target)
                added = self.runtime.require_index().documents.get(doc_id)
                if added is None:
                    raise IngestError(name, "was not indexed; the server log says why")
            except BaseException:
                for p in written:
                    p.unlink(missing_ok=True)
                self._restore_index(removed=doc_id)
                raise
            log.info("added document %s (%d passages)", doc_id, len(doc.passages))
            return added

    def _staging(self) -> Path:
        try:
            self.corpus.mkdir(parents=True, exist_ok=True)
            return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.corpus))
        except OSError as e:
            raise StorageError(f"{self.corpus}: cannot write to the corpus directory ({e.strerror})") from None

    def _ingest_staged(self, staging: Path, name: str, data: bytes, title: str | None) -> Document:
        """Read the upload exactly as the index build will, before it enters the corpus."""
        staged = staging / name
        try:
            staged.write_bytes(data)
            if title is not None:
                _write_sidecar(_sidecar(staged), title)
        except OSError as e:
            raise StorageError(f"{self.corpus}: cannot write to the corpus directory ({e.strerror})") from None
        try:
            doc = ingest_file(staged)
        except IngestError as e:
            raise IngestError(name, e.reason) from None
        except Exception as e:  # a loader's surprise is still the file's fault
            raise IngestError(name, f"could not be read ({type(e).__name__}: {e})") from None
        if not doc.passages:
            raise IngestError(name, "has no text to index")
        return doc

    def _publish(self, staging: Path, target: Path, with_sidecar: bool) -> list[Path]:
        """Move the staged file (and sidecar) into the corpus without overwriting anything."""
        moves = [(staging / target.name, target)]
        if with_sidecar:
            moves.append((_sidecar(staging / target.name), _sidecar(target)))
        written: list[Path] = []
        try:
            for src, dst in moves:
                os.link(src, dst)  # fails if dst exists: never an overwrite
                written.append(dst)
        except FileExistsError:
            for p in written:
                p.unlink(missing_ok=True)
            raise Conflict(f"{target.name} already exists in the corpus; upload it under another name") from None
        except OSError as e:
            for p in written:
                p.unlink(missing_ok=True)
            raise StorageError(f"{self.corpus}: cannot write to the corpus directory ({e.strerror})") from None
        return written

    # ---- deletion ------------------------------------------------------------------------------
    def delete(self, doc_id: str) -> Document:
        """Remove the document's file (and sidecar) from the corpus and re-index; return it."""
        with self._lock:
            doc = self.runtime.document(doc_id)
            if len(self.runtime.documents()) == 1:
                raise Conflict(f"'{doc_id}' is the only document; upload another before deleting it")
            source = self._source_of(doc)
            files = [p for p in (source, _sidecar(source)) if p.exists()]
            trash = self._staging()
            moved: list[tuple[Path, Path]] = []
            try:
                for p in files:
                    os.replace(p, trash / p.name)
                    moved.append((trash / p.name, p))
                self.runtime.reindex(removed=doc_id)
                if doc_id in self.runtime.require_index().documents:
                    raise Conflict(f"document '{doc_id}' is still indexed after removing {source.name}")
            except BaseException:
                for src, dst in moved:
                    os.replace(src, dst)
                self._restore_index(added=source)
                raise
            finally:
                shutil.rmtree(trash, ignore_errors=True)
            log.info("deleted document %s (%s)", doc_id, source.name)
            return doc

    def _source_of(self, doc: Document) -> Path:
        """The corpus file holding ``doc`` and nothing else."""
        matches = [
            f for f in collect_files([self.corpus])[0]
            if f.parent.resolve() == self.corpus.resolve() and f.suffix.lower() != ".jsonl"
            and slug(f.stem) == doc.doc_id
        ]
        if len(matches) == 1:
            return self._inside(matches[0])
        shown = Path(doc.source).name
        if Path(doc.source).suffix.lower() == ".jsonl":
            raise Conflict(
                f"document '{doc.doc_id}' is one line of {shown}; remove it from that file and run `planqa index`"
            )
        raise Conflict(f"document '{doc.doc_id}' has no file of its own directly in the corpus directory")

    def _restore_index(self, added: Path | None = None, removed: str | None = None) -> None:
        """After a failed operation, make the index match the restored corpus again (on Milvus,
        by undoing just that document: ``added``/``removed`` name the inverse change)."""
        try:
            if self.runtime.settings.backend == "milvus":
                self.runtime.reindex(added=added if added is not None and added.exists() else None, removed=removed)
            else:
                self.runtime.build()
        except Exception:
            log.exception("could not rebuild the index after a failed document operation")


def _write_sidecar(path: Path, title: str) -> None:
    path.write_text(json.dumps({"title": title}, ensure_ascii=False) + "\n", encoding="utf-8")
