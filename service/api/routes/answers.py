"""``/api/ask``: a cited answer."""

from __future__ import annotations

import time

from fastapi import APIRouter

from service.api.deps import API_AUTH, CountAnswerDep, RuntimeDep
from service.api.errors import responses
from service.schemas import AskRequest, AskResponse

router = APIRouter(dependencies=API_AUTH)


@router.post("/api/ask", response_model=AskResponse, responses=responses(401, 404, 413, 415, 422, 429, 503, 504))
def ask(req: AskRequest, r: RuntimeDep, count: CountAnswerDep) -> AskResponse:
    t0 = time.perf_counter()
    ans = r.ask(req.question, top_k=req.top_k, doc_ids=req.doc_ids, history=req.history, filters=req.to_filter())
    count(ans)
    return AskResponse.from_answer(ans, r.doc_title, (time.perf_counter() - t0) * 1000)
