"""The optional LLM against a small OpenAI-compatible server started on loopback.

The server answers with whatever the test sets: a faithful answer is accepted; an invented
number, a citation that does not exist, a refusal, an HTTP error or a timeout fall back to the
extractive answer with the reason; the LLM is never asked to overturn "not in the document".
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ingest.model import Document
from service.answer.engine import AnswerEngine
from service.answer.llm import LLMClient, build_messages, client_from_settings, validate
from service.settings import Settings

from .conftest import BigramRetriever


class FakeLLM:
    """What the server says next, and what it was asked."""

    def __init__(self) -> None:
        self.reply: str = ""
        self.status = 200
        self.delay = 0.0
        self.requests: list[dict] = []
        self.auth: list[str | None] = []


@pytest.fixture(scope="module")
def llm_server() -> Iterator[tuple[str, FakeLLM]]:
    state = FakeLLM()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server naming)
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append(body)
            state.auth.append(self.headers.get("Authorization"))
            if state.delay:
                time.sleep(state.delay)
            if self.path != "/v1/chat/completions":
                self.send_response(404)
                self.end_headers()
                return
            out = {
                "id": "chatcmpl-test", "object": "chat.completion", "model": body.get("model"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": state.reply}}],
            }
            data = json.dumps(out, ensure_ascii=False).encode("utf-8")
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def llm(llm_server: tuple[str, FakeLLM]) -> FakeLLM:
    _, state = llm_server
    state.reply, state.status, state.delay = "", 200, 0.0
    state.requests.clear()
    state.auth.clear()
    return state


@pytest.fixture()
def engine_llm(docs: dict[str, Document], llm_server: tuple[str, FakeLLM]) -> AnswerEngine:
    url, _ = llm_server
    client = LLMClient(base_url=url, model="test-model", api_key="sk-test", timeout_s=2.0)
    return AnswerEngine(docs, BigramRetriever(docs), llm=client)


QUESTION = "2020年全区工业增加值是多少？"


def test_a_faithful_answer_is_accepted(engine_llm: AnswerEngine, llm: FakeLLM) -> None:
    llm.reply = "2020年，东丽区工业增加值达235.1亿元，占全区GDP比重36.1%[1]。"
    ans = engine_llm.ask(QUESTION)
    assert ans.kind == "llm" and ans.llm_used and ans.grounded
    assert ans.text == llm.reply
    assert ans.citations[0].passage.text.find("235.1") >= 0
    req = llm.requests[-1]
    assert req["model"] == "test-model" and req["stream"] is False
    assert "[1]" in req["messages"][1]["content"] and QUESTION in req["messages"][1]["content"]
    assert llm.auth[-1] == "Bearer sk-test"


def test_an_invented_number_is_rejected(engine_llm: AnswerEngine, llm: FakeLLM) -> None:
    llm.reply = "2020年全区工业增加值为240亿元[1]。"
    ans = engine_llm.ask(QUESTION)
    assert ans.kind == "extractive" and not ans.llm_used
    assert "235.1" in ans.text and "240" not in ans.text
    assert "240" in ans.llm_rejected_reason
    assert any("LLM answer rejected" in n for n in ans.notes)


def test_a_citation_that_does_not_exist_is_rejected(engine_llm: AnswerEngine, llm: FakeLLM) -> None:
    llm.reply = "工业增加值达235.1亿元[9]。"
    ans = engine_llm.ask(QUESTION, top_k=5)
    assert ans.kind == "extractive" and "[9]" in ans.llm_rejected_reason


def test_an_answer_without_citations_or_a_refusal_is_rejected(engine_llm: AnswerEngine, llm: FakeLLM) -> None:
    llm.reply = "工业增加值达235.1亿元。"
    assert engine_llm.ask(QUESTION).llm_rejected_reason == "the answer cites no passage"
    llm.reply = "文档中没有找到相关信息[1]。"
    assert "do not answer" in engine_llm.ask(QUESTION).llm_rejected_reason


def test_a_number_from_an_uncited_passage_is_rejected(engine_llm: AnswerEngine, llm: FakeLLM) -> None:
    ans = engine_llm.ask(QUESTION)
    other = next(i for i, h in enumerate(ans.citations) if "235.1" not in h.passage.text)
    llm.reply = f"工业增加值达235.1亿元[{other + 1}]。"
    assert engine_llm.ask(QUESTION).kind == "extractive"


def test_server_errors_and_timeouts_fall_back(engine_llm: AnswerEngine, llm: FakeLLM) -> None:
    llm.reply, llm.status = "工业增加值达235.1亿元[1]。", 500
    ans = engine_llm.ask(QUESTION)
    assert ans.kind == "extractive" and "HTTP 500" in ans.llm_rejected_reason
    llm.status, llm.delay = 200, 3.0
    ans = engine_llm.ask(QUESTION)
    assert ans.kind == "extractive" and "timed out" in ans.llm_rejected_reason


def test_an_unreachable_server_falls_back(docs: dict[str, Document]) -> None:
    client = LLMClient(base_url="http://127.0.0.1:9/v1", model="m", timeout_s=1.0)
    ans = AnswerEngine(docs, BigramRetriever(docs), llm=client).ask(QUESTION)
    assert ans.kind == "extractive" and ans.grounded and "unreachable" in ans.llm_rejected_reason


def test_the_llm_never_answers_what_the_documents_do_not_say(engine_llm: AnswerEngine, llm: FakeLLM) -> None:
    llm.reply = "北京市计划建设4000个5G基站[1]。"
    ans = engine_llm.ask("北京市计划建设多少个5G基站？")
    assert not ans.grounded and ans.kind == "not_found" and not ans.llm_used
    assert not llm.requests  # not even asked


def test_aggregates_are_not_reworded(engine_llm: AnswerEngine, llm: FakeLLM) -> None:
    ans = engine_llm.ask("高端装备制造类重大项目一共有多少个？")
    assert ans.kind == "aggregate" and "19个" in ans.text and not llm.requests


def test_table_lookups_may_be_reworded(engine_llm: AnswerEngine, llm: FakeLLM) -> None:
    llm.reply = "公转铁建设项目“十四五”时期投资0.875亿元[1]。"
    ans = engine_llm.ask("公转铁建设项目十四五时期投资多少？")
    assert ans.kind == "llm" and "0.875" in ans.text


# ---- the checks on their own --------------------------------------------------------------------
def test_validate(engine_llm: AnswerEngine) -> None:
    cites = engine_llm.ask(QUESTION).citations
    ok, reason = validate("工业增加值达235.1亿元【1】，占全区GDP比重36.1%[1,2]。", cites)
    assert reason is None and ok.count("[1]") == 2 and "[2]" in ok
    assert validate("增加值2,351亿元[1]", cites)[1] is not None
    assert validate("", cites)[1] == "empty answer"
    assert validate("达到三千亿元[1]", cites)[1] is not None  # Chinese numerals are numbers too


def test_prompt_numbers_the_passages(engine_llm: AnswerEngine) -> None:
    cites = engine_llm.ask(QUESTION).citations
    messages = build_messages(QUESTION, cites)
    assert messages[0]["role"] == "system" and "不得" in messages[0]["content"]
    for i in range(1, len(cites) + 1):
        assert f"[{i}]" in messages[1]["content"]


def test_client_from_settings() -> None:
    assert client_from_settings(Settings(llm_base_url=None, llm_model=None)) is None
    c = client_from_settings(Settings(llm_base_url="http://x/v1", llm_model="m", llm_api_key="k", llm_timeout_s=5))
    assert c is not None and c.endpoint == "http://x/v1/chat/completions" and c.timeout_s == 5
