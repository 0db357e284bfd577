"""The index on the real plan in ``corpus/`` (hash embedder, so keyword and exact paths are exact)."""

import time

import pytest

from index.textnorm import normalize

PLAN = "dongli-14th-fyp-industry"


def top_ids(hits):
    return [h.passage.id for h in hits]


def test_bm25_finds_chain_leader_system(plan_index):
    hits = plan_index.bm25.search("链长制", top_k=3)
    assert "链长制" in hits[0].passage.text
    assert any(hits[0].passage.text[a:b] == "链长制" for a, b in hits[0].highlights)


@pytest.mark.parametrize("query,expect", [
    ("乾顺永磁（天津）科技发展有限公司", "永磁直驱系统系列产品生产项目"),
    ("乾顺永磁", "永磁直驱系统系列产品生产项目"),
    ("天津军电热电有限公司", "高耗能电机改造"),
    ("2021-未知", "烟厂三期技改"),
    ("富士达自行车", "富士达"),
])
def test_table_row_by_cell(plan_index, query, expect):
    hit = plan_index.bm25.search(query, top_k=1)[0]
    assert hit.passage.kind == "table_row" and expect in hit.passage.text


def test_row_by_category(plan_index):
    hits = plan_index.bm25.search("高端装备制造 重大项目", top_k=10)
    rows = [h for h in hits if h.passage.kind == "table_row"]
    assert rows and all("高端装备制造" in h.passage.row.category[-1] for h in rows[:3])


def test_traditional_query(plan_index):
    hit = plan_index.bm25.search("上雲企業數量累計突破多少家？", top_k=1)[0]
    assert "上云企业数量累计突破100家" in hit.passage.text
    hit = plan_index.hybrid.search("上雲企業數量累計突破多少家？", top_k=1)[0]
    assert "上云企业数量累计突破100家" in hit.passage.text


def test_5g_base_stations(plan_index):
    assert any("4000个5G基站" in h.passage.text for h in plan_index.bm25.search("5G基站 2025", top_k=5))


def test_exact_count_and_highlights(plan_index, plan_documents):
    doc = plan_documents[0]
    for phrase in ("专精特新", "十四五", "有限公司", "2021-2023", "高端装备制造", "链长制", "项目名称"):
        res = plan_index.exact.find(phrase)
        assert res.total == normalize(doc.text).count(normalize(phrase)), phrase
        assert len(res.hits) == res.total and res.per_doc == {PLAN: res.total}
        for h in res.hits:
            (a, b), = h.highlights
            assert normalize(h.passage.text[a:b]) == normalize(phrase), (phrase, h.passage.id)
            assert h.passage.id in plan_index.passages
        spans = [h.passage.span[0] for h in res.hits]
        assert spans == sorted(spans)


def test_exact_traditional_phrase(plan_index):
    res = plan_index.exact.find("專精特新")
    assert res.total == plan_index.exact.find("专精特新").total > 0


def test_exact_table_cell_and_heading(plan_index):
    res = plan_index.exact.find("乾顺永磁")
    (hit,) = res.hits
    assert hit.passage.kind == "table_row"
    a, b = hit.highlights[0]
    assert hit.passage.text[a:b] == "乾顺永磁"
    assert hit.passage.text[:a].endswith("项目法人（筹建）单位：")
    res = plan_index.exact.find("重大项目列表")
    assert res.total >= 1
    assert all(h.passage.id.startswith(f"{PLAN}#h") for h in res.hits)


def test_index_facts(plan_index, plan_documents):
    doc = plan_documents[0]
    assert plan_index.passage_count == len(doc.passages)
    assert set(plan_index.documents) == {PLAN}
    assert len(plan_index.passages) > plan_index.passage_count  # synthesised headings
    assert all(p.id in plan_index.passages for p in doc.passages)


def test_query_speed(plan_index):
    t0 = time.perf_counter()
    for _ in range(20):
        plan_index.hybrid.search("十四五期间规模以上工业增加值年均增长目标是多少？")
        plan_index.exact.find("专精特新")
    assert (time.perf_counter() - t0) / 20 < 0.1
