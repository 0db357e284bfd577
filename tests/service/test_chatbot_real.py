"""A chatbot's view: a real ``planqa serve`` process (the real model, API keys, JSON logs) driven by
the official ``openai`` client and LangChain's ``ChatOpenAI``, and the refusals around it.

Keys are made with ``planqa keys`` as an operator would; the server re-reads the key file every
``RELOAD_S`` seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from langchain_openai import ChatOpenAI
from prometheus_client.parser import text_string_to_metric_families

from tests.ui.browser import ARTIFACTS, free_port, server

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PLANQA = [sys.executable, "-m", "service.cli"]
RELOAD_S = 0.5
QUESTION = "高端装备制造类重大项目一共有多少个？"
LOG = ARTIFACTS / "server-chatbot.log"


def _planqa(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PLANQA, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
                          check=check)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("chatbot")
    e = {k: v for k, v in os.environ.items() if not k.startswith("PLANQA_")}
    e.update(PLANQA_INDEX_DIR=str(base / "index"), PLANQA_CORPUS_DIR=str(ROOT / "corpus"),
             PLANQA_KEYS_FILE=str(base / "api-keys.json"), PLANQA_RELOAD_INTERVAL_S=str(RELOAD_S),
             PLANQA_LOG_FORMAT="json")
    return e


@pytest.fixture(scope="module")
def keys(env: dict[str, str]) -> dict[str, str]:
    """Keys made with the command line: the key is the last line `planqa keys create` prints."""
    made = {}
    for name, *limits in (("bot", "--rpm", "0"), ("tight", "--rpm", "2"), ("doomed",), ("lc", "--rpm", "0")):
        made[name] = _planqa(env, "keys", "create", name, *limits).stdout.strip().splitlines()[-1]
    return made


@pytest.fixture(scope="module")
def base(env: dict[str, str], keys: dict[str, str]) -> Iterator[str]:
    _planqa(env, "index")
    port = free_port()
    with server([*PLANQA, "serve", "--host", "127.0.0.1", "--port", str(port)], port, env=env, log=LOG,
                timeout=300) as url:
        yield url


def _said(err: openai.APIStatusError, status: int) -> str:
    """Our message, as the client carries it: in the error's body and in its message."""
    assert err.status_code == status
    assert err.message == f"Error code: {status} - {err.body['message']}"
    return err.body["message"]


def _client(base: str, key: str, **kw: object) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base}/v1", api_key=key, **kw)


def test_the_key_file_holds_no_key(env: dict[str, str], keys: dict[str, str]) -> None:
    text = Path(env["PLANQA_KEYS_FILE"]).read_text(encoding="utf-8")
    assert not any(k in text or k[3:] in text for k in keys.values())
    listed = json.loads(_planqa(env, "keys", "list", "--json").stdout)
    assert [k["name"] for k in listed] == ["bot", "tight", "doomed", "lc"]
    assert not any(k in json.dumps(listed) for k in keys.values())


def test_models_are_listed_and_an_unknown_one_is_not_found(base: str, keys: dict[str, str]) -> None:
    client = _client(base, keys["bot"])
    ids = [m.id for m in client.models.list()]
    assert ids == ["planqa", "planqa:dongli-14th-fyp-industry"]
    assert client.models.retrieve("planqa:dongli-14th-fyp-industry").model_extra["doc_id"] == "dongli-14th-fyp-industry"
    with pytest.raises(openai.NotFoundError) as e:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    assert e.value.code == "model_not_found"
    assert _said(e.value, 404) == ("the model 'gpt-4o' does not exist; GET /v1/models lists them ('planqa' answers "
                                   "from every document)")


def test_chat_answers_with_citations_and_usage(base: str, keys: dict[str, str]) -> None:
    resp = _client(base, keys["bot"]).chat.completions.create(
        model="planqa", messages=[{"role": "user", "content": QUESTION}])
    assert "19" in resp.choices[0].message.content and "[1]" in resp.choices[0].message.content
    assert resp.model_extra["grounded"] is True
    assert resp.model_extra["citations"][0]["row"]["类别"].endswith("（一）高端装备制造")
    assert resp.usage.prompt_tokens > 5 and resp.usage.completion_tokens > 5
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens


