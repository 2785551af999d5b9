"""Each user's own page: their password, their preferences and their API tokens.

Every action goes through the same services as ``sampark users`` and ``sampark tokens``,
so the rules (password length, the rate limits, the audit trail) are the CLI's. A new
token appears in the response to the form that created it and nowhere else: it is
stored hashed, so reloading the profile cannot show it again.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sampark.core.errors import TooManyAttempts, ValidationError
from sampark.core.services import auth
from sampark.core.services.users import LANGUAGES, time_zones
from sampark.web.forms import Form
from sampark.web.routes.common import form_values, query_url, see_other, signed_in
from sampark.web.templating import render

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark
    from sampark.core.permissions import Actor
    from sampark.core.records import TokenRecord
    from sampark.web.sessions import Cookies

PASSWORD_LABELS = {
    "current_password": "Current password",
    "new_password": "New password",
    "new_password_again": "New password again",
}
PREFERENCE_LABELS = {"language": "Language", "time_zone": "Time zone"}
TOKEN_LABELS = {"name": "Name"}
NOTICES = {
    "password": "Your password was changed. Your other browsers were signed out.",
    "preferences": "Your preferences were saved.",
    "revoked": "The token was revoked: it no longer works.",
}
# Credentials are on this page: browsers and proxies must not keep a copy.
NO_STORE = {"cache-control": "no-store"}


def retry_in(seconds: int) -> str:
    """A wait in whole minutes, as people read it."""
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def refused(exc: ValidationError) -> dict[str, list[str]]:
    """A service's field errors by input name."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(error.field, []).append(error.message)
    return errors


def address_of(request: Request) -> str:
    return request.client.host if request.client else ""


async def _profile_page(
    request: Request,
    *,
    password: Form | None = None,
    preferences: Form | None = None,
    token_form: Form | None = None,
    new_token: tuple[str, TokenRecord] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    kernel: Sampark = request.app.state.kernel
    actor: Actor = request.state.actor
    user = await auth.get_user(kernel, actor.username, actor=actor)
    tokens = await auth.list_tokens(
        kernel, actor.username, cursor=request.query_params.get("tokens") or None, actor=actor
    )
    if preferences is None:
        values = {"language": user.language, "time_zone": user.time_zone}
        preferences = Form(values, labels=PREFERENCE_LABELS, prefix="pref-")
    return render(
        request,
        "profile.html",
        {
            "user": user,
            "notice": NOTICES.get(request.query_params.get("done", ""), ""),
            "password_form": password or Form(labels=PASSWORD_LABELS, prefix="pw-"),
            "preferences_form": preferences,
            "token_form": token_form or Form(labels=TOKEN_LABELS, prefix="token-"),
            "new_token": new_token,
            "tokens": tokens,
            "token_action": "/profile/tokens",
            "now": dt.datetime.now(dt.UTC),
            "older_tokens_url": query_url("/profile", tokens=tokens.next_cursor) + "#tokens"
            if tokens.next_cursor
            else None,
            "languages": [("", "The CRM's default"), *LANGUAGES.items()],
            "time_zones": sorted(time_zones()),
        },
        status_code=status_code,
        headers={**NO_STORE, **(headers or {})},
    )


@signed_in
async def profile(request: Request) -> Response:
    return await _profile_page(request)


@signed_in
async def change_password(request: Request) -> Response:
    """Check the current password, set the new one, and keep this browser signed in."""
    kernel: Sampark = request.app.state.kernel
    cookies: Cookies = request.app.state.cookies
    actor: Actor = request.state.actor
    values = await form_values(request)
    current = str(values.get("current_password", ""))
    new = str(values.get("new_password", ""))
    if new != str(values.get("new_password_again", "")):
        errors = {"new_password_again": ["does not match the new password"]}
        form = Form({}, errors, PASSWORD_LABELS, prefix="pw-")
        return await _profile_page(request, password=form, status_code=400)
    try:
        await auth.change_password(kernel, actor, current, new, address=address_of(request))
    except ValidationError as exc:
        form = Form({}, refused(exc), PASSWORD_LABELS, prefix="pw-")
        return await _profile_page(request, password=form, status_code=400)
    except TooManyAttempts as exc:
        notice = f"Too many wrong passwords. Try again in {retry_in(exc.retry_after_seconds)}."
        form = Form({}, labels=PASSWORD_LABELS, notice=notice, prefix="pw-")
        retry = {"retry-after": str(exc.retry_after_seconds)}
        return await _profile_page(request, password=form, status_code=429, headers=retry)
    # The new password ended every session of this user; this browser gets a new one.
    session = await auth.start_session(
        kernel, actor, address=address_of(request), user_agent=request.headers.get("user-agent", "")
    )
    response = see_other("/profile?done=password")
    cookies.set_session(response, session)
    return response


@signed_in
async def save_preferences(request: Request) -> Response:
    kernel: Sampark = request.app.state.kernel
    actor: Actor = request.state.actor
    values = await form_values(request)
    typed = {name: str(values.get(name, "")) for name in PREFERENCE_LABELS}
    try:
        await auth.set_preferences(kernel, actor.username, **typed, actor=actor)
    except ValidationError as exc:
        form = Form(typed, refused(exc), PREFERENCE_LABELS, prefix="pref-")
        return await _profile_page(request, preferences=form, status_code=400)
    return see_other("/profile?done=preferences")


@signed_in
async def create_token(request: Request) -> Response:
    """Create a token and show it in this response only (reloading cannot show it again)."""
    kernel: Sampark = request.app.state.kernel
    actor: Actor = request.state.actor
    values = await form_values(request)
    name = str(values.get("name", ""))
    try:
        new_token = await auth.create_token(kernel, actor.username, name, actor=actor)
    except ValidationError as exc:
        form = Form({"name": name}, refused(exc), TOKEN_LABELS, prefix="token-")
        return await _profile_page(request, token_form=form, status_code=400)
    except TooManyAttempts as exc:
        notice = f"Too many new tokens. Try again in {retry_in(exc.retry_after_seconds)}."
        form = Form({"name": name}, labels=TOKEN_LABELS, notice=notice, prefix="token-")
        retry = {"retry-after": str(exc.retry_after_seconds)}
        return await _profile_page(request, token_form=form, status_code=429, headers=retry)
    return await _profile_page(request, new_token=new_token)


def token_id(request: Request) -> int:
    return int(request.path_params["token_id"])


@signed_in
async def revoke_token(request: Request) -> Response:
    kernel: Sampark = request.app.state.kernel
    actor: Actor = request.state.actor
    # Another user's token is not found, exactly like one that never existed.
    await auth.revoke_token(kernel, actor.username, token_id(request), actor=actor)
    return see_other("/profile?done=revoked#tokens")


def routes() -> list[Route]:
    return [
        Route("/profile", profile, methods=["GET"], name="profile"),
        Route("/profile/password", change_password, methods=["POST"], name="profile_password"),
        Route(
            "/profile/preferences", save_preferences, methods=["POST"], name="profile_preferences"
        ),
        Route("/profile/tokens", create_token, methods=["POST"], name="profile_token_create"),
        Route(
            "/profile/tokens/{token_id:int}/revoke",
            revoke_token,
            methods=["POST"],
            name="profile_token_revoke",
        ),
    ]
