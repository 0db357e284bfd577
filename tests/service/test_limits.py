"""Input limits at the HTTP edge, CORS, request timeouts and the last-resort error handler."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from service.app import create_app
from service.runtime import Runtime
from service.settings import Settings

JSON = {"content-type": "application/json"}


@contextmanager
def serve(app) -> Iterator[int]:
    """Run ``app`` with uvicorn on a free loopback port for the duration of the block."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="module")
def client(hash_settings: Settings, hash_runtime: Runtime):
    app = create_app(hash_settings, runtime=hash_runtime, ui=False)
    with TestClient(app) as c:
        yield c
    assert app.state.unhandled_errors == 0


def _messages(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize(
    ("route", "raw", "message"),
    [
        ("/api/search", b'{"query": "\\ud800"}', "query contains an unpaired surrogate; send valid UTF-8 text"),
        ("/api/search", b'{"query": "5G\\udfff"}', "query contains an unpaired surrogate; send valid UTF-8 text"),
        ("/api/ask", b'{"question": "\\ud83d"}', "question contains an unpaired surrogate; send valid UTF-8 text"),
        ("/api/search", b'{"query": "5G", "doc_ids": ["\\udc00"]}',
         "doc_ids entry contains an unpaired surrogate; send valid UTF-8 text"),
        ("/api/search", '{"query": "\u3000\\t\\n "}'.encode(), "query must not be empty or whitespace only"),
        ("/api/ask", b'{"question": "a\\u0007b"}', "question contains control character U+0007; remove control characters"),
        ("/api/ask", b'{"question": "a\\u009fb"}', "question contains control character U+009F; remove control characters"),
        ("/api/ask", json.dumps({"question": "问" * 2001}).encode(), "question is 2001 characters; the limit is 2000"),
        ("/api/search", b'{"query": "5G", "top_k": "5"}', "Input should be a valid integer"),
        ("/api/search", b'{"query": "5G", "top_k": 5.0}', "Input should be a valid integer"),
        ("/api/search", b'{"query": "5G", "top_k": true}', "Input should be a valid integer"),
        ("/api/search", b'{"query": "5G", "top_k": 100000000000000000000000000000}',
         "Input should be less than or equal to 50"),
        ("/api/ask", b'{"question": "5G", "top_k": -1}', "Input should be greater than or equal to 1"),
        ("/api/search", b'{"query": "5G", "mode": null}', "Input should be 'hybrid', 'semantic', 'keyword' or 'exact'"),
        ("/api/search", b'{"query": "5G", "doc_ids": "dongli"}', "Input should be a valid list"),
        ("/api/search", b'{"query": ["5G"]}', "Input should be a valid string"),
        ("/api/search", b'{"query": "5G", "limit": 3}', "Extra inputs are not permitted"),
        ("/api/ask", b'{"question": "5G", "doc_ids": [' + b",".join([b'"d"'] * 101) + b"]}",
         "doc_ids lists 101 documents; the limit is 100"),
        ("/api/search", b'{"query": "5G"', "JSON decode error"),
        ("/api/search", b"", "Field required"),
        ("/api/search", b"null", "Input should be a valid dictionary or object to extract fields from"),
        ("/api/ask", b"[1, 2]", "Input should be a valid dictionary or object to extract fields from"),
        ("/v1/chat/completions", b'{"messages": []}', "List should have at least 1 item after validation, not 0"),
        ("/v1/chat/completions", b'{"messages": [{"role": "robot", "content": "hi"}]}', "Input should be 'system'"),
        ("/v1/chat/completions", b'{"model": "gpt\\u0000", "messages": [{"role": "user", "content": "hi"}]}',
         "model contains control characters or unpaired surrogates; remove them"),
    ],
)
def test_bad_input_is_422_saying_what_to_fix(client: TestClient, route: str, raw: bytes, message: str) -> None:
    r = client.post(route, content=raw, headers=JSON)
    assert r.status_code == 422
    r.content.decode("utf-8")  # the error itself is valid UTF-8, whatever came in
    assert message in _messages(r.json())


def test_surrogates_echoed_in_errors_become_replacement_characters(client: TestClient) -> None:
    r = client.post("/api/search", content=b'{"query": "x\\ud800y"}', headers=JSON)
    (issue,) = r.json()["detail"]
    assert issue["loc"] == ["body", "query"] and issue["input"] == "x\ufffdy"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"messages": [{"role": "user", "content": "问" * 3000}]}, "the last user message is 3000 characters; the limit is 2000"),
        ({"messages": [{"role": "user", "content": " \n "}]}, "the last user message must not be empty or whitespace only"),
        ({"messages": [{"role": "user", "content": [{"type": "text", "text": "a\u0001"}]}]},
         "the last user message contains control character U+0001; remove control characters"),
        ({"messages": [{"role": "system", "content": "hi"}]}, "messages must contain a user message with text"),
    ],
)
def test_chat_question_limits(client: TestClient, body: dict, message: str) -> None:
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 422
    assert r.json() == {"error": {"message": message, "type": "invalid_request_error", "param": None,
                                  "code": "invalid_value"}}


