"""The Milvus backend: passages, vectors, BM25 and document structure in Milvus collections.

A planqa process on this backend needs nothing on local disk but its settings: it reads the
documents' structure from Milvus, asks Milvus for BM25 and dense candidates, and fuses them with
the same z-score fusion as the local backend. ``PLANQA_MILVUS_URI`` is a file path (Milvus Lite,
embedded) or ``http://host:19530`` (a Milvus server or cluster).
"""
