"""Signing in: passwords checked under a rate limit, browser sessions and API tokens.

Everything lives in the database (core_login_attempt, core_web_session, core_api_token),
so any number of workers on any number of machines agree on who is signed in, and
signing out or disabling a user takes effect on the very next request everywhere.

The rate limit counts failed sign-ins in the last ``ATTEMPT_WINDOW``:

- per account (the username, in any case): ``MAX_FAILURES_PER_USERNAME``, counting only
  failures since the account's last successful sign-in, so its owner signing in clears
  it (and nobody else can: signing in to another account touches only that account's);
- per address: ``MAX_FAILURES_PER_ADDRESS``, successes never clear it, so an attacker
  cannot reset it by signing in to an account of their own.

A refused attempt checks no password and is not counted (hammering cannot stretch the
lock); each attempt is written before it is counted, so parallel guesses from several
workers cannot slip past the limit. Attempt rows are kept ``ATTEMPT_RETENTION`` for
audit, then pruned as the same account or address signs in again.

Other actions on credentials use the same table and count: a wrong current password
when changing one's own password counts as a failed sign-in; a user creating API tokens
(``MAX_TOKENS_PER_WINDOW``) or an admin resetting passwords (``MAX_RESETS_PER_WINDOW``)
is counted under a key no username can take (``token:meera``). The system (CLI,
notebooks) is not counted.

User management (``add_user``, ``set_roles``, …) lives in :mod:`users` and is
re-exported here, so the web app finds the whole sign-in API in one module.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import math
import secrets
from dataclasses import dataclass
from itertools import takewhile
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from sampark.core.errors import (
    FieldError,
    LoginFailed,
    NotFoundError,
    TooManyAttempts,
    ValidationError,
)
from sampark.core.ids import check_id
from sampark.core.pagination import check_limit, decode_cursor, encode_cursor
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import Page, TokenRecord
from sampark.core.services.audit import record_change
from sampark.core.services.users import (
    MANAGE,
    activated,
    actor_for_user,
    actor_of,
    add_user,
    disable_user,
    enable_user,
    find_user,
    generate_password,
    get_user,
    hash_password,
    list_users,
    needs_rehash,
    password_errors,
    require_self_or_manager,
    set_password,
    set_preferences,
    set_roles,
    username_key,
    verify_password,
)
from sampark.core.sql import db_time, execute, fetch, now, read_time
from sampark.core.text import text_problem

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

__all__ = [
    "SessionInfo",
    "actor_for_user",
    "add_user",
    "authenticate",
    "change_password",
    "create_token",
    "disable_user",
    "enable_user",
    "end_session",
    "get_user",
    "hash_password",
    "list_tokens",
    "list_users",
    "reset_password",
    "revoke_token",
    "session_for",
    "set_password",
    "set_preferences",
    "set_roles",
    "start_session",
    "token_actor",
    "verify_password",
]

ATTEMPT_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20
ATTEMPT_RETENTION = dt.timedelta(days=30)
MAX_TOKENS_PER_WINDOW = 10  # API tokens one user may create per ATTEMPT_WINDOW
MAX_RESETS_PER_WINDOW = 10  # passwords one admin may reset per ATTEMPT_WINDOW

SESSION_LIFETIME = dt.timedelta(hours=12)  # absolute: then sign in again
SESSION_IDLE_TIMEOUT = dt.timedelta(hours=2)
TOUCH_INTERVAL = dt.timedelta(minutes=1)  # last_seen_at / last_used_at are this coarse

TOKEN_PREFIX = "smp_"
TOKEN_PREFIX_SHOWN = 8  # characters after smp_ kept to tell tokens apart
MAX_TOKEN_NAME = 100

_KEY_LENGTH = 150  # core_login_attempt.username_key
_ADDRESS_LENGTH = 64
_USER_AGENT_LENGTH = 300


@dataclass(frozen=True)
class SessionInfo:
    """A signed-in browser: the cookie carries ``id``; forms carry ``csrf_token``."""

    id: str
    csrf_token: str
    user_id: int
    expires_at: dt.datetime
    actor: Actor


# ---------------------------------------------------------------------------
# Signing in
# ---------------------------------------------------------------------------


@functools.cache
def _decoy_hash() -> str:
    """A hash nobody knows the password of, checked for unknown users to take as long."""
    return hash_password(secrets.token_urlsafe(32))


def _matches(stored: str | None, password: str) -> bool:
    # With no hash, check the decoy anyway: the answer must take as long either way.
    return verify_password(stored or _decoy_hash(), password) and stored is not None


@activated
async def authenticate(kernel: Sampark, username: str, password: str, *, address: str) -> Actor:
    """The actor of the user whose password this is.

    Raises LoginFailed (one message for an unknown user, a wrong password or a disabled
    account) or TooManyAttempts.
    """
    typed = username if isinstance(username, str) else ""
    key = username_key(typed)[:_KEY_LENGTH]
    conn = kernel.connection
    moment = now()
    attempt = await _password_attempt(conn, key, address, moment)
    user = await find_user(conn, typed, "id, username, roles, is_active, password_hash")
    stored = user["password_hash"] if user else None
    text = password if isinstance(password, str) else ""
    matches = await asyncio.to_thread(_matches, stored, text)
    if user is None or not stored or not matches or not user["is_active"]:
        raise LoginFailed()
    fresh = await asyncio.to_thread(hash_password, text) if needs_rehash(stored) else None
    async with in_transaction() as tx:
        await execute(
            tx, "UPDATE core_login_attempt SET succeeded = ? WHERE id = ?", [True, attempt]
        )
        await execute(
            tx,
            "UPDATE core_user SET last_login_at = ? WHERE id = ?",
            [db_time(tx, moment), user["id"]],
        )
        if fresh is not None:
            # Only if unchanged meanwhile: a password set since then must not be undone.
            await execute(
                tx,
                "UPDATE core_user SET password_hash = ? WHERE id = ? AND password_hash = ?",
                [fresh, user["id"], stored],
            )
    return actor_of(kernel, user)


async def _password_attempt(
    conn: BaseDBAsyncClient, key: str, address: str | None, moment: dt.datetime
) -> int:
    """Count a password try for this account and address; refuse it past either's limit.

    Returns the attempt's id, to be marked a success once the password matches.
    """
    address = (address or "")[:_ADDRESS_LENGTH]
    attempt = await _record_attempt(conn, key, address, moment)
    wait = await _retry_after(conn, key, address, attempt, moment)
    if wait is not None:
        await execute(conn, "DELETE FROM core_login_attempt WHERE id = ?", [attempt])
        raise TooManyAttempts(wait)
    return attempt


async def _record_attempt(
    conn: BaseDBAsyncClient, key: str, address: str, moment: dt.datetime
) -> int:
    """Write the attempt as a failure (it becomes a success once the password matches)."""
    rows = await fetch(
        conn,
        "INSERT INTO core_login_attempt (username_key, address, succeeded, at) "
        "VALUES (?, ?, ?, ?) RETURNING id",
        [key, address, False, db_time(conn, moment)],
    )
    await execute(
        conn,
        "DELETE FROM core_login_attempt WHERE (username_key = ? OR address = ?) AND at < ?",
        [key, address, db_time(conn, moment - ATTEMPT_RETENTION)],
    )
    return rows[0]["id"]


async def _retry_after(
    conn: BaseDBAsyncClient, key: str, address: str, attempt: int, moment: dt.datetime
) -> int | None:
    """Seconds until this account and address may try again; None if they may now."""
    since = db_time(conn, moment - ATTEMPT_WINDOW)
    recent = await fetch(
        conn,
        "SELECT id, succeeded, at FROM core_login_attempt WHERE username_key = ? AND at > ? "
        "ORDER BY at DESC, id DESC LIMIT ?",
        [key, since, MAX_FAILURES_PER_USERNAME + 1],
    )
    since_success = list(takewhile(lambda row: not row["succeeded"], recent))
    waits = [_wait(since_success, MAX_FAILURES_PER_USERNAME, attempt, moment)]
    if address:  # unknown (e.g. not a web request): only the account's limit applies
        failures = await fetch(
            conn,
            "SELECT id, at FROM core_login_attempt WHERE address = ? AND succeeded = ? AND at > ? "
            "ORDER BY at DESC, id DESC LIMIT ?",
            [address, False, since, MAX_FAILURES_PER_ADDRESS + 1],
        )
        waits.append(_wait(failures, MAX_FAILURES_PER_ADDRESS, attempt, moment))
    return max((wait for wait in waits if wait is not None), default=None)


def _wait(
    failures: list[dict[str, Any]], limit: int, attempt: int, moment: dt.datetime
) -> int | None:
    """None while ``failures`` (newest first, this attempt among them) stay within ``limit``.

    Otherwise the seconds until the ``limit``-th newest earlier failure leaves the window:
    then this one, refused and not kept, could be tried again.
    """
    if len(failures) <= limit:
        return None
    earlier = [row for row in failures if row["id"] != attempt]
    oldest_counted = read_time(earlier[limit - 1]["at"])
    assert oldest_counted is not None
    return max(1, math.ceil((oldest_counted + ATTEMPT_WINDOW - moment).total_seconds()))


async def _spend(conn: BaseDBAsyncClient, key: str, limit: int) -> None:
    """Count one use of a credential action under ``key``; refuse it past ``limit``."""
    moment = now()
    attempt = await _record_attempt(conn, key, "", moment)
    recent = await fetch(
        conn,
        "SELECT id, at FROM core_login_attempt WHERE username_key = ? AND at > ? "
        "ORDER BY at DESC, id DESC LIMIT ?",
        [key, db_time(conn, moment - ATTEMPT_WINDOW), limit + 1],
    )
    wait = _wait(recent, limit, attempt, moment)
    if wait is not None:
        await execute(conn, "DELETE FROM core_login_attempt WHERE id = ?", [attempt])
        raise TooManyAttempts(wait)


# ---------------------------------------------------------------------------
# Changing and resetting passwords
# ---------------------------------------------------------------------------


@activated
async def change_password(
    kernel: Sampark, actor: Actor, current: str, new: str, *, address: str = ""
) -> None:
    """A signed-in user replaces their own password, proving they know the current one.

    A wrong current password counts as a failed sign-in (the same limits apply, so the
    form cannot be used to guess); then every browser session of the user ends, as with
    any new password: the caller starts a fresh one for the browser that asked.
    """
    if actor.user_id is None:
        raise ValueError("only a user has a password of their own, not the system")
    errors = password_errors(new, "new_password")
    if isinstance(new, str) and new == current:
        errors.append(FieldError("new_password", "must differ from the current password"))
    if errors:
        raise ValidationError(errors)
    key = username_key(actor.username)[:_KEY_LENGTH]
    conn = kernel.connection
    attempt = await _password_attempt(conn, key, address, now())
    user = await find_user(conn, actor.username, "id, password_hash")
    stored = user["password_hash"] if user else None
    text = current if isinstance(current, str) else ""
    if not await asyncio.to_thread(_matches, stored, text):
        raise ValidationError.single("current_password", "is not your current password")
    await execute(conn, "UPDATE core_login_attempt SET succeeded = ? WHERE id = ?", [True, attempt])
    await set_password(kernel, actor.username, new, actor=actor)


@activated
async def reset_password(
    kernel: Sampark, username: str, password: str | None = None, *, actor: Actor = SYSTEM
) -> str:
    """An admin sets another user's password, or has one generated; returns it to show once.

    Their browser sessions end. Admins change their own password on their profile, where
    the current one is asked for.
    """
    actor.require(MANAGE)
    if actor.user_id is not None and username_key(actor.username) == username_key(username):
        raise ValidationError.single(
            "username", "change your own password on your profile (it asks for the current one)"
        )
    password = password or generate_password()
    errors = password_errors(password)
    if errors:
        raise ValidationError(errors)
    if actor.user_id is not None:
        reset_key = f"reset:{username_key(actor.username)}"[:_KEY_LENGTH]
        await _spend(kernel.connection, reset_key, MAX_RESETS_PER_WINDOW)
    await set_password(kernel, username, password, actor=actor)
    return password


# ---------------------------------------------------------------------------
# Browser sessions
# ---------------------------------------------------------------------------


@activated
async def start_session(
    kernel: Sampark, actor: Actor, *, address: str = "", user_agent: str = ""
) -> SessionInfo:
    """A new session for a signed-in user, with a new random id (never reuse one)."""
    if actor.user_id is None:
        raise ValueError("only a user can have a session, not the system")
    moment = now()
    session = SessionInfo(
        id=secrets.token_urlsafe(32),
        csrf_token=secrets.token_urlsafe(32),
        user_id=actor.user_id,
        expires_at=moment + SESSION_LIFETIME,
        actor=actor,
    )
    async with in_transaction() as tx:
        stamp = db_time(tx, moment)
        await execute(
            tx,
            "INSERT INTO core_web_session (id, user_id, csrf_token, created_at, expires_at, "
            "last_seen_at, address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                session.id,
                session.user_id,
                session.csrf_token,
                stamp,
                db_time(tx, session.expires_at),
                stamp,
                (address or "")[:_ADDRESS_LENGTH],
                (user_agent or "")[:_USER_AGENT_LENGTH],
            ],
        )
        # Sign-ins sweep out sessions past their lifetime, so the table stays small.
        await execute(tx, "DELETE FROM core_web_session WHERE expires_at < ?", [stamp])
    return session


@activated
async def session_for(kernel: Sampark, session_id: str | None) -> SessionInfo | None:
    """The live session with this id; None if unknown, ended, expired, idle or disabled.

    The actor is rebuilt from the user's current roles, so a role change applies at once.
    """
    if not isinstance(session_id, str) or not 0 < len(session_id) <= 64:
        return None
    conn = kernel.connection
    rows = await fetch(
        conn,
        "SELECT s.id, s.user_id, s.csrf_token, s.expires_at, s.last_seen_at, s.revoked_at, "
        "u.username, u.roles, u.is_active, u.language, u.time_zone FROM core_web_session s "
        "JOIN core_user u ON u.id = s.user_id WHERE s.id = ?",
        [session_id],
    )
    if not rows:
        return None
    row = rows[0]
    moment = now()
    expires_at = read_time(row["expires_at"])
    last_seen = read_time(row["last_seen_at"])
    assert expires_at is not None and last_seen is not None
    if (
        row["revoked_at"] is not None
        or not row["is_active"]
        or expires_at <= moment
        or last_seen + SESSION_IDLE_TIMEOUT <= moment
    ):
        return None
    if moment - last_seen >= TOUCH_INTERVAL:  # not a write per request
        await execute(
            conn,
            "UPDATE core_web_session SET last_seen_at = ? WHERE id = ?",
            [db_time(conn, moment), session_id],
        )
    actor = actor_of(kernel, {**row, "id": row["user_id"]})
    return SessionInfo(row["id"], row["csrf_token"], row["user_id"], expires_at, actor)


@activated
async def end_session(kernel: Sampark, session_id: str | None) -> None:
    """Sign a browser out: the session id stops working on every worker at once."""
    if not isinstance(session_id, str):
        return
    conn = kernel.connection
    await execute(
        conn,
        "UPDATE core_web_session SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        [db_time(conn, now()), session_id],
    )


# ---------------------------------------------------------------------------
# API tokens
# ---------------------------------------------------------------------------


def _digest(token: str) -> str:
    # A token is 256 random bits, not a password: a fast hash is enough to make a stolen
    # table useless, and lets a request find its token by an indexed lookup.
    return hashlib.sha256(token.encode()).hexdigest()


def _token_record(row: dict[str, Any], username: str) -> TokenRecord:
    return TokenRecord(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        username=username,
        created_at=read_time(row["created_at"]),
        last_used_at=read_time(row["last_used_at"]),
        expires_at=read_time(row["expires_at"]),
        revoked_at=read_time(row["revoked_at"]),
    )


async def _user_row(conn: BaseDBAsyncClient, username: str) -> dict[str, Any]:
    row = await find_user(conn, username, "id, username, is_active")
    if row is None:
        raise NotFoundError("user", username)
    return row


@activated
async def create_token(
    kernel: Sampark,
    username: str,
    name: str,
    *,
    expires_at: dt.datetime | None = None,
    actor: Actor = SYSTEM,
) -> tuple[str, TokenRecord]:
    """A new API token for ``username``: the text (shown this once) and its record.

    Only a SHA-256 hash of the text is stored; the record shows its first characters.
    A user may create ``MAX_TOKENS_PER_WINDOW`` tokens per ``ATTEMPT_WINDOW``.
    """
    require_self_or_manager(actor, username)
    name = name.strip() if isinstance(name, str) else ""
    moment = now()
    errors = []
    if not 1 <= len(name) <= MAX_TOKEN_NAME:
        errors.append(FieldError("name", f"must be 1 to {MAX_TOKEN_NAME} characters"))
    elif problem := text_problem(name):
        errors.append(FieldError("name", problem))
    if expires_at is not None:
        if not isinstance(expires_at, dt.datetime) or expires_at.tzinfo is None:
            errors.append(FieldError("expires_at", "must be a date-time with a time zone"))
        elif expires_at <= moment:
            errors.append(FieldError("expires_at", "must be in the future"))
    if errors:
        raise ValidationError(errors)
    conn = kernel.connection
    user = await _user_row(conn, username)
    if not user["is_active"]:
        raise ValidationError.single("username", f"{user['username']} is disabled")
    if actor.user_id is not None:
        await _spend(
            conn, f"token:{username_key(actor.username)}"[:_KEY_LENGTH], MAX_TOKENS_PER_WINDOW
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    prefix = token[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + TOKEN_PREFIX_SHOWN]
    async with in_transaction() as tx:
        rows = await fetch(
            tx,
            "INSERT INTO core_api_token "
            "(user_id, name, token_hash, prefix, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [
                user["id"],
                name,
                _digest(token),
                prefix,
                db_time(tx, moment),
                None if expires_at is None else db_time(tx, expires_at),
            ],
        )
        shown = {"name": name, "user": user["username"], "prefix": prefix}
        await record_change(tx, actor, "api_token", rows[0]["id"], "create", None, shown)
    record = TokenRecord(
        id=rows[0]["id"],
        name=name,
        prefix=prefix,
        username=user["username"],
        created_at=moment,
        expires_at=expires_at,
    )
    return token, record


@activated
async def token_actor(kernel: Sampark, token: str | None) -> Actor | None:
    """The actor a bearer token stands for; None if unknown, revoked, expired or disabled."""
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    conn = kernel.connection
    rows = await fetch(
        conn,
        "SELECT t.id, t.expires_at, t.revoked_at, t.last_used_at, t.user_id, "
        "u.username, u.roles, u.is_active, u.language, u.time_zone FROM core_api_token t "
        "JOIN core_user u ON u.id = t.user_id WHERE t.token_hash = ?",
        [_digest(token)],
    )
    if not rows:
        return None
    row = rows[0]
    moment = now()
    expires_at = read_time(row["expires_at"])
    if (
        row["revoked_at"] is not None
        or not row["is_active"]
        or (expires_at is not None and expires_at <= moment)
    ):
        return None
    last_used = read_time(row["last_used_at"])
    if last_used is None or moment - last_used >= TOUCH_INTERVAL:  # not a write per request
        await execute(
            conn,
            "UPDATE core_api_token SET last_used_at = ? WHERE id = ?",
            [db_time(conn, moment), row["id"]],
        )
    return actor_of(kernel, {**row, "id": row["user_id"]})


@activated
async def list_tokens(
    kernel: Sampark,
    username: str,
    *,
    cursor: str | None = None,
    limit: int = 100,
    actor: Actor = SYSTEM,
) -> Page[TokenRecord]:
    """A user's tokens, newest first, revoked and expired ones included (never the secret)."""
    require_self_or_manager(actor, username)
    check_limit(limit)
    conn = kernel.connection
    user = await _user_row(conn, username)
    condition, params = "", []
    if cursor is not None:
        (before,) = decode_cursor(cursor, 1)
        if not isinstance(before, int):
            raise ValidationError.single("cursor", "is not a cursor this server gave out")
        condition, params = "AND id < ? ", [before]
    rows = await fetch(
        conn,
        "SELECT id, name, prefix, created_at, last_used_at, expires_at, revoked_at "
        f"FROM core_api_token WHERE user_id = ? {condition}ORDER BY id DESC LIMIT ?",
        [user["id"], *params, limit + 1],
    )
    tokens = [_token_record(row, user["username"]) for row in rows[:limit]]
    return Page(tokens, encode_cursor(tokens[-1].id) if len(rows) > limit else None)


@activated
async def revoke_token(
    kernel: Sampark, username: str, token_id: int, *, actor: Actor = SYSTEM
) -> None:
    """Stop one of a user's tokens working (revoking it again changes nothing)."""
    require_self_or_manager(actor, username)
    conn = kernel.connection
    user = await _user_row(conn, username)
    check_id("token", token_id)
    async with in_transaction() as tx:
        rows = await fetch(
            tx,
            "UPDATE core_api_token SET revoked_at = ? "
            "WHERE id = ? AND user_id = ? AND revoked_at IS NULL RETURNING id, name",
            [db_time(tx, now()), token_id, user["id"]],
        )
        if rows:
            before = {"name": rows[0]["name"], "status": "active"}
            after = {"name": rows[0]["name"], "status": "revoked"}
            await record_change(tx, actor, "api_token", token_id, "update", before, after)
    if not rows:
        known = await fetch(
            conn,
            "SELECT id FROM core_api_token WHERE id = ? AND user_id = ?",
            [token_id, user["id"]],
        )
        if not known:
            raise NotFoundError("token", token_id)
