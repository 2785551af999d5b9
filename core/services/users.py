"""User accounts: who may sign in, with which roles, and who owns records.

Usernames are ASCII letters, digits and ``. _ - @`` (1 to 150 characters) and unique
whatever their case: ``Meera`` and ``meera`` are one user, found by either spelling.
Keeping them ASCII makes that rule the same on both engines (SQLite's ``lower()`` folds
ASCII only); a name in any script goes in ``display_name``.

Passwords are hashed with argon2id and never leave this module. Managing users needs
``users.manage``; anyone may read their own record, change their own password and set
their own language and time zone. Every change lands in the audit trail (entity
``"user"``, never a password itself). The CLI and notebooks run as the system. No
function here has a facade, so each activates the kernel itself (the web app and the
CLI call them directly).
"""

from __future__ import annotations

import asyncio
import functools
import re
import secrets
import zoneinfo
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from sampark.core.errors import FieldError, NotFoundError, ValidationError
from sampark.core.pagination import check_limit, decode_cursor, encode_cursor
from sampark.core.permissions import SYSTEM, Actor, actor_for
from sampark.core.records import Page, UserRecord
from sampark.core.services.audit import record_change
from sampark.core.services.inputs import clean_email
from sampark.core.sql import db_json, db_time, execute, fetch, now, read_json, read_time
from sampark.core.text import text_problem

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

P = ParamSpec("P")
R = TypeVar("R")

MANAGE = "users.manage"
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 takes any length; this only stops absurd request bodies
MAX_USERNAME = 150
MAX_DISPLAY_NAME = 200
_USERNAME = re.compile(r"[A-Za-z0-9._@-]+")
USER_COLUMNS = (
    "id, username, display_name, email, roles, is_active, last_login_at, created_at, "
    "language, time_zone"
)
# The languages a user may choose for the UI ("" = the deployment's default), by code.
LANGUAGES = {
    "en": "English",
    "hi": "हिन्दी (Hindi)",
    "bn": "বাংলা (Bengali)",
    "te": "తెలుగు (Telugu)",
    "mr": "मराठी (Marathi)",
    "ta": "தமிழ் (Tamil)",
    "gu": "ગુજરાતી (Gujarati)",
    "kn": "ಕನ್ನಡ (Kannada)",
    "ml": "മലയാളം (Malayalam)",
    "pa": "ਪੰਜਾਬੀ (Punjabi)",
}
GENERATED_PASSWORD_BYTES = 15  # 20 characters of URL-safe base64: 120 random bits

_hasher = PasswordHasher()  # argon2id with argon2-cffi's current recommended parameters


def activated(
    func: Callable[Concatenate[Sampark, P], Awaitable[R]],
) -> Callable[Concatenate[Sampark, P], Awaitable[R]]:
    """Run a service with its kernel's database active (nesting is harmless)."""

    @functools.wraps(func)
    async def run(kernel: Sampark, *args: P.args, **kwargs: P.kwargs) -> R:
        with kernel.activate():
            return await func(kernel, *args, **kwargs)

    return run


# ---------------------------------------------------------------------------
# Passwords
# ---------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``: salted and slow on purpose."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches the hash; a missing or malformed hash never matches."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a (verified) hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def generate_password() -> str:
    """A random password for an admin to hand over (shown once, then changed by its user)."""
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


def check_password(password: str, field: str = "password") -> None:
    """Refuse a password that is too short or too long, naming ``field``."""
    errors = password_errors(password, field)
    if errors:
        raise ValidationError(errors)


def password_errors(password: Any, field: str = "password") -> list[FieldError]:
    """What is wrong with a new password (too short, too long, not text), naming ``field``."""
    if not isinstance(password, str):
        return [FieldError(field, "must be text")]
    if len(password) < MIN_PASSWORD:
        return [FieldError(field, f"must be at least {MIN_PASSWORD} characters long")]
    if len(password) > MAX_PASSWORD:
        return [FieldError(field, f"must be at most {MAX_PASSWORD} characters long")]
    return []


# ---------------------------------------------------------------------------
# Names, roles and lookups
# ---------------------------------------------------------------------------


def username_key(username: str) -> str:
    """The case-folded form usernames are compared (and sign-ins counted) by."""
    return username.strip().lower()


def check_username(username: str, field: str = "username") -> None:
    """Refuse a username that is empty, too long or uses other characters, naming ``field``."""
    errors = _username_errors(username, field)
    if errors:
        raise ValidationError(errors)


def _username_errors(username: str, field: str = "username") -> list[FieldError]:
    if not 1 <= len(username) <= MAX_USERNAME:
        return [FieldError(field, f"must be 1 to {MAX_USERNAME} characters")]
    if not _USERNAME.fullmatch(username):
        return [FieldError(field, "may only use letters a-z, digits and . _ - @")]
    return []


