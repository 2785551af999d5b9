"""Contacts: create, read, change, soft-delete, restore, list and search people.

Every call runs as an actor: its permission is checked first, and a contact outside the
actor's scope is not found. Every write is one transaction that also updates the search
index and writes the audit row; plugins hear about it (``record_saved`` /
``record_deleted``) only after the commit.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from sampark.core.errors import NotFoundError, StaleRecordError, ValidationError
from sampark.core.pagination import check_limit
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import ContactRecord, Page
from sampark.core.services.audit import record_change
from sampark.core.services.channels import channels_of, load_channels, replace_channels
from sampark.core.services.inputs import (
    ContactInput,
    clean_contact,
    clean_contact_changes,
    default_display_name,
    input_fields,
    validate_with_plugins,
)
from sampark.core.services.scope import (
    owner_condition,
    owner_for_change,
    owner_for_new,
    where,
)
from sampark.core.services.search import keyset_page, refresh_search, search_ids
from sampark.core.services.soft_delete import soft_delete
from sampark.core.services.tags import load_tags, set_tags, tag_ids, tag_key
from sampark.core.services.users import user_id_for
from sampark.core.sql import (
    db_date,
    db_json,
    db_time,
    fetch,
    marks,
    now,
    read_date,
    read_json,
    read_time,
)

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

ENTITY = "contact"
# Without an explicit version, an edit that loses a race is re-applied on the fresh row.
_RETRIES = 3

_SELECT = (
    "SELECT c.id, c.first_name, c.last_name, c.display_name, c.sort_name, c.language, "
    "c.birthday, c.notes, c.custom, c.created_at, c.updated_at, c.deleted_at, c.version, "
    "u.username AS owner FROM core_contact c LEFT JOIN core_user u ON u.id = c.owner_id"
)
_COLUMNS = (
    "first_name, last_name, display_name, sort_name, language, birthday, notes, custom, owner_id"
)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


async def _records(conn: BaseDBAsyncClient, rows: list[dict[str, Any]]) -> list[ContactRecord]:
    """Records for a page of rows: one query each for emails, phones, addresses and tags."""
    ids = [row["id"] for row in rows]
    channels = await load_channels(conn, ENTITY, ids)
    tags = await load_tags(conn, ENTITY, ids)
    records = []
    for row in rows:
        reach = channels_of(channels, row["id"])
        records.append(
            ContactRecord(
                id=row["id"],
                display_name=row["display_name"],
                first_name=row["first_name"],
                last_name=row["last_name"],
                emails=reach.emails,
                phones=reach.phones,
                addresses=reach.addresses,
                tags=tags.get(row["id"], ()),
                language=row["language"],
                birthday=read_date(row["birthday"]),
                notes=row["notes"],
                owner=row["owner"],
                custom=read_json(row["custom"]) or {},
                created_at=read_time(row["created_at"]),
                updated_at=read_time(row["updated_at"]),
                deleted_at=read_time(row["deleted_at"]),
                version=row["version"],
            )
        )
    return records


async def _load(
    conn: BaseDBAsyncClient,
    ids: list[int],
    *,
    include_deleted: bool = False,
    actor: Actor = SYSTEM,
) -> list[ContactRecord]:
    """The contacts with these ids that ``actor`` may see, ordered by name."""
    if not ids:
        return []
    conditions, params = owner_condition(actor, "c")
    if not include_deleted:
        conditions.append("c.deleted_at IS NULL")
    rows = await fetch(
        conn,
        f"{_SELECT} WHERE c.id IN ({marks(len(ids))}){where(conditions)} "
        "ORDER BY c.sort_name, c.id",
        [*ids, *params],
    )
    return await _records(conn, rows)


async def _load_one(
    conn: BaseDBAsyncClient,
    contact_id: int,
    *,
    include_deleted: bool = False,
    actor: Actor = SYSTEM,
) -> ContactRecord:
    records = await _load(conn, [contact_id], include_deleted=include_deleted, actor=actor)
    if not records:
        raise NotFoundError(ENTITY, contact_id)
    return records[0]


def _check_id(contact_id: Any) -> int:
    if isinstance(contact_id, bool) or not isinstance(contact_id, int):
        raise NotFoundError(ENTITY, contact_id)
    return contact_id


async def get_contact(
    kernel: Sampark, contact_id: int, *, include_deleted: bool = False, actor: Actor = SYSTEM
) -> ContactRecord:
    """One contact; a soft-deleted one only with ``include_deleted``."""
    actor.require("contacts.read")
    return await _load_one(
        kernel.connection, _check_id(contact_id), include_deleted=include_deleted, actor=actor
    )


async def list_contacts(
    kernel: Sampark,
    *,
    tag: str | None = None,
    owner: str | None = None,
    deleted: bool = False,
    cursor: str | None = None,
    limit: int = 50,
    actor: Actor = SYSTEM,
) -> Page[ContactRecord]:
    """Contacts the actor may see by name, a page at a time.

    ``deleted=True`` lists only the soft-deleted ones, most recently deleted first.
    """
    actor.require("contacts.read")
    limit = check_limit(limit)
    conn = kernel.connection
    conditions, params = owner_condition(actor, "c")
    conditions.append("c.deleted_at IS NOT NULL" if deleted else "c.deleted_at IS NULL")
    if owner:
        conditions.append("c.owner_id = ?")
        params.append(await user_id_for(kernel, owner))
    if tag:
        found = await tag_ids(conn, [tag_key(tag)])
        if not found:
            return Page([])
        conditions.append(
            "EXISTS (SELECT 1 FROM core_contact_tag ct WHERE ct.contact_id = c.id "
            "AND ct.tag_id = ?)"
        )
        params.extend(found.values())
    rows, next_cursor = await keyset_page(
        conn, _SELECT, "c", conditions, params, cursor=cursor, limit=limit, deleted=deleted
    )
    return Page(await _records(conn, rows), next_cursor)


async def search_contacts(
    kernel: Sampark, query: str, *, limit: int = 20, actor: Actor = SYSTEM
) -> Page[ContactRecord]:
    """Live contacts the actor may see matching every word of ``query``.

    Words match any part of a name, email, phone number or tag.
    """
    actor.require("contacts.read")
    if not isinstance(query, str):
        raise ValidationError.single("query", "must be text")
    limit = check_limit(limit)
    owner_id = None if actor.sees_everything() else actor.user_id
    ids = await search_ids(kernel, ENTITY, query, limit, owner_id=owner_id)
    return Page(await _load(kernel.connection, ids, actor=actor))


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _values(conn: BaseDBAsyncClient, contact: ContactInput, owner_id: int | None) -> list[Any]:
    """Column values in the order of ``_COLUMNS``."""
    return [
        contact.first_name,
        contact.last_name,
        contact.display_name,
        contact.sort_name,
        contact.language,
        db_date(conn, contact.birthday),
        contact.notes,
        db_json(contact.custom),
        owner_id,
    ]


def _without_empty(custom: dict[str, Any]) -> dict[str, Any]:
    """A cleared custom field is removed rather than stored as null."""
    return {name: value for name, value in custom.items() if value is not None}


async def _owner_id(kernel: Sampark, owner: str | None) -> int | None:
    return await user_id_for(kernel, owner) if owner else None


async def create_contact(
    kernel: Sampark, data: dict[str, Any], *, actor: Actor = SYSTEM
) -> ContactRecord:
    """Validate and add a contact with its emails, phones, addresses and tags.

    A signed-in user naming no owner owns the new contact (see ``scope.owner_for_new``).
    """
    actor.require("contacts.write")
    contact = clean_contact(kernel, data)
    owner = owner_for_new(actor, "owner" in data, contact.owner)
    contact = replace(contact, custom=_without_empty(contact.custom), owner=owner)
    await validate_with_plugins(kernel, ENTITY, input_fields(contact), None)
    owner_id = await _owner_id(kernel, contact.owner)
    async with in_transaction() as conn:
        stamp = db_time(conn, now())
        rows = await fetch(
            conn,
            f"INSERT INTO core_contact ({_COLUMNS}, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
            [*_values(conn, contact, owner_id), stamp, stamp],
        )
        contact_id = rows[0]["id"]
        await replace_channels(
            conn,
            ENTITY,
            contact_id,
            emails=contact.emails,
            phones=contact.phones,
            addresses=contact.addresses,
        )
        await set_tags(conn, ENTITY, contact_id, contact.tags)
        await refresh_search(kernel, conn, ENTITY, [contact_id])
        record = await _load_one(conn, contact_id)
        await record_change(conn, actor, ENTITY, contact_id, "create", None, record)
    await kernel.plugins.notify(
        "record_saved", kernel=kernel, entity=ENTITY, record=record, created=True
    )
    return record


def _merge(existing: ContactRecord, changes: dict[str, Any]) -> ContactInput:
    """The contact as it will be once ``changes`` apply.

    A display name that was derived from the names follows them; one set by hand stays.
    """
    first = changes.get("first_name", existing.first_name)
    last = changes.get("last_name", existing.last_name)
    emails = changes.get("emails", existing.emails)
    derived = default_display_name(first, last, emails)
    if "display_name" in changes:
        display = changes["display_name"] or derived
    elif existing.display_name == default_display_name(
        existing.first_name, existing.last_name, existing.emails
    ):
        display = derived
    else:
        display = existing.display_name
    if not display:
        raise ValidationError.single("first_name", "a contact needs a name or an email")
    return ContactInput(
        first_name=first,
        last_name=last,
        display_name=display,
        sort_name=display.casefold(),
        emails=emails,
        phones=changes.get("phones", existing.phones),
        addresses=changes.get("addresses", existing.addresses),
        tags=changes.get("tags", existing.tags),
        language=changes.get("language", existing.language),
        birthday=changes.get("birthday", existing.birthday),
        notes=changes.get("notes", existing.notes),
        owner=changes.get("owner", existing.owner),
        custom=_without_empty({**existing.custom, **changes.get("custom", {})}),
    )


async def update_contact(
    kernel: Sampark,
    contact_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
    actor: Actor = SYSTEM,
) -> ContactRecord:
    """Apply ``changes``; lists given are replaced whole, custom values are merged.

    With ``expected_version`` the edit is refused (StaleRecordError) unless the contact
    is still at that version; the check and the write are one statement.
    """
    actor.require("contacts.write")
    contact_id = _check_id(contact_id)
    cleaned = clean_contact_changes(kernel, changes)
    if "owner" in cleaned:
        cleaned["owner"] = owner_for_change(actor, cleaned["owner"])
    conn = kernel.connection
    for _ in range(_RETRIES):
        existing = await _load_one(conn, contact_id, actor=actor)
        if expected_version is not None and existing.version != expected_version:
            raise StaleRecordError(ENTITY, contact_id, expected_version, existing.version)
        contact = _merge(existing, cleaned)
        await validate_with_plugins(kernel, ENTITY, input_fields(contact), existing)
        owner_id = await _owner_id(kernel, contact.owner)
        record = await _write_update(kernel, existing, contact, cleaned, owner_id, actor)
        if record is not None:
            await kernel.plugins.notify(
                "record_saved", kernel=kernel, entity=ENTITY, record=record, created=False
            )
            return record
        if expected_version is not None:
            break
    current = await _load_one(conn, contact_id, actor=actor)
    expected = existing.version if expected_version is None else expected_version
    raise StaleRecordError(ENTITY, contact_id, expected, current.version)


async def _write_update(
    kernel: Sampark,
    existing: ContactRecord,
    contact: ContactInput,
    cleaned: dict[str, Any],
    owner_id: int | None,
    actor: Actor,
) -> ContactRecord | None:
    """Write the update if the row is still as ``existing``; None if someone got there first.

    The version check also keeps the actor's scope: an owner change bumps the version.
    """
    contact_id, version = existing.id, existing.version
    assignments = ", ".join(f"{column.strip()} = ?" for column in _COLUMNS.split(","))
    async with in_transaction() as conn:
        rows = await fetch(
            conn,
            f"UPDATE core_contact SET {assignments}, updated_at = ?, version = version + 1 "
            "WHERE id = ? AND version = ? AND deleted_at IS NULL RETURNING id",
            [*_values(conn, contact, owner_id), db_time(conn, now()), contact_id, version],
        )
        if not rows:
            return None
        await replace_channels(
            conn,
            ENTITY,
            contact_id,
            emails=cleaned.get("emails"),
            phones=cleaned.get("phones"),
            addresses=cleaned.get("addresses"),
        )
        if "tags" in cleaned:
            await set_tags(conn, ENTITY, contact_id, contact.tags)
        await refresh_search(kernel, conn, ENTITY, [contact_id])
        record = await _load_one(conn, contact_id)
        await record_change(conn, actor, ENTITY, contact_id, "update", existing, record)
        return record


async def delete_contact(
    kernel: Sampark,
    contact_id: int,
    *,
    actor: Actor = SYSTEM,
    expected_version: int | None = None,
) -> None:
    """Soft-delete: hidden from lists and search until restored.

    With ``expected_version``, a contact changed since that version is left alone
    (StaleRecordError).
    """
    actor.require("contacts.delete")
    await soft_delete(
        kernel,
        ENTITY,
        _check_id(contact_id),
        actor=actor,
        expected_version=expected_version,
        load_one=_load_one,
    )


async def restore_contact(
    kernel: Sampark, contact_id: int, *, actor: Actor = SYSTEM
) -> ContactRecord:
    """Bring a soft-deleted contact back into lists and search (a live one is left as is)."""
    actor.require("contacts.delete")
    _check_id(contact_id)
    conn = kernel.connection
    for _ in range(_RETRIES):
        deleted = await _load_one(conn, contact_id, include_deleted=True, actor=actor)
        if deleted.deleted_at is None:
            return deleted
        record = await _write_restore(kernel, deleted, actor)
        if record is not None:
            await kernel.plugins.notify(
                "record_saved", kernel=kernel, entity=ENTITY, record=record, created=False
            )
            return record
    current = await _load_one(conn, contact_id, include_deleted=True, actor=actor)
    raise StaleRecordError(ENTITY, contact_id, deleted.version, current.version)


async def _write_restore(
    kernel: Sampark, deleted: ContactRecord, actor: Actor
) -> ContactRecord | None:
    """Restore the contact if it is still as ``deleted``; None if it changed meanwhile."""
    async with in_transaction() as conn:
        rows = await fetch(
            conn,
            "UPDATE core_contact SET deleted_at = NULL, updated_at = ?, version = version + 1 "
            "WHERE id = ? AND version = ? AND deleted_at IS NOT NULL RETURNING id",
            [db_time(conn, now()), deleted.id, deleted.version],
        )
        if not rows:
            return None
        await refresh_search(kernel, conn, ENTITY, [deleted.id])
        record = await _load_one(conn, deleted.id)
        await record_change(conn, actor, ENTITY, deleted.id, "restore", deleted, record)
        return record
