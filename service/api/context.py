"""Every request's id and its access-log line.

The id is the caller's ``X-Request-ID`` when it is a sensible token (a proxy's or a client's own,
so one request can be followed across systems), otherwise a new one; it is echoed on every
response, errors included, and carried by every log line written while the request runs.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from service.api.metrics import STATE_KEY
from service.api.middleware import ASGIApp, Message, Receive, Scope, Send, header
from service.logs import request_id

access_log = logging.getLogger("planqa.access")

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=@-]{1,128}$")


def take_request_id(scope: Scope) -> str:
    given = header(scope, b"x-request-id")
    if given is not None and REQUEST_ID.match(given.strip()):
        return given.strip()
    return uuid.uuid4().hex


class RequestContext:
    """Outermost layer: sets the request id, adds ``X-Request-ID`` to the response, logs the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = take_request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        token = request_id.set(rid)
        status = 500  # what the log says when the app fails before answering
        t0 = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            ms = (time.perf_counter() - t0) * 1000
            client = scope.get("client") or ("-", 0)
            key = state.get(STATE_KEY) or "-"
            access_log.info(
                '%s "%s %s" %d %.1f ms key=%s', client[0], scope["method"], scope["path"], status, ms, key,
                extra={"client": client[0], "method": scope["method"], "path": scope["path"], "status": status,
                       "duration_ms": round(ms, 1), "key": key},
            )
            request_id.reset(token)
