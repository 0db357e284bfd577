"""Kept for ``evaluation.retrieval --hash-embedder``; the embedder doubles live in ``index.testing``."""

from index.testing import HashEmbedder as HashEmbedder
