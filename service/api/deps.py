"""Typed dependencies of the routes: the runtime, the settings, the admin (token checked), the caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from service.admin import DocumentAdmin, check_token
from service.api.metrics import key_name
from service.runtime import Runtime
from service.settings import Settings

if TYPE_CHECKING:
    from service.answer.engine import Answer


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

# Declare the schemes in the OpenAPI schema; the access guard checks API keys before any route runs,
# and ``check_token`` checks the admin token.
API_AUTH = [Depends(HTTPBearer(auto_error=False, scheme_name="apiKey",
                               description="An API key from `planqa keys create NAME`, sent as 'Authorization: "
                               "Bearer <key>'; needed once any key exists, or on a non-loopback address"))]
ADMIN_AUTH = [Depends(HTTPBearer(auto_error=False, scheme_name="adminToken",
                                 description="PLANQA_ADMIN_TOKEN, sent as 'Authorization: Bearer <token>'"))]


def get_admin(request: Request, settings: SettingsDep) -> DocumentAdmin:
    """The document admin, once the ``Authorization`` header carries the admin token."""
    check_token(settings.admin_token, request.headers.get("authorization"))
    return request.app.state.admin


AdminDep = Annotated[DocumentAdmin, Depends(get_admin)]


def get_answer_counter(request: Request) -> Callable[[Answer], None]:
    """Counts an answer in the metrics by its kind and the caller's key name (a no-op without metrics)."""
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is None:
        return lambda ans: None
    key = key_name(request)
    return lambda ans: metrics.count_answer(ans, key)


CountAnswerDep = Annotated[Callable[["Answer"], None], Depends(get_answer_counter)]
