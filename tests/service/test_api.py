"""The HTTP contract through the real FastAPI app (hash-embedder index of the real plan)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.runtime import Runtime
from service.settings import Settings


@pytest.fixture(scope="module")
def client(hash_settings: Settings, hash_runtime: Runtime):
    app = create_app(hash_settings, runtime=hash_runtime, ui=False)
    with TestClient(app) as c:
        yield c


def test_healthz_counts_documents_and_passages(client: TestClient, hash_runtime: Runtime) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["documents"] == 1
    assert body["passages"] == hash_runtime.index.passage_count > 100


def test_documents_list_the_plan(client: TestClient) -> None:
    (doc,) = client.get("/api/documents").json()
    assert doc["doc_id"] == "dongli-14th-fyp-industry"
    assert doc["tables"] == 1 and doc["rows"] == 59
    assert doc["paragraphs"] > 60 and doc["passages"] > doc["paragraphs"]


def test_passage_by_id_has_no_score_and_slices_the_document(client: TestClient, hash_runtime: Runtime) -> None:
    doc = hash_runtime.document("dongli-14th-fyp-industry")
    pid = doc.passages[5].id
    hit = client.get(f"/api/passages/{quote(pid, safe='')}").json()
    assert "score" not in hit or hit["score"] is None
    a, b = hit["span"]
    assert doc.text[a:b] == hit["text"]
    assert hit["doc_title"] == doc.title


def test_table_row_passage_carries_cells_and_category(client: TestClient) -> None:
    hit = client.get("/api/passages/dongli-14th-fyp-industry%23t1.r1").json()
    assert hit["kind"] == "table_row"
    assert hit["row"]["项目名称"] in hit["text"]
    assert hit["row"]["类别"].startswith("一、战略性新兴产业")


def test_unknown_passage_is_404(client: TestClient) -> None:
    r = client.get("/api/passages/nope%23p1.s1")
    assert r.status_code == 404
    assert r.json() == {"detail": "no passage with id 'nope#p1.s1'"}


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "keyword"])
def test_search_modes_return_hits_in_the_contract_shape(client: TestClient, mode: str) -> None:
    r = client.post("/api/search", json={"query": "5G基站", "mode": mode, "top_k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["mode"] == mode and len(body["results"]) == 3
    for h in body["results"]:
        assert set(h) >= {"id", "doc_id", "doc_title", "kind", "section", "text", "span", "score", "highlights", "row"}
        for a, b in h["highlights"]:
            assert 0 <= a < b <= len(h["text"])


def test_exact_search_counts_every_occurrence_in_document_order(client: TestClient, hash_runtime: Runtime) -> None:
    text = hash_runtime.document("dongli-14th-fyp-industry").text
    r = client.post("/api/search", json={"query": "专精特新", "mode": "exact", "top_k": 50}).json()
    assert r["total"] == text.count("专精特新") > 3
    assert r["per_doc"] == {"dongli-14th-fyp-industry": r["total"]}
    starts = [h["span"][0] for h in r["results"]]
    assert starts == sorted(starts)
    for h in r["results"]:
        assert any(h["text"][a:b] == "专精特新" for a, b in h["highlights"])


def test_doc_filter_with_unknown_document_is_404(client: TestClient) -> None:
    r = client.post("/api/search", json={"query": "5G", "doc_ids": ["missing"]})
    assert r.status_code == 404
    assert r.json() == {"detail": "no document with id 'missing'"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"query": "   "}, "query must not be empty or whitespace only"),
        ({"query": "a\u0000b"}, "query contains control character U+0000; remove control characters"),
        ({"query": "字" * 2001}, "query is 2001 characters; the limit is 2000"),
        ({"query": "5G", "top_k": 0}, "Input should be greater than or equal to 1"),
        ({"query": "5G", "top_k": 51}, "Input should be less than or equal to 50"),
        ({"query": "5G", "mode": "fuzzy"}, "Input should be 'hybrid', 'semantic', 'keyword' or 'exact'"),
        ({"query": 5}, "Input should be a valid string"),
    ],
)
def test_bad_search_input_is_422_saying_what_to_fix(client: TestClient, body: dict, message: str) -> None:
    r = client.post("/api/search", json=body)
    assert r.status_code == 422
    assert message in json.dumps(r.json(), ensure_ascii=False)


def test_oversized_body_is_413(client: TestClient) -> None:
    r = client.post("/api/search", content=b"{" + b" " * 300_000 + b"}", headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["detail"] == "request body is 300002 bytes; the limit is 262144"


def test_ask_returns_answer_and_citations(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": "所有重大项目在十四五时期的投资合计多少亿元？"})
    assert r.status_code == 200
    body = r.json()
    assert body["grounded"] is True
    assert "95.9" in body["answer"]
    assert "[1]" in body["answer"] and body["citations"]


def test_chat_completion_carries_citations(client: TestClient) -> None:
    r = client.post("/v1/chat/completions", json={
        "model": "planqa", "messages": [{"role": "user", "content": "高端装备制造类重大项目一共有多少个？"}]})
    body = r.json()
    assert body["object"] == "chat.completion"
    assert "19" in body["choices"][0]["message"]["content"]
    assert body["citations"] and body["citations"][0]["kind"] == "table_row"


def test_chat_stream_ends_with_citations_and_done(client: TestClient) -> None:
    with client.stream("POST", "/v1/chat/completions", json={
        "stream": True, "messages": [{"role": "user", "content": "高端装备制造类重大项目一共有多少个？"}]}) as r:
        lines = [ln for ln in r.iter_lines() if ln.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(ln[6:]) for ln in lines[:-1]]
    content = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "19" in content
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"]


def test_chat_without_user_message_is_422(client: TestClient) -> None:
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "system", "content": "hi"}]})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "messages must contain a user message with text"


def test_no_index_is_503_with_the_fix(tmp_path) -> None:
    from index.testing import HashEmbedder

    s = Settings(corpus_dir=tmp_path, index_dir=tmp_path / "none")
    app = create_app(s, runtime=Runtime(s, embedder=HashEmbedder()), ui=False)
    with TestClient(app) as c:
        assert c.get("/healthz").json()["status"] == "error"
        r = c.post("/api/search", json={"query": "5G"})
    assert r.status_code == 503
    assert "run `planqa index`" in r.json()["detail"]
