"""Shared fixtures: the real plan, ingested once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.model import Document
from ingest.pipeline import ingest_file

REPO = Path(__file__).resolve().parents[2]
PLAN = REPO / "corpus" / "dongli-14th-fyp-industry.txt"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def plan_path() -> Path:
    return PLAN


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared data folder beside the repository (skips the test when it is absent)."""
    if not SHARED.is_dir():
        pytest.skip("the shared data folder is not beside the repository")
    return SHARED


@pytest.fixture(scope="session")
def plan() -> Document:
    return ingest_file(PLAN)


@pytest.fixture(scope="session")
def plan_table(plan: Document):
    assert len(plan.tables) == 1
    return plan.tables[0]
