"""One router per concern; ``create_api`` includes them all."""

from service.api.routes import answers, chat, documents, health, search

ROUTERS = (health.router, documents.router, search.router, answers.router, chat.router)

__all__ = ["ROUTERS"]
