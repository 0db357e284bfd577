"""The API key check and the per-key limits, in front of ``/api``, ``/v1`` and ``/metrics``.

Plain ASGI, so a refused request costs no body read and no route, and a request holds its slot
until its response (a stream included) is sent. Document upload and deletion keep their own
credential, the admin token, and are neither keyed nor limited here; ``/healthz``, the docs and
the UI (which has its own login) are open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ingest.errors import RateLimited
from service.access import RateLimiter, keys_required
from service.api.metrics import STATE_KEY
from service.api.middleware import ASGIApp, Receive, Scope, Send, header, send_error

if TYPE_CHECKING:
    from service.api.metrics import Metrics
    from service.keys import KeyRing
    from service.settings import Settings

NO_KEY = "send an API key in the header 'Authorization: Bearer <key>' (an operator creates one with `planqa keys create NAME`)"
BAD_KEY = "the API key is not valid: it is unknown or has been revoked"


def guarded(scope: Scope) -> bool:
    path = scope["path"]
    if path.startswith("/api/documents") and scope["method"] in ("POST", "DELETE"):
        return False  # the admin token's routes
    return path.startswith(("/api/", "/v1/")) or path == "/metrics"


def bearer(scope: Scope) -> str | None:
    value = header(scope, b"authorization") or ""
    scheme, _, token = value.strip().partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


class AccessGuard:
    """401 without a valid key where one is needed; 429 (``Retry-After``) over the key's budget."""

    def __init__(self, app: ASGIApp, settings: Settings, keys: KeyRing, limiter: RateLimiter,
                 metrics: Metrics | None) -> None:
        self.app = app
        self.settings = settings
        self.keys = keys
        self.limiter = limiter
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not guarded(scope) or not keys_required(self.settings, self.keys):
            await self.app(scope, receive, send)
            return
        token = bearer(scope)
        record = self.keys.lookup(token) if token else None
        if record is None:
            await send_error(send, scope, 401, BAD_KEY if token else NO_KEY, [(b"www-authenticate", b"Bearer")])
            return
        scope.setdefault("state", {})[STATE_KEY] = record.name
        if scope["path"] == "/metrics":  # a scraper's key is checked, not budgeted
            await self.app(scope, receive, send)
            return
        try:
            await self.limiter.acquire(record)
        except RateLimited as e:
            if self.metrics is not None:
                self.metrics.rate_limited.labels(record.name, e.limit).inc()
            await send_error(send, scope, 429, str(e), [(b"retry-after", str(e.retry_after).encode())])
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.limiter.release(record)
