"""Short answers and passage reranking from a small model trained here (``make train``).

    reader = load_reader(settings)            # None when off, missing or damaged (logged once)
    spans = reader.read(question, [p.text for p in passages[:3]], top_n=1)
    spans[0].text == passages[spans[0].text_index].text[spans[0].start:spans[0].end]

    reranker = load_reranker(settings)        # None unless PLANQA_RERANKER=on and it loads
    retriever = RerankingRetriever(index.hybrid, reranker)
"""

from service.reader.loading import load_reader, load_reranker
from service.reader.reader import Reader, Reranker, Span
from service.reader.rerank import RerankingRetriever

__all__ = ["Reader", "Reranker", "RerankingRetriever", "Span", "load_reader", "load_reranker"]
