"""A retriever that reorders another retriever's first hits by a cross-encoder's judgement."""

from __future__ import annotations

from index.types import Hit, Retriever
from service.reader.reader import Reranker

RERANK_DEPTH = 20


class RerankingRetriever:
    """Fetches ``max(top_k, depth)`` hits from ``inner`` and reorders the first ``depth`` by the reranker.

    Hits keep their own score and highlights (callers that threshold on the fused score keep
    working); only the order changes. Hits below ``depth`` follow in their original order.
    """

    def __init__(self, inner: Retriever, reranker: Reranker, depth: int = RERANK_DEPTH) -> None:
        self.inner = inner
        self.reranker = reranker
        self.depth = depth

    def __getattr__(self, name: str):  # the wrapped retriever's other attributes stay reachable
        return getattr(self.inner, name)

    def search(self, query: str, top_k: int = 10, doc_ids: list[str] | None = None) -> list[Hit]:
        hits = self.inner.search(query, top_k=max(top_k, self.depth), doc_ids=doc_ids)
        head, tail = hits[: self.depth], hits[self.depth :]
        if len(head) > 1:
            scores = self.reranker.scores(query, [h.passage.text for h in head])
            order = sorted(range(len(head)), key=lambda i: (-scores[i], i))
            head = [head[i] for i in order]
        return (head + tail)[:top_k]
