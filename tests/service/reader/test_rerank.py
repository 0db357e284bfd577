"""RerankingRetriever over a stub retriever and a stub scorer: order, depth and what is kept."""

from __future__ import annotations

from index.types import Hit
from ingest.model import Passage
from service.reader import Reranker, RerankingRetriever


def _hit(i: int) -> Hit:
    p = Passage(id=f"p{i}", doc_id="d", kind="paragraph", text=f"text {i}", section=(), span=(0, 6), paragraph_id=f"g{i}")
    return Hit(p, score=1.0 - i / 100, highlights=((0, 1),))


class Stub:
    def __init__(self, n: int) -> None:
        self.hits = [_hit(i) for i in range(n)]
        self.asked: list[int] = []

    def search(self, query: str, top_k: int = 10, doc_ids: list[str] | None = None) -> list[Hit]:
        self.asked.append(top_k)
        return self.hits[:top_k]


def test_reorders_the_first_hits_by_score_and_keeps_the_rest() -> None:
    inner = Stub(30)
    # the scorer prefers higher passage numbers
    reranker = Reranker(lambda q, texts: [int(t.split()[1]) / 100 for t in texts])
    out = RerankingRetriever(inner, reranker, depth=5).search("q", top_k=8)
    assert inner.asked == [8]
    assert [h.passage.id for h in out] == ["p4", "p3", "p2", "p1", "p0", "p5", "p6", "p7"]
    assert out[0] is inner.hits[4]  # score and highlights untouched


def test_fetches_at_least_depth_hits_and_cuts_to_top_k() -> None:
    inner = Stub(30)
    reranker = Reranker(lambda q, texts: [int(t.split()[1]) / 100 for t in texts])
    out = RerankingRetriever(inner, reranker, depth=20).search("q", top_k=3)
    assert inner.asked == [20]
    assert [h.passage.id for h in out] == ["p19", "p18", "p17"]


def test_ties_keep_the_retriever_order() -> None:
    inner = Stub(4)
    out = RerankingRetriever(inner, Reranker(lambda q, texts: [0.5] * len(texts)), depth=4).search("q", top_k=4)
    assert [h.passage.id for h in out] == ["p0", "p1", "p2", "p3"]
