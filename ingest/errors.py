"""The core error hierarchy.

Every failure the core can explain is a ``PlanqaError``; the edges (HTTP, CLI, UI) translate
these into status codes and messages, so the core never needs to know how it is served.
"""

from __future__ import annotations


class PlanqaError(Exception):
    """Base of every error planqa raises on purpose."""


class IngestError(PlanqaError):
    """A document could not be read or understood; the message names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class IndexError_(PlanqaError):
    """The index is missing, stale, corrupt or does not match the configured model."""


class ModelError(PlanqaError):
    """The embedding model cannot be materialised or loaded."""


class NotFound(PlanqaError):
    """An id (document, passage) that the index does not hold."""


class InvalidRequest(PlanqaError):
    """A request the core refuses: the message says what to fix."""


class Forbidden(PlanqaError):
    """An administrative action without the right token."""