def test_non_utf8_body_is_422(client: TestClient) -> None:
    r = client.post("/api/search", content='{"query": "产业"}'.encode("gbk"), headers=JSON)
    assert r.status_code == 422
    assert r.json() == {"detail": "request body is not valid UTF-8 (byte 0xb2 at position 11); send JSON encoded as UTF-8"}


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_body_that_is_not_declared_json_is_415(client: TestClient, ctype: str | None) -> None:
    headers = {"content-type": ctype} if ctype else {}
    r = client.post("/api/ask", content=b'{"question": "5G"}', headers=headers)
    assert r.status_code == 415
    assert r.json() == {"detail": "send the request body as JSON with the header 'Content-Type: application/json'"}


def test_json_with_a_charset_or_a_json_suffix_type_is_accepted(client: TestClient) -> None:
    for ctype in ("application/json; charset=utf-8", "application/problem+json"):
        assert client.post("/api/search", content=b'{"query": "5G"}', headers={"content-type": ctype}).status_code == 200


def _chunked_post(app, path: str, chunks: int, size: int = 10_000) -> tuple[int, dict, int]:
    """POST ``chunks`` body chunks straight through ASGI (no Content-Length); status, body, chunks read."""
    read = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal read
        read += 1
        body = b'{"query": "' if read == 1 else b"a" * size
        return {"type": "http.request", "body": body, "more_body": read <= chunks}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000)}
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body), read


def test_chunked_body_over_the_limit_is_413_while_reading(hash_settings: Settings, hash_runtime: Runtime) -> None:
    app = create_app(hash_settings, runtime=hash_runtime, ui=False)
    status, body, read = _chunked_post(app, "/api/search", chunks=1000)  # 10 MB if it were all read
    assert status == 413
    assert body == {"detail": "request body is over 262144 bytes; the limit is 262144"}
    assert read == 28  # stopped at the first chunk past 256 KiB


def test_chunked_body_over_the_limit_is_413_over_the_wire(hash_settings: Settings, hash_runtime: Runtime) -> None:
    import http.client

    with serve(create_app(hash_settings, runtime=hash_runtime, ui=False)) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        chunks = iter([b'{"query": "', *([b"a" * 10_000] * 100), b'"}'])
        conn.request("POST", "/api/search", body=chunks, headers={"Content-Type": "application/json"},
                     encode_chunked=True)
        r = conn.getresponse()
        body = json.loads(r.read())
        conn.close()
        ok = httpx.post(f"http://127.0.0.1:{port}/api/search", json={"query": "5G"}, timeout=30)
    assert r.status == 413
    assert body == {"detail": "request body is over 262144 bytes; the limit is 262144"}
    assert ok.status_code == 200


