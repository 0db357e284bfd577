"""API keys on disk: created and revoked through ``KeyFile``, read by servers through ``KeyRing``."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from ingest.errors import Conflict, InvalidRequest, KeyFileError, NotFound
from service.keys import KeyFile, KeyRing, digest


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "api-keys.json"


def test_the_file_keeps_the_hash_and_a_hint_never_the_key(path: Path) -> None:
    key, record = KeyFile(path).create("chatbot", requests_per_minute=10)
    text = path.read_text(encoding="utf-8")
    assert key.startswith("pq-") and len(key) > 40
    assert key not in text and key[8:] not in text
    assert digest(key) in text and record.hint == key[:7]
    (stored,) = json.loads(text)["keys"]
    assert stored["name"] == "chatbot" and stored["requests_per_minute"] == 10 and stored["revoked"] is None
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_a_ring_accepts_active_keys_only(path: Path) -> None:
    keys = KeyFile(path)
    alice, _ = keys.create("alice")
    bob, _ = keys.create("bob")
    ring = KeyRing(path, check_every_s=0)
    assert ring.lookup(alice).name == "alice" and ring.lookup(bob).name == "bob"
    assert ring.lookup("pq-" + "x" * 43) is None and ring.lookup(alice[3:]) is None

    keys.revoke("alice")
    assert ring.lookup(alice) is None  # re-read at once (check_every_s=0)
    assert ring.lookup(bob).name == "bob"
    assert [r.name for r in keys.records() if not r.active] == ["alice"]


def test_a_ring_rereads_only_when_its_interval_has_passed(path: Path) -> None:
    keys = KeyFile(path)
    alice, _ = keys.create("alice")
    ring = KeyRing(path, check_every_s=3600)
    keys.revoke("alice")
    assert ring.lookup(alice) is not None  # not checked again yet
    ring.refresh(force=True)
    assert ring.lookup(alice) is None


def test_a_missing_file_means_no_keys(path: Path) -> None:
    ring = KeyRing(path, check_every_s=0)
    assert not ring.has_keys()
    KeyFile(path).create("first")
    assert ring.has_keys()


def test_a_damaged_file_is_named_at_start_and_keeps_the_keys_read_before_later(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key, _ = KeyFile(path).create("alice")
    ring = KeyRing(path, check_every_s=0)
    path.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="planqa"):
        assert ring.lookup(key).name == "alice"
    assert "the API key file is damaged" in caplog.text and "still accepting the keys read before" in caplog.text
    with pytest.raises(KeyFileError) as e:
        KeyRing(path)
    assert str(e.value).startswith(f"{path}: the API key file is damaged (")
    assert str(e.value).endswith("restore it or remove it and create the keys again with `planqa keys create NAME`")


def test_names_and_limits_are_checked(path: Path) -> None:
    keys = KeyFile(path)
    with pytest.raises(InvalidRequest) as e:
        keys.create("has space")
    assert str(e.value) == ("'has space' is not a key name: use 1–64 letters, digits, '.', '_' or '-', "
                            "starting with a letter or digit")
    with pytest.raises(InvalidRequest) as e:
        keys.create("ok", requests_per_minute=-1)
    assert str(e.value) == "requests per minute must be 0 (no limit) or more, not -1"
    keys.create("ok")
    with pytest.raises(Conflict) as e:
        keys.create("ok")
    assert str(e.value) == "a key named 'ok' exists; revoke it first or choose another name"
    keys.revoke("ok")
    keys.create("ok")  # the name is free again once revoked
    with pytest.raises(NotFound) as e:
        keys.revoke("nobody")
    assert str(e.value) == f"no active key named 'nobody' in {path}"
