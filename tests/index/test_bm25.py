import pytest

from index.bm25 import BM25Retriever, indexed_text, top_indices
from index.tokenize import Tokenizer
from index.userdict import build_user_words


@pytest.fixture
def bm25(docs):
    passages = [p for d in docs for p in d.passages]
    return BM25Retriever.build(passages, Tokenizer(build_user_words(docs)))


def ids(hits):
    return [h.passage.id for h in hits]


def test_finds_term_and_highlights(bm25):
    hits = bm25.search("什么是链长制？", top_k=3)
    assert ids(hits)[0] == "plan#p3.s1"
    p = hits[0].passage
    assert [p.text[a:b] for a, b in hits[0].highlights] == ["链长制"]


@pytest.mark.parametrize("query", [
    "乾顺永磁（天津）科技发展有限公司",  # company cell
    "乾顺永磁",  # main part of the company
    "永磁直驱系统系列产品生产项目",  # project name
    "高端装备制造",  # category, not in the row's text
    "2020-2022",  # year range
])
def test_table_row_found_by_any_cell(bm25, query):
    assert ids(bm25.search(query, top_k=1)) == ["plan#t1.r1"]


def test_open_ended_year_range(bm25):
    assert ids(bm25.search("2021-未知", top_k=1)) == ["plan#t1.r2"]


def test_traditional_query(bm25):
    assert ids(bm25.search("國家級綠色工廠", top_k=1)) == ["plan#p3.s2"]


def test_indexed_text_has_section_and_category(docs):
    row = next(p for p in docs[0].passages if p.id == "plan#t1.r1")
    text = indexed_text(row)
    assert "高端装备制造" in text and "东丽区重大项目列表" in text


def test_doc_filter(bm25):
    assert set(h.passage.doc_id for h in bm25.search("专精特新", top_k=10)) == {"plan", "other"}
    assert set(h.passage.doc_id for h in bm25.search("专精特新", top_k=10, doc_ids=["other"])) == {"other"}
    assert bm25.search("专精特新", doc_ids=[]) == []


def test_no_match_and_empty_query(bm25):
    assert bm25.search("量子引力弦论") == []
    assert bm25.search("") == []
    assert bm25.search("的了是？") == []


def test_top_k_and_order(bm25):
    hits = bm25.search("企业", top_k=2)
    assert len(hits) == 2 and hits[0].score >= hits[1].score


def test_save_load_roundtrip(bm25, docs, tmp_path):
    bm25.save(tmp_path)
    loaded = BM25Retriever.load(tmp_path, bm25.passages, bm25.tokenizer)
    assert ids(loaded.search("链长制")) == ids(bm25.search("链长制"))
    with pytest.raises(ValueError):
        BM25Retriever.load(tmp_path, bm25.passages[:-1], bm25.tokenizer)


def test_top_indices():
    import numpy as np

    s = np.array([0.1, 0.5, 0.5, 0.9, 0.0])
    assert list(top_indices(s, 3)) == [3, 1, 2]
    assert list(top_indices(s, 10)) == [3, 1, 2, 0, 4]
