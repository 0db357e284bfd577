"""The served application: the HTTP API with the Gradio UI mounted at ``/ui``.

The API package knows nothing of the UI; this module is the one place that joins them.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from service.api import create_api
from service.runtime import Runtime
from service.settings import Settings, get_settings

log = logging.getLogger("planqa")


def create_app(settings: Settings | None = None, runtime: Runtime | None = None, ui: bool = True) -> FastAPI:
    """The API, and the UI unless ``ui`` or ``PLANQA_UI`` is false or the UI package is not installed."""
    settings = settings or get_settings()
    if not ui or not settings.ui:
        return create_api(settings, runtime)
    try:
        from ui.app import UI_PATH, mount_ui
    except ImportError:
        log.warning("the UI package is not available; serving the API only")
        return create_api(settings, runtime)
    app = create_api(settings, runtime, mounted=(UI_PATH,))
    mount_ui(app, settings)
    return app
