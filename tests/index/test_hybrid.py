import pytest

from index.bm25 import BM25Retriever
from index.dense import DenseRetriever
from index.hybrid import DEFAULT_FUSION, FusionConfig, HybridRetriever, fuse
from index.tokenize import Tokenizer
from index.userdict import build_user_words


@pytest.fixture
def hybrid(docs, embedder):
    passages = [p for d in docs for p in d.passages]
    tok = Tokenizer(build_user_words(docs))
    return HybridRetriever(BM25Retriever.build(passages, tok), DenseRetriever.build(passages, embedder, tok))


def test_rrf():
    out = fuse([(1, 9.0), (2, 5.0)], [(2, 0.9), (3, 0.8)], FusionConfig("rrf", alpha=0.5, rrf_k=60))
    assert [i for i, _ in out] == [2, 1, 3]
    assert out[0][1] == pytest.approx(0.5 / 62 + 0.5 / 61)


def test_minmax():
    out = fuse([(1, 10.0), (2, 5.0), (4, 0.0)], [(2, 0.9), (3, 0.5)], FusionConfig("minmax", alpha=0.5))
    scores = dict(out)
    assert scores[2] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)
    assert scores[1] == pytest.approx(0.5)
    assert scores[3] == pytest.approx(0.0)
    assert out[0][0] == 2


def test_zscore_and_alpha_extremes():
    b, d = [(1, 3.0), (2, 1.0)], [(2, 0.9), (1, 0.1)]
    assert fuse(b, d, FusionConfig("zscore", alpha=0.0))[0][0] == 1
    assert fuse(b, d, FusionConfig("zscore", alpha=1.0))[0][0] == 2
    assert fuse(b, d, FusionConfig("minmax", alpha=1.0))[0][0] == 2


def test_empty_lists():
    assert fuse([], [], DEFAULT_FUSION) == []
    assert [i for i, _ in fuse([], [(5, 0.3)], DEFAULT_FUSION)] == [5]


def test_config_roundtrip():
    cfg = FusionConfig("rrf", 0.3, 10, 50)
    assert FusionConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError):
        FusionConfig.from_dict({"method": "max"})


@pytest.mark.parametrize("method", ["rrf", "minmax", "zscore"])
def test_hybrid_search(hybrid, method):
    hybrid.config = FusionConfig(method)
    hits = hybrid.search("链长制", top_k=3)
    assert hits[0].passage.id == "plan#p3.s1"
    assert [hits[0].passage.text[a:b] for a, b in hits[0].highlights] == ["链长制"]
    assert "plan#t1.r1" in [h.passage.id for h in hybrid.search("乾顺永磁", top_k=3)]
    assert len(hybrid.search("企业", top_k=2)) == 2


def test_hybrid_doc_filter(hybrid):
    hits = hybrid.search("专精特新", top_k=10, doc_ids=["other"])
    assert hits and {h.passage.doc_id for h in hits} == {"other"}
    assert hybrid.search("专精特新", doc_ids=[]) == []
