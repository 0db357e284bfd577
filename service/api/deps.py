"""Typed dependencies of the routes: the runtime, the settings, and the admin (token checked)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from service.admin import DocumentAdmin, check_token
from service.runtime import Runtime
from service.settings import Settings


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

# Declares the scheme in the OpenAPI schema; the token itself is checked by ``check_token``.
ADMIN_AUTH = [Depends(HTTPBearer(auto_error=False, scheme_name="adminToken",
                                 description="PLANQA_ADMIN_TOKEN, sent as 'Authorization: Bearer <token>'"))]


def get_admin(request: Request, settings: SettingsDep) -> DocumentAdmin:
    """The document admin, once the ``Authorization`` header carries the admin token."""
    check_token(settings.admin_token, request.headers.get("authorization"))
    return request.app.state.admin


AdminDep = Annotated[DocumentAdmin, Depends(get_admin)]
