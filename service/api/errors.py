"""Core errors become HTTP errors here and nowhere else.

Every error a caller can cause is a 4xx whose message says what to fix; the status for each core
error is in ``STATUS``. Under ``/api`` the body is ``{"detail": …}``; under ``/v1`` it is OpenAI's
``{"error": {"message", "type", "param", "code"}}``, so OpenAI clients raise their typed
exceptions carrying our message. A last-resort handler logs anything else, answers a plain 500,
and counts it in ``app.state.unhandled_errors`` so tests can prove nothing reaches it.
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
    ModelNotFound,
    NotFound,
    PlanqaError,
    RateLimited,
    StorageError,
    TooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
from service.schemas import ErrorOut, OpenAIErrorOut

log = logging.getLogger("planqa")

# First match wins, so a subclass comes before its base.
STATUS: tuple[tuple[type[PlanqaError], int], ...] = (
    (UnsupportedMediaType, 415), (NotFound, 404), (Unauthorized, 401), (AdminDisabled, 403), (Forbidden, 403),
    (Conflict, 409), (TooLarge, 413), (InvalidRequest, 422), (IngestError, 422), (RateLimited, 429),
    (StorageError, 503), (IndexError_, 503),
)

OPENAI_PREFIX = "/v1/"
# OpenAI's error ``type`` and ``code`` for each status (a core error may name a finer code).
OPENAI_ERRORS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None), 401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "forbidden"), 404: ("invalid_request_error", "not_found"),
    405: ("invalid_request_error", "method_not_allowed"), 413: ("invalid_request_error", "request_too_large"),
    415: ("invalid_request_error", "unsupported_media_type"), 422: ("invalid_request_error", "invalid_value"),
    429: ("requests", "rate_limit_exceeded"), 500: ("server_error", None),
    503: ("server_error", "service_unavailable"), 504: ("server_error", "timeout"),
}
OPENAI_CODES: dict[type[PlanqaError], str] = {ModelNotFound: "model_not_found"}


def scrub(value: Any) -> Any:
    """``value`` with unpaired surrogates replaced by U+FFFD, so it can be encoded as UTF-8 JSON."""
    if isinstance(value, str):
        if _has_surrogate(value):
            return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
        return value
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def _has_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def is_openai_path(path: str) -> bool:
    return path.startswith(OPENAI_PREFIX)


def error_content(path: str, status: int, detail: Any, code: str | None = None) -> dict[str, Any]:
    """The body of an error answered at ``path``: ``{"detail": …}``, or OpenAI's shape under ``/v1``."""
    detail = scrub(detail)
    if not is_openai_path(path):
        return {"detail": detail}
    etype, default_code = OPENAI_ERRORS.get(status, ("invalid_request_error" if status < 500 else "server_error", None))
    message, param = _readable(detail)
    return {"error": {"message": message, "type": etype, "param": param, "code": code or default_code}}


def _readable(detail: Any) -> tuple[str, str | None]:
    """One message (and the first field at fault) from a message or FastAPI's list of issues."""
    if not isinstance(detail, list):
        return str(detail), None
    parts: list[str] = []
    param = None
    for issue in detail:
        where = ".".join(str(x) for x in issue.get("loc", []) if x != "body")
        param = param or where or None
        parts.append(f"{where}: {issue.get('msg')}" if where else str(issue.get("msg")))
    return "; ".join(parts), param


def status_of(err: PlanqaError) -> int:
    for cls, code in STATUS:
        if isinstance(err, cls):
            return code
    return 400


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses an ``/api`` route can answer, all shaped ``{"detail": …}``."""
    return {code: {"model": ErrorOut} for code in codes}


def openai_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a ``/v1`` route can answer, in OpenAI's shape."""
    return {code: {"model": OpenAIErrorOut} for code in codes}


def _json(request: Request, status: int, detail: Any, headers: dict[str, str] | None = None,
          code: str | None = None) -> JSONResponse:
    return JSONResponse(error_content(request.url.path, status, detail, code), status_code=status, headers=headers)


def error_headers(exc: PlanqaError, status: int) -> dict[str, str] | None:
    if status == 401:
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, RateLimited):
        return {"Retry-After": str(exc.retry_after)}
    return None


def add_error_handlers(app: FastAPI) -> None:
    app.state.unhandled_errors = 0

    @app.exception_handler(PlanqaError)
    async def planqa_error(request: Request, exc: PlanqaError) -> JSONResponse:
        status = status_of(exc)
        code = next((c for cls, c in OPENAI_CODES.items() if isinstance(exc, cls)), None)
        return _json(request, status, str(exc), error_headers(exc, status), code)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request.app, request.scope))
        return _json(request, exc.status_code, exc.detail, headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _json(request, 422, jsonable_encoder(exc.errors()))

    @app.exception_handler(Exception)
    async def unhandled(request: Request, exc: Exception) -> JSONResponse:
        request.app.state.unhandled_errors += 1
        log.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
        return _json(request, 500, "internal error; the server log has the details")


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
