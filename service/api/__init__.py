"""The HTTP API: routers (``routes/``), their typed dependencies (``deps``), the translation of
core errors to HTTP (``errors``), request guards (``middleware``) and offline docs (``docs``).
It knows nothing of the UI; ``service.app`` mounts both."""

from service.api.main import create_api

__all__ = ["create_api"]
