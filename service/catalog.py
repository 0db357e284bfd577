"""The models ``/v1/models`` lists: ``planqa`` answers from every document, ``planqa:<doc_id>`` from one.

Chat front-ends let a user pick a model from this list before the first message, so a model per
document is how a chatbot user scopes a conversation to one plan without any extra field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ingest.errors import ModelNotFound

if TYPE_CHECKING:
    from service.runtime import Runtime

BASE_MODEL = "planqa"
SEPARATOR = ":"


@dataclass(frozen=True)
class ModelEntry:
    id: str
    created: int  # when the served index was built (Unix seconds)
    doc_id: str | None  # None: every document
    title: str


def _created(runtime: Runtime) -> int:
    stamp = runtime.require_index().manifest.get("created")
    try:
        return int(datetime.fromisoformat(str(stamp)).timestamp())
    except ValueError:
        return 0


def catalog(runtime: Runtime) -> list[ModelEntry]:
    """Every model: the whole collection first, then one per document."""
    created = _created(runtime)
    docs = sorted(runtime.documents(), key=lambda d: d.doc_id)
    return [ModelEntry(BASE_MODEL, created, None, "全部文档"),
            *(ModelEntry(f"{BASE_MODEL}{SEPARATOR}{d.doc_id}", created, d.doc_id, d.name) for d in docs)]


def find_model(runtime: Runtime, model_id: str) -> ModelEntry:
    """The entry named ``model_id``; ``ModelNotFound`` naming the models there are otherwise."""
    for entry in catalog(runtime):
        if entry.id == model_id:
            return entry
    raise ModelNotFound(f"the model '{model_id}' does not exist; GET /v1/models lists them "
                        f"('{BASE_MODEL}' answers from every document)")


def scope_of(runtime: Runtime, model_id: str) -> list[str] | None:
    """The documents a model answers from (None: all); ``ModelNotFound`` for a model not listed."""
    if model_id == BASE_MODEL:
        runtime.require_index()
        return None
    return [find_model(runtime, model_id).doc_id or ""]
