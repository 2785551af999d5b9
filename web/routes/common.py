"""What every page handler needs: the signed-in guard, safe redirects, form values."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sampark.web.forms import flat_values

Endpoint = Callable[[Request], Awaitable[Response]]


def signed_in(endpoint: Endpoint) -> Endpoint:
    """Send visitors who are not signed in to the sign-in page, then back here."""

    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        if request.state.actor is None:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return see_other("/login?" + urlencode({"next": here}))
        return await endpoint(request)

    return guarded


def see_other(url: str) -> RedirectResponse:
    """A redirect after a POST (303, so the browser follows it with GET)."""
    return RedirectResponse(url, status_code=303)


def safe_next(value: Any, default: str = "/") -> str:
    """A local path to go back to; anything that could leave the site becomes ``default``."""
    if (
        not isinstance(value, str)
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(char) < 32 for char in value)
    ):
        return default
    return value


async def form_values(request: Request) -> dict[str, Any]:
    form = await request.form()
    try:
        return flat_values(form)
    finally:
        await form.close()


def query_url(path: str, **params: Any) -> str:
    """``path`` with the non-empty ``params`` as its query string."""
    kept = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path
