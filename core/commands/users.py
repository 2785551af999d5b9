"""``sampark users …`` and ``sampark tokens …``: who may sign in, and their API tokens.

These are the server admin's tools: they run as the system, so they work before anyone
can sign in (and when nobody who may manage users is left).
"""

from __future__ import annotations

import datetime as dt

import click

from sampark.core.commands.options import LOCAL_DATETIME, F, json_option, page_options
from sampark.core.commands.output import echo_json, echo_page, when
from sampark.core.commands.runner import run_with_kernel
from sampark.core.kernel import Sampark
from sampark.core.records import TokenRecord, UserRecord
from sampark.core.services import auth

USER_HEADERS = ("username", "name", "email", "roles", "status", "last sign-in")
TOKEN_HEADERS = ("id", "name", "token", "created", "last used", "expires", "status")


def _ask_password(username: str) -> str:
    """The new password, typed twice without echo."""
    return click.prompt(
        f"New password for {username}",
        hide_input=True,
        confirmation_prompt="Repeat it",
    )


def _user_row(user: UserRecord) -> tuple[object, ...]:
    status = "active" if user.is_active else "disabled"
    return (user.username, user.display_name, user.email, user.roles, status, user.last_login_at)


def _password_option(func: F) -> F:
    return click.option(
        "--password",
        help="The password (default: asked for twice, hidden; a password given here may "
        "stay in your shell's history).",
    )(func)


@click.group()
def users() -> None:
    """Manage users: add them, set passwords and roles, disable them.

    Runs as the system, on the server: no sign-in needed.
    """


@users.command("add")
@click.argument("username")
@click.option(
    "--role",
    "roles",
    multiple=True,
    help="admin, manager, agent, read-only or a configured role (repeatable; default: agent).",
)
@click.option("--display-name", default="", help="The name shown in the CRM, in any script.")
@click.option("--email", help="The user's email address.")
@_password_option
@click.option(
    "--no-password", is_flag=True, help="Add a user who cannot sign in (yet), e.g. to own records."
)
@json_option
@click.pass_context
def add_user(
    ctx: click.Context,
    username: str,
    roles: tuple[str, ...],
    display_name: str,
    email: str | None,
    password: str | None,
    no_password: bool,
    as_json: bool,
) -> None:
    """Add a user who signs in with USERNAME.

    \b
    sampark users add meera --role manager --display-name "Meera Iyer"
    """
    if password is None and not no_password:
        password = _ask_password(username)
    user = run_with_kernel(
        ctx,
        lambda crm: auth.add_user(
            crm,
            username,
            password=password,
            roles=roles or ("agent",),
            display_name=display_name,
            email=email,
        ),
    )
    if as_json:
        echo_json(user.to_dict())
    else:
        click.echo(f"Added user {user.username} ({', '.join(user.roles) or 'no roles'}).")


@users.command("list")
@page_options
@json_option
@click.pass_context
def list_users(ctx: click.Context, limit: int, cursor: str | None, as_json: bool) -> None:
    """Every user, enabled or not, by username."""
    page = run_with_kernel(ctx, lambda crm: auth.list_users(crm, cursor=cursor, limit=limit))
    echo_page(page, as_json=as_json, headers=USER_HEADERS, row=_user_row, empty="No users.")


@users.command("passwd")
@click.argument("username")
@_password_option
@click.pass_context
def set_password(ctx: click.Context, username: str, password: str | None) -> None:
    """Set USERNAME's password; their browser sessions end (API tokens keep working)."""
    if password is None:
        password = _ask_password(username)
    run_with_kernel(ctx, lambda crm: auth.set_password(crm, username, password))
    click.echo(f"Changed the password of {username}.")


@users.command("disable")
@click.argument("username")
@click.pass_context
def disable_user(ctx: click.Context, username: str) -> None:
    """Stop USERNAME signing in: their sessions and API tokens end now.

    Their records stay theirs; `sampark users enable` lets them back in.
    """
    user = run_with_kernel(ctx, lambda crm: auth.disable_user(crm, username))
    click.echo(f"Disabled {user.username}; their sessions and API tokens no longer work.")


@users.command("enable")
@click.argument("username")
@click.pass_context
def enable_user(ctx: click.Context, username: str) -> None:
    """Let a disabled user sign in again (old sessions and tokens stay revoked)."""
    user = run_with_kernel(ctx, lambda crm: auth.enable_user(crm, username))
    click.echo(f"Enabled {user.username}.")