def _role_names(roles: Iterable[str] | str) -> list[str]:
    if isinstance(roles, str):
        roles = [roles]
    return list(dict.fromkeys(str(role).strip() for role in roles))


def _role_errors(kernel: Sampark, roles: list[str]) -> list[FieldError]:
    known = ", ".join(sorted(kernel.roles))
    return [
        FieldError(f"roles[{index}]", f"unknown role {role!r} (known roles: {known})")
        for index, role in enumerate(roles)
        if role not in kernel.roles
    ]


def _grants_manage(kernel: Sampark, roles: Iterable[str]) -> bool:
    return any(
        MANAGE in kernel.roles[name].permissions(kernel.permission_names)
        for name in roles
        if name in kernel.roles
    )


async def find_user(
    conn: BaseDBAsyncClient, username: Any, columns: str = USER_COLUMNS
) -> dict[str, Any] | None:
    """The row of the user called ``username`` in any case (unique by lower(username))."""
    if not isinstance(username, str) or not username.strip():
        return None
    rows = await fetch(
        conn,
        f"SELECT {columns} FROM core_user WHERE lower(username) = ?",
        [username_key(username)],
    )
    return rows[0] if rows else None


async def _existing(conn: BaseDBAsyncClient, username: str) -> dict[str, Any]:
    row = await find_user(conn, username)
    if row is None:
        raise NotFoundError("user", username)
    return row


def user_record(row: dict[str, Any]) -> UserRecord:
    return UserRecord(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"] or "",
        email=row["email"],
        roles=tuple(read_json(row["roles"]) or ()),
        is_active=bool(row["is_active"]),
        last_login_at=read_time(row["last_login_at"]),
        created_at=read_time(row["created_at"]),
        language=row["language"] or "",
        time_zone=row["time_zone"] or "",
    )


def actor_of(kernel: Sampark, row: dict[str, Any]) -> Actor:
    """The actor of a user row (``id``, ``username``, ``roles``; ``language`` and
    ``time_zone`` if selected): their roles' permissions and their preferences."""
    roles = read_json(row["roles"]) or []
    return actor_for(
        row["id"],
        row["username"],
        roles,
        kernel.roles,
        kernel.permission_names,
        language=row.get("language") or "",
        time_zone=row.get("time_zone") or "",
    )


def require_self_or_manager(actor: Actor, username: str) -> None:
    """Users may handle their own account; anyone else's needs ``users.manage``."""
    own = actor.user_id is not None and username_key(actor.username) == username_key(username)
    if not own:
        actor.require(MANAGE)


async def audit_user(
    conn: BaseDBAsyncClient,
    actor: Actor,
    user_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """The audit row of a change to a user (call it inside the change's transaction)."""
    await record_change(conn, actor, "user", user_id, action, before, after)


def _password_changed() -> tuple[dict[str, Any], dict[str, Any]]:
    # The trail says that a password changed, never what it was or became.
    return {}, {"password": "changed"}


# ---------------------------------------------------------------------------
# Managing users
# ---------------------------------------------------------------------------


@activated
async def add_user(
    kernel: Sampark,
    username: str,
    *,
    password: str | None = None,
    roles: Iterable[str] | str = ("agent",),
    display_name: str = "",
    email: str | None = None,
    actor: Actor = SYSTEM,
) -> UserRecord:
    """Add a user; without a password they own records but cannot sign in yet."""
    actor.require(MANAGE)
    username = username.strip() if isinstance(username, str) else ""
    display_name = (display_name or "").strip()
    role_names = _role_names(roles)
    errors = _username_errors(username)
    if not errors and await find_user(kernel.connection, username, "id") is not None:
        errors = [FieldError("username", f"{username!r} is taken")]
    if password is not None:
        errors += password_errors(password)
    errors += _role_errors(kernel, role_names)
    if problem := text_problem(display_name):
        errors.append(FieldError("display_name", problem))
    if len(display_name) > MAX_DISPLAY_NAME:
        errors.append(FieldError("display_name", f"must be at most {MAX_DISPLAY_NAME} characters"))
    if email:
        try:
            email = clean_email(email, "email")
        except ValidationError as exc:
            errors += exc.errors
    if errors:
        raise ValidationError(errors)
    password_hash = None if password is None else await asyncio.to_thread(hash_password, password)
    created = now()
    try:
        async with in_transaction() as conn:
            rows = await fetch(
                conn,
                "INSERT INTO core_user "
                "(username, display_name, email, is_active, password_hash, roles, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    username,
                    display_name,
                    email or None,
                    True,
                    password_hash,
                    db_json(role_names),
                    db_time(conn, created),
                ],
            )
            shown = {
                "username": username,
                "display_name": display_name,
                "email": email or None,
                "roles": role_names,
                "password": "set" if password_hash else None,
            }
            await audit_user(conn, actor, rows[0]["id"], "create", None, shown)
    except IntegrityError:  # the same name, added at the same moment
        raise ValidationError.single("username", f"{username!r} is taken") from None
    return UserRecord(
        id=rows[0]["id"],
        username=username,
        display_name=display_name,
        email=email or None,
        roles=tuple(role_names),
        created_at=created,
    )


