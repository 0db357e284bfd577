"""Core errors become HTTP errors here and nowhere else.

Every error a caller can cause is a 4xx whose ``detail`` says what to fix; the status for each
core error is in ``STATUS``. A last-resort handler logs anything else, answers a plain 500, and
counts it in ``app.state.unhandled_errors`` so tests can prove nothing reaches it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match

from ingest.errors import (
    AdminDisabled,
    Conflict,
    Forbidden,
    IndexError_,
    IngestError,
    InvalidRequest,
    NotFound,
    PlanqaError,
    StorageError,
    TooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
from service.api.middleware import scrub
from service.schemas import ErrorOut

log = logging.getLogger("planqa")

# First match wins, so a subclass comes before its base.
STATUS: tuple[tuple[type[PlanqaError], int], ...] = (
    (UnsupportedMediaType, 415), (NotFound, 404), (Unauthorized, 401), (AdminDisabled, 403), (Forbidden, 403),
    (Conflict, 409), (TooLarge, 413), (InvalidRequest, 422), (IngestError, 422), (StorageError, 503),
    (IndexError_, 503),
)


def status_of(err: PlanqaError) -> int:
    for cls, code in STATUS:
        if isinstance(err, cls):
            return code
    return 400


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer, all shaped ``{"detail": …}``."""
    return {code: {"model": ErrorOut} for code in codes}


def _json(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": scrub(detail)}, status_code=status, headers=headers)


def add_error_handlers(app: FastAPI) -> None:
    app.state.unhandled_errors = 0

    @app.exception_handler(PlanqaError)
    async def planqa_error(request: Request, exc: PlanqaError) -> JSONResponse:
        status = status_of(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return _json(status, str(exc), headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request.app, request.scope))
        return _json(exc.status_code, exc.detail, headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _json(422, jsonable_encoder(exc.errors()))

    @app.exception_handler(Exception)
    async def unhandled(request: Request, exc: Exception) -> JSONResponse:
        request.app.state.unhandled_errors += 1
        log.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
        return _json(500, "internal error; the server log has the details")


def _allowed_methods(app: FastAPI, scope: Any) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in _routes(app.router.routes):
        match, _ = route.matches(scope)
        if match != Match.NONE:
            methods |= set(route.methods)
    return sorted(methods)


def _routes(routes: list[BaseRoute]) -> Iterator[Any]:
    """The routes with methods, including those of included routers (none of ours has a prefix)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        elif getattr(route, "methods", None):
            yield route
