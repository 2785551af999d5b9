"""Signing in and out.

A failed sign-in says one thing whatever went wrong (it must not reveal which usernames
exist); too many failures say when to try again. Every sign-in starts a new session (the
old one, if any, is ended), so a session id planted before sign-in is worthless after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sampark.core.errors import LoginFailed, TooManyAttempts
from sampark.core.services import auth
from sampark.web.routes.common import form_values, safe_next, see_other
from sampark.web.templating import render

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark
    from sampark.web.sessions import Cookies


def _login_page(
    request: Request, next_url: str, username: str = "", error: str = "", status: int = 200
) -> Response:
    return render(
        request,
        "login.html",
        {"next": next_url, "username": username, "error": error},
        status_code=status,
    )


async def login_form(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    if request.state.actor is not None:
        return see_other(next_url)
    return _login_page(request, next_url)


def _retry_in(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


async def login(request: Request) -> Response:
    kernel: Sampark = request.app.state.kernel
    cookies: Cookies = request.app.state.cookies
    values = await form_values(request)
    username = str(values.get("username", "")).strip()
    next_url = safe_next(values.get("next"))
    address = request.client.host if request.client else ""
    try:
        actor = await auth.authenticate(
            kernel, username, str(values.get("password", "")), address=address
        )
    except LoginFailed:
        return _login_page(request, next_url, username, "Wrong username or password.", status=400)
    except TooManyAttempts as exc:
        page = _login_page(
            request,
            next_url,
            username,
            f"Too many failed sign-ins. Try again in {_retry_in(exc.retry_after_seconds)}.",
            status=429,
        )
        page.headers["retry-after"] = str(exc.retry_after_seconds)
        return page
    old = request.state.session
    if old is not None:
        await auth.end_session(kernel, old.id)
    session = await auth.start_session(
        kernel, actor, address=address, user_agent=request.headers.get("user-agent", "")
    )
    response = see_other(next_url)
    cookies.set_session(response, session)
    return response


async def logout(request: Request) -> Response:
    kernel: Sampark = request.app.state.kernel
    cookies: Cookies = request.app.state.cookies
    if request.state.session is not None:
        await auth.end_session(kernel, request.state.session.id)
    response = see_other("/login")
    cookies.clear_session(response)
    return response


def routes() -> list[Route]:
    return [
        Route("/login", login_form, methods=["GET"], name="login"),
        Route("/login", login, methods=["POST"], name="login_submit"),
        Route("/logout", logout, methods=["POST"], name="logout"),
    ]
