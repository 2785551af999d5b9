"""Who works where: links between contacts and accounts, with a role and dates.

A contact has at most one primary link (their main organisation); marking a link primary
clears the contact's other primary link in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from sampark.core.errors import FieldError, NotFoundError, ValidationError
from sampark.core.models import Account, Contact, ContactAccountLink
from sampark.core.records import LinkRecord, Page
from sampark.core.services.search import db_date, db_time, fetch, now

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


async def _require_live(model: type[Contact] | type[Account], entity: str, key: int) -> None:
    if not await model.filter(id=key, deleted_at=None).exists():
        raise NotFoundError(entity, key)


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


async def get_link(kernel: Sampark, link_id: int) -> LinkRecord:
    """One link with both names filled in."""
    row = await ContactAccountLink.filter(id=link_id).first().values(*_COLUMNS)
    if row is None:
        raise NotFoundError("link", link_id)
    return _record(row)


async def link_contact(
    kernel: Sampark,
    contact_id: int,
    account_id: int,
    *,
    role: str = "",
    primary: bool = False,
    start_date: dt.date | str | None = None,
    end_date: dt.date | str | None = None,
) -> LinkRecord:
    """Record that a contact works at (or belongs to) an account, in a given role.

    The same contact and account may be linked several times with different roles
    (say "Director" and "Board member"), never twice with the same one.
    """
    role, primary, start, end = _clean_link(role, primary, start_date, end_date)
    await _require_live(Contact, "contact", contact_id)
    await _require_live(Account, "account", account_id)
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
    record = await get_link(kernel, link_id)
    await kernel.plugins.notify(
        "record_saved", kernel=kernel, entity="link", record=record, created=True
    )
    return record


async def unlink(kernel: Sampark, link_id: int) -> None:
    """Remove a link for good (links carry no history of their own to restore)."""
    record = await get_link(kernel, link_id)
    deleted = await ContactAccountLink.filter(id=link_id).delete()
    if not deleted:
        raise NotFoundError("link", link_id)
    await kernel.plugins.notify(
        "record_deleted", kernel=kernel, entity="link", record=record, soft=False
    )


async def links_of_contact(kernel: Sampark, contact_id: int) -> Page[LinkRecord]:
    """The accounts a contact is linked to: primary first, then by account name."""
    rows = await (
        ContactAccountLink.filter(contact_id=contact_id, account__deleted_at=None)
        .order_by("-is_primary", "account__sort_name", "id")
        .values(*_COLUMNS)
    )
    if not rows:
        await _require_exists(Contact, "contact", contact_id)
    return Page([_record(row) for row in rows])


async def links_of_account(kernel: Sampark, account_id: int) -> Page[LinkRecord]:
    """The contacts linked to an account: primary links first, then by contact name."""
    rows = await (
        ContactAccountLink.filter(account_id=account_id, contact__deleted_at=None)
        .order_by("-is_primary", "contact__sort_name", "id")
        .values(*_COLUMNS)
    )
    if not rows:
        await _require_exists(Account, "account", account_id)
    return Page([_record(row) for row in rows])


async def _require_exists(model: type[Contact] | type[Account], entity: str, key: int) -> None:
    """An empty list is only an answer for a record that exists (deleted ones included)."""
    if not await model.filter(id=key).exists():
        raise NotFoundError(entity, key)
