"""The FastAPI app: thin routes over ``Runtime``; core errors become HTTP errors only here.

Every error a caller can cause is a 4xx whose ``detail`` says what to fix; the status for each
core error is in ``_STATUS``. A last-resort handler logs anything else and answers a plain 500,
and counts it in ``app.state.unhandled_errors`` so tests can prove nothing reaches it.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPBearer
from starlette.concurrency import iterate_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.routing import BaseRoute, Match

from ingest.errors import Forbidden, IndexError_, IngestError, InvalidRequest, NotFound, PlanqaError
from service.admin import (
    AdminDisabled,
    Conflict,
    DocumentAdmin,
    StorageError,
    TooLarge,
    Unauthorized,
    check_token,
)
from service.hits import hit_to_dict
from service.middleware import BodyGuard, Timeout, is_json_type, scrub
from service.runtime import Runtime
from service.schemas import (
    AskRequest,
    AskResponse,
    ChatCompletion,
    ChatRequest,
    DocumentOut,
    ErrorOut,
    Health,
    HitOut,
    SearchRequest,
    SearchResponse,
    clean_text,
)
from service.settings import Settings, get_settings

log = logging.getLogger("planqa")

MAX_JSON_BODY = 256 * 1024
MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and the title field around the file
JSON_ROUTES = frozenset({"/api/search", "/api/ask", "/v1/chat/completions"})

class WrongContentType(InvalidRequest):
    """A body sent with a content type the route does not read (HTTP 415)."""


_STATUS: tuple[tuple[type[PlanqaError], int], ...] = (
    (WrongContentType, 415), (NotFound, 404), (Unauthorized, 401), (AdminDisabled, 403), (Forbidden, 403), (Conflict, 409),
    (TooLarge, 413), (InvalidRequest, 422), (IngestError, 422), (StorageError, 503), (IndexError_, 503),
)


def _status_of(err: PlanqaError) -> int:
    for cls, code in _STATUS:
        if isinstance(err, cls):
            return code
    return 400


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer, all shaped ``{"detail": …}``."""
    return {code: {"model": ErrorOut} for code in codes}


# Declares the scheme in the OpenAPI schema; the token itself is checked by ``check_token``.
ADMIN_AUTH = [Depends(HTTPBearer(auto_error=False, scheme_name="adminToken",
                                 description="PLANQA_ADMIN_TOKEN, sent as 'Authorization: Bearer <token>'"))]

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary",
                         "description": "A .txt, .md, .docx or .pdf file; its name becomes the document id."},
                "title": {"type": "string", "maxLength": 200, "description": "Optional document title."},
            },
        }}},
    }
}


