"""The FastAPI API: routers over one ``Runtime``, loaded once in the lifespan, not per request."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from ingest.errors import PlanqaError
from service.access import RateLimiter, check_exposure
from service.admin import DocumentAdmin
from service.api.context import RequestContext
from service.api.docs import add_offline_docs
from service.api.errors import add_error_handlers
from service.api.metrics import Metrics
from service.api.middleware import add_middleware
from service.api.routes import ROUTERS
from service.keys import KeyRing
from service.runtime import Runtime
from service.settings import Settings, get_settings

log = logging.getLogger("planqa")


def create_api(settings: Settings | None = None, runtime: Runtime | None = None,
               mounted: tuple[str, ...] = ()) -> FastAPI:
    """The API alone; ``mounted`` are the path prefixes of apps the caller will mount beside it.

    Raises ``UnsafeExposure`` when the settings would serve a non-loopback address to anyone.
    """
    settings = settings or get_settings()
    keys = KeyRing(settings.api_keys_file, settings.reload_interval_s)
    check_exposure(settings, keys)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or Runtime(settings)
        app.state.runtime = rt
        app.state.admin = DocumentAdmin(rt)
        if rt.index is None:
            try:
                await run_in_threadpool(rt.load)
            except PlanqaError as e:
                log.error("index not loaded: %s", e)
        watch = getattr(rt, "start_watch", None)  # a stand-in runtime may not watch
        if watch is not None:
            watch()
        try:
            yield
        finally:
            if watch is not None:
                rt.stop_watch()

    app = FastAPI(
        title="planqa", version="1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
        description="Semantic search and cited answers over Chinese government plan documents.",
    )
    app.state.settings = settings
    app.state.keys = keys
    metrics = Metrics(lambda: getattr(app.state, "runtime", None)) if settings.metrics else None
    app.state.metrics = metrics
    add_offline_docs(app)
    access = {"settings": settings, "keys": keys, "limiter": RateLimiter(settings), "metrics": metrics}
    add_middleware(app, settings, mounted, access)
    if metrics is not None:
        metrics.install(app)  # outside the guards, so refusals are counted too
    app.add_middleware(RequestContext)  # outermost: every response carries its X-Request-ID
    add_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    return app
