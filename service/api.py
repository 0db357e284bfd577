"""The FastAPI app: thin routes over ``Runtime``; core errors become HTTP errors only here."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from ingest.errors import Forbidden, IndexError_, InvalidRequest, NotFound, PlanqaError
from service.hits import hit_to_dict
from service.runtime import Runtime
from service.schemas import (
    AskRequest,
    AskResponse,
    ChatRequest,
    DocumentOut,
    Health,
    HitOut,
    SearchRequest,
    SearchResponse,
    clean_text,
)
from service.settings import Settings, get_settings

log = logging.getLogger("planqa")

MAX_JSON_BODY = 256 * 1024

_STATUS = ((NotFound, 404), (Forbidden, 403), (InvalidRequest, 422), (IndexError_, 503))


def _status_of(err: PlanqaError) -> int:
    for cls, code in _STATUS:
        if isinstance(err, cls):
            return code
    return 400


def create_app(settings: Settings | None = None, runtime: Runtime | None = None, ui: bool = True) -> FastAPI:
    """Build the app; the index and model load once, in the lifespan, not per request."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or Runtime(settings)
        app.state.runtime = rt
        if rt.index is None:
            try:
                await run_in_threadpool(rt.load)
            except PlanqaError as e:
                log.error("index not loaded: %s", e)
        yield

    app = FastAPI(
        title="planqa",
        version="1.0",
        description="Semantic search and cited answers over Chinese government plan documents.",
        lifespan=lifespan,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"], allow_headers=["*"]
        )

    @app.middleware("http")
    async def limits(request: Request, call_next: Any) -> Any:
        length = request.headers.get("content-length")
        limit = settings.max_upload_bytes if request.url.path == "/api/documents" else MAX_JSON_BODY
        if length is not None and length.isdigit() and int(length) > limit:
            return JSONResponse(
                {"detail": f"request body is {length} bytes; the limit is {limit}"}, status_code=413
            )
        try:
            return await asyncio.wait_for(call_next(request), timeout=settings.request_timeout_s)
        except TimeoutError:
            return JSONResponse(
                {"detail": f"the request took longer than {settings.request_timeout_s:g} s"}, status_code=504
            )

    @app.exception_handler(PlanqaError)
    async def planqa_error(request: Request, exc: PlanqaError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=_status_of(exc))

    def rt(request: Request) -> Runtime:
        return request.app.state.runtime

    @app.get("/healthz", response_model=Health)
    def healthz(request: Request) -> Health:
        r = rt(request)
        idx = r.index
        if idx is None:
            return Health(status="error" if r.load_error else "loading", documents=0, passages=0,
                          detail=r.load_error)
        return Health(status="ok", documents=len(idx.documents), passages=idx.passage_count,
                      model=idx.manifest.get("model"), index_built=idx.manifest.get("created"))

    @app.get("/api/documents", response_model=list[DocumentOut])
    def documents(request: Request) -> list[DocumentOut]:
        return [_doc_out(d) for d in rt(request).documents()]

    @app.get("/api/passages/{passage_id:path}", response_model=HitOut, response_model_exclude_none=False)
    def passage(passage_id: str, request: Request) -> dict[str, Any]:
        r = rt(request)
        hit = r.passage(passage_id)
        return hit_to_dict(hit, r.doc_title(hit.passage.doc_id), with_score=False)

    @app.post("/api/search", response_model=SearchResponse)
    def search(req: SearchRequest, request: Request) -> dict[str, Any]:
        r = rt(request)
        res = r.search(req.query, mode=req.mode, top_k=req.top_k, doc_ids=req.doc_ids)
        return {
            "query": res.query, "mode": res.mode, "total": res.total, "took_ms": res.took_ms,
            "per_doc": res.per_doc,
            "results": [hit_to_dict(h, r.doc_title(h.passage.doc_id)) for h in res.hits],
        }

    @app.post("/api/ask", response_model=AskResponse)
    def ask(req: AskRequest, request: Request) -> dict[str, Any]:
        r = rt(request)
        t0 = time.perf_counter()
        ans = r.ask(req.question, top_k=req.top_k, doc_ids=req.doc_ids)
        return _answer_body(r, ans, (time.perf_counter() - t0) * 1000)

    @app.post("/v1/chat/completions")
    def chat(req: ChatRequest, request: Request) -> Any:
        r = rt(request)
        question = clean_text(_last_user_text(req), "the last user message")
        cid = "chatcmpl-" + uuid.uuid4().hex[:24]
        created = int(time.time())
        if not req.stream:
            ans = r.ask(question, top_k=req.top_k)
            body = _answer_body(r, ans, 0.0)
            return {
                "id": cid, "object": "chat.completion", "created": created, "model": req.model,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": ans.text}}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                "citations": body["citations"], "grounded": ans.grounded,
            }
        stream = r.ask_stream(question, top_k=req.top_k)
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


def _last_user_text(req: ChatRequest) -> str:
    for m in reversed(req.messages):
        if m.role == "user":
            if isinstance(m.content, str):
                return m.content
            if isinstance(m.content, list):
                return "".join(str(p.get("text", "")) for p in m.content if p.get("type") == "text")
    raise InvalidRequest("messages must contain a user message with text")


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
    yield chunk({}, "stop", citations=citations, grounded=grounded)
    yield "data: [DONE]\n\n"