def test_unknown_ids_are_404(client: TestClient) -> None:
    assert client.get("/api/passages/no-such-doc%23p1.s1").status_code == 404
    r = client.post("/api/ask", json={"question": "5G基站", "doc_ids": ["dongli-14th-fyp-industry", "ghost"]})
    assert r.status_code == 404 and r.json() == {"detail": "no document with id 'ghost'"}


def test_wrong_method_lists_every_allowed_method(client: TestClient) -> None:
    r = client.put("/api/documents")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, POST"


# ---- the last resort -----------------------------------------------------------------------------


class ExplodingRuntime(Runtime):
    def search(self, *args, **kwargs):
        raise RuntimeError("boom")


def test_unexpected_errors_get_a_plain_500_and_are_counted(hash_settings: Settings, caplog) -> None:
    rt = ExplodingRuntime(hash_settings, embedder=None)
    rt.load = lambda: None  # type: ignore[method-assign]
    app = create_app(hash_settings, runtime=rt, ui=False)
    with TestClient(app, raise_server_exceptions=False) as c, caplog.at_level(logging.ERROR, "planqa"):
        r = c.post("/api/search", json={"query": "5G"})
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error; the server log has the details"}
    assert app.state.unhandled_errors == 1
    assert "unhandled error in POST /api/search" in caplog.text and "boom" in caplog.text


# ---- CORS and timeouts ---------------------------------------------------------------------------


def test_cors_preflight_allows_only_configured_origins(hash_settings: Settings, hash_runtime: Runtime) -> None:
    s = hash_settings.model_copy(update={"cors_origins": ["https://chat.intranet.example"]})
    with TestClient(create_app(s, runtime=hash_runtime, ui=False)) as c:
        ok = c.options("/api/search", headers={"Origin": "https://chat.intranet.example",
                                               "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": "content-type"})
        bad = c.options("/api/search", headers={"Origin": "https://evil.example",
                                                "Access-Control-Request-Method": "POST"})
        simple = c.get("/healthz", headers={"Origin": "https://chat.intranet.example"})
        other = c.get("/healthz", headers={"Origin": "https://evil.example"})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://chat.intranet.example"
    assert "POST" in ok.headers["access-control-allow-methods"]
    assert bad.status_code == 400 and "access-control-allow-origin" not in bad.headers
    assert simple.headers["access-control-allow-origin"] == "https://chat.intranet.example"
    assert "access-control-allow-origin" not in other.headers


def test_without_configured_origins_no_cors_headers(client: TestClient) -> None:
    r = client.get("/healthz", headers={"Origin": "https://chat.intranet.example"})
    assert "access-control-allow-origin" not in r.headers


class SlowRuntime(Runtime):
    def search(self, *args, **kwargs):
        time.sleep(3.0)
        return super().search(*args, **kwargs)


def test_slow_request_is_504_with_the_setting_to_change(hash_settings: Settings, hash_runtime: Runtime) -> None:
    s = hash_settings.model_copy(update={"request_timeout_s": 0.2})
    slow = SlowRuntime(s, embedder=hash_runtime.embedder)
    slow.load()
    with TestClient(create_app(s, runtime=slow, ui=False)) as c:
        t0 = time.perf_counter()
        r = c.post("/api/search", json={"query": "5G"})
        took = time.perf_counter() - t0
        assert c.get("/healthz").status_code == 200
    assert r.status_code == 504
    assert r.json() == {"detail": "the request took longer than 0.2 s (PLANQA_REQUEST_TIMEOUT_S); "
                                  "try again, or ask something narrower"}
    assert took < 2.5


def test_defaults_bind_loopback_with_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HOST", "CORS_ORIGINS", "ADMIN_TOKEN", "REQUEST_TIMEOUT_S", "MAX_UPLOAD_BYTES"):
        monkeypatch.delenv(f"PLANQA_{var}", raising=False)
    s = Settings()
    assert s.host == "127.0.0.1"
    assert s.cors_origins == [] and s.admin_token is None
    assert s.request_timeout_s == 30.0 and s.max_upload_bytes == 20 * 1024 * 1024
