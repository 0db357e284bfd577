"""The HTTP API over the Milvus backend answers as it does over the local index.

The plan in ``corpus/`` is written to Milvus Lite (a file) and to ``milvus-lite server`` (the
http:// path); every route is compared with the local backend built from the same corpus with
the same embedder. One test uses the real embedding model.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from index.testing import HashEmbedder
from service.app import create_app
from service.runtime import Runtime
from service.settings import Settings
from tests.index.milvus.server import MilvusServer

QUERIES = ["工业增加值", "5G基站建设", "专精特新小巨人企业", "永磁直驱", "智能制造"]
QUESTIONS = ["2020年全区规上工业总产值是多少？", "到2025年要建成多少个5G基站？", "什么是双智战略？"]


@pytest.fixture(scope="module")
def milvus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MilvusServer]:
    with MilvusServer(tmp_path_factory.mktemp("api-milvus") / "data") as server:
        yield server


@pytest.fixture(scope="module", params=["lite", "server"])
def milvus_settings(request, hash_settings: Settings, tmp_path_factory) -> Settings:
    uri = (str(tmp_path_factory.mktemp("api-lite") / "planqa.db") if request.param == "lite"
           else request.getfixturevalue("milvus_server").uri)
    return hash_settings.model_copy(update={
        "backend": "milvus", "milvus_uri": uri, "milvus_collection": f"api_{uuid.uuid4().hex[:10]}",
        "index_dir": tmp_path_factory.mktemp("unused") / "index",  # never written on this backend
    })


@pytest.fixture(scope="module")
def milvus_runtime(milvus_settings: Settings) -> Runtime:
    rt = Runtime(milvus_settings, embedder=HashEmbedder(dim=64))
    assert rt.build() is True
    rt.load()
    return rt


@pytest.fixture(scope="module")
def both(milvus_settings, milvus_runtime, hash_settings, hash_runtime) -> Iterator[tuple[TestClient, TestClient]]:
    with TestClient(create_app(milvus_settings, runtime=milvus_runtime, ui=False)) as m, \
            TestClient(create_app(hash_settings, runtime=hash_runtime, ui=False)) as loc:
        yield m, loc


def _ids(body: dict) -> list[str]:
    return [r["id"] for r in body["results"]]


def test_nothing_is_written_to_the_local_index_dir(milvus_settings: Settings, milvus_runtime: Runtime) -> None:
    assert not milvus_settings.index_dir.exists()
    assert milvus_runtime.build() is False  # up to date: the collection's meta matches the corpus


def test_health_reports_the_same_counts(both) -> None:
    m, loc = both
    a, b = m.get("/healthz"), loc.get("/healthz")
    assert a.status_code == b.status_code == 200
    assert {k: a.json()[k] for k in ("status", "documents", "passages", "model")} == \
        {k: b.json()[k] for k in ("status", "documents", "passages", "model")}


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "keyword"])
def test_search_ranks_as_the_local_backend(both, mode: str) -> None:
    m, loc = both
    for q in QUERIES:
        a = m.post("/api/search", json={"query": q, "mode": mode, "top_k": 5})
        b = loc.post("/api/search", json={"query": q, "mode": mode, "top_k": 5})
        assert a.status_code == b.status_code == 200
        assert _ids(a.json()) == _ids(b.json()), (mode, q)


def test_exact_search_counts_as_the_local_backend(both) -> None:
    m, loc = both
    for q in ["专精特新", "工业增加值", "（一）", "没有的短语"]:
        a = m.post("/api/search", json={"query": q, "mode": "exact", "top_k": 50}).json()
        b = loc.post("/api/search", json={"query": q, "mode": "exact", "top_k": 50}).json()
        assert (a["total"], a["per_doc"], _ids(a)) == (b["total"], b["per_doc"], _ids(b)), q


def test_answers_and_citations_match_the_local_backend(both) -> None:
    m, loc = both
    for q in QUESTIONS:
        a = m.post("/api/ask", json={"question": q}).json()
        b = loc.post("/api/ask", json={"question": q}).json()
        assert a["answer"] == b["answer"], q
        assert [c["id"] for c in a["citations"]] == [c["id"] for c in b["citations"]]
        assert a["citations"], q


def test_documents_and_passages_routes(both) -> None:
    m, loc = both
    assert m.get("/api/documents").json() == loc.get("/api/documents").json()
    pid = _ids(loc.post("/api/search", json={"query": "工业增加值"}).json())[0]
    assert m.get(f"/api/passages/{pid}").json() == loc.get(f"/api/passages/{pid}").json()
    assert m.get("/api/passages/nope").status_code == 404


@pytest.mark.slow
def test_real_model_answers_as_the_local_backend(real_settings: Settings, real_runtime: Runtime, tmp_path) -> None:
    s = real_settings.model_copy(update={
        "backend": "milvus", "milvus_uri": str(tmp_path / "real.db"), "index_dir": tmp_path / "unused",
    })
    rt = Runtime(s, embedder=real_runtime.embedder)
    rt.build()
    rt.load()
    for q in QUESTIONS:
        a, b = rt.ask(q), real_runtime.ask(q)
        assert a.text == b.text and [h.passage.id for h in a.citations] == [h.passage.id for h in b.citations]
    for q in QUERIES:
        assert [h.passage.id for h in rt.search(q, top_k=5).hits] == \
            [h.passage.id for h in real_runtime.search(q, top_k=5).hits]
