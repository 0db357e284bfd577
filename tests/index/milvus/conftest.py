"""Milvus targets for the contract tests: Milvus Lite on a file, ``milvus-lite server`` on a
loopback port, and a real cluster when ``PLANQA_MILVUS_URI`` names one (skipped otherwise)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from index.milvus.schema import Connection
from tests.index.milvus.server import MilvusServer

CLUSTER = os.environ.get("PLANQA_MILVUS_URI", "")


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MilvusServer]:
    with MilvusServer(tmp_path_factory.mktemp("milvus-server") / "data") as server:
        yield server


@pytest.fixture(params=["lite", "server", "cluster"])
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A Milvus URI: a fresh Lite file, the loopback server, or the configured cluster."""
    if request.param == "lite":
        return str(tmp_path_factory.mktemp("milvus-lite") / "planqa.db")
    if request.param == "server":
        return request.getfixturevalue("milvus_server").uri
    if not CLUSTER.startswith(("http://", "https://")):
        pytest.skip("set PLANQA_MILVUS_URI=http://host:19530 (and PLANQA_MILVUS_TOKEN) to test a real cluster")
    return CLUSTER


@pytest.fixture
def conn(target: str) -> Iterator[Connection]:
    """A connection to a collection of its own (dropped afterwards)."""
    c = Connection(target, os.environ.get("PLANQA_MILVUS_TOKEN") or None, f"t_{uuid.uuid4().hex[:12]}")
    try:
        yield c
    finally:
        c.drop()
        c.close()
