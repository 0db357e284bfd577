"""The HTTP app over an index of the real plan built with the real embedding model."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.runtime import Runtime
from service.settings import Settings

SENTENCE = "建设完成4000个5G基站"


@pytest.fixture(scope="module")
def client(real_settings: Settings, real_runtime: Runtime):
    with TestClient(create_app(real_settings, runtime=real_runtime, ui=False)) as c:
        yield c


@pytest.mark.parametrize(
    "query", ["到2025年要建设多少个5G基站？", "到2025年要建設多少個5G基站？", "How many 5G base stations by 2025?"]
)
def test_hybrid_search_finds_the_sentence_in_any_script_or_language(client: TestClient, query: str) -> None:
    body = client.post("/api/search", json={"query": query, "mode": "hybrid", "top_k": 5}).json()
    assert any(SENTENCE in h["text"] for h in body["results"])


def test_semantic_search_ranks_by_meaning(client: TestClient) -> None:
    body = client.post("/api/search", json={"query": "新能源汽车检测", "mode": "semantic", "top_k": 5}).json()
    assert any("中汽中心新能源汽车检测中心项目" in h["text"] for h in body["results"])


def test_ask_answers_with_the_figure_and_cites_its_sentence_first(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "到2025年要建设多少个5G基站？"}).json()
    assert body["grounded"] is True
    assert "4000" in body["answer"] and "[1]" in body["answer"]
    assert SENTENCE in body["citations"][0]["text"]


def test_a_place_the_plan_never_names_is_not_grounded(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "北京市计划建设多少个5G基站？"}).json()
    assert body["grounded"] is False
    assert body["citations"]
