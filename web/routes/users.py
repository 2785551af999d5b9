"""The admin's pages for users: list, add, roles, disable and enable, password resets.

They need ``users.manage``; the services check it (and refuse before anything is
written), so a page that forgot would still be refused. Every rule is the CLI's: the
last user who may manage users keeps that power, nobody disables themselves, resets
are rate-limited, and every change is in the audit trail shown on the user's page.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sampark.core.errors import TooManyAttempts, ValidationError
from sampark.core.services import auth
from sampark.core.services.audit import audit_page
from sampark.core.services.users import MANAGE
from sampark.web.audit_view import describe
from sampark.web.forms import Form
from sampark.web.routes.common import query_url, read_form, see_other, signed_in
from sampark.web.routes.profile import NO_STORE, refused, retry_in
from sampark.web.templating import render

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark
    from sampark.core.permissions import Actor

PAGE_SIZE = 50
AUDIT_SIZE = 20
USER_LABELS = {
    "username": "Username",
    "display_name": "Name",
    "email": "Email",
    "roles": "Roles",
    "password": "Password",
}
# How the trail of a user names its fields.
AUDIT_LABELS = {
    **USER_LABELS,
    "is_active": "Active",
    "language": "Language",
    "time_zone": "Time zone",
}
NOTICES = {
    "roles": "The roles were saved; they apply from the user's next request.",
    "disabled": "The user was disabled: their sessions and API tokens no longer work.",
    "enabled": "The user was enabled; they need a new password or token if theirs were ended.",
    "revoked": "The token was revoked: it no longer works.",
}


async def _values(request: Request) -> dict[str, Any]:
    """The submitted form; ``roles`` (checkboxes) as a list."""
    form = await read_form(request)
    try:
        values: dict[str, Any] = {
            name: value for name, value in form.items() if isinstance(value, str)
        }
        values["roles"] = [role for role in form.getlist("roles") if isinstance(role, str)]
        return values
    finally:
        await form.close()


def _username(request: Request) -> str:
    return str(request.path_params["username"])


def _context(request: Request) -> tuple[Sampark, Actor]:
    return request.app.state.kernel, request.state.actor


@signed_in
async def user_list(request: Request) -> Response:
    kernel, actor = _context(request)
    page = await auth.list_users(
        kernel, cursor=request.query_params.get("cursor") or None, limit=PAGE_SIZE, actor=actor
    )
    next_url = query_url("/users", cursor=page.next_cursor) if page.next_cursor else None
    return render(request, "users/list.html", {"page": page, "next_url": next_url})


def _new_page(request: Request, form: Form, status_code: int = 200) -> Response:
    kernel: Sampark = request.app.state.kernel
    return render(
        request,
        "users/new.html",
        {"form": form, "roles": sorted(kernel.roles)},
        status_code=status_code,
        headers=NO_STORE,
    )


@signed_in
async def new_user_form(request: Request) -> Response:
    request.state.actor.require(MANAGE)
    return _new_page(request, Form({"roles": ["agent"]}, labels=USER_LABELS))


@signed_in
async def add_user(request: Request) -> Response:
    """Add a user; with the password left empty, one is generated and shown this once."""
    kernel, actor = _context(request)
    values = await _values(request)
    typed = {name: str(values.get(name, "")).strip() for name in ("username", "display_name")}
    email = str(values.get("email", "")).strip() or None
    password = str(values.get("password", "")) or auth.generate_password()
    try:
        user = await auth.add_user(
            kernel,
            typed["username"],
            password=password,
            roles=values["roles"],
            display_name=typed["display_name"],
            email=email,
            actor=actor,
        )
    except ValidationError as exc:
        kept = {**typed, "email": email or "", "roles": values["roles"]}
        return _new_page(request, Form(kept, refused(exc), USER_LABELS), 400)
    if values.get("password"):
        return see_other(f"/users/{user.username}")
    return await _user_page(request, user.username, generated=password)


async def _user_page(
    request: Request,
    username: str,
    *,
    roles_form: Form | None = None,
    reset_form: Form | None = None,
    generated: str | None = None,
    notice: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    kernel, actor = _context(request)
    actor.require(MANAGE)
    user = await auth.get_user(kernel, username, actor=actor)
    params = request.query_params
    tokens = await auth.list_tokens(
        kernel, user.username, cursor=params.get("tokens") or None, actor=actor
    )
    audit = await audit_page(
        kernel, "user", user.id, cursor=params.get("audit") or None, limit=AUDIT_SIZE
    )
    here = f"/users/{user.username}"
    return render(
        request,
        "users/detail.html",
        {
            "user": user,
            "notice": notice or NOTICES.get(params.get("done", ""), ""),
            "roles": sorted(kernel.roles),
            "roles_form": roles_form or Form({"roles": list(user.roles)}, labels=USER_LABELS),
            "reset_form": reset_form or Form(labels=USER_LABELS, prefix="reset-"),
            "generated": generated,
            "is_self": user.id == actor.user_id,
            "tokens": tokens,
            "token_action": f"{here}/tokens",
            "now": dt.datetime.now(dt.UTC),
            "older_tokens_url": query_url(here, tokens=tokens.next_cursor) + "#tokens"
            if tokens.next_cursor
            else None,
            "audit": audit,
            "audit_rows": [
                (
                    row,
                    [describe(name, change, AUDIT_LABELS) for name, change in row.changes.items()],
                )
                for row in audit
            ],
            "older_audit_url": query_url(here, audit=audit.next_cursor)
            if audit.next_cursor
            else None,
        },
        status_code=status_code,
        headers={**NO_STORE, **(headers or {})},
    )


@signed_in
async def user_detail(request: Request) -> Response:
    return await _user_page(request, _username(request))


@signed_in
async def set_roles(request: Request) -> Response:
    kernel, actor = _context(request)
    username = _username(request)
    values = await _values(request)
    try:
        await auth.set_roles(kernel, username, values["roles"], actor=actor)
    except ValidationError as exc:
        form = Form({"roles": values["roles"]}, refused(exc), USER_LABELS)
        return await _user_page(request, username, roles_form=form, status_code=400)
    return see_other(f"/users/{username}?done=roles")


def _switch(enable: bool) -> Any:
    @signed_in
    async def switch(request: Request) -> Response:
        kernel, actor = _context(request)
        username = _username(request)
        change = auth.enable_user if enable else auth.disable_user
        try:
            await change(kernel, username, actor=actor)
        except ValidationError as exc:
            notice = "; ".join(error.message for error in exc.errors)
            return await _user_page(request, username, notice=notice, status_code=400)
        return see_other(f"/users/{username}?done={'enabled' if enable else 'disabled'}")

    return switch


@signed_in
async def reset_password(request: Request) -> Response:
    """Set the password typed, or generate one: either way it is shown this once."""
    kernel, actor = _context(request)
    username = _username(request)
    values = await _values(request)
    try:
        password = await auth.reset_password(
            kernel, username, str(values.get("password", "")) or None, actor=actor
        )
    except ValidationError as exc:
        errors = refused(exc)
        about_user = "; ".join(errors.pop("username", []))  # not about the field typed
        form = Form({}, errors, USER_LABELS, prefix="reset-")
        return await _user_page(
            request, username, reset_form=form, notice=about_user, status_code=400
        )
    except TooManyAttempts as exc:
        notice = f"Too many password resets. Try again in {retry_in(exc.retry_after_seconds)}."
        form = Form({}, labels=USER_LABELS, notice=notice, prefix="reset-")
        retry = {"retry-after": str(exc.retry_after_seconds)}
        return await _user_page(request, username, reset_form=form, status_code=429, headers=retry)
    return await _user_page(request, username, generated=password)


@signed_in
async def revoke_token(request: Request) -> Response:
    kernel, actor = _context(request)
    username = _username(request)
    token_id = int(request.path_params["token_id"])
    await auth.revoke_token(kernel, username, token_id, actor=actor)
    return see_other(f"/users/{username}?done=revoked#tokens")


def routes() -> list[Route]:
    one = "/users/{username}"
    return [
        Route("/users", user_list, methods=["GET"], name="users"),
        Route("/users/new", new_user_form, methods=["GET"], name="user_new"),
        Route("/users/new", add_user, methods=["POST"], name="user_create"),
        Route(one, user_detail, methods=["GET"], name="user"),
        Route(f"{one}/roles", set_roles, methods=["POST"], name="user_roles"),
        Route(f"{one}/disable", _switch(False), methods=["POST"], name="user_disable"),
        Route(f"{one}/enable", _switch(True), methods=["POST"], name="user_enable"),
        Route(f"{one}/password", reset_password, methods=["POST"], name="user_password"),
        Route(
            f"{one}/tokens/{{token_id:int}}/revoke",
            revoke_token,
            methods=["POST"],
            name="user_token_revoke",
        ),
    ]
