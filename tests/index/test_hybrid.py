import numpy as np
import pytest

from index.bm25 import BM25Retriever
from index.dense import DenseRetriever
from index.hybrid import DEFAULT_FUSION, FusionConfig, HybridRetriever, fuse
from index.sentences import SentenceRanker, sentence_ranker
from index.tokenize import Tokenizer
from index.units import sentence_units
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


# ---- the best-sentence list --------------------------------------------------------------------
def test_three_lists_weigh_by_the_sentence_share():
    b, d, s = [(1, 3.0), (2, 1.0)], [(1, 0.9), (2, 0.1)], [(2, 0.9), (1, 0.1)]
    assert fuse(b, d, FusionConfig("zscore", alpha=0.5, sentences=0.4), s)[0][0] == 1
    assert fuse(b, d, FusionConfig("zscore", alpha=0.5, sentences=0.6), s)[0][0] == 2
    # without a sentence list the share is ignored: BM25 and passage vectors as before
    assert fuse(b, d, FusionConfig("zscore", alpha=0.5, sentences=0.9)) == fuse(b, d, FusionConfig("zscore", 0.5))
    rrf = dict(fuse(b, d, FusionConfig("rrf", alpha=0.5, rrf_k=60, sentences=0.5), s))
    assert rrf[2] == pytest.approx(0.25 / 62 + 0.25 / 62 + 0.5 / 61)


def test_the_sentence_share_roundtrips_and_is_checked():
    cfg = FusionConfig("zscore", 0.5, sentences=0.4)
    assert FusionConfig.from_dict(cfg.to_dict()) == cfg
    assert FusionConfig.from_dict({"method": "zscore", "alpha": 0.5}).sentences == 0.0  # an index built before
    with pytest.raises(ValueError, match=r"sentence share must be in \[0, 1\), not 1.0"):
        FusionConfig.from_dict({"sentences": 1.0})


def test_a_passage_is_ranked_by_its_best_sentence(docs, embedder):
    passages = [p for d in docs for p in d.passages]
    ranker = SentenceRanker(passages, embedder)
    assert len(ranker) >= len(passages)
    target = next(i for i, p in enumerate(passages) if "链长制" in p.text)
    sentence = next(u for u in sentence_units(passages[target].text) if "链长制" in u)
    ranked = ranker.ranked(sentence, 5)
    assert ranked[0][0] == target and ranked[0][1] == pytest.approx(1.0, abs=1e-5)
    assert len({i for i, _ in ranked}) == len(ranked) == 5  # a passage comes once
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)
    only_other = ranker.ranked(sentence, 50, ["other"])
    assert only_other and {passages[i].doc_id for i, _ in only_other} == {"other"}
    assert ranker.ranked(sentence, 5, []) == [] and ranker.ranked(sentence, 0) == []
    with pytest.raises(ValueError, match="query vector has 3 dimensions, the sentence vectors 64"):
        ranker.ranked_vector(np.ones(3), 5)


def test_a_traditional_question_meets_the_sentences_as_they_were_embedded(docs, embedder):
    passages = [p for d in docs for p in d.passages]
    ranker = SentenceRanker(passages, embedder)
    assert ranker.ranked("實施鏈長制", 3) == ranker.ranked("实施链长制", 3)


def test_the_hybrid_retriever_fuses_the_sentence_list(docs, embedder):
    passages = [p for d in docs for p in d.passages]
    tok = Tokenizer(build_user_words(docs))
    bm25, dense = BM25Retriever.build(passages, tok), DenseRetriever.build(passages, embedder, tok)
    three = HybridRetriever(bm25, dense, FusionConfig("zscore", 0.5, sentences=0.4), SentenceRanker(passages, embedder))
    two = HybridRetriever(bm25, dense, FusionConfig("zscore", 0.5))
    assert three.search("链长制", top_k=1)[0].passage.id == "plan#p3.s1"
    assert {h.passage.doc_id for h in three.search("专精特新", top_k=10, doc_ids=["other"])} == {"other"}
    q = "推动重点产业链高质量发展"
    b = bm25.ranked(q, 100)
    d = dense.ranked(q, 100)
    s = three.sentences.ranked(q, 100)
    assert three.ranked(q, 5) == fuse(b, d, three.config, s)[:5]
    assert two.ranked(q, 5) == fuse(b, d, two.config)[:5]
    with pytest.raises(ValueError, match="the sentence ranker must rank the same passages"):
        HybridRetriever(bm25, dense, DEFAULT_FUSION, SentenceRanker(passages[:2], embedder))
    assert sentence_ranker(passages, None) is None


def test_a_model_that_fails_on_sentences_leaves_bm25_and_passage_vectors(docs, embedder):
    class Failing(type(embedder)):
        def embed_passages(self, texts, progress=False):
            raise RuntimeError("out of memory")

    assert sentence_ranker([p for d in docs for p in d.passages], Failing(dim=64)) is None