def test_a_stream_ends_with_citations_then_usage(base: str, keys: dict[str, str]) -> None:
    stream = _client(base, keys["bot"]).chat.completions.create(
        model="planqa", messages=[{"role": "user", "content": QUESTION}], stream=True,
        stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "19" in text
    stop = chunks[-2]
    assert stop.choices[0].finish_reason == "stop" and stop.model_extra["citations"][0]["kind"] == "table_row"
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 5


def test_without_a_valid_key_the_client_raises_authentication_error(base: str) -> None:
    with pytest.raises(openai.AuthenticationError) as e:
        _client(base, "pq-not-a-key").models.list()
    assert _said(e.value, 401) == "the API key is not valid: it is unknown or has been revoked"
    r = httpx.get(f"{base}/v1/models")
    assert r.status_code == 401 and r.json()["error"]["message"].startswith("send an API key in the header")
    assert httpx.get(f"{base}/healthz").status_code == 200


def test_a_bad_request_raises_with_our_message(base: str, keys: dict[str, str]) -> None:
    client = _client(base, keys["bot"])
    with pytest.raises(openai.UnprocessableEntityError) as e:
        client.chat.completions.create(model="planqa", messages=[{"role": "user", "content": " \n "}])
    assert _said(e.value, 422) == "the last user message must not be empty or whitespace only"
    with pytest.raises(openai.UnprocessableEntityError) as e:
        client.chat.completions.create(model="planqa", messages=[{"role": "user", "content": "问" * 2001}])
    assert _said(e.value, 422) == "the last user message is 2001 characters; the limit is 2000"


def test_over_the_limit_the_client_raises_rate_limit_error_with_retry_after(base: str, keys: dict[str, str]) -> None:
    client = _client(base, keys["tight"], max_retries=0)
    client.models.list()
    client.models.list()
    with pytest.raises(openai.RateLimitError) as e:
        client.models.list()
    retry = int(e.value.response.headers["retry-after"])
    assert 1 <= retry <= 60
    assert _said(e.value, 429) == f"API key 'tight' is over its limit of 2 requests per minute; retry after {retry} s"
    assert e.value.code == "rate_limit_exceeded"


def test_a_revoked_key_is_refused_within_the_reload_interval(base: str, env: dict[str, str],
                                                           keys: dict[str, str]) -> None:
    client = _client(base, keys["doomed"], max_retries=0)
    client.models.list()
    _planqa(env, "keys", "revoke", "doomed")
    revoked = time.monotonic()
    deadline = revoked + RELOAD_S + 5  # the interval, plus room for a busy machine
    while True:
        try:
            client.models.list()
        except openai.AuthenticationError:
            break
        assert time.monotonic() < deadline, "the revoked key was still accepted"
        time.sleep(0.1)
    print(f"revoked key refused after {time.monotonic() - revoked:.2f} s")


def test_langchain_invoke_and_stream_reach_the_citations(base: str, keys: dict[str, str]) -> None:
    llm = ChatOpenAI(model="planqa", base_url=f"{base}/v1", api_key=keys["lc"], include_response_headers=True,
                     stream_usage=True)
    msg = llm.invoke(QUESTION)
    assert "19" in msg.content
    headers = msg.response_metadata["headers"]
    cited = json.loads(headers["x-planqa-citations"])
    assert headers["x-planqa-grounded"] == "true" and len(cited) == int(headers["x-planqa-citation-count"])
    assert msg.usage_metadata["output_tokens"] > 5
    first = httpx.get(f"{base}/api/passages/{urllib.parse.quote(cited[0], safe='')}",
                      headers={"Authorization": f"Bearer {keys['lc']}"}).json()
    assert first["row"]["类别"].endswith("（一）高端装备制造")

    chunks = list(llm.stream(QUESTION))
    whole = chunks[0]
    for c in chunks[1:]:
        whole += c
    assert "19" in whole.content
    assert json.loads(whole.response_metadata["headers"]["x-planqa-citations"]) == cited
    assert whole.usage_metadata["output_tokens"] == msg.usage_metadata["output_tokens"]


def test_metrics_parse_and_count_the_answers_and_refusals(base: str, keys: dict[str, str]) -> None:
    auth = {"Authorization": f"Bearer {keys['bot']}"}

    def samples() -> dict[tuple, float]:
        text = httpx.get(f"{base}/metrics", headers=auth).text
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for f in text_string_to_metric_families(text) for s in f.samples}

    before = samples()
    httpx.post(f"{base}/api/ask", json={"question": QUESTION}, headers=auth, timeout=60)
    httpx.get(f"{base}/v1/models", headers={"Authorization": f"Bearer {keys['tight']}"})
    after = samples()
    answers = ("planqa_answers_total", (("key", "bot"), ("kind", "aggregate")))
    assert after[answers] - before.get(answers, 0) == 1
    asked = ("http_requests_total", (("handler", "/api/ask"), ("method", "POST"), ("status", "200")))
    assert after[asked] - before.get(asked, 0) == 1
    limited = ("planqa_rate_limited_total", (("key", "tight"), ("limit", "per_minute")))
    assert after[limited] >= 1
    assert after[("planqa_index_documents", ())] == 1


