"""What every page handler needs: the signed-in guard, safe redirects, form values."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sampark.web.forms import flat_values, undecodable_field

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark
    from sampark.core.permissions import Actor
    from sampark.core.views import UserView

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


def kernel_of(request: Request) -> Sampark:
    """The kernel serving this app (acts as the system: prefer :func:`crm_of` for records)."""
    return request.app.state.kernel


def actor_of(request: Request) -> Actor | None:
    """Who is signed in (a session or an API token), or None for a visitor."""
    return request.state.actor


def crm_of(request: Request) -> UserView:
    """The CRM as the signed-in user sees it: every call checks their permissions and scope.

    Plugin pages are for signed-in users only, so there it is always set; a core page
    guarded by :func:`signed_in` may rely on it too.
    """
    return request.state.crm


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


async def read_form(request: Request) -> FormData:
    """The submitted form; a 400 page, nothing written, if a field is not UTF-8 text."""
    field = undecodable_field(request.headers.get("content-type", ""), await request.body())
    if field is not None:
        raise HTTPException(
            400, f"The form's field {field!r} is not UTF-8 text, so nothing was saved."
        )
    return await request.form()


async def form_values(request: Request) -> dict[str, Any]:
    """The submitted form as a dict (see :func:`read_form` and :func:`.flat_values`)."""
    form = await read_form(request)
    try:
        return flat_values(form)
    finally:
        await form.close()


def query_url(path: str, **params: Any) -> str:
    """``path`` with the non-empty ``params`` as its query string."""
    kept = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path
