"""Retrieval with the real embedding model on the real plan: one index build per session."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from evaluation.retrieval import DEV_QA, cite_hit, evaluate, load_dev

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
BASE_STATIONS = "4000个5G基站"


@pytest.fixture(scope="session")
def real_embedder():
    from index.embedder import load_embedder
    from service.settings import Settings

    s = Settings()
    return load_embedder(s.embedding_model, s.model_dir, s.embedding_cache_dir, s.embedding_batch_size)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory):
    from index.options import BuildOptions
    from service.settings import Settings

    s = Settings(corpus_dir=REPO / "corpus", index_dir=tmp_path_factory.mktemp("real") / "index")
    return BuildOptions.from_settings(s)


@pytest.fixture(scope="session")
def real_index(real_embedder, real_settings):
    from index.builder import build_from_corpus
    from index.store import load_index

    assert build_from_corpus(real_settings, real_embedder) is True
    return load_index(real_settings.index_dir, real_embedder)


def test_manifest_records_the_model(real_index, real_embedder):
    m = real_index.manifest
    assert m["model"] == real_embedder.model_id and m["dims"] == real_embedder.dim == 384


def test_unchanged_corpus_rebuild_is_a_noop(real_index, real_embedder, real_settings):
    from index.builder import build_from_corpus

    t0 = time.perf_counter()
    assert build_from_corpus(real_settings, real_embedder) is False
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.skipif(not DEV_QA.exists(), reason="the shared dev questions are not present")
def test_dev_questions(real_index):
    scores = evaluate(real_index, load_dev(DEV_QA))
    assert scores["cite@1"] >= 0.85, scores
    # Two misses are expected from retrieval alone: the English question (see the xfail below) and
    # a count over table rows, which the answer engine takes from the parsed table, not from the top 5.
    assert scores["cite@5"] >= 0.94, scores
    assert scores["median_len"] <= 200


@pytest.mark.parametrize("query", [
    "How many 5G base stations by 2025?",
    "到2025年建設多少個5G基站？",
    "5G基站建设目标",
])
def test_base_station_sentence_in_top5(real_index, query):
    hits = real_index.hybrid.search(query, top_k=5)
    assert any(BASE_STATIONS in h.passage.text for h in hits), [h.passage.text[:40] for h in hits]


def test_semantic_only_query(real_index):
    hits = real_index.dense.search("高端医疗器械依托哪些企业？", top_k=5)
    assert any(cite_hit(h.passage.text, ["英诺美迪"]) for h in hits)


@pytest.mark.xfail(reason="mE5-small ranks the 四大主导产业 sentence 82nd for this English question and BM25 "
                   "has no Chinese tokens to match; the answer engine adds a glossary keyword query", strict=True)
def test_crosslingual_leading_industries(real_index):
    hits = real_index.hybrid.search("What are the four leading industries of Dongli district?", top_k=5)
    assert any("高端装备制造" in h.passage.text and "生物医药" in h.passage.text for h in hits)


def test_table_row_question(real_index):
    hit = real_index.hybrid.search("永磁直驱系统系列产品生产项目预计总投资多少？", top_k=1)[0]
    assert hit.passage.kind == "table_row" and "永磁直驱系统系列产品生产项目" in hit.passage.text
