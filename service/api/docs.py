"""``/docs`` and ``/redoc`` with Swagger UI and ReDoc served from the installed package.

FastAPI's own pages load their scripts from a CDN and render blank offline.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request


def add_offline_docs(app: FastAPI) -> None:
    import fastapi_offline
    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
    from fastapi.responses import HTMLResponse, Response
    from fastapi.staticfiles import StaticFiles

    assets = "/docs-assets"
    static = Path(fastapi_offline.__file__).parent / "static"
    redoc_js = f"{assets}/redoc.offline.js"

    @app.get(redoc_js, include_in_schema=False)
    def redoc_script() -> Response:
        # ReDoc's sidebar shows a logo from its CDN; point it at the packaged icon instead.
        text = (static / "redoc.standalone.js").read_text(encoding="utf-8")
        text = text.replace("https://cdn.redoc.ly/redoc/logo-mini.svg", f"{assets}/favicon.png")
        return Response(text, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    app.mount(assets, StaticFiles(directory=str(static)), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url, title=f"{app.title} - Swagger UI", oauth2_redirect_url=oauth2_redirect,
            swagger_js_url=f"{root}{assets}/swagger-ui-bundle.js", swagger_css_url=f"{root}{assets}/swagger-ui.css",
            swagger_favicon_url=f"{root}{assets}/favicon.png",
        )

    @app.get(oauth2_redirect, include_in_schema=False)
    def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=root + openapi_url, title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{redoc_js}", redoc_favicon_url=f"{root}{assets}/favicon.png",
            with_google_fonts=False,
        )

