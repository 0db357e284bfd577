"""``/v1/chat/completions``: the OpenAI-compatible face of ``/api/ask`` (JSON or server-sent events).

The model names the documents (``planqa`` all, ``planqa:<doc_id>`` one; see ``service.catalog``).
The answer is complete before its first chunk is sent (the engine checks the whole answer
first), so a stream's status tells its outcome and its headers already carry the citations:
``X-Planqa-Citations`` (the cited passage ids, ``[n]`` order) and ``X-Planqa-Grounded``. Clients
that keep only the standard fields, such as LangChain's ``ChatOpenAI``, read them there
(``include_response_headers=True``).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse

from ingest.errors import InvalidRequest
from service.api.deps import API_AUTH, CountAnswerDep, RuntimeDep
from service.api.errors import openai_responses
from service.catalog import scope_of
from service.schemas import MAX_HISTORY, ChatCompletion, ChatMessage, ChatRequest, HitOut, Usage
from service.validation import MAX_TEXT, check_text

if TYPE_CHECKING:
    from service.answer.engine import Answer
    from service.runtime import Runtime

router = APIRouter(dependencies=API_AUTH)

# An aggregate cites every row it sums: the header lists the first ones, small enough for any client
# (the body holds them all).
MAX_HEADER_CITATIONS = 100

CHAT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {"schema": {
        "type": "object", "description": "One server-sent event; `data` holds a chat.completion.chunk.",
        "properties": {"data": {"type": "string"}, "event": {"type": "string"}}}}},
          "description": "The answer; with `stream: true`, server-sent events ending in `data: [DONE]`."},
    **openai_responses(401, 404, 413, 415, 422, 429, 503, 504),
}


@router.post("/v1/chat/completions", response_model=ChatCompletion, responses=CHAT_RESPONSES)
def chat(req: ChatRequest, r: RuntimeDep, count: CountAnswerDep, response: Response) -> ChatCompletion | StreamingResponse:
    doc_ids = scope_of(r, req.model)
    question = check_text(_last_user_text(req), "the last user message")
    history = _earlier_user_texts(req)
    cid = "chatcmpl-" + uuid.uuid4().hex[:24]
    created = int(time.time())
    filters = req.filters.to_filter() if req.filters is not None else None
    items = list(r.ask_stream(question, top_k=req.top_k, doc_ids=doc_ids, history=history, filters=filters))
    ans = items[-1]
    count(ans)
    headers = citation_headers(ans)
    usage = _usage(r, req, ans)
    if not req.stream:
        response.headers.update(headers)
        return ChatCompletion.from_answer(ans, r.doc_title, cid, created, req.model, usage)
    with_usage = req.stream_options is not None and req.stream_options.include_usage
    events = _sse(items, r.doc_title, cid, created, req.model, usage if with_usage else None)
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)


def citation_headers(ans: Answer) -> dict[str, str]:
    """The cited passage ids (JSON, ASCII; the first ``MAX_HEADER_CITATIONS``), how many there are,
    and whether the answer is grounded, as response headers."""
    ids = [h.passage.id for h in ans.citations[:MAX_HEADER_CITATIONS]]
    return {"X-Planqa-Citations": json.dumps(ids, ensure_ascii=True, separators=(",", ":")),
            "X-Planqa-Citation-Count": str(len(ans.citations)),
            "X-Planqa-Grounded": "true" if ans.grounded else "false"}


def _message_text(m: ChatMessage) -> str:
    if isinstance(m.content, str):
        return m.content
    if isinstance(m.content, list):
        return "".join(str(p.get("text", "")) for p in m.content if p.get("type") == "text")
    return ""


def _usage(r: Runtime, req: ChatRequest, ans: Answer) -> Usage:
    """Tokens by the embedding model's tokenizer: every message sent, and the answer's text."""
    prompt, completion = r.count_tokens(["".join(_message_text(m) for m in req.messages), ans.text])
    return Usage.of(prompt, completion)


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


def _sse(items: list[str | Answer], title_of: Callable[[str], str], cid: str, created: int, model: str,
         usage: Usage | None) -> Iterator[str]:
    def chunk(delta: dict[str, Any] | None, finish: str | None = None, **extra: Any) -> str:
        choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
        body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": choices, **extra}
        return "data: " + json.dumps(body, ensure_ascii=False) + "\n\n"

    yield chunk({"role": "assistant", "content": ""})
    final = None
    for item in items:
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
    if usage is not None:  # OpenAI's stream_options.include_usage: one last chunk without choices
        yield chunk(None, usage=usage.model_dump())
    yield "data: [DONE]\n\n"
