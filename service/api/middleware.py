"""ASGI middleware that guards every request before a route sees it: body size, body type, time.

Written as plain ASGI (not ``BaseHTTPMiddleware``) so the body limit is enforced while the body
is read — a chunked request without ``Content-Length`` is cut off at the limit, not buffered
whole — and so a timeout can still answer 504 when the route has not started its response.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from service.api.errors import error_content

if TYPE_CHECKING:
    from fastapi import FastAPI

    from service.settings import Settings

log = logging.getLogger("planqa")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_JSON_BODY = 256 * 1024
MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and the title field around the file
JSON_ROUTES = frozenset({"/api/search", "/api/timeline", "/api/ask", "/v1/chat/completions"})


async def send_error(send: Send, scope: Scope, status: int, message: str,
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """An error response in the shape of the path's API (see ``service.api.errors``)."""
    data = json.dumps(error_content(scope["path"], status, message), ensure_ascii=False).encode("utf-8")
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                    *(headers or [])],
    })
    await send({"type": "http.response.body", "body": data})


def header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k.lower() == name:
            return v.decode("latin-1")
    return None


def is_json_type(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class BodyGuard:
    """413 for bodies over ``limit_for(path)``; for ``json_paths``, 415 unless the body is declared
    JSON and 422 unless it is UTF-8 (so the message says what to fix, not that parsing failed)."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int], json_paths: frozenset[str]) -> None:
        self.app = app
        self.limit_for = limit_for
        self.json_paths = json_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        limit = self.limit_for(path)
        length = header(scope, b"content-length")
        if length is not None and length.strip().isdigit() and int(length) > limit:
            await send_error(send, scope, 413, f"request body is {int(length)} bytes; the limit is {limit}")
            return
        json_route = path in self.json_paths
        if json_route and not is_json_type(header(scope, b"content-type")):
            await send_error(send, scope, 415,
                             "send the request body as JSON with the header 'Content-Type: application/json'")
            return

        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
            if len(body) > limit:
                await send_error(send, scope, 413, f"request body is over {limit} bytes; the limit is {limit}")
                return
        if json_route:
            try:
                bytes(body).decode("utf-8")
            except UnicodeDecodeError as e:
                await send_error(send, scope, 422, f"request body is not valid UTF-8 (byte 0x{body[e.start]:02x} "
                                 f"at position {e.start}); send JSON encoded as UTF-8")
                return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class Timeout:
    """504 when a request takes longer than ``seconds`` (paths for which ``exempt`` holds are not timed)."""

    def __init__(self, app: ASGIApp, seconds: float, exempt: Callable[[Scope], bool]) -> None:
        self.app = app
        self.seconds = seconds
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.exempt(scope):
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await asyncio.wait_for(self.app(scope, receive, watched), timeout=self.seconds)
        except TimeoutError:
            log.warning("%s %s took longer than %g s", scope["method"], scope["path"], self.seconds)
            if not started:
                await send_error(send, scope, 504, f"the request took longer than {self.seconds:g} s "
                                 "(PLANQA_REQUEST_TIMEOUT_S); try again, or ask something narrower")


def add_middleware(app: FastAPI, settings: Settings, mounted: tuple[str, ...] = (),
                   access: dict[str, Any] | None = None) -> None:
    """Outermost first at request time: CORS, the access guard (``access`` are its arguments;
    none: no guard), the body guard, the timeout. A refused key so costs no body read.

    ``mounted`` are the path prefixes of apps mounted beside the API (the UI): they hold
    long-lived event streams, so no timeout applies, and they accept uploads.
    """
    from fastapi.middleware.cors import CORSMiddleware

    def under_mount(path: str) -> bool:
        return any(path == m or path.startswith(m + "/") for m in mounted)

    def exempt_from_timeout(scope: Any) -> bool:
        path = scope["path"]
        # Document changes re-index and may take minutes.
        return under_mount(path) or (path.startswith("/api/documents") and scope["method"] != "GET")

    def body_limit(path: str) -> int:
        if path == "/api/documents":
            return settings.max_upload_bytes + MULTIPART_OVERHEAD
        if under_mount(path):
            return settings.max_upload_bytes
        return MAX_JSON_BODY

    app.add_middleware(Timeout, seconds=settings.request_timeout_s, exempt=exempt_from_timeout)
    app.add_middleware(BodyGuard, limit_for=body_limit, json_paths=JSON_ROUTES)
    if access is not None:
        from service.api.guard import AccessGuard

        app.add_middleware(AccessGuard, **access)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"], max_age=600,
            expose_headers=["X-Request-ID", "Retry-After", "X-Planqa-Citations", "X-Planqa-Citation-Count",
                            "X-Planqa-Grounded"],
        )