def create_app(settings: Settings | None = None, runtime: Runtime | None = None, ui: bool = True) -> FastAPI:
    """Build the app; the index and model load once, in the lifespan, not per request."""
    settings = settings or get_settings()

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
        title="planqa",
        version="1.0",
        description="Semantic search and cited answers over Chinese government plan documents.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    _add_offline_docs(app)
    app.state.unhandled_errors = 0
    _add_middleware(app, settings)
    _add_error_handlers(app)

    def rt(request: Request) -> Runtime:
        return request.app.state.runtime

    @app.get("/healthz", response_model=Health, responses={503: {"model": Health}})
    def healthz(request: Request) -> Any:
        """200 when this process can answer; 503 (for a load balancer) while it cannot."""
        r = rt(request)
        check = getattr(r, "check", None)
        problem = check() if check is not None else None
        idx = r.index
        if problem is not None or idx is None:
            failed = getattr(r, "load_error", None) or getattr(r, "backend_error", None)
            body = Health(status="error" if failed else "loading", documents=0,
                          passages=0, detail=problem)
            return JSONResponse(jsonable_encoder(body), status_code=503)
        return Health(status="ok", documents=len(idx.documents), passages=idx.passage_count,
                      model=idx.manifest.get("model"), index_built=idx.manifest.get("created"))

    @app.get("/api/documents", response_model=list[DocumentOut], responses=_errors(503))
    def documents(request: Request) -> list[DocumentOut]:
        return [_doc_out(d) for d in rt(request).documents()]

    @app.post(
        "/api/documents", status_code=201, response_model=DocumentOut, openapi_extra=UPLOAD_BODY,
        responses=_errors(401, 403, 409, 413, 415, 422, 503),
        summary="Add a document (admin)", dependencies=ADMIN_AUTH,
    )
    async def upload_document(request: Request) -> DocumentOut:
        """Upload a file as a new document and re-index; needs ``Authorization: Bearer <PLANQA_ADMIN_TOKEN>``."""
        admin = _admin(request, settings)
        filename, data, title = await _read_upload(request, settings.max_upload_bytes)
        doc = await run_in_threadpool(admin.add, filename, data, title)
        return _doc_out(doc)

    @app.delete(
        "/api/documents/{doc_id}", response_model=DocumentOut,
        responses=_errors(401, 403, 404, 409, 422, 503), summary="Delete a document (admin)",
        dependencies=ADMIN_AUTH,
    )
    def delete_document(doc_id: str, request: Request) -> DocumentOut:
        """Remove the document's file from the corpus and re-index; returns what was removed."""
        admin = _admin(request, settings)
        return _doc_out(admin.delete(doc_id))

    @app.get(
        "/api/passages/{passage_id:path}", response_model=HitOut, response_model_exclude_none=False,
        responses=_errors(404, 422, 503),
    )
    def passage(passage_id: str, request: Request) -> dict[str, Any]:
        r = rt(request)
        hit = r.passage(passage_id)
        return hit_to_dict(hit, r.doc_title(hit.passage.doc_id), with_score=False)

    @app.post("/api/search", response_model=SearchResponse, responses=_errors(404, 413, 415, 422, 503, 504))
    def search(req: SearchRequest, request: Request) -> dict[str, Any]:
        r = rt(request)
        res = r.search(req.query, mode=req.mode, top_k=req.top_k, doc_ids=req.doc_ids)
        return {
            "query": res.query, "mode": res.mode, "total": res.total, "took_ms": res.took_ms,
            "per_doc": res.per_doc,
            "results": [hit_to_dict(h, r.doc_title(h.passage.doc_id)) for h in res.hits],
        }

    @app.post("/api/ask", response_model=AskResponse, responses=_errors(404, 413, 415, 422, 503, 504))
    def ask(req: AskRequest, request: Request) -> dict[str, Any]:
        r = rt(request)
        t0 = time.perf_counter()
        ans = r.ask(req.question, top_k=req.top_k, doc_ids=req.doc_ids, history=req.history)
        return _answer_body(r, ans, (time.perf_counter() - t0) * 1000)

    chat_responses: dict[int | str, dict[str, Any]] = {
        200: {"content": {"text/event-stream": {"schema": {
            "type": "object", "description": "One server-sent event; `data` holds a chat.completion.chunk.",
            "properties": {"data": {"type": "string"}, "event": {"type": "string"}}}}},
              "description": "The answer; with `stream: true`, server-sent events ending in `data: [DONE]`."},
        **_errors(413, 415, 422, 503, 504),
    }

    @app.post("/v1/chat/completions", response_model=ChatCompletion, responses=chat_responses)
    def chat(req: ChatRequest, request: Request) -> Any:
        r = rt(request)
        try:
            question = clean_text(_last_user_text(req), "the last user message")
        except ValueError as e:
            raise InvalidRequest(str(e)) from None
        cid = "chatcmpl-" + uuid.uuid4().hex[:24]
        created = int(time.time())
        if not req.stream:
            ans = r.ask(question, top_k=req.top_k, history=_earlier_user_texts(req))
            body = _answer_body(r, ans, 0.0)
            return {
                "id": cid, "object": "chat.completion", "created": created, "model": req.model,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": ans.text}}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                "citations": body["citations"], "grounded": ans.grounded,
                "short_answer": ans.short_answer,
            }
        stream = r.ask_stream(question, top_k=req.top_k, history=_earlier_user_texts(req))
        return StreamingResponse(
            iterate_in_threadpool(_sse(r, stream, cid, created, req.model)), media_type="text/event-stream"
        )

    if ui:
        try:
            from ui.app import mount_ui
        except ImportError:
            log.warning("the UI package is not available; serving the API only")
        else:
            mount_ui(app, settings)
    return app


def _add_offline_docs(app: FastAPI) -> None:
    """``/docs`` and ``/redoc`` with Swagger UI and ReDoc served from the installed package.

    FastAPI's own pages load their scripts from a CDN and render blank offline.
    """
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