def test_the_access_log_carries_the_request_id_and_key_name(base: str, keys: dict[str, str]) -> None:
    rid = "chatbot-test-" + str(time.time_ns())
    r = httpx.get(f"{base}/v1/models", headers={"Authorization": f"Bearer {keys['bot']}", "X-Request-ID": rid})
    assert r.headers["x-request-id"] == rid
    deadline = time.monotonic() + 10
    while True:
        lines = [json.loads(ln) for ln in LOG.read_text(encoding="utf-8").splitlines() if ln.startswith("{")]
        mine = [ln for ln in lines if ln.get("request_id") == rid]
        if mine or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    (line,) = mine
    assert line["logger"] == "planqa.access" and line["path"] == "/v1/models"
    assert line["status"] == 200 and line["key"] == "bot" and keys["bot"] not in json.dumps(lines)


def test_a_public_bind_without_keys_refuses_to_start(tmp_path: Path, env: dict[str, str]) -> None:
    e = {**env, "PLANQA_KEYS_FILE": str(tmp_path / "no-keys.json")}
    done = _planqa(e, "serve", "--host", "0.0.0.0", "--port", str(free_port()), check=False)
    assert done.returncode == 2
    message = " ".join(done.stderr.split())
    assert "refusing to serve 0.0.0.0, which is not a loopback address: no API key is configured in" in message
    assert "or set PLANQA_OPEN_API=true to let anyone who reaches it use it" in message


def test_limits_hold_across_workers(tmp_path: Path, env: dict[str, str]) -> None:
    """Two workers, each counting its share of a 4-per-minute key: the server admits at most 4, and
    /metrics sums what both workers counted. No index is built: the guard answers before any route."""
    e = {**env, "PLANQA_KEYS_FILE": str(tmp_path / "keys.json"), "PLANQA_INDEX_DIR": str(tmp_path / "none"),
         "PLANQA_WORKERS": "2", "PLANQA_LOG_FORMAT": "text"}
    e.pop("PROMETHEUS_MULTIPROC_DIR", None)
    key = _planqa(e, "keys", "create", "shared", "--rpm", "4").stdout.strip().splitlines()[-1]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(ARTIFACTS / "server-workers.log", "wb") as log:
        proc = subprocess.Popen([*PLANQA, "serve", "--port", str(port)], cwd=ROOT, env=e, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while True:
                assert proc.poll() is None, "the server exited; see tests/artifacts/server-workers.log"
                try:
                    httpx.get(f"{url}/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.3)
            auth = {"Authorization": f"Bearer {key}"}
            statuses = []
            for _ in range(12):  # a new connection each time: both workers take requests
                with httpx.Client() as c:
                    statuses.append(c.get(f"{url}/api/documents", headers=auth).status_code)
            admitted = [s for s in statuses if s != 429]
            assert 2 <= len(admitted) <= 4, statuses  # each worker admits 4 // 2; together never more than 4
            text = httpx.get(f"{url}/metrics", headers=auth).text
            by_key = sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
                         if s.name == "planqa_requests_by_key_total" and s.labels.get("key") == "shared")
            assert by_key == 12  # both workers' counts, whichever worker answered the scrape
        finally:
            proc.terminate()
            proc.wait(timeout=30)
