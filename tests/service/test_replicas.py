"""Replicas behind a load balancer: shared Milvus content, health that fails, reload without restart.

Each replica is a real HTTP server (uvicorn on a loopback port) with its own ``Runtime``; Milvus
is a ``milvus-lite server`` process the tests start, stop and restart.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from index.store import DOCUMENTS
from index.testing import HashEmbedder
from service.app import create_app
from service.runtime import Runtime
from service.settings import Settings
from tests.index.milvus.server import MilvusServer
from tests.service.test_admin import PORT, SOLAR, STEEL

TOKEN = "replica-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RELOAD_S = 0.5
# A change made through one replica is answerable through another within this many seconds.
PROPAGATION_S = 5.0
# These tests are about serving, not reading: the trained reader and reranker stay unloaded.
NO_READER = {"reader": False, "reranker": "off"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def replica(settings: Settings, runtime: Runtime) -> Iterator[str]:
    """Serve ``runtime`` over HTTP on a free loopback port; yield its base URL."""
    app = create_app(settings, runtime=runtime, ui=False)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert time.monotonic() < deadline, "the replica did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        assert app.state.unhandled_errors == 0


def wait_for(what: str, cond: Callable[[], bool], timeout: float) -> float:
    """Seconds until ``cond()`` holds; fails naming ``what`` after ``timeout``."""
    t0 = time.monotonic()
    while not cond():
        assert time.monotonic() - t0 < timeout, f"{what} not within {timeout} s"
        time.sleep(0.1)
    return time.monotonic() - t0


def _corpus(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def _settings(tmp: Path, name: str, uri: str, collection: str, files: dict[str, str]) -> Settings:
    return Settings(
        corpus_dir=_corpus(tmp / name / "corpus", files), index_dir=tmp / name / "index",
        embedding_cache_dir=tmp / name / "emb", backend="milvus", milvus_uri=uri, milvus_collection=collection,
        milvus_timeout_s=3.0, reload_interval_s=RELOAD_S, admin_token=TOKEN, **NO_READER,
    )


def _cited_docs(base: str, question: str) -> list[str]:
    r = httpx.post(f"{base}/api/ask", json={"question": question}, timeout=30)
    return [c["doc_id"] for c in r.json().get("citations", [])] if r.status_code == 200 else []


@pytest.fixture
def milvus(tmp_path: Path) -> Iterator[MilvusServer]:
    with MilvusServer(tmp_path / "milvus-data") as server:
        yield server


def test_upload_through_one_replica_is_answered_by_another(milvus: MilvusServer, tmp_path: Path) -> None:
    coll = f"rep_{uuid.uuid4().hex[:10]}"
    sa = _settings(tmp_path, "a", milvus.uri, coll, {"steel-plan.txt": STEEL, "port-plan.txt": PORT})
    sb = _settings(tmp_path, "b", milvus.uri, coll, {})  # B has no corpus of its own: Milvus is all it reads
    a, b = Runtime(sa, embedder=HashEmbedder(dim=64)), Runtime(sb, embedder=HashEmbedder(dim=64))
    a.build()
    with replica(sa, a) as url_a, replica(sb, b) as url_b:
        assert httpx.get(f"{url_b}/healthz").json()["documents"] == 2
        question = "光伏组件产能到2025年达到多少？"
        assert "solar-plan" not in _cited_docs(url_b, question)

        r = httpx.post(f"{url_a}/api/documents", headers=AUTH, timeout=60,
                       files={"file": ("solar-plan.txt", SOLAR.encode(), "text/plain")})
        assert r.status_code == 201, r.text
        took = wait_for("B citing the uploaded plan", lambda: _cited_docs(url_b, question)[:1] == ["solar-plan"],
                        PROPAGATION_S)
        body = httpx.post(f"{url_b}/api/ask", json={"question": question}).json()
        assert "20吉瓦" in body["citations"][0]["text"]
        assert httpx.get(f"{url_b}/healthz").json()["documents"] == 3
        print(f"upload through A answered through B after {took:.2f} s")

        # a deletion through A disappears from B too, and B's other documents stay
        assert httpx.delete(f"{url_a}/api/documents/solar-plan", headers=AUTH, timeout=60).status_code == 200
        wait_for("B dropping the deleted plan", lambda: httpx.get(f"{url_b}/healthz").json()["documents"] == 2,
                 PROPAGATION_S)
        assert "solar-plan" not in _cited_docs(url_b, question)
        assert _cited_docs(url_b, "钢铁产业产值达到多少？")[:1] == ["steel-plan"]


def test_milvus_stopped_under_a_replica_is_503_and_recovers(milvus: MilvusServer, tmp_path: Path) -> None:
    s = _settings(tmp_path, "r", milvus.uri, f"flt_{uuid.uuid4().hex[:10]}", {"steel-plan.txt": STEEL})
    rt = Runtime(s, embedder=HashEmbedder(dim=64))
    rt.build()
    question = "钢铁产业产值达到多少？"
    with replica(s, rt) as url:
        assert httpx.get(f"{url}/healthz").status_code == 200
        assert _cited_docs(url, question)[:1] == ["steel-plan"]

        milvus.stop()
        wait_for("/healthz 503", lambda: httpx.get(f"{url}/healthz", timeout=10).status_code == 503, 10)
        health = httpx.get(f"{url}/healthz", timeout=10).json()
        assert health["status"] == "error" and health["detail"].startswith(f"Milvus at {milvus.uri} ")
        for route, body in (("/api/ask", {"question": question}), ("/api/search", {"query": "钢铁"}),
                            ("/api/search", {"query": "钢铁", "mode": "exact"})):
            r = httpx.post(f"{url}{route}", json=body, timeout=30)
            assert r.status_code == 503, (route, r.text)
            assert r.json()["detail"].startswith(f"Milvus at {milvus.uri} "), r.text

        milvus.start()
        took = wait_for("answers again", lambda: _cited_docs(url, question)[:1] == ["steel-plan"], 20)
        assert httpx.get(f"{url}/healthz").status_code == 200
        print(f"answering again {took:.2f} s after Milvus restarted")


def test_a_damaged_local_index_repaired_by_planqa_index_is_picked_up(tmp_path: Path) -> None:
    s = Settings(corpus_dir=_corpus(tmp_path / "corpus", {"steel-plan.txt": STEEL}), index_dir=tmp_path / "index",
                 embedding_cache_dir=tmp_path / "emb", reload_interval_s=RELOAD_S, **NO_READER)
    Runtime(s, embedder=HashEmbedder(dim=64)).build()
    damaged = s.index_dir.resolve() / DOCUMENTS
    damaged.write_bytes(damaged.read_bytes()[:100])
    served = Runtime(s, embedder=HashEmbedder(dim=64))
    with replica(s, served) as url:
        r = httpx.get(f"{url}/healthz")
        assert r.status_code == 503 and r.json()["detail"].startswith(f"{damaged}: index file is truncated")
        assert httpx.post(f"{url}/api/search", json={"query": "钢铁"}).status_code == 503

        # what `planqa index` does, in another runtime (another process in production)
        repair = Runtime(s, embedder=HashEmbedder(dim=64))
        assert repair.build() is True and repair.rebuild_reason is not None
        wait_for("the repaired index served", lambda: httpx.get(f"{url}/healthz").status_code == 200, 5)
        hits = httpx.post(f"{url}/api/search", json={"query": "钢铁产业"}).json()["results"]
        assert hits and hits[0]["doc_id"] == "steel-plan"


def test_a_rebuilt_local_index_is_swapped_in_without_restart(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus", {"steel-plan.txt": STEEL})
    s = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", embedding_cache_dir=tmp_path / "emb",
                 reload_interval_s=RELOAD_S, **NO_READER)
    Runtime(s, embedder=HashEmbedder(dim=64)).build()
    served = Runtime(s, embedder=HashEmbedder(dim=64))
    with replica(s, served) as url:
        assert httpx.get(f"{url}/healthz").json()["documents"] == 1
        (corpus / "port-plan.txt").write_text(PORT, encoding="utf-8")
        assert Runtime(s, embedder=HashEmbedder(dim=64)).build() is True
        wait_for("the rebuilt index served", lambda: httpx.get(f"{url}/healthz").json()["documents"] == 2, 5)