# ---- edges: middleware, error handlers, admin --------------------------------------------------------


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """Outermost first at request time: CORS, then the body guard, then the timeout."""

    def exempt_from_timeout(scope: Any) -> bool:
        path = scope["path"]
        # The UI holds long-lived event streams; document changes re-index and may take minutes.
        ui_path = path == "/ui" or path.startswith("/ui/")
        return ui_path or (path.startswith("/api/documents") and scope["method"] != "GET")

    def body_limit(path: str) -> int:
        if path == "/api/documents":
            return settings.max_upload_bytes + MULTIPART_OVERHEAD
        if path == "/ui" or path.startswith("/ui/"):
            return settings.max_upload_bytes
        return MAX_JSON_BODY

    app.add_middleware(Timeout, seconds=settings.request_timeout_s, exempt=exempt_from_timeout)
    app.add_middleware(BodyGuard, limit_for=body_limit, json_paths=JSON_ROUTES)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"], max_age=600,
        )


def _json(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": scrub(detail)}, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PlanqaError)
    async def planqa_error(request: Request, exc: PlanqaError) -> JSONResponse:
        status = _status_of(exc)
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
    for route in app.router.routes:
        if isinstance(route, BaseRoute) and getattr(route, "methods", None):
            match, _ = route.matches(scope)
            if match != Match.NONE:
                methods |= set(route.methods)
    return sorted(methods)


def _admin(request: Request, settings: Settings) -> DocumentAdmin:
    check_token(settings.admin_token, request.headers.get("authorization"))
    return request.app.state.admin


async def _read_upload(request: Request, limit: int) -> tuple[str, bytes, str | None]:
    """The file name, bytes and optional title of a multipart upload."""
    ctype = request.headers.get("content-type", "")
    if ctype.split(";")[0].strip().lower() != "multipart/form-data" or is_json_type(ctype):
        raise WrongContentType("send the document as multipart/form-data with the file in the field 'file' "
                             "(curl -F file=@plan.txt)")
    try:
        form = await request.form(max_files=1, max_fields=4)
    except (MultiPartException, HTTPException) as e:
        detail = getattr(e, "message", None) or getattr(e, "detail", str(e))
        raise InvalidRequest(f"the upload is not valid multipart/form-data ({detail})") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidRequest("send the document as a file in the multipart form field 'file'")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise TooLarge(f"the file is over {limit} bytes; the limit is {limit} (PLANQA_MAX_UPLOAD_BYTES)")
        title = form.get("title")
        if title is not None and not isinstance(title, str):
            raise InvalidRequest("the form field 'title' must be text, not a file")
        return upload.filename or "", data, title
    finally:
        await form.close()


def _message_text(m: Any) -> str:
    if isinstance(m.content, str):
        return m.content
    if isinstance(m.content, list):
        return "".join(str(p.get("text", "")) for p in m.content if p.get("type") == "text")
    return ""


def _last_user_text(req: ChatRequest) -> str:
    for m in reversed(req.messages):
        if m.role == "user":
            return _message_text(m)
    raise InvalidRequest("messages must contain a user message with text")


def _earlier_user_texts(req: ChatRequest) -> list[str]:
    """The user's questions before the last one, oldest first: the context of a follow-up."""
    users = [m for m in req.messages if m.role == "user"]
    texts = [_message_text(m).strip() for m in users[:-1]]
    return [t[:2000] for t in texts if t][-20:]


def _doc_out(d: Any) -> DocumentOut:
    return DocumentOut(
        doc_id=d.doc_id, title=d.title, source=d.source, paragraphs=len(d.paragraphs),
        passages=len(d.passages), tables=len(d.tables), rows=sum(len(t.rows) for t in d.tables),
        headings=len(d.headings), characters=len(d.text),
    )


def _answer_body(r: Runtime, ans: Any, took_ms: float) -> dict[str, Any]:
    return {
        "question": ans.question, "answer": ans.text, "grounded": ans.grounded,
        "citations": [hit_to_dict(h, r.doc_title(h.passage.doc_id)) for h in ans.citations],
        "took_ms": took_ms, "kind": ans.kind, "notes": list(ans.notes),
        "short_answer": ans.short_answer, "resolved_question": ans.resolved,
    }


def _sse(r: Runtime, stream: Iterator[Any], cid: str, created: int, model: str) -> Iterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return "data: " + json.dumps(body, ensure_ascii=False) + "\n\n"

    yield chunk({"role": "assistant", "content": ""})
    final = None
    for item in stream:
        if isinstance(item, str):
            if item:
                yield chunk({"content": item})
        else:
            final = item
    citations = [] if final is None else _answer_body(r, final, 0.0)["citations"]
    grounded = bool(final is not None and final.grounded)
    short = final.short_answer if final is not None else None
    yield chunk({}, "stop", citations=citations, grounded=grounded, short_answer=short)
    yield "data: [DONE]\n\n"