@activated
async def list_users(
    kernel: Sampark,
    *,
    cursor: str | None = None,
    limit: int = 100,
    actor: Actor = SYSTEM,
) -> Page[UserRecord]:
    """Every user, enabled or not, by username, a page at a time."""
    actor.require(MANAGE)
    check_limit(limit)
    conditions, params = "", []
    if cursor is not None:
        (after,) = decode_cursor(cursor, 1)
        if not isinstance(after, str):
            raise ValidationError.single("cursor", "is not a cursor this server gave out")
        conditions, params = "WHERE username > ? ", [after]
    rows = await fetch(
        kernel.connection,
        f"SELECT {USER_COLUMNS} FROM core_user {conditions}ORDER BY username LIMIT ?",
        [*params, limit + 1],
    )
    more = len(rows) > limit
    users = [user_record(row) for row in rows[:limit]]
    return Page(users, encode_cursor(users[-1].username) if more else None)


@activated
async def get_user(kernel: Sampark, username: str, *, actor: Actor = SYSTEM) -> UserRecord:
    """One user by name (any case); NotFoundError if there is none."""
    require_self_or_manager(actor, username)
    return user_record(await _existing(kernel.connection, username))


@activated
async def set_password(
    kernel: Sampark, username: str, password: str, *, actor: Actor = SYSTEM
) -> None:
    """Replace a user's password and end their browser sessions (API tokens stay valid).

    Ending the sessions means a reset locks out whoever knew the old password.
    """
    require_self_or_manager(actor, username)
    check_password(password)
    user = await _existing(kernel.connection, username)
    password_hash = await asyncio.to_thread(hash_password, password)
    async with in_transaction() as conn:
        await execute(
            conn, "UPDATE core_user SET password_hash = ? WHERE id = ?", [password_hash, user["id"]]
        )
        await _revoke(conn, "core_web_session", user["id"])
        await audit_user(conn, actor, user["id"], "update", *_password_changed())


@activated
async def set_roles(
    kernel: Sampark, username: str, roles: Iterable[str] | str, *, actor: Actor = SYSTEM
) -> UserRecord:
    """Replace a user's roles; the last active user who can manage users keeps that power."""
    actor.require(MANAGE)
    role_names = _role_names(roles)
    errors = _role_errors(kernel, role_names)
    if errors:
        raise ValidationError(errors)
    user = await _existing(kernel.connection, username)
    async with in_transaction() as conn:
        # The write comes first, so a SQLite transaction never has to upgrade a read lock.
        await execute(
            conn, "UPDATE core_user SET roles = ? WHERE id = ?", [db_json(role_names), user["id"]]
        )
        loses_manage = _grants_manage(kernel, read_json(user["roles"]) or []) and (
            not _grants_manage(kernel, role_names)
        )
        if user["is_active"] and loses_manage:
            await _keep_a_manager(kernel, conn, user, "roles")
        before = {"roles": read_json(user["roles"]) or []}
        await audit_user(conn, actor, user["id"], "update", before, {"roles": role_names})
    return user_record({**user, "roles": role_names})


@activated
async def disable_user(kernel: Sampark, username: str, *, actor: Actor = SYSTEM) -> UserRecord:
    """Stop a user signing in; their sessions and API tokens end in the same transaction."""
    actor.require(MANAGE)
    user = await _existing(kernel.connection, username)
    if user["id"] == actor.user_id:
        raise ValidationError.single(
            "username", "you cannot disable yourself: ask another admin to do it"
        )
    async with in_transaction() as conn:
        await execute(conn, "UPDATE core_user SET is_active = ? WHERE id = ?", [False, user["id"]])
        if user["is_active"] and _grants_manage(kernel, read_json(user["roles"]) or []):
            await _keep_a_manager(kernel, conn, user, "username")
        await _revoke(conn, "core_web_session", user["id"])
        await _revoke(conn, "core_api_token", user["id"])
        if user["is_active"]:
            await audit_user(
                conn, actor, user["id"], "update", {"is_active": True}, {"is_active": False}
            )
    return user_record({**user, "is_active": False})


