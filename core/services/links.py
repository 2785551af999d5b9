"""Who works where: links between contacts and accounts, with a role and dates.

A contact has at most one primary link (their main organisation); marking a link primary
clears the contact's other primary link in the same transaction. Changing links needs
``accounts.write``; an actor sees a link only if they see both its contact and account,
and each link or unlink leaves an audit row on both.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from sampark.core.errors import FieldError, NotFoundError, ValidationError
from sampark.core.ids import check_id
from sampark.core.models import ContactAccountLink
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import LinkRecord, Page
from sampark.core.services.audit import record_change
from sampark.core.services.scope import owner_condition, where
from sampark.core.sql import db_date, db_time, fetch, now
from sampark.core.text import text_problem

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

_ROLE_MAX = 200
_COLUMNS = (
    "id",
    "contact_id",
    "account_id",
    "contact__display_name",
    "account__name",
    "role",
    "is_primary",
    "start_date",
    "end_date",
)


def _date(value: Any, where: str, errors: list[FieldError]) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.append(FieldError(where, f"must be a date as YYYY-MM-DD (got {value!r})"))
    return None


def _clean_link(
    role: Any, primary: Any, start_date: Any, end_date: Any
) -> tuple[str, bool, dt.date | None, dt.date | None]:
    errors: list[FieldError] = []
    if role is None:
        role = ""
    if not isinstance(role, str):
        errors.append(FieldError("role", f"must be text (got {type(role).__name__})"))
        role = ""
    role = role.strip()
    if problem := text_problem(role):
        errors.append(FieldError("role", problem))
    if len(role) > _ROLE_MAX:
        errors.append(FieldError("role", f"must be at most {_ROLE_MAX} characters"))
    if not isinstance(primary, bool):
        errors.append(FieldError("primary", f"must be true or false (got {primary!r})"))
    start = _date(start_date, "start_date", errors)
    end = _date(end_date, "end_date", errors)
    if start and end and end < start:
        errors.append(
            FieldError(
                "end_date",
                f"must not be before start_date ({end.isoformat()} < {start.isoformat()})",
            )
        )
    if errors:
        raise ValidationError(errors)
    return role, primary, start, end


async def _require_visible(
    kernel: Sampark, entity: str, key: Any, actor: Actor, *, live: bool = True
) -> None:
    """The contact or account exists (and is live, if ``live``) and the actor sees it."""
    check_id(entity, key)
    conditions, params = owner_condition(actor, "r")
    if live:
        conditions.append("r.deleted_at IS NULL")
    rows = await fetch(
        kernel.connection,
        f"SELECT r.id FROM core_{entity} r WHERE r.id = ?{where(conditions)}",
        [key, *params],
    )
    if not rows:
        raise NotFoundError(entity, key)


def _visible(actor: Actor) -> Q:
    """The ORM filter keeping links whose contact and account the actor both sees."""
    if actor.sees_everything():
        return Q()
    return Q(contact__owner_id=actor.user_id, account__owner_id=actor.user_id)


def _record(row: dict[str, Any]) -> LinkRecord:
    return LinkRecord(
        id=row["id"],
        contact_id=row["contact_id"],
        account_id=row["account_id"],
        contact_name=row["contact__display_name"] or "",
        account_name=row["account__name"] or "",
        role=row["role"],
        primary=bool(row["is_primary"]),
        start_date=row["start_date"],
        end_date=row["end_date"],
    )


async def _get_link(
    link_id: Any, actor: Actor, conn: BaseDBAsyncClient | None = None
) -> LinkRecord:
    check_id("link", link_id)
    query = ContactAccountLink.filter(_visible(actor), id=link_id).using_db(conn)
    row = await query.first().values(*_COLUMNS)
    if row is None:
        raise NotFoundError("link", link_id)
    return _record(row)


async def get_link(kernel: Sampark, link_id: int, *, actor: Actor = SYSTEM) -> LinkRecord:
    """One link with both names filled in."""
    actor.require("contacts.read")
    actor.require("accounts.read")
    return await _get_link(link_id, actor)


async def link_contact(
    kernel: Sampark,
    contact_id: int,
    account_id: int,
    *,
    role: str = "",
    primary: bool = False,
    start_date: dt.date | str | None = None,
    end_date: dt.date | str | None = None,
    actor: Actor = SYSTEM,
) -> LinkRecord:
    """Record that a contact works at (or belongs to) an account, in a given role.

    The same contact and account may be linked several times with different roles
    (say "Director" and "Board member"), never twice with the same one.
    """
    actor.require("accounts.write")
    role, primary, start, end = _clean_link(role, primary, start_date, end_date)
    await _require_visible(kernel, "contact", contact_id, actor)
    await _require_visible(kernel, "account", account_id, actor)
    async with in_transaction() as conn:
        # Write first: a SQLite write transaction that starts with a read can fail with
        # SQLITE_BUSY_SNAPSHOT when another process writes meanwhile. Raw SQL rather than
        # Model.create: tortoise caches insert SQL per connection name, not per engine.
        # The unique index on (contact, account, lower(role)) settles concurrent duplicates.
        try:
            inserted = await fetch(
                conn,
                "INSERT INTO core_contact_account "
                "(contact_id, account_id, role, is_primary, start_date, end_date, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    contact_id,
                    account_id,
                    role,
                    primary,
                    db_date(conn, start),
                    db_date(conn, end),
                    db_time(conn, now()),
                ],
            )
        except IntegrityError:
            described = f"as {role!r}" if role else "without a role"
            raise ValidationError.single(
                "role",
                f"contact {contact_id} is already linked to account {account_id} {described}",
            ) from None
        link_id = inserted[0]["id"]
        if primary:
            await (
                ContactAccountLink.filter(contact_id=contact_id, is_primary=True)
                .exclude(id=link_id)
                .using_db(conn)
                .update(is_primary=False)
            )
        record = await _get_link(link_id, SYSTEM, conn)
        await _audit(conn, actor, "link", record)
    await kernel.plugins.notify(
        "record_saved", kernel=kernel, entity="link", record=record, created=True
    )
    return record


async def _audit(conn: BaseDBAsyncClient, actor: Actor, action: str, link: LinkRecord) -> None:
    """One audit row on the contact and one on the account: both pages show the link."""
    before, after = (None, link) if action == "link" else (link, None)
    await record_change(conn, actor, "contact", link.contact_id, action, before, after)
    await record_change(conn, actor, "account", link.account_id, action, before, after)


async def unlink(kernel: Sampark, link_id: int, *, actor: Actor = SYSTEM) -> None:
    """Remove a link for good (links carry no history of their own to restore)."""
    actor.require("accounts.write")
    record = await _get_link(link_id, actor)
    async with in_transaction() as conn:
        deleted = await ContactAccountLink.filter(id=link_id).using_db(conn).delete()
        if not deleted:
            raise NotFoundError("link", link_id)
        await _audit(conn, actor, "unlink", record)
    await kernel.plugins.notify(
        "record_deleted", kernel=kernel, entity="link", record=record, soft=False
    )


async def links_of_contact(
    kernel: Sampark, contact_id: int, *, actor: Actor = SYSTEM
) -> Page[LinkRecord]:
    """The accounts a contact is linked to: primary first, then by account name."""
    actor.require("contacts.read")
    actor.require("accounts.read")
    await _require_visible(kernel, "contact", contact_id, actor, live=False)
    rows = await (
        ContactAccountLink.filter(_visible(actor), contact_id=contact_id, account__deleted_at=None)
        .order_by("-is_primary", "account__sort_name", "id")
        .values(*_COLUMNS)
    )
    return Page([_record(row) for row in rows])


async def links_of_account(
    kernel: Sampark, account_id: int, *, actor: Actor = SYSTEM
) -> Page[LinkRecord]:
    """The contacts linked to an account: primary links first, then by contact name."""
    actor.require("contacts.read")
    actor.require("accounts.read")
    await _require_visible(kernel, "account", account_id, actor, live=False)
    rows = await (
        ContactAccountLink.filter(_visible(actor), account_id=account_id, contact__deleted_at=None)
        .order_by("-is_primary", "contact__sort_name", "id")
        .values(*_COLUMNS)
    )
    return Page([_record(row) for row in rows])
