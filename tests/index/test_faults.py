"""Index faults end to end: a build killed midway, damaged index files, damaged model caches.

Each damaged file must be reported by name with the fix, served as a 503 carrying that message,
and repaired by the next ``planqa index`` (``Runtime.build``, which ``make run`` calls).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.store import BM25_DIR, DOCUMENTS, FAISS, MANIFEST, builds_dir, load_index
from index.testing import HashEmbedder, cached_hash_embedder
from ingest.errors import IndexError_, ModelError
from service.app import create_app
from service.runtime import Runtime
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
FIX = "run `planqa index` to rebuild"

STEEL = "东港区钢铁产业发展规划\n\n一、发展目标\n到2025年，全区钢铁产业产值达到500亿元。推进超低排放改造。\n"
PORT = "西湾港口物流发展规划\n\n一、总体要求\n建设区域性国际物流枢纽。集装箱吞吐量年均增长百分之八。\n"


def _settings(tmp_path: Path, corpus: Path | None = None) -> Settings:
    if corpus is None:
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        (corpus / "steel.txt").write_text(STEEL, encoding="utf-8")
        (corpus / "port.txt").write_text(PORT, encoding="utf-8")
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", embedding_cache_dir=tmp_path / "emb")


@pytest.fixture
def built(tmp_path: Path) -> Runtime:
    rt = Runtime(_settings(tmp_path), embedder=HashEmbedder(dim=32))
    assert rt.build() is True
    return rt


# ---- damaged index files ----------------------------------------------------------------------


def _resign(build: Path, name: str) -> None:
    """Make the manifest agree with the file again, so only the file's own parser can object."""
    manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    data = (build / name).read_bytes()
    manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    (build / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def _truncate(build: Path, name: str) -> str:
    path = build / name
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return f"{path}: index file is truncated or altered ({len(data) // 2} bytes, expected {len(data)}); {FIX}"


def _flip(build: Path, name: str) -> str:
    path = build / name
    data = bytearray(path.read_bytes())
    data[:8] = b"XXXXXXXX"
    path.write_bytes(bytes(data))
    return f"{path}: index file is corrupt (checksum mismatch); {FIX}"


def _faiss_garbage(build: Path, name: str) -> str:
    (build / name).write_bytes(os.urandom((build / name).stat().st_size))
    _resign(build, name)
    return f"{build / name}: FAISS index is corrupt ("


def _documents_garbage(build: Path, name: str) -> str:
    (build / name).write_bytes(b'{"doc_id": "x", "passages": [}\n')
    _resign(build, name)
    return f"{build / name}: index file is corrupt (JSONDecodeError: "


def _manifest_truncated(build: Path, name: str) -> str:
    path = build / name
    path.write_bytes(path.read_bytes()[:100])
    return f"{path}: index manifest is corrupt ("


def _manifest_missing(build: Path, name: str) -> str:
    (build / name).unlink()
    return f"{build / name}: index manifest is missing; {FIX}"


def _bm25_truncated(build: Path, name: str) -> str:
    first = sorted(p for p in (build / name).rglob("*") if p.is_file())[0]
    return _truncate(build, first.relative_to(build).as_posix())


DAMAGE: list[tuple[str, str, Callable[[Path, str], str]]] = [
    ("faiss-truncated", FAISS, _truncate),
    ("faiss-flipped", FAISS, _flip),
    ("faiss-garbage-resigned", FAISS, _faiss_garbage),
    ("manifest-truncated", MANIFEST, _manifest_truncated),
    ("manifest-missing", MANIFEST, _manifest_missing),
    ("documents-truncated", DOCUMENTS, _truncate),
    ("documents-garbage-resigned", DOCUMENTS, _documents_garbage),
    ("bm25-truncated", BM25_DIR, _bm25_truncated),
]


@pytest.mark.parametrize(("case", "name", "damage"), DAMAGE, ids=[d[0] for d in DAMAGE])
def test_damaged_index_file_is_named_served_as_503_and_rebuilt(built: Runtime, case: str, name: str, damage) -> None:
    s = built.settings
    old_build = s.index_dir.resolve()
    expected = damage(old_build, name)
    exact = expected.endswith(FIX)

    # Loading names the file and the fix.
    fresh = Runtime(s, embedder=HashEmbedder(dim=32))
    with pytest.raises(IndexError_) as info:
        fresh.load()
    message = str(info.value)
    assert message == expected if exact else (message.startswith(expected) and message.endswith(FIX))

    # A server started on it says so, with a 503 and the same message.
    with TestClient(create_app(s, runtime=fresh, ui=False)) as c:
        health = c.get("/healthz").json()
        r = c.post("/api/search", json={"query": "钢铁"})
    assert health["status"] == "error" and health["detail"] == message
    assert r.status_code == 503 and r.json() == {"detail": message}

    # `planqa index` (what `make run` calls) sees the damage although the corpus did not change.
    assert fresh.build() is True
    assert fresh.rebuild_reason == message
    assert s.index_dir.resolve() != old_build
    fresh.load()
    assert fresh.search("钢铁产业", top_k=3).hits
    assert fresh.build() is False and fresh.rebuild_reason is None


def test_index_link_to_a_deleted_build_is_rebuilt(built: Runtime) -> None:
    shutil.rmtree(built.settings.index_dir.resolve())
    assert built.build() is True
    built.load()
    assert built.index.passage_count > 0


# ---- a build killed midway --------------------------------------------------------------------


@pytest.mark.slow
def test_kill_9_during_planqa_index_leaves_the_previous_index_served(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    s = _settings(tmp_path, corpus)
    old = Runtime(s, embedder=HashEmbedder(dim=64))
    old.build(force=True)
    old.load()
    old_build, old_manifest = s.index_dir.resolve(), old.index.manifest
    root = builds_dir(s.index_dir)
    before = set(root.iterdir())

    env = {**os.environ, "PLANQA_CORPUS_DIR": str(corpus), "PLANQA_INDEX_DIR": str(s.index_dir),
           # An empty embedding cache: the real model must embed every passage, so the build is slow
           "PLANQA_EMBEDDING_CACHE_DIR": str(tmp_path / "empty-cache")}
    planqa = Path(sys.executable).parent / "planqa"
    log = tmp_path / "index.log"

    def output() -> str:
        return log.read_text(errors="replace")[-2000:]

    with open(log, "wb") as err:
        proc = subprocess.Popen([str(planqa), "index", "--force"], env=env, cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 300
        while not (set(root.iterdir()) - before - {root / ".lock"}):
            assert proc.poll() is None, f"planqa index ended before it started a build:\n{output()}"
            assert time.monotonic() < deadline, f"no build directory appeared:\n{output()}"
            time.sleep(0.02)
        assert proc.poll() is None, f"planqa index finished before it could be killed:\n{output()}"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    (partial,) = set(root.iterdir()) - before - {root / ".lock"}
    assert not (partial / MANIFEST).exists()

    # The link still points at the old build, which loads and verifies as it was.
    assert s.index_dir.resolve() == old_build
    idx = load_index(s.index_dir, HashEmbedder(dim=64), verify=True)
    assert idx.manifest == old_manifest
    # The server that was running keeps answering, and a restarted one serves the old index.
    assert old.search("5G基站", top_k=3).hits
    restarted = Runtime(s, embedder=HashEmbedder(dim=64))
    restarted.load()
    assert restarted.index.manifest["created"] == old_manifest["created"]
    # The next build takes the lock the killed process held, and clears its partial directory.
    assert restarted.build(force=True) is True
    assert not partial.exists()


# ---- damaged caches ---------------------------------------------------------------------------
# (A damaged materialised default model is rebuilt: tests/index/test_materialize.py.)


def test_damaged_custom_model_directory_names_the_file_and_the_fix(tmp_path: Path) -> None:
    model = tmp_path / "my-model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"12345")
    (model / "planqa_manifest.json").write_text(json.dumps(
        {"files": {"model.safetensors": {"size": 3, "sha256": "0" * 64}}}), encoding="utf-8")
    s = Settings(corpus_dir=tmp_path, index_dir=tmp_path / "index", embedding_model=str(model),
                 embedding_cache_dir=tmp_path / "emb")
    with pytest.raises(ModelError) as info:
        Runtime(s).embedder  # noqa: B018
    assert str(info.value) == (
        f"{model / 'model.safetensors'}: size 5 bytes, expected 3 (truncated or modified); "
        f"the model directory {model} is damaged: copy it again or delete it"
    )


def test_damaged_embedding_cache_is_set_aside_and_rebuilt(tmp_path: Path, monkeypatch, caplog) -> None:
    import index.embedder

    def load_embedder(name, model_dir, cache_dir, batch_size):  # the real one, with a hash model inside
        return cached_hash_embedder(cache_dir)

    monkeypatch.setattr(index.embedder, "load_embedder", load_embedder)
    s = _settings(tmp_path)
    cache = tmp_path / "emb"
    cache.mkdir()
    (cache / "embeddings.sqlite").write_bytes(os.urandom(8192))
    rt = Runtime(s)
    assert rt.build() is True
    aside = [p.name for p in cache.iterdir() if ".damaged-" in p.name]
    assert len(aside) == 1
    assert f"{cache / 'embeddings.sqlite'}: the embedding cache is damaged (file is not a database)" in caplog.text
    rt.load()
    assert rt.search("钢铁", top_k=2).hits
