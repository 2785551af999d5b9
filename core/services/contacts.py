"""Contacts: create, read, change, soft-delete, restore, list and search people.

Every write is one transaction that also updates the search index; plugins hear about it
(``record_saved`` / ``record_deleted``) only after the commit.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from sampark.core.errors import NotFoundError, StaleRecordError, ValidationError
from sampark.core.pagination import check_limit
from sampark.core.records import ContactRecord, Page
from sampark.core.services.channels import channels_of, load_channels, replace_channels
from sampark.core.services.inputs import (
    ContactInput,
    clean_contact,
    clean_contact_changes,
    default_display_name,
    input_fields,
    validate_with_plugins,
)
from sampark.core.services.search import (
    db_date,
    db_json,
    db_time,
    fetch,
    keyset_page,
    marks,
    now,
    read_date,
    read_json,
    read_time,
    refresh_search,
    remove_from_search,
    search_ids,
)
from sampark.core.services.tags import load_tags, set_tags, tag_ids, tag_key
from sampark.core.services.users import user_id_for

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
    conn: BaseDBAsyncClient, ids: list[int], *, include_deleted: bool = False
) -> list[ContactRecord]:
    """The contacts with these ids, ordered by name."""
    if not ids:
        return []
    live = "" if include_deleted else " AND c.deleted_at IS NULL"
    rows = await fetch(
        conn,
        f"{_SELECT} WHERE c.id IN ({marks(len(ids))}){live} ORDER BY c.sort_name, c.id",
        ids,
    )
    return await _records(conn, rows)


async def _load_one(
    conn: BaseDBAsyncClient, contact_id: int, *, include_deleted: bool = False
) -> ContactRecord:
    records = await _load(conn, [contact_id], include_deleted=include_deleted)
    if not records:
        raise NotFoundError(ENTITY, contact_id)
    return records[0]


def _check_id(contact_id: Any) -> int:
    if isinstance(contact_id, bool) or not isinstance(contact_id, int):
        raise NotFoundError(ENTITY, contact_id)
    return contact_id


async def get_contact(
    kernel: Sampark, contact_id: int, *, include_deleted: bool = False
) -> ContactRecord:
    """One contact; a soft-deleted one only with ``include_deleted``."""
    return await _load_one(
        kernel.connection, _check_id(contact_id), include_deleted=include_deleted
    )


async def list_contacts(
    kernel: Sampark,
    *,
    tag: str | None = None,
    owner: str | None = None,
    deleted: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[ContactRecord]:
    """Contacts by name, a page at a time.

    ``deleted=True`` lists only the soft-deleted ones, most recently deleted first.
    """
    limit = check_limit(limit)
    conn = kernel.connection
    conditions = ["c.deleted_at IS NOT NULL" if deleted else "c.deleted_at IS NULL"]
    params: list[Any] = []
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


async def search_contacts(kernel: Sampark, query: str, *, limit: int = 20) -> Page[ContactRecord]:
    """Live contacts matching every word of ``query`` in a name, email, phone or tag."""
    if not isinstance(query, str):
        raise ValidationError.single("query", "must be text")
    limit = check_limit(limit)
    ids = await search_ids(kernel, ENTITY, query, limit)
    return Page(await _load(kernel.connection, ids))


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


async def create_contact(kernel: Sampark, data: dict[str, Any]) -> ContactRecord:
    """Validate and add a contact with its emails, phones, addresses and tags."""
    contact = clean_contact(kernel, data)
    contact = replace(contact, custom=_without_empty(contact.custom))
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
) -> ContactRecord:
    """Apply ``changes``; lists given are replaced whole, custom values are merged.

    With ``expected_version`` the edit is refused (StaleRecordError) unless the contact
    is still at that version; the check and the write are one statement.
    """
    cleaned = clean_contact_changes(kernel, changes)
    for _ in range(_RETRIES):
        existing = await get_contact(kernel, contact_id)
        if expected_version is not None and existing.version != expected_version:
            raise StaleRecordError(ENTITY, contact_id, expected_version, existing.version)
        contact = _merge(existing, cleaned)
        await validate_with_plugins(kernel, ENTITY, input_fields(contact), existing)
        owner_id = await _owner_id(kernel, contact.owner)
        record = await _write_update(
            kernel, contact_id, existing.version, contact, cleaned, owner_id
        )
        if record is not None:
            await kernel.plugins.notify(
                "record_saved", kernel=kernel, entity=ENTITY, record=record, created=False
            )
            return record
        if expected_version is not None:
            break
    current = await get_contact(kernel, contact_id)
    expected = existing.version if expected_version is None else expected_version
    raise StaleRecordError(ENTITY, contact_id, expected, current.version)


async def _write_update(
    kernel: Sampark,
    contact_id: int,
    version: int,
    contact: ContactInput,
    cleaned: dict[str, Any],
    owner_id: int | None,
) -> ContactRecord | None:
    """Write the update if the row is still at ``version``; None if someone got there first."""
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
        return await _load_one(conn, contact_id)


async def delete_contact(kernel: Sampark, contact_id: int) -> None:
    """Soft-delete: hidden from lists and search until restored."""
    _check_id(contact_id)
    async with in_transaction() as conn:
        stamp = db_time(conn, now())
        rows = await fetch(
            conn,
            "UPDATE core_contact SET deleted_at = ?, updated_at = ?, version = version + 1 "
            "WHERE id = ? AND deleted_at IS NULL RETURNING id",
            [stamp, stamp, contact_id],
        )
        if not rows:
            raise NotFoundError(ENTITY, contact_id)
        await remove_from_search(kernel, conn, ENTITY, [contact_id])
        record = await _load_one(conn, contact_id, include_deleted=True)
    await kernel.plugins.notify(
        "record_deleted", kernel=kernel, entity=ENTITY, record=record, soft=True
    )


async def restore_contact(kernel: Sampark, contact_id: int) -> ContactRecord:
    """Bring a soft-deleted contact back into lists and search (a live one is left as is)."""
    _check_id(contact_id)
    async with in_transaction() as conn:
        rows = await fetch(
            conn,
            "UPDATE core_contact SET deleted_at = NULL, updated_at = ?, version = version + 1 "
            "WHERE id = ? AND deleted_at IS NOT NULL RETURNING id",
            [db_time(conn, now()), contact_id],
        )
        if rows:
            await refresh_search(kernel, conn, ENTITY, [contact_id])
            record = await _load_one(conn, contact_id)
    if not rows:
        return await get_contact(kernel, contact_id)
    await kernel.plugins.notify(
        "record_saved", kernel=kernel, entity=ENTITY, record=record, created=False
    )
    return record
