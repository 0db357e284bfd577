"""App factories serving the UI over ``FakeRuntime`` (``uvicorn --factory tests.ui.fake_app:create``),
over a runtime whose index is not ready (``create_not_ready``), over a collection of 66 documents
(``create_many``), and over the real runtime of a
small collection of dated reports (``create_reports``)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import NoReturn

from fastapi import FastAPI

from index.testing import HashEmbedder
from ingest.errors import IndexNotReady
from service.app import create_app
from service.runtime import Runtime
from service.settings import Settings
from tests.ui.fakes import FakeRuntime, many_documents


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


def create_many() -> FastAPI:
    """The two documents of ``create_collection`` and 64 more: the document list must stay usable."""
    return create_app(Settings(), runtime=FakeRuntime(delay=0.05, collection=True, extra=many_documents(64)), ui=True)


REPORTS = Path(__file__).resolve().parents[1] / "service" / "data" / "collection"


def create_reports() -> FastAPI:
    """The real runtime over the excerpts of dated reports in ``tests/service/data/collection``, its
    index built at start-up with the hash embedder: exact search and the timeline are the real ones."""
    base = Path(tempfile.mkdtemp(prefix="planqa-reports-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    settings = Settings(corpus_dir=REPORTS, index_dir=base / "index", embedding_cache_dir=base / "emb")
    rt = Runtime(settings, embedder=HashEmbedder(dim=64))
    rt.build()
    rt.load()
    return create_app(settings, runtime=rt, ui=True)
