"""Friendly error pages: a sentence a person can act on, never a traceback.

Paths under ``/api`` get ``application/problem+json`` instead, in the API's own shape.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sampark.core.db import is_unavailable
from sampark.core.errors import NotFoundError, PermissionDenied, StaleRecordError, ValidationError
from sampark.web.api.problems import RETRY_AFTER_SECONDS, ApiProblem, problem_response
from sampark.web.security import apply_security_headers

logger = logging.getLogger("sampark.web")

MESSAGES = {
    400: "The request could not be understood. Go back and check what you sent.",
    403: "You may not do this. Ask an administrator if you need to.",
    404: "There is nothing here. The page may have moved, or the record was deleted.",
    405: "This page cannot be used that way.",
    409: "Someone else changed this record meanwhile. Reload it and try again.",
    413: "The request is too large.",
    500: "Something went wrong on our side. It has been logged; please try again.",
    503: "The database cannot be reached just now. Please try again in a moment.",
}


def is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


def error_response(
    request: Request, status: int, message: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """The error page (or problem document) for ``status``."""
    message = message or MESSAGES.get(status) or HTTPStatus(status).phrase
    if is_api(request):
        return problem_response(ApiProblem(status, message, headers=headers))
    try:
        from sampark.web.templating import render

        return render(
            request,
            "error.html",
            {"status": status, "title": HTTPStatus(status).phrase, "message": message},
            status_code=status,
            headers=headers,
        )
    except Exception:  # a broken template must not hide the original error
        logger.exception("rendering the %s page failed", status)
        return HTMLResponse(f"<!doctype html><title>{status}</title><p>{status}</p>", status)


async def refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    """Answer a request from middleware with an error page (the responder ``security`` uses)."""
    await error_response(Request(scope, receive), status, message)(scope, receive, send)


class DatabaseOutage:
    """ASGI middleware: a request that fails because the database is unreachable gets 503.

    It sits outside the middleware that reads sessions and tokens, so a failure there is
    caught too; the connection is retried by the next request, so recovery needs nothing.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started or not is_unavailable(exc):
                raise
            logger.warning(
                "request %s %s: database unavailable: %s", scope["method"], scope["path"], exc
            )
            response = error_response(
                Request(scope, receive), 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
            await response(scope, receive, send)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
    return error_response(request, exc.status_code, detail, dict(exc.headers or {}))


async def not_found(request: Request, exc: Exception) -> Response:
    return error_response(request, 404)


async def denied(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PermissionDenied)
    return error_response(
        request, 403, f"You may not do this: it needs the {exc.permission} permission."
    )


async def invalid(request: Request, exc: Exception) -> Response:
    """Bad input that no form caught (a tampered link, say): name each field."""
    assert isinstance(exc, ValidationError)
    if is_api(request):
        return problem_response(ApiProblem(400, str(exc), errors=exc.errors))
    return error_response(request, 400, "; ".join(str(error) for error in exc.errors))


async def stale(request: Request, exc: Exception) -> Response:
    return error_response(request, 409, f"{exc}. Reload the page and try again.")


async def server_error(request: Request, exc: Exception) -> Response:
    """The 500 page (503 while the database is unreachable); the traceback goes to the log only.

    This runs outside the other middleware, so it adds the security headers itself.
    """
    if is_unavailable(exc):
        # Not a bug: the database is down or unreachable. The pool reconnects on a later
        # request, so the client is told to come back rather than that something broke.
        logger.warning(
            "request %s %s: database unavailable: %s", request.method, request.url.path, exc
        )
        response = error_response(request, 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    else:
        logger.error("request %s %s failed", request.method, request.url.path, exc_info=exc)
        response = error_response(request, 500)
    https_only = request.app.state.kernel.settings.web.https_only
    apply_security_headers(MutableHeaders(raw=response.raw_headers), https_only)
    return response


def exception_handlers() -> dict[Any, Any]:
    return {
        HTTPException: http_error,
        NotFoundError: not_found,
        PermissionDenied: denied,
        ValidationError: invalid,
        StaleRecordError: stale,
        Exception: server_error,
    }
