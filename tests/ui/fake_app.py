"""App factories serving the UI over ``FakeRuntime`` (``uvicorn --factory tests.ui.fake_app:create``)
and over a runtime whose index is not ready (``create_not_ready``)."""

from __future__ import annotations

from typing import NoReturn

from fastapi import FastAPI

from ingest.errors import IndexNotReady
from service.app import create_app
from service.settings import Settings
from tests.ui.fakes import FakeRuntime


def create() -> FastAPI:
    return create_app(Settings(), runtime=FakeRuntime(delay=0.05), ui=True)


class NotReadyRuntime(FakeRuntime):
    """Serves health but no index yet: every query says the index is not ready."""

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise IndexNotReady("no index at .planqa/index; run `planqa index`")

    documents = document = search = ask_stream = passage = timeline = _refuse


def create_not_ready() -> FastAPI:
    return create_app(Settings(), runtime=NotReadyRuntime(), ui=True)


def create_collection() -> FastAPI:
    """Two documents of different years and kinds, for the filters."""
    return create_app(Settings(), runtime=FakeRuntime(delay=0.05, collection=True), ui=True)
