"""Errors as ``application/problem+json`` (RFC 9457): what went wrong, and which field.

Every refusal the API gives goes through :class:`ApiProblem`, so clients see one shape:
``type``, ``title``, ``status``, ``detail`` and, for bad input, ``errors`` naming each field.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.responses import Response
from tortoise.exceptions import IntegrityError

from sampark.core.db import is_unavailable
from sampark.core.errors import (
    FieldError,
    NotFoundError,
    PermissionDenied,
    StaleRecordError,
    ValidationError,
)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:sampark:problem:"

logger = logging.getLogger("sampark.api")
RETRY_AFTER_SECONDS = 5  # how long a client waits before retrying while the database is down

# status -> (slug of the problem type, title)
PROBLEM_KINDS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Permission denied"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    412: ("precondition-failed", "The record has changed"),
    413: ("too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation", "Invalid input"),
    428: ("precondition-required", "If-Match required"),
    500: ("internal", "Internal error"),
    503: ("unavailable", "Service unavailable"),
}


class ApiProblem(Exception):
    """An HTTP error the API answers with; handlers (plugins' too) may raise it.

    ``ApiProblem(409, "the ticket is closed")`` is sent as ``application/problem+json``.

    Attributes:
        status: the HTTP status.
        detail: a sentence a person can act on.
        errors: ``FieldError``s naming each field at fault, for bad input.
        headers: extra response headers (``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: Iterable[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        slug, title = PROBLEM_KINDS.get(self.status, ("error", "Error"))
        body: dict[str, Any] = {
            "type": TYPE_PREFIX + slug,
            "title": title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = [{"field": e.field, "message": e.message} for e in self.errors]
        return body


def problem_response(problem: ApiProblem) -> Response:
    body = problem.body()
    try:
        content = json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate echoed from the input: escape it instead
        content = json.dumps(body).encode()
    return Response(content, problem.status, headers=problem.headers, media_type=PROBLEM_JSON)


def invalid(errors: Iterable[FieldError], *, status: int = 422) -> ApiProblem:
    """A 422 (or 400 for query parameters) naming every bad field."""
    errors = list(errors)
    return ApiProblem(status, "; ".join(str(error) for error in errors), errors=errors)


def unavailable() -> ApiProblem:
    """503 while the database cannot be reached; the client may retry after a pause."""
    return ApiProblem(
        503,
        "the database cannot be reached just now; try again shortly",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def problem_for(exc: Exception, query_names: Iterable[str] = ()) -> ApiProblem:
    """The problem an error raised while serving a request becomes.

    A ValidationError about query parameters only (a tampered ``cursor``, an unknown
    ``owner``) is the caller's bad request (400); about the body it is 422.
    """
    if isinstance(exc, ApiProblem):
        return exc
    if isinstance(exc, ValidationError):
        names = set(query_names)
        if exc.errors and all(error.field in names for error in exc.errors):
            return invalid(exc.errors, status=400)
        return invalid(exc.errors)
    if isinstance(exc, NotFoundError):
        return ApiProblem(404, str(exc))
    if isinstance(exc, PermissionDenied):
        return ApiProblem(403, str(exc))
    if isinstance(exc, StaleRecordError):
        return ApiProblem(412, f"{exc}: fetch it again and reapply your change")
    if isinstance(exc, IntegrityError):
        return ApiProblem(409, "the change clashes with another record; nothing was written")
    if is_unavailable(exc):
        return unavailable()
    logger.exception("API request failed")
    return ApiProblem(500, "the server failed to answer this request; it has been logged")
