"""Passages found by their best sentence: a long paragraph is found by the one sentence that answers."""

from __future__ import annotations

import numpy as np

from index.testing import HashEmbedder
from ingest.pipeline import ingest_text
from service.answer.corpus import Corpus
from service.answer.sentence_search import SentenceSearch

FILLER = "。".join(f"持续推进第{i}项重点改革任务落地见效，完善体制机制，强化统筹协调和督促检查" for i in range(8))
REPORT = (
    "一、主要目标\n"
    f"{FILLER}。全省粮食产量稳定在297亿斤以上。{FILLER}。\n"
    "二、重点任务\n"
    "粮食生产要抓好种子和耕地两个要害，建设高标准农田。\n"
)
OTHER = "一、概况\n全市粮食产量达到150亿斤。\n"


def _corpus() -> tuple[Corpus, dict]:
    docs = {d.doc_id: d for d in (ingest_text("report", "报告", REPORT), ingest_text("other", "另一份", OTHER))}
    return Corpus(docs), docs


def test_a_long_paragraph_is_found_by_the_sentence_that_answers() -> None:
    corpus, docs = _corpus()
    emb = HashEmbedder(dim=256)
    search = SentenceSearch(corpus, emb)
    q = "全省粮食产量稳定在多少亿斤以上"
    qv = emb.embed_queries([q])[0]
    hits = search.search(qv, 2, ["report"])
    assert [h.passage.doc_id for h in hits] == ["report", "report"]
    assert "297亿斤" in hits[0].passage.text and len(hits[0].passage.text) > 120
    # the passage as a whole is nearer something else: its best sentence is what ranks it first
    pv = emb.embed_passages([h.passage.text for h in hits])
    assert float(pv[0] @ qv) < float(pv[1] @ qv)
    assert hits[0].score > hits[1].score


def test_documents_restrict_the_search_and_a_passage_comes_once() -> None:
    corpus, docs = _corpus()
    emb = HashEmbedder(dim=256)
    search = SentenceSearch(corpus, emb)
    qv = emb.embed_queries(["粮食产量达到多少亿斤"])[0]
    everywhere = search.search(qv, 10)
    ids = [h.passage.id for h in everywhere]
    assert len(ids) == len(set(ids)) == len(corpus.searchable())
    assert {h.passage.doc_id for h in search.search(qv, 10, ["other"])} == {"other"}
    assert search.search(qv, 10, ["missing"]) == []


def test_the_sentences_are_embedded_once_and_again_only_when_the_documents_change() -> None:
    corpus, docs = _corpus()
    emb = HashEmbedder(dim=64)
    search = SentenceSearch(corpus, emb)
    qv = emb.embed_queries(["粮食"])[0]
    search.search(qv, 3)
    calls = emb.calls
    search.search(qv, 3)
    assert emb.calls == calls
    docs["third"] = ingest_text("third", "第三份", "一、任务\n新建高标准农田100万亩。\n")
    assert "third" in {h.passage.doc_id for h in search.search(qv, 10)}
    assert emb.calls == calls + 1


def test_without_a_model_or_with_a_vector_of_another_width_nothing_is_found() -> None:
    corpus, _ = _corpus()
    assert SentenceSearch(corpus, None).search(np.ones(64, dtype=np.float32), 5) == []
    search = SentenceSearch(corpus, HashEmbedder(dim=64))
    assert search.search(np.ones(32, dtype=np.float32), 5) == []
    assert search.search(None, 5) == []


class _Failing(HashEmbedder):
    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        raise RuntimeError("model gone")


def test_a_failing_model_costs_the_candidates_not_the_question() -> None:
    corpus, _ = _corpus()
    search = SentenceSearch(corpus, _Failing(dim=64))
    assert search.search(np.ones(64, dtype=np.float32), 5) == []
