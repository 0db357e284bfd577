"""The official ``openai`` client, pointed at a real planqa HTTP server on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import openai
import pytest
import uvicorn

from service.app import create_app
from service.runtime import Runtime
from service.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(hash_settings: Settings, hash_runtime: Runtime) -> Iterator[str]:
    port = _free_port()
    app = create_app(hash_settings, runtime=hash_runtime, ui=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True
    thread.join(timeout=10)


QUESTION = "高端装备制造类重大项目一共有多少个？"


def test_completion_has_answer_and_citations(base_url: str) -> None:
    client = openai.OpenAI(base_url=base_url, api_key="unused")
    resp = client.chat.completions.create(model="planqa", messages=[{"role": "user", "content": QUESTION}])
    content = resp.choices[0].message.content
    assert "19" in content and "[1]" in content
    citations = resp.model_extra["citations"]
    assert citations[0]["kind"] == "table_row"
    assert citations[0]["row"]["类别"].endswith("（一）高端装备制造")


def test_streamed_completion_ends_with_citations(base_url: str) -> None:
    client = openai.OpenAI(base_url=base_url, api_key="unused")
    stream = client.chat.completions.create(
        model="planqa", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "19" in text and "[1]" in text
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["citations"][0]["kind"] == "table_row"
