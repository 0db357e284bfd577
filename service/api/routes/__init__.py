"""One router per concern; ``create_api`` includes them all."""

from service.api.routes import answers, chat, documents, health, models, search

ROUTERS = (health.router, documents.router, search.router, answers.router, models.router, chat.router)

__all__ = ["ROUTERS"]
