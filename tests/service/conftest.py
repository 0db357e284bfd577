"""Indexes of the real plan for service tests: a fast one (hash embedder) and the real one."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.testing import HashEmbedder
from service.runtime import Runtime
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def hash_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose index is built with the hash embedder (no model needed)."""
    base = tmp_path_factory.mktemp("hash-index")
    return Settings(corpus_dir=CORPUS, index_dir=base / "index", embedding_cache_dir=base / "emb")


@pytest.fixture(scope="session")
def hash_runtime(hash_settings: Settings) -> Runtime:
    rt = Runtime(hash_settings, embedder=HashEmbedder(dim=64))
    rt.build(force=True)
    rt.load()
    return rt


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for an index of the plan built with the real embedding model."""
    base = tmp_path_factory.mktemp("real-index")
    return Settings(corpus_dir=CORPUS, index_dir=base / "index")


@pytest.fixture(scope="session")
def real_runtime(real_settings: Settings) -> Runtime:
    rt = Runtime(real_settings)
    rt.build(force=True)
    rt.load()
    return rt
