"""The page around the interface: Chinese as its language, a favicon, and the page's own script.

Gradio's page template says ``lang="en"`` and its widgets (toasts, table menus) follow the
browser's language; a reader of Chinese documents gets Chinese whatever their browser is set to.
The template also links a web-app manifest at the site root, which this app does not serve; the
link is dropped so no page load ends in a 404.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"
FAVICON = STATIC / "favicon.ico"
CLIENT_JS = STATIC / "planqa.js"

LANG = "zh-CN"
# Runs before Gradio's scripts, so its translations pick Chinese from the start.
LOCALE_SCRIPT = (
    "<script>(() => { const l = '" + LANG + "';"
    " try { Object.defineProperty(Navigator.prototype, 'language', {get: () => l, configurable: true});"
    " Object.defineProperty(Navigator.prototype, 'languages', {get: () => [l, 'zh'], configurable: true}); }"
    " catch (e) {} })();</script>"
)
_HTML_LANG = re.compile(rb"<html(\s+)lang=\"[^\"]*\"")
_MANIFEST = re.compile(rb"<link rel=\"manifest\"[^>]*>\s*")


def localise(html: bytes) -> bytes:
    """The page with ``lang="zh-CN"``, the locale script first in ``<head>``, no manifest link."""
    html = _HTML_LANG.sub(rb'<html\1lang="' + LANG.encode() + rb'"', html, count=1)
    html = html.replace(b"<head>", b"<head>" + LOCALE_SCRIPT.encode(), 1)
    return _MANIFEST.sub(b"", html, count=1)


class ChinesePage:
    """Rewrites the interface's HTML page (only that page: ``GET <path>`` or ``<path>/``)."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app
        self.paths = {path.rstrip("/"), path.rstrip("/") + "/"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            body = b"".join(chunks)
            ctype = dict(headers).get(b"content-type", b"")
            encoded = any(k.lower() == b"content-encoding" for k, _ in headers)
            if ctype.startswith(b"text/html") and not encoded:
                body = localise(body)
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


def client_js() -> str:
    """The page's script (citations, copying, turns), run by Gradio once the page has loaded."""
    return CLIENT_JS.read_text(encoding="utf-8")


def install(app: FastAPI, path: str) -> None:
    """Add the page rewrite and ``/favicon.ico`` to ``app`` (before it starts)."""
    app.add_middleware(ChinesePage, path=path)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(FAVICON, media_type="image/x-icon", headers={"Cache-Control": "max-age=86400"})
