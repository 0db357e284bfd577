import numpy as np
import pytest

from index.dense import DenseRetriever, embed_text, make_index
from index.testing import HashEmbedder
from index.tokenize import Tokenizer


@pytest.fixture(scope="module")
def tok():
    return Tokenizer()


def build(docs, embedder, tok, threshold):
    passages = [p for d in docs for p in d.passages]
    return DenseRetriever.build(passages, embedder, tok, hnsw_threshold=threshold)


@pytest.mark.parametrize("threshold,hnsw", [(10_000, False), (3, True)])
def test_flat_and_hnsw(docs, embedder, tok, threshold, hnsw):
    d = build(docs, embedder, tok, threshold)
    assert d.is_hnsw is hnsw
    target = next(p for p in docs[0].passages if p.id == "plan#p2.s1")
    hits = d.search(target.text, top_k=3)
    assert hits[0].passage.id == target.id
    assert hits[0].score == pytest.approx(hits[0].score) and hits[0].score <= 1.0001
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert any("上云企业" in target.text[a:b] for a, b in hits[0].highlights)


@pytest.mark.parametrize("threshold", [10_000, 3])
def test_doc_filter(docs, embedder, tok, threshold):
    d = build(docs, embedder, tok, threshold)
    hits = d.search("专精特新企业", top_k=20, doc_ids=["other"])
    assert hits and all(h.passage.doc_id == "other" for h in hits)
    assert len(hits) == len(docs[1].passages)
    assert d.search("专精特新企业", doc_ids=["nope"]) == []


def test_hnsw_filter_through_faiss_selector(docs, embedder, tok, monkeypatch):
    import index.dense as dense_mod

    monkeypatch.setattr(dense_mod, "EXACT_SUBSET_MAX", 0)
    d = build(docs, embedder, tok, 3)
    hits = d.search("专精特新企业", top_k=20, doc_ids=["other"])
    assert {h.passage.doc_id for h in hits} == {"other"}


def test_hnsw_matches_flat_on_small_corpus(docs, embedder, tok):
    flat, hnsw = build(docs, embedder, tok, 10_000), build(docs, embedder, tok, 3)
    for q in ("链长制", "上云企业", "永磁直驱", "生物医药"):
        assert [h.passage.id for h in flat.search(q, 3)] == [h.passage.id for h in hnsw.search(q, 3)]


def test_dense_text_includes_section(docs):
    p = docs[0].passages[0]
    assert embed_text(p).startswith("一、发展回顾 › （一）发展基础\n")
    assert embed_text(p, with_section=False) == p.text


def test_save_load_and_dimension_check(docs, embedder, tok, tmp_path):
    d = build(docs, embedder, tok, 10_000)
    d.save(tmp_path / "x.faiss")
    loaded = DenseRetriever.load(tmp_path / "x.faiss", d.passages, embedder, tok)
    assert [h.passage.id for h in loaded.search("链长制")] == [h.passage.id for h in d.search("链长制")]
    with pytest.raises(ValueError, match="dimensions"):
        DenseRetriever.load(tmp_path / "x.faiss", d.passages, HashEmbedder(dim=32), tok)
    with pytest.raises(ValueError, match="vectors"):
        DenseRetriever.load(tmp_path / "x.faiss", d.passages[:-1], embedder, tok)


def test_empty_index():
    idx = make_index(np.zeros((0, 8), dtype=np.float32), 10)
    assert idx.ntotal == 0