@users.command("roles")
@click.argument("username")
@click.argument("roles", nargs=-1)
@click.pass_context
def user_roles(ctx: click.Context, username: str, roles: tuple[str, ...]) -> None:
    """Show USERNAME's roles, or replace them with ROLES.

    \b
    sampark users roles meera                 # show them, and the roles there are
    sampark users roles meera manager agent   # replace them
    """

    async def run(crm: Sampark) -> tuple[UserRecord, list[str]]:
        if roles:
            return await auth.set_roles(crm, username, roles), sorted(crm.roles)
        return await auth.get_user(crm, username), sorted(crm.roles)

    user, known = run_with_kernel(ctx, run)
    click.echo(f"{user.username}: {', '.join(user.roles) or 'no roles'}")
    if not roles:
        click.echo(f"known roles: {', '.join(known)}")


@users.command("prefs")
@click.argument("username")
@click.option("--language", help="A language code such as hi, ta or en ('' for the default).")
@click.option("--time-zone", help="An IANA time zone such as Asia/Kolkata ('' for the default).")
@click.pass_context
def user_preferences(
    ctx: click.Context, username: str, language: str | None, time_zone: str | None
) -> None:
    """Show USERNAME's language and time zone, or change the ones given.

    \b
    sampark users prefs meera                              # show them
    sampark users prefs meera --language ta --time-zone Asia/Kolkata
    """

    async def run(crm: Sampark) -> UserRecord:
        user = await auth.get_user(crm, username)
        if language is None and time_zone is None:
            return user
        return await auth.set_preferences(
            crm,
            username,
            language=user.language if language is None else language,
            time_zone=user.time_zone if time_zone is None else time_zone,
        )

    user = run_with_kernel(ctx, run)
    language_shown = user.language or "the default"
    click.echo(
        f"{user.username}: language {language_shown}, time zone {user.time_zone or 'the default'}"
    )


@click.group()
def tokens() -> None:
    """Manage API tokens: create (shown once), list and revoke them.

    Clients send a token as `Authorization: Bearer smp_…`; it acts as its user.
    """


def _token_status(token: TokenRecord) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= dt.datetime.now(dt.UTC):
        return "expired"
    return "active"


def _token_row(token: TokenRecord) -> tuple[object, ...]:
    return (
        token.id,
        token.name,
        f"smp_{token.prefix}…",
        token.created_at,
        token.last_used_at,
        token.expires_at,
        _token_status(token),
    )


@tokens.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. 'accounting sync'.")
@click.option("--expires", type=LOCAL_DATETIME, help="When it stops working (default: never).")
@json_option
@click.pass_context
def create_token(
    ctx: click.Context, username: str, name: str, expires: dt.datetime | None, as_json: bool
) -> None:
    """Create an API token for USERNAME and print it, this once.

    \b
    sampark tokens create meera --name "accounting sync" --expires 2027-03-31
    """
    token, record = run_with_kernel(
        ctx, lambda crm: auth.create_token(crm, username, name, expires_at=expires)
    )
    if as_json:
        echo_json({"token": token, **record.to_dict()})
        return
    expiry = f", expires {when(record.expires_at)}" if record.expires_at else ""
    click.echo(f"Created token {record.id} ({record.name}) for {record.username}{expiry}:")
    click.echo(token)
    click.echo("Copy it now: it is stored hashed and cannot be shown again.", err=True)


@tokens.command("list")
@click.argument("username")
@page_options
@json_option
@click.pass_context
def list_tokens(
    ctx: click.Context, username: str, limit: int, cursor: str | None, as_json: bool
) -> None:
    """USERNAME's tokens, newest first: their names and first characters, never the secret."""
    page = run_with_kernel(
        ctx, lambda crm: auth.list_tokens(crm, username, cursor=cursor, limit=limit)
    )
    echo_page(page, as_json=as_json, headers=TOKEN_HEADERS, row=_token_row, empty="No tokens.")


@tokens.command("revoke")
@click.argument("username")
@click.argument("token_id", type=int)
@click.pass_context
def revoke_token(ctx: click.Context, username: str, token_id: int) -> None:
    """Stop USERNAME's token TOKEN_ID working, at once."""
    run_with_kernel(ctx, lambda crm: auth.revoke_token(crm, username, token_id))
    click.echo(f"Revoked token {token_id} of {username}.")


COMMANDS = (users, tokens)
