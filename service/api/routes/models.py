"""``/v1/models``: what a chat front-end lists before its first message (see ``service.catalog``)."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import API_AUTH, RuntimeDep
from service.api.errors import openai_responses
from service.catalog import catalog, find_model
from service.schemas import ModelList, ModelOut

router = APIRouter(dependencies=API_AUTH)


@router.get("/v1/models", response_model=ModelList, responses=openai_responses(401, 429, 503))
def models(r: RuntimeDep) -> ModelList:
    """`planqa` answers from every document; `planqa:<doc_id>` from that document alone."""
    return ModelList(data=[ModelOut.from_entry(e) for e in catalog(r)])


@router.get("/v1/models/{model_id:path}", response_model=ModelOut, responses=openai_responses(401, 404, 429, 503))
def model(model_id: str, r: RuntimeDep) -> ModelOut:
    return ModelOut.from_entry(find_model(r, model_id))
