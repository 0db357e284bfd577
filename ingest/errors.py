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


class InvalidText(InvalidRequest, ValueError):
    """Text no search or question can mean (empty, too long, control characters).

    ``reason`` is one of ``type``, ``surrogate``, ``control``, ``empty``, ``too_long`` so an edge
    can word the message in its own language; ``str()`` is the English message. It is also a
    ``ValueError``, so request models can raise it from a validator.
    """

    def __init__(self, reason: str, what: str, message: str, length: int = 0) -> None:
        self.reason = reason
        self.what = what
        self.length = length
        super().__init__(message)


class UnsupportedMediaType(InvalidRequest):
    """A body sent with a content type the operation does not read (HTTP 415)."""


class TooLarge(InvalidRequest):
    """An upload over ``PLANQA_MAX_UPLOAD_BYTES`` (HTTP 413)."""


class Unauthorized(PlanqaError):
    """No admin token was sent (HTTP 401)."""


class AdminDisabled(Forbidden):
    """No admin token is configured, so nobody may change the documents (HTTP 403)."""


class Conflict(PlanqaError):
    """The operation would overwrite or orphan something that exists (HTTP 409)."""


class StorageError(PlanqaError):
    """The corpus directory cannot be written (HTTP 503)."""


class IndexNotReady(IndexError_):
    """The server is up but has no usable index yet (HTTP 503)."""


class BackendUnavailable(IndexError_):
    """Milvus cannot be reached or refused a request (HTTP 503); the message says which URI."""


class LLMError(PlanqaError):
    """The optional LLM could not be reached or answered with something unusable; the extractive
    answer is used instead, so this never reaches a caller."""


class InvalidApiKey(Unauthorized):
    """An API request without a key, or with one that is unknown or revoked (HTTP 401)."""


class ModelNotFound(NotFound):
    """A request names a model that ``/v1/models`` does not list (HTTP 404)."""


class RateLimited(PlanqaError):
    """An API key over its requests per minute or its concurrent requests (HTTP 429).

    ``retry_after`` is the whole number of seconds after which a retry can succeed; ``limit`` says
    which budget ran out (``per_minute`` or ``concurrent``).
    """

    def __init__(self, message: str, retry_after: int, limit: str = "per_minute") -> None:
        self.retry_after = retry_after
        self.limit = limit
        super().__init__(message)


class KeyFileError(PlanqaError):
    """The API key file cannot be read or written; the message names the file."""


class UnsafeExposure(PlanqaError):
    """A server would answer anyone who reaches it without being told to: it refuses to start."""
