"""A phrase's timeline: exact search's counts per document in date order, per year, first and last.

Over the small collection of dated documents (three national work reports, a provincial one and a
State Council notice of the same year as one report), indexed locally and in Milvus Lite, the
timeline must agree with exact search document by document, and through the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.filters import DocFilter
from index.testing import HashEmbedder
from ingest.errors import InvalidRequest
from ingest.model import Document, Identity
from service.app import create_app
from service.runtime import Runtime
from service.settings import Settings
from service.timeline import build_timeline, chinese_date

COLLECTION = Path(__file__).parent / "data" / "collection"
IN_DATE_ORDER = ["report-2013", "report-2014", "vocational-2019", "report-2019", "anhui-2025"]
PHRASES = ["生产总值增长", "改革", "就业", "创新", "职业教育", "政府工作报告", "新质生产力"]


def _doc(doc_id: str, name: str, year: int | None = None, date: str | None = None) -> Document:
    return Document(doc_id, name, f"{doc_id}.txt", "", identity=Identity(name=name, year=year, date=date))


# ---- the core, on hand-made documents -------------------------------------------------------------
def test_documents_are_ordered_by_date_undated_last_and_years_sum_their_documents():
    docs = [_doc("u", "未注明年份"), _doc("b", "乙", 2019, "2019-03-05"), _doc("a", "甲", 2013, "2013-03-05"),
            _doc("c", "丙", 2019, "2019-01-24"), _doc("d", "丁", 2021)]
    t = build_timeline(" 改革 ", {"a": 2, "b": 1, "c": 4, "u": 5}, docs)
    assert t.phrase == "改革"
    assert [d.doc_id for d in t.documents] == ["a", "c", "b", "d", "u"]
    assert [(y.year, y.count, y.documents, y.matched) for y in t.years] == [(2013, 2, 1, 1), (2019, 5, 2, 2),
                                                                            (2021, 0, 1, 0)]
    assert (t.total, t.undated, [d.doc_id for d in t.found]) == (12, 5, ["a", "c", "b", "u"])
    assert (t.first.doc_id, t.last.doc_id) == ("a", "b")
    assert t.describe() == ("“改革”首次出现于《甲》（2013年3月5日），最后出现于《乙》（2019年3月5日）；"
                            "共 12 处，见于 4 份文档（共检索 5 份）；另有 5 处在未注明年份的文档中。")


def test_a_year_alone_sorts_before_the_dates_within_it_and_a_date_gives_the_year():
    docs = [_doc("x", "X", None, "2020-06"), _doc("y", "Y", 2020)]
    t = build_timeline("词", {"x": 1}, docs)
    assert [d.doc_id for d in t.documents] == ["y", "x"] and t.documents[1].year == 2020
    assert t.first == t.last and t.describe() == "“词”首次出现于《X》（2020年6月）；共 1 处，见于 1 份文档（共检索 2 份）。"


def test_absence_and_undated_only_are_said_plainly():
    docs = [_doc("a", "甲", 2013), _doc("u", "无年份")]
    assert build_timeline("词", {}, docs).describe() == "“词”没有出现在所检索的 2 份文档中。"
    only_undated = build_timeline("词", {"u": 2}, docs)
    assert only_undated.first is None and only_undated.last is None
    assert only_undated.describe().startswith("“词”只出现在未注明年份的文档中")
    with pytest.raises(InvalidRequest):
        build_timeline("  ", {}, docs)


def test_chinese_dates_are_as_precise_as_the_document():
    assert [chinese_date("2019-03-05"), chinese_date("2019-03"), chinese_date("2019"), chinese_date(None, 2014),
            chinese_date(None)] == ["2019年3月5日", "2019年3月", "2019年", "2014年", ""]


# ---- over a real collection, on both backends --------------------------------------------------------
@pytest.fixture(scope="module", params=["local", "milvus"])
def settings(request, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    base = tmp_path_factory.mktemp("timeline")
    s = Settings(corpus_dir=COLLECTION, index_dir=base / "index", embedding_cache_dir=base / "emb")
    if request.param == "milvus":
        s = s.model_copy(update={"backend": "milvus", "milvus_uri": str(base / "planqa.db"),
                                 "milvus_collection": f"t_{uuid.uuid4().hex[:10]}"})
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


@pytest.mark.parametrize("phrase", PHRASES)
def test_the_timeline_matches_exact_search_document_by_document(runtime: Runtime, phrase: str):
    t = runtime.timeline(phrase)
    per_doc = runtime.search(phrase, mode="exact", top_k=1).per_doc
    assert [d.doc_id for d in t.documents] == IN_DATE_ORDER
    assert {d.doc_id: d.count for d in t.found} == per_doc
    assert t.total == runtime.search(phrase, mode="exact", top_k=1).total
    for y in t.years:  # a year is the sum of its documents
        assert y.count == sum(n for d, n in per_doc.items() if runtime.document(d).identity.year == y.year)
    assert [y.year for y in t.years] == [2013, 2014, 2019, 2025]


def test_first_and_last_appearance_and_a_year_of_two_documents(runtime: Runtime):
    t = runtime.timeline("改革")
    assert (t.first.name, t.last.name) == ("2013年政府工作报告", "2025年安徽省政府工作报告")
    assert (t.year(2019).count, t.year(2019).documents, t.year(2019).matched) == (3, 2, 1)
    assert t.describe().startswith("“改革”首次出现于《2013年政府工作报告》（2013年3月5日），"
                                   "最后出现于《2025年安徽省政府工作报告》")
    assert runtime.timeline("职业教育").first.doc_id == runtime.timeline("职业教育").last.doc_id == "vocational-2019"


def test_the_timeline_keeps_to_the_filters(runtime: Runtime):
    t = runtime.timeline("就业", filters=DocFilter(region="全国", year_to=2014))
    assert [d.doc_id for d in t.documents] == ["report-2013", "report-2014"]
    assert [y.year for y in t.years] == [2013, 2014]
    assert runtime.timeline("就业", filters=DocFilter(year_from=2030)).documents == ()


# ---- the API ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("phrase", ["改革", "就业"])
def test_api_timeline_agrees_with_api_exact_search(client: TestClient, phrase: str):
    body = client.post("/api/timeline", json={"query": phrase}).json()
    search = client.post("/api/search", json={"query": phrase, "mode": "exact"}).json()
    assert {d["doc_id"]: d["count"] for d in body["documents"] if d["count"]} == search["per_doc"]
    assert body["total"] == search["total"] and [d["doc_id"] for d in body["documents"]] == IN_DATE_ORDER
    assert body["years"][0] == {"year": 2013, "count": search["per_doc"].get("report-2013", 0),
                                "documents": 1, "matched": 1}
    assert body["first"]["name"] == "2013年政府工作报告" and body["summary"].startswith(f"“{phrase}”首次出现于")
    assert body["documents"][0] == {"doc_id": "report-2013", "name": "2013年政府工作报告", "date": "2013-03-05",
                                    "year": 2013, "count": search["per_doc"]["report-2013"]}


def test_api_timeline_takes_the_search_filters(client: TestClient):
    body = client.post("/api/timeline", json={"query": "改革", "year_from": 2019, "year_to": 2019}).json()
    assert [(d["doc_id"], d["count"]) for d in body["documents"]] == [("vocational-2019", 3), ("report-2019", 0)]
    assert body["years"] == [{"year": 2019, "count": 3, "documents": 2, "matched": 1}]
    body = client.post("/api/timeline", json={"query": "改革", "doc_ids": ["report-2014"]}).json()
    assert [d["doc_id"] for d in body["documents"]] == ["report-2014"]
    absent = client.post("/api/timeline", json={"query": "新质生产力"}).json()
    assert (absent["total"], absent["first"], absent["last"]) == (0, None, None)
    assert absent["summary"] == "“新质生产力”没有出现在所检索的 5 份文档中。"


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"query": "   "}, 422, "query must not be empty or whitespace only"),
    ({"query": ""}, 422, "query must not be empty or whitespace only"),
    ({}, 422, "Field required"),
    ({"query": "改革", "year_from": 2021, "year_to": 2019}, 422, "year_from (2021) is after year_to (2019); swap them"),
    ({"query": "改革", "region": "西藏"}, 422, "region '西藏' matches no document"),
    ({"query": "改革", "doc_ids": ["nope"]}, 404, "no document with id 'nope'"),
])
def test_api_timeline_refuses_bad_input_saying_what_to_fix(client: TestClient, body: dict, status: int,
                                                          message: str):
    r = client.post("/api/timeline", json=body)
    assert r.status_code == status
    detail = r.json()["detail"]
    text = detail if isinstance(detail, str) else " ".join(i["msg"] for i in detail)
    assert message in text


def test_api_timeline_body_must_be_utf8_json(client: TestClient):
    r = client.post("/api/timeline", content='{"query": "改革"}'.encode("gbk"), headers={"content-type": "application/json"})
    assert r.status_code == 422 and "not valid UTF-8" in r.json()["detail"]
    r = client.post("/api/timeline", content=b'{"query": "x"}', headers={"content-type": "text/plain"})
    assert r.status_code == 415
