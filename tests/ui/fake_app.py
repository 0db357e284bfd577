"""An app factory serving the UI over ``FakeRuntime`` (``uvicorn --factory tests.ui.fake_app:create``)."""

from __future__ import annotations

from fastapi import FastAPI

from service.api import create_app
from service.settings import Settings
from tests.ui.fakes import FakeRuntime


def create() -> FastAPI:
    return create_app(Settings(), runtime=FakeRuntime(delay=0.05), ui=True)
