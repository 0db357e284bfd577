"""Search, a phrase's timeline, and single passages."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import API_AUTH, RuntimeDep
from service.api.errors import responses
from service.schemas import HitOut, SearchRequest, SearchResponse, TimelineRequest, TimelineResponse

router = APIRouter(dependencies=API_AUTH)


@router.post("/api/search", response_model=SearchResponse, responses=responses(401, 404, 413, 415, 422, 429, 503, 504))
def search(req: SearchRequest, r: RuntimeDep) -> SearchResponse:
    res = r.search(req.query, mode=req.mode, top_k=req.top_k, doc_ids=req.doc_ids, filters=req.to_filter())
    return SearchResponse.from_result(res, r.doc_title)


@router.post("/api/timeline", response_model=TimelineResponse, responses=responses(401, 404, 413, 415, 422, 429, 503, 504))
def timeline(req: TimelineRequest, r: RuntimeDep) -> TimelineResponse:
    """A phrase's exact-search counts per document in date order, per year, and its first and last appearance."""
    return TimelineResponse.from_timeline(r.timeline(req.query, doc_ids=req.doc_ids, filters=req.to_filter()))


@router.get(
    "/api/passages/{passage_id:path}", response_model=HitOut, response_model_exclude_none=False,
    responses=responses(401, 404, 422, 429, 503),
)
def passage(passage_id: str, r: RuntimeDep) -> HitOut:
    hit = r.passage(passage_id)
    return HitOut.from_hit(hit, r.doc_title(hit.passage.doc_id), with_score=False)
