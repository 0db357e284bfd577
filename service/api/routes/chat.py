"""``/v1/chat/completions``: the OpenAI-compatible face of ``/api/ask`` (JSON or server-sent events)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from ingest.errors import InvalidRequest
from service.api.deps import RuntimeDep
from service.api.errors import responses
from service.schemas import MAX_HISTORY, ChatCompletion, ChatMessage, ChatRequest, HitOut
from service.validation import MAX_TEXT, check_text

if TYPE_CHECKING:
    from service.answer.engine import Answer

router = APIRouter()

CHAT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {"schema": {
        "type": "object", "description": "One server-sent event; `data` holds a chat.completion.chunk.",
        "properties": {"data": {"type": "string"}, "event": {"type": "string"}}}}},
          "description": "The answer; with `stream: true`, server-sent events ending in `data: [DONE]`."},
    **responses(413, 415, 422, 503, 504),
}


@router.post("/v1/chat/completions", response_model=ChatCompletion, responses=CHAT_RESPONSES)
def chat(req: ChatRequest, r: RuntimeDep) -> ChatCompletion | StreamingResponse:
    question = check_text(_last_user_text(req), "the last user message")
    history = _earlier_user_texts(req)
    cid = "chatcmpl-" + uuid.uuid4().hex[:24]
    created = int(time.time())
    if not req.stream:
        ans = r.ask(question, top_k=req.top_k, history=history)
        return ChatCompletion.from_answer(ans, r.doc_title, cid, created, req.model)
    stream = r.ask_stream(question, top_k=req.top_k, history=history)
    events = _sse(stream, r.doc_title, cid, created, req.model)
    return StreamingResponse(iterate_in_threadpool(events), media_type="text/event-stream")


def _message_text(m: ChatMessage) -> str:
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
    return [t[:MAX_TEXT] for t in texts if t][-MAX_HISTORY:]


def _sse(stream: Iterator[str | Answer], title_of: Callable[[str], str], cid: str, created: int,
         model: str) -> Iterator[str]:
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
    citations = [] if final is None else [
        HitOut.from_hit(h, title_of(h.passage.doc_id)).model_dump() for h in final.citations
    ]
    grounded = bool(final is not None and final.grounded)
    short = final.short_answer if final is not None else None
    yield chunk({}, "stop", citations=citations, grounded=grounded, short_answer=short)
    yield "data: [DONE]\n\n"
