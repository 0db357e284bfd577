"""Document identity and filters through the HTTP API and the command line, on both backends.

A small collection (excerpts of three national work reports, a provincial one and a State
Council notice) is indexed with the hash embedder, locally and in Milvus Lite; every filter must
keep retrieval, answers and citations to the documents it selects.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from index.testing import HashEmbedder
from service.app import create_app
from service.cli import app as cli
from service.runtime import Runtime
from service.settings import Settings

COLLECTION = Path(__file__).parent / "data" / "collection"
NAMES = {
    "report-2013": "2013年政府工作报告", "report-2014": "2014年政府工作报告", "report-2019": "2019年政府工作报告",
    "anhui-2025": "2025年安徽省政府工作报告", "vocational-2019": "国务院关于印发国家职业教育改革实施方案的通知",
}


@pytest.fixture(scope="module", params=["local", "milvus"])
def settings(request, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    base = tmp_path_factory.mktemp("collection")
    s = Settings(corpus_dir=COLLECTION, index_dir=base / "index", embedding_cache_dir=base / "emb")
    if request.param == "milvus":
        s = s.model_copy(update={"backend": "milvus", "milvus_uri": str(base / "planqa.db"),
                                 "milvus_collection": f"f_{uuid.uuid4().hex[:10]}"})
    return s


@pytest.fixture(scope="module")
def runtime(settings: Settings) -> Runtime:
    rt = Runtime(settings, embedder=HashEmbedder(dim=64))
    assert rt.build() is True
    rt.load()
    return rt


@pytest.fixture(scope="module")
def client(settings: Settings, runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(settings, runtime=runtime, ui=False)) as c:
        yield c


def _docs(body: dict, key: str = "results") -> set[str]:
    return {h["doc_id"] for h in body[key]}


def test_documents_are_listed_with_their_identity(client: TestClient) -> None:
    docs = {d["doc_id"]: d for d in client.get("/api/documents").json()}
    assert {k: d["name"] for k, d in docs.items()} == NAMES
    r = docs["report-2019"]
    assert (r["title"], r["year"], r["date"], r["region"], r["issuer"], r["kind"]) == (
        "2019年政府工作报告", 2019, "2019-03-05", "全国", "国务院", "政府工作报告")
    n = docs["vocational-2019"]
    assert (n["doc_number"], n["kind"], n["date"], n["issuer"]) == ("国发〔2019〕4号", "通知", "2019-01-24", "国务院")
    assert docs["anhui-2025"]["region"] == "安徽省" and docs["report-2014"]["year"] == 2014


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "keyword", "exact"])
@pytest.mark.parametrize(("filters", "expected"), [
    ({"year_from": 2019, "year_to": 2019}, {"report-2019", "vocational-2019"}),
    ({"year_from": 2013, "year_to": 2014}, {"report-2013", "report-2014"}),
    ({"region": "安徽"}, {"anhui-2025"}),
    ({"region": "全国", "year_to": 2014}, {"report-2013", "report-2014"}),
    ({"kind": "政府工作报告", "year_from": 2019}, {"report-2019", "anhui-2025"}),
])
def test_search_keeps_to_the_filtered_documents(client: TestClient, mode: str, filters: dict, expected: set) -> None:
    body = client.post("/api/search", json={"query": "生产总值增长", "mode": mode, "top_k": 50, **filters}).json()
    found = _docs(body)
    assert found and found <= expected
    if mode == "semantic":  # every passage of the selected documents is among the 50 nearest
        assert found == expected
    assert {h["doc_title"] for h in body["results"]} == {NAMES[d] for d in found}


def test_a_filter_and_doc_ids_combine(client: TestClient) -> None:
    body = client.post("/api/search", json={"query": "国内生产总值增长", "mode": "exact", "year_to": 2014,
                                            "doc_ids": ["report-2014", "report-2019"]}).json()
    assert _docs(body) == {"report-2014"} and set(body["per_doc"]) == {"report-2014"}


def test_a_filter_that_selects_nothing_finds_nothing(client: TestClient) -> None:
    body = client.post("/api/search", json={"query": "国内生产总值", "year_from": 2030}).json()
    assert body["results"] == [] and body["total"] == 0
    body = client.post("/api/ask", json={"question": "经济增长预期目标是多少？", "year_from": 2030}).json()
    assert body["grounded"] is False and body["citations"] == []
    assert body["notes"] == ["no document matches the filters: year 2030–…"]


def test_answers_cite_only_the_year_asked_for(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "国内生产总值预期增长目标是多少？", "year_from": 2019,
                                         "year_to": 2019, "kind": "政府工作报告", "region": "全国"}).json()
    assert body["citations"] and _docs(body, "citations") == {"report-2019"}
    assert body["citations"][0]["doc_title"] == "2019年政府工作报告"
    assert body["grounded"] and "国内生产总值增长6%－6.5%[1]" in body["answer"]
    assert body["answer"].endswith("（出自《2019年政府工作报告》）")


def test_chat_takes_the_filters_as_one_extra_field(client: TestClient) -> None:
    msg = [{"role": "user", "content": "国内生产总值预期增长目标是多少？"}]
    body = client.post("/v1/chat/completions", json={"messages": msg, "filters": {"region": "安徽"}}).json()
    assert body["citations"] and _docs(body, "citations") == {"anhui-2025"}
    with client.stream("POST", "/v1/chat/completions",
                       json={"messages": msg, "stream": True, "filters": {"year_from": 2013, "year_to": 2013}}) as r:
        events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: {")]
    cited = events[-1]["citations"]
    assert cited and {c["doc_id"] for c in cited} == {"report-2013"}


@pytest.mark.parametrize(("route", "body", "message"), [
    ("/api/search", {"query": "目标", "year_from": 2021, "year_to": 2019},
     "Value error, year_from (2021) is after year_to (2019); swap them"),
    ("/api/ask", {"question": "目标", "year_from": 2021, "year_to": 2019},
     "Value error, year_from (2021) is after year_to (2019); swap them"),
    ("/api/search", {"query": "目标", "region": "  "}, "Value error, region must not be empty or whitespace only"),
    ("/api/ask", {"question": "目标", "kind": "报" * 51}, "Value error, kind is 51 characters; the limit is 50"),
])
def test_bad_filters_are_422_saying_what_to_fix(client: TestClient, route: str, body: dict, message: str) -> None:
    r = client.post(route, json=body)
    assert r.status_code == 422
    (issue,) = r.json()["detail"]
    assert issue["msg"] == message


def test_bad_chat_filters_are_an_openai_error_naming_the_field(client: TestClient) -> None:
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "目标"}],
                                                  "filters": {"year_from": 2021, "year_to": 2019}})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["param"] == "filters"
    assert error["message"] == "filters: Value error, year_from (2021) is after year_to (2019); swap them"


@pytest.mark.parametrize(("body", "loc"), [
    ({"query": "目标", "year_from": "2019"}, ["body", "year_from"]),
    ({"query": "目标", "year_to": 1800}, ["body", "year_to"]),
    ({"query": "目标", "year": 2019}, ["body", "year"]),
])
def test_filter_fields_are_typed(client: TestClient, body: dict, loc: list) -> None:
    r = client.post("/api/search", json=body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == loc


def test_a_region_or_kind_no_document_has_is_422_listing_those_there_are(client: TestClient) -> None:
    r = client.post("/api/search", json={"query": "目标", "region": "西藏"})
    assert r.status_code == 422
    assert r.json() == {"detail": "region '西藏' matches no document; the documents' regions are: 全国、安徽省"}
    r = client.post("/api/ask", json={"question": "目标", "kind": "白皮书"})
    assert r.json() == {"detail": "kind '白皮书' matches no document; the documents' kinds are: 政府工作报告、通知"}


def test_the_command_line_filters(settings: Settings, runtime: Runtime, monkeypatch) -> None:
    for key, value in {"PLANQA_CORPUS_DIR": settings.corpus_dir, "PLANQA_INDEX_DIR": settings.index_dir,
                       "PLANQA_BACKEND": settings.backend, "PLANQA_MILVUS_URI": settings.milvus_uri,
                       "PLANQA_MILVUS_COLLECTION": settings.milvus_collection}.items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.setattr(Runtime, "load", lambda self: setattr(self, "_live", runtime._live))
    runner = CliRunner()
    result = runner.invoke(cli, ["search", "国内生产总值增长", "--mode", "exact", "--json", "--year", "2013-2014",
                                 "--region", "全国"])
    assert result.exit_code == 0, result.output
    assert _docs(json.loads(result.stdout)) == {"report-2013", "report-2014"}
    result = runner.invoke(cli, ["search", "生产总值增长", "--mode", "exact", "--doc", "anhui-2025"])
    assert result.exit_code == 0 and "《2025年安徽省政府工作报告》" in result.stdout
    result = runner.invoke(cli, ["ask", "国内生产总值预期增长目标是多少？", "--json", "--year", "2019",
                                 "--kind", "政府工作报告"])
    assert result.exit_code == 0, result.output
    assert _docs(json.loads(result.stdout), "citations") == {"report-2019"}
    result = runner.invoke(cli, ["search", "目标", "--year", "2021-2019"])
    assert result.exit_code == 2
    assert "year_from (2021) is after year_to (2019); swap them" in result.stderr.replace("\n", "")
    result = runner.invoke(cli, ["ask", "目标", "--year", "去年"])
    assert result.exit_code == 2
    assert "year '去年' is not a year (2019) or a range of years (2018-2020)" in result.stderr.replace("\n", "")
