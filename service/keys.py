"""API keys: created and revoked with ``planqa keys``, kept hashed in one JSON file, re-read on change.

A key is 32 random bytes (URL-safe base64 after ``pq-``) and the file keeps only its SHA-256: a
slow password hash guards secrets people choose, while nobody guesses 256 random bits, and one
SHA-256 per request keeps the check off the answer's time. The file is replaced atomically on
every change (written beside it, then renamed), so a server never reads half of one; servers
notice the new file within ``check_every_s`` and a revoked key is refused from then on.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from ingest.errors import Conflict, InvalidRequest, KeyFileError, NotFound

log = logging.getLogger("planqa")

KEY_PREFIX = "pq-"
HINT_CHARS = len(KEY_PREFIX) + 4  # enough of a key to tell keys apart in `planqa keys list`
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
FORMAT_VERSION = 1


@dataclass(frozen=True)
class KeyRecord:
    """One key as stored: its name (shown in logs and metrics), its hash, never the key."""

    name: str
    sha256: str
    hint: str
    created: str
    revoked: str | None = None
    requests_per_minute: int | None = None  # None: PLANQA_RATE_LIMIT_PER_MINUTE
    max_concurrent: int | None = None  # None: PLANQA_MAX_CONCURRENT_PER_KEY

    @property
    def active(self) -> bool:
        return self.revoked is None


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def read_keys(path: Path) -> list[KeyRecord]:
    """The records in ``path``; none when the file does not exist."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as e:
        raise KeyFileError(f"{path}: cannot read the API key file ({e.strerror})") from None
    try:
        data = json.loads(raw)
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"version {data.get('version')!r}, expected {FORMAT_VERSION}")
        return [KeyRecord(**k) for k in data["keys"]]
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise KeyFileError(f"{path}: the API key file is damaged ({e}); restore it or remove it and "
                           "create the keys again with `planqa keys create NAME`") from None


def _write_keys(path: Path, records: list[KeyRecord]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"version": FORMAT_VERSION, "keys": [asdict(r) for r in records]}, ensure_ascii=False, indent=2)
    fd, tmp = tempfile.mkstemp(prefix=".api-keys-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:  # mkstemp creates it readable by its owner only
            f.write(body + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class KeyFile:
    """Changes to the key file, one process at a time (``planqa keys``)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[list[KeyRecord]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield read_keys(self.path)

    def records(self) -> list[KeyRecord]:
        return read_keys(self.path)

    def create(self, name: str, requests_per_minute: int | None = None,
               max_concurrent: int | None = None) -> tuple[str, KeyRecord]:
        """A new key named ``name``: the key itself (shown once, never stored) and its record."""
        if not NAME.match(name):
            raise InvalidRequest(f"'{name}' is not a key name: use 1–64 letters, digits, '.', '_' or '-', "
                                 "starting with a letter or digit")
        for what, value in (("requests per minute", requests_per_minute), ("concurrent requests", max_concurrent)):
            if value is not None and value < 0:
                raise InvalidRequest(f"{what} must be 0 (no limit) or more, not {value}")
        with self._locked() as records:
            if any(r.name == name and r.active for r in records):
                raise Conflict(f"a key named '{name}' exists; revoke it first or choose another name")
            key = KEY_PREFIX + secrets.token_urlsafe(32)
            record = KeyRecord(name=name, sha256=digest(key), hint=key[:HINT_CHARS], created=_now(),
                               requests_per_minute=requests_per_minute, max_concurrent=max_concurrent)
            _write_keys(self.path, [*records, record])
        return key, record

    def revoke(self, name: str) -> KeyRecord:
        """Mark the active key ``name`` revoked (the record stays, so the file tells what was)."""
        with self._locked() as records:
            for i, r in enumerate(records):
                if r.name == name and r.active:
                    records[i] = replace(r, revoked=_now())
                    _write_keys(self.path, records)
                    return records[i]
        raise NotFound(f"no active key named '{name}' in {self.path}")


class KeyRing:
    """The active keys a server accepts, re-read when the file changes (checked every ``check_every_s``)."""

    def __init__(self, path: Path, check_every_s: float = 2.0) -> None:
        self.path = Path(path)
        self.check_every_s = check_every_s
        self._lock = threading.Lock()
        self._by_hash: dict[str, KeyRecord] = {}
        self._signature: tuple[int, int, int] | None = None
        self._checked = float("-inf")
        self.refresh(force=True)

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def refresh(self, force: bool = False) -> None:
        """Re-read the file if it changed; a damaged file leaves the keys read before in force."""
        now = time.monotonic()
        if not force and now - self._checked < self.check_every_s:
            return
        with self._lock:
            self._checked = now
            signature = self._stat()
            if signature == self._signature and not force:
                return
            try:
                records = read_keys(self.path)
            except KeyFileError as e:
                if force:
                    raise
                log.error("%s; still accepting the keys read before", e)
                return
            self._by_hash = {r.sha256: r for r in records if r.active}
            if not force:
                log.info("API keys reloaded from %s: %d active", self.path, len(self._by_hash))
            self._signature = signature

    def has_keys(self) -> bool:
        self.refresh()
        return bool(self._by_hash)

    def lookup(self, key: str) -> KeyRecord | None:
        """The active record of ``key``, or None."""
        self.refresh()
        return self._by_hash.get(digest(key)) if key.startswith(KEY_PREFIX) else None