@activated
async def enable_user(kernel: Sampark, username: str, *, actor: Actor = SYSTEM) -> UserRecord:
    """Let a disabled user sign in again (their old sessions and tokens stay revoked)."""
    actor.require(MANAGE)
    user = await _existing(kernel.connection, username)
    async with in_transaction() as conn:
        await execute(conn, "UPDATE core_user SET is_active = ? WHERE id = ?", [True, user["id"]])
        if not user["is_active"]:
            await audit_user(
                conn, actor, user["id"], "update", {"is_active": False}, {"is_active": True}
            )
    return user_record({**user, "is_active": True})


def _preference_errors(language: Any, time_zone: Any) -> list[FieldError]:
    errors = []
    if language not in ("", *LANGUAGES):
        known = ", ".join(LANGUAGES)
        errors.append(FieldError("language", f"must be one of {known} (got {language!r})"))
    if time_zone != "" and time_zone not in time_zones():
        message = f"unknown time zone {time_zone!r}: use a name like Asia/Kolkata"
        errors.append(FieldError("time_zone", message))
    return errors


@functools.cache
def time_zones() -> frozenset[str]:
    """The IANA time zone names a user may choose (those zoneinfo can load here)."""
    return frozenset(zoneinfo.available_timezones())


@activated
async def set_preferences(
    kernel: Sampark,
    username: str,
    *,
    language: str = "",
    time_zone: str = "",
    actor: Actor = SYSTEM,
) -> UserRecord:
    """Set a user's language (a code in ``LANGUAGES``) and time zone ("" = the default)."""
    require_self_or_manager(actor, username)
    language = language.strip() if isinstance(language, str) else language
    time_zone = time_zone.strip() if isinstance(time_zone, str) else time_zone
    errors = _preference_errors(language, time_zone)
    if errors:
        raise ValidationError(errors)
    user = await _existing(kernel.connection, username)
    async with in_transaction() as conn:
        await execute(
            conn,
            "UPDATE core_user SET language = ?, time_zone = ? WHERE id = ?",
            [language, time_zone, user["id"]],
        )
        before = {"language": user["language"], "time_zone": user["time_zone"]}
        after = {"language": language, "time_zone": time_zone}
        await audit_user(conn, actor, user["id"], "update", before, after)
    return user_record({**user, "language": language, "time_zone": time_zone})


@activated
async def actor_for_user(kernel: Sampark, user_id: int | None) -> Actor | None:
    """The actor of an enabled user; None for no id, an unknown id or a disabled user."""
    if user_id is None:
        return None
    rows = await fetch(
        kernel.connection,
        "SELECT id, username, roles, is_active, language, time_zone FROM core_user WHERE id = ?",
        [user_id],
    )
    if not rows or not rows[0]["is_active"]:
        return None
    return actor_of(kernel, rows[0])


@activated
async def managers(kernel: Sampark) -> list[str]:
    """The usernames of the enabled users whose roles let them manage users."""
    rows = await fetch(
        kernel.connection,
        "SELECT username, roles FROM core_user WHERE is_active = ? ORDER BY username",
        [True],
    )
    return [
        row["username"] for row in rows if _grants_manage(kernel, read_json(row["roles"]) or [])
    ]


async def _keep_a_manager(
    kernel: Sampark, conn: BaseDBAsyncClient, user: dict[str, Any], field: str
) -> None:
    """Refuse (rolling back) a change that leaves nobody able to manage users."""
    rows = await fetch(
        conn, "SELECT roles FROM core_user WHERE is_active = ? AND id <> ?", [True, user["id"]]
    )
    if not any(_grants_manage(kernel, read_json(row["roles"]) or []) for row in rows):
        raise ValidationError.single(
            field,
            f"{user['username']} is the last active user who may manage users: "
            "give another user the admin role first",
        )


async def _revoke(conn: BaseDBAsyncClient, table: str, user_id: int) -> None:
    await execute(
        conn,
        f"UPDATE {table} SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
        [db_time(conn, now()), user_id],
    )


# ---------------------------------------------------------------------------
# What records need: an owner or an author by name
# ---------------------------------------------------------------------------


async def create_user(
    kernel: Sampark, username: str, display_name: str = "", email: str | None = None
) -> int:
    """Add a user with no roles and no password (someone to own records); return its id."""
    user = await add_user(
        kernel, username, roles=(), display_name=display_name, email=email or None
    )
    return user.id


async def user_id_for(kernel: Sampark, username: str, where: str = "owner") -> int:
    """The id of the user called ``username``; a field error naming ``where`` if none."""
    row = await find_user(kernel.connection, username, "id")
    if row is None:
        raise ValidationError.single(where, f"no user named {username!r}")
    return row["id"]
