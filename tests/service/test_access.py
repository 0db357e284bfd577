"""Keys, limits, request ids, errors and metrics of the served API, in-process over a hash-embedder index.

The same behaviour against a real ``planqa serve`` with the official clients is in
``test_chatbot_real.py``; these are the fast, exhaustive cases.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError

from ingest.errors import RateLimited, UnsafeExposure
from service.access import RateLimiter, check_exposure, is_loopback
from service.app import create_app
from service.keys import KeyFile, KeyRecord, KeyRing
from service.runtime import Runtime
from service.settings import Settings

QUESTION = "高端装备制造类重大项目一共有多少个？"
DOC = "dongli-14th-fyp-industry"
NO_KEY = ("send an API key in the header 'Authorization: Bearer <key>' (an operator creates one with "
          "`planqa keys create NAME`)")
BAD_KEY = "the API key is not valid: it is unknown or has been revoked"


@pytest.fixture
def keyed(tmp_path: Path, hash_settings: Settings, hash_runtime: Runtime) -> Iterator[tuple[TestClient, KeyFile]]:
    """An app whose key file has keys: every /api and /v1 request needs one."""
    s = hash_settings.model_copy(update={"keys_file": tmp_path / "keys.json", "reload_interval_s": 0,
                                         "admin_token": "admin-token"})
    keys = KeyFile(s.api_keys_file)
    with TestClient(create_app(s, runtime=hash_runtime, ui=False)) as c:
        yield c, keys


@pytest.fixture
def open_client(hash_settings: Settings, hash_runtime: Runtime) -> Iterator[TestClient]:
    """Loopback without keys: no key asked."""
    with TestClient(create_app(hash_settings, runtime=hash_runtime, ui=False)) as c:
        yield c


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for fam in text_string_to_metric_families(text) for s in fam.samples}


# ---- who may bind where -------------------------------------------------------------------------

@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("planqa.example", False),
])
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_public_bind_without_keys_or_ui_login_refuses_to_start(tmp_path: Path, hash_settings: Settings) -> None:
    path = tmp_path / "keys.json"
    s = hash_settings.model_copy(update={"host": "0.0.0.0", "keys_file": path})
    with pytest.raises(UnsafeExposure) as e:
        create_app(s, ui=False)
    assert str(e.value) == (
        f"refusing to serve 0.0.0.0, which is not a loopback address: no API key is configured in {path} "
        "(create one with `planqa keys create NAME`); the browser interface has no login (set PLANQA_UI_USERS, "
        "or PLANQA_UI=false); or set PLANQA_OPEN_API=true to let anyone who reaches it use it"
    )
    KeyFile(path).create("bot")
    with pytest.raises(UnsafeExposure, match="the browser interface has no login"):
        check_exposure(s, KeyRing(path))
    check_exposure(s.model_copy(update={"ui": False}), KeyRing(path))
    check_exposure(s.model_copy(update={"ui_users": {"alice": "pw"}}), KeyRing(path))
    check_exposure(s.model_copy(update={"open_api": True}), KeyRing(tmp_path / "none.json"))


def test_a_public_open_api_without_keys_answers_anyone(tmp_path: Path, hash_settings: Settings,
                                                       hash_runtime: Runtime) -> None:
    s = hash_settings.model_copy(update={"host": "0.0.0.0", "open_api": True, "keys_file": tmp_path / "k.json"})
    with TestClient(create_app(s, runtime=hash_runtime, ui=False)) as c:
        assert c.get("/v1/models").status_code == 200


def test_a_public_bind_whose_keys_are_all_revoked_refuses_every_request(
    tmp_path: Path, hash_settings: Settings, hash_runtime: Runtime
) -> None:
    path = tmp_path / "keys.json"
    keys = KeyFile(path)
    key, _ = keys.create("only")
    s = hash_settings.model_copy(update={"host": "0.0.0.0", "ui": False, "keys_file": path, "reload_interval_s": 0})
    with TestClient(create_app(s, runtime=hash_runtime, ui=False)) as c:
        assert c.get("/api/documents", headers=_bearer(key)).status_code == 200
        keys.revoke("only")
        r = c.get("/api/documents")
        assert r.status_code == 401 and r.json() == {"detail": NO_KEY}


def test_a_storage_limits_does_not_know_is_refused_at_start() -> None:
    with pytest.raises(ValidationError) as e:
        Settings(rate_limit_storage="sqlite:///x.db")
    assert "'sqlite:///x.db' is not a storage URI limits knows; use one of memcached, memory," in str(e.value)


# ---- keys ---------------------------------------------------------------------------------------

def test_loopback_without_keys_asks_for_none(open_client: TestClient) -> None:
    assert open_client.get("/v1/models").status_code == 200
    assert open_client.post("/api/ask", json={"question": QUESTION}).status_code == 200


def test_once_a_key_exists_every_api_route_needs_one(keyed: tuple[TestClient, KeyFile]) -> None:
    c, keys = keyed
    key, _ = keys.create("bot")
    r = c.post("/api/search", json={"query": "5G"})
    assert r.status_code == 401 and r.json() == {"detail": NO_KEY}
    assert r.headers["www-authenticate"] == "Bearer"
    r = c.get("/v1/models", headers=_bearer("pq-wrong"))
    assert r.status_code == 401
    assert r.json() == {"error": {"message": BAD_KEY, "type": "invalid_request_error", "param": None,
                                  "code": "invalid_api_key"}}
    assert c.get("/api/passages/x", headers={"Authorization": key}).status_code == 401  # no "Bearer"
    assert c.post("/api/search", json={"query": "5G"}, headers=_bearer(key)).status_code == 200
    assert c.get("/metrics").status_code == 401
    assert c.get("/metrics", headers=_bearer(key)).status_code == 200
    for open_path in ("/healthz", "/openapi.json", "/docs"):
        assert c.get(open_path).status_code == 200, open_path


def test_a_refused_key_costs_no_body_read(keyed: tuple[TestClient, KeyFile]) -> None:
    c, keys = keyed
    keys.create("bot")
    r = c.post("/api/ask", content=b"x" * 300_000, headers={"content-type": "application/json"})
    assert r.status_code == 401  # not 413: the key is checked first


def test_the_admin_token_keeps_its_own_role(keyed: tuple[TestClient, KeyFile]) -> None:
    c, keys = keyed
    key, _ = keys.create("bot")
    # an API key does not administer documents, and the admin routes ask for no API key
    r = c.delete(f"/api/documents/{DOC}", headers=_bearer(key))
    assert r.status_code == 403 and r.json() == {"detail": "the admin token is wrong"}
    r = c.delete("/api/documents/ghost", headers=_bearer("admin-token"))
    assert r.status_code == 404 and r.json() == {"detail": "no document with id 'ghost'"}


def test_a_revoked_key_is_refused_without_a_restart(keyed: tuple[TestClient, KeyFile]) -> None:
    c, keys = keyed
    key, _ = keys.create("bot")
    keys.create("other")
    assert c.get("/v1/models", headers=_bearer(key)).status_code == 200
    keys.revoke("bot")
    r = c.get("/v1/models", headers=_bearer(key))
    assert r.status_code == 401 and r.json()["error"]["message"] == BAD_KEY


# ---- limits -------------------------------------------------------------------------------------

def test_over_its_minute_budget_a_key_gets_429_with_retry_after(keyed: tuple[TestClient, KeyFile]) -> None:
    c, keys = keyed
    tight, _ = keys.create("tight", requests_per_minute=2)
    other, _ = keys.create("other", requests_per_minute=2)
    assert [c.get("/api/documents", headers=_bearer(tight)).status_code for _ in range(2)] == [200, 200]
    r = c.get("/api/documents", headers=_bearer(tight))
    assert r.status_code == 429
    retry = int(r.headers["retry-after"])
    assert 1 <= retry <= 60
    assert r.json() == {"detail": f"API key 'tight' is over its limit of 2 requests per minute; retry after {retry} s"}
    r = c.get("/v1/models", headers=_bearer(tight))
    assert r.status_code == 429 and r.json()["error"]["type"] == "requests"
    assert r.json()["error"]["code"] == "rate_limit_exceeded"
    assert c.get("/api/documents", headers=_bearer(other)).status_code == 200  # each key its own budget
    assert c.get("/metrics", headers=_bearer(tight)).status_code == 200  # a scraper's key is not budgeted


def _record(name: str = "k", per_minute: int | None = None, concurrent: int | None = None) -> KeyRecord:
    return KeyRecord(name=name, sha256="", hint="", created="", requests_per_minute=per_minute,
                     max_concurrent=concurrent)


def test_requests_at_once_are_limited_and_freed() -> None:
    limiter = RateLimiter(Settings(max_concurrent_per_key=2, rate_limit_per_minute=0))
    rec = _record()

    async def run() -> None:
        await limiter.acquire(rec)
        await limiter.acquire(rec)
        with pytest.raises(RateLimited) as e:
            await limiter.acquire(rec)
        assert (e.value.limit, e.value.retry_after) == ("concurrent", 1)
        assert str(e.value) == ("API key 'k' already has 2 requests running, the most it may have at once; "
                                "retry when one has finished")
        await limiter.acquire(_record("other"))  # another key is not held up
        limiter.release(rec)
        await limiter.acquire(rec)

    asyncio.run(run())


def test_a_refused_minute_hit_gives_its_concurrent_slot_back() -> None:
    limiter = RateLimiter(Settings(max_concurrent_per_key=1, rate_limit_per_minute=1))
    rec = _record()

    async def run() -> None:
        await limiter.acquire(rec)
        limiter.release(rec)
        with pytest.raises(RateLimited) as e:
            await limiter.acquire(rec)
        assert e.value.limit == "per_minute"
        assert limiter._running == {}

    asyncio.run(run())


@pytest.mark.parametrize(("workers", "storage", "per_minute", "concurrent"), [
    (1, "memory://", 60, 4),
    (4, "memory://", 15, 1),  # each worker counts its share: the server never admits more than the limit
    (4, "redis://localhost:6379", 60, 1),  # a shared store counts for all; requests at once stay per worker
    (100, "memory://", 1, 1),
])
def test_each_worker_admits_its_share(workers: int, storage: str, per_minute: int, concurrent: int) -> None:
    limiter = RateLimiter(Settings(workers=min(workers, 64), rate_limit_per_minute=60, max_concurrent_per_key=4,
                                   rate_limit_storage=storage))
    budget = limiter.budget(_record())
    assert (budget.per_minute, budget.concurrent) == (per_minute, concurrent)
    assert limiter.budget(_record(per_minute=0, concurrent=0)) == type(budget)(0, 0)  # 0: no limit


# ---- errors, ids, usage, models -----------------------------------------------------------------

def test_every_v1_error_is_shaped_like_openai(open_client: TestClient) -> None:
    c = open_client
    cases = {
        404: c.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}),
        413: c.post("/v1/chat/completions", content=b"x" * 300_000, headers={"content-type": "application/json"}),
        415: c.post("/v1/chat/completions", content=b"{}", headers={"content-type": "text/plain"}),
        422: c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": " "}]}),
        405: c.delete("/v1/models"),
    }
    for status, r in cases.items():
        assert r.status_code == status
        assert set(r.json()) == {"error"} and set(r.json()["error"]) == {"message", "type", "param", "code"}
    assert cases[404].json()["error"] == {
        "message": "the model 'gpt-4o' does not exist; GET /v1/models lists them ('planqa' answers from every "
                   "document)", "type": "invalid_request_error", "param": None, "code": "model_not_found"}
    assert cases[413].json()["error"]["message"] == "request body is 300000 bytes; the limit is 262144"
    r = c.post("/v1/chat/completions", json={"messages": [{"role": "robot", "content": "hi"}]})
    assert r.json()["error"]["param"] == "messages.0.role"
    assert r.json()["error"]["message"].startswith("messages.0.role: Input should be 'system'")
    # /api keeps its shape
    assert c.post("/api/search", json={"query": "5G", "doc_ids": ["ghost"]}).json() == {
        "detail": "no document with id 'ghost'"}


def test_models_list_one_model_per_document_and_a_model_scopes_the_answer(open_client: TestClient) -> None:
    body = open_client.get("/v1/models").json()
    assert body["object"] == "list"
    assert [(m["id"], m["doc_id"]) for m in body["data"]] == [("planqa", None), (f"planqa:{DOC}", DOC)]
    one = open_client.get(f"/v1/models/planqa:{DOC}").json()
    assert one["object"] == "model" and one["title"] == "天津市东丽区“十四五”工业发展规划"
    r = open_client.post("/v1/chat/completions", json={
        "model": f"planqa:{DOC}", "messages": [{"role": "user", "content": QUESTION}]})
    assert r.status_code == 200 and r.json()["model"] == f"planqa:{DOC}"
    assert {c["doc_id"] for c in r.json()["citations"]} == {DOC}


def test_usage_counts_the_messages_and_the_answer(open_client: TestClient, hash_runtime: Runtime) -> None:
    messages = [{"role": "system", "content": "用中文回答"}, {"role": "user", "content": QUESTION}]
    r = open_client.post("/v1/chat/completions", json={"messages": messages})
    usage, answer = r.json()["usage"], r.json()["choices"][0]["message"]["content"]
    prompt, completion = hash_runtime.count_tokens(["用中文回答" + QUESTION, answer])
    assert usage == {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    assert completion > 0


def test_a_stream_asked_for_usage_ends_with_a_usage_chunk(open_client: TestClient) -> None:
    with open_client.stream("POST", "/v1/chat/completions", json={
            "stream": True, "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": QUESTION}]}) as r:
        cited = json.loads(r.headers["x-planqa-citations"])
        lines = [ln for ln in r.iter_lines() if ln.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(ln[6:]) for ln in lines[:-1]]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] > 0
    assert [c["id"] for c in chunks[-2]["citations"]] == cited and r.headers["x-planqa-grounded"] == "true"


def test_request_ids_are_taken_or_made_and_echoed_on_every_response(keyed: tuple[TestClient, KeyFile]) -> None:
    c, keys = keyed
    keys.create("bot")
    assert c.get("/healthz", headers={"X-Request-ID": "lb-7f3a.1"}).headers["x-request-id"] == "lb-7f3a.1"
    refused = c.get("/v1/models", headers={"X-Request-ID": "abc"})
    assert refused.status_code == 401 and refused.headers["x-request-id"] == "abc"
    made = c.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"}).headers["x-request-id"]
    assert len(made) == 32 and made != c.get("/healthz").headers["x-request-id"]


def test_metrics_parse_and_move_with_the_requests(keyed: tuple[TestClient, KeyFile]) -> None:
    c, keys = keyed
    key, _ = keys.create("bot")
    tight, _ = keys.create("tight", requests_per_minute=1)
    h = _bearer(key)
    before = _samples(c.get("/metrics", headers=h).text)
    c.post("/api/ask", json={"question": QUESTION}, headers=h)
    c.post("/api/ask", json={"question": "火星基地有多少个？"}, headers=h)
    c.get("/api/documents", headers=_bearer(tight))
    c.get("/api/documents", headers=_bearer(tight))
    c.get("/v1/models")
    after = _samples(c.get("/metrics", headers=h).text)

    def moved(name: str, **labels: str) -> float:
        k = (name, tuple(sorted(labels.items())))
        return after.get(k, 0.0) - before.get(k, 0.0)

    assert moved("http_requests_total", handler="/api/ask", method="POST", status="200") == 2
    assert moved("http_request_duration_seconds_count", handler="/api/ask", method="POST") == 2
    assert moved("planqa_requests_by_key_total", key="bot", handler="/api/ask", status="200") == 2
    assert moved("planqa_requests_by_key_total", key="-", handler="/v1/models", status="401") == 1
    assert moved("planqa_answers_total", kind="aggregate", key="bot") == 1
    assert moved("planqa_answers_total", kind="declined", key="bot") == 1
    assert moved("planqa_rate_limited_total", key="tight", limit="per_minute") == 1
    assert after[("planqa_index_documents", ())] == 1 and after[("planqa_index_passages", ())] > 100
    assert ("planqa_index_reloads_total", ()) in after
    assert not any(key in name or key in str(labels) for name, labels in after)  # names only, never a key


def test_metrics_can_be_turned_off(hash_settings: Settings, hash_runtime: Runtime) -> None:
    s = hash_settings.model_copy(update={"metrics": False})
    with TestClient(create_app(s, runtime=hash_runtime, ui=False)) as c:
        assert c.get("/metrics").status_code == 404
        assert c.post("/api/ask", json={"question": QUESTION}).status_code == 200
