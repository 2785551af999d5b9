"""Contacts: create, read, change, soft-delete, restore, list and search people.

Every call runs as an actor: its permission is checked first, and a contact outside the
actor's scope is not found. Every write is one transaction that also updates the search
index and writes the audit row; plugins hear about it (``record_saved`` /
``record_deleted``) only after the commit.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient

from sampark.core.errors import ValidationError
from sampark.core.permissions import SYSTEM, Actor
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
from sampark.core.services.owned import OwnedTable, without_empty
from sampark.core.services.scope import owner_for_new
from sampark.core.services.tags import load_tags, set_tags
from sampark.core.sql import Row, db_date, db_json, read_date, read_json, read_time

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

ENTITY = "contact"

_SELECT = (
    "SELECT c.id, c.first_name, c.last_name, c.display_name, c.sort_name, c.language, "
    "c.birthday, c.notes, c.custom, c.created_at, c.updated_at, c.deleted_at, c.version, "
    "u.username AS owner FROM core_contact c LEFT JOIN core_user u ON u.id = c.owner_id"
)
_COLUMNS = (
    *("first_name", "last_name", "display_name", "sort_name", "language", "birthday"),
    *("notes", "custom", "owner_id"),
)
_ALL_PARTS = ("emails", "phones", "addresses", "tags")


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


async def _records(conn: BaseDBAsyncClient, rows: Sequence[Row]) -> list[ContactRecord]:
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


async def _write_parts(
    conn: BaseDBAsyncClient, contact_id: int, contact: ContactInput, given: Collection[str]
) -> None:
    """The emails, phones, addresses and tags among the ``given`` fields."""
    await replace_channels(
        conn,
        ENTITY,
        contact_id,
        emails=contact.emails if "emails" in given else None,
        phones=contact.phones if "phones" in given else None,
        addresses=contact.addresses if "addresses" in given else None,
    )
    if "tags" in given:
        await set_tags(conn, ENTITY, contact_id, contact.tags)


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


CONTACTS: OwnedTable[ContactRecord, ContactInput] = OwnedTable(
    entity=ENTITY,
    alias="c",
    select=_SELECT,
    columns=_COLUMNS,
    build=_records,
    values=_values,
    write_parts=_write_parts,
)


async def get_contact(
    kernel: Sampark, contact_id: int, *, include_deleted: bool = False, actor: Actor = SYSTEM
) -> ContactRecord:
    """One contact; a soft-deleted one only with ``include_deleted``."""
    actor.require("contacts.read")
    return await CONTACTS.load_one(
        kernel.connection,
        CONTACTS.check_id(contact_id),
        include_deleted=include_deleted,
        actor=actor,
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
    return await CONTACTS.page(
        kernel,
        [],
        [],
        tag=tag,
        owner=owner,
        deleted=deleted,
        cursor=cursor,
        limit=limit,
        actor=actor,
    )


async def search_contacts(
    kernel: Sampark, query: str, *, limit: int = 20, actor: Actor = SYSTEM
) -> Page[ContactRecord]:
    """Live contacts the actor may see matching every word of ``query``.

    Words match any part of a name, email, phone number or tag.
    """
    actor.require("contacts.read")
    return await CONTACTS.search(kernel, query, limit, actor)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


async def create_contact(
    kernel: Sampark, data: dict[str, Any], *, actor: Actor = SYSTEM
) -> ContactRecord:
    """Validate and add a contact with its emails, phones, addresses and tags.

    A signed-in user naming no owner owns the new contact (see ``scope.owner_for_new``).
    """
    actor.require("contacts.write")
    contact = clean_contact(kernel, data)
    owner = owner_for_new(actor, "owner" in data, contact.owner)
    contact = replace(contact, custom=without_empty(contact.custom), owner=owner)
    await validate_with_plugins(kernel, ENTITY, input_fields(contact), None)
    return await CONTACTS.insert(kernel, contact, _ALL_PARTS, contact.owner, actor)


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
        custom=without_empty({**existing.custom, **changes.get("custom", {})}),
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
    CONTACTS.check_id(contact_id)
    cleaned = clean_contact_changes(kernel, changes)
    return await CONTACTS.update(
        kernel, contact_id, cleaned, merge=_merge, expected_version=expected_version, actor=actor
    )


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
    await CONTACTS.soft_delete(kernel, contact_id, actor=actor, expected_version=expected_version)


async def restore_contact(
    kernel: Sampark, contact_id: int, *, actor: Actor = SYSTEM
) -> ContactRecord:
    """Bring a soft-deleted contact back into lists and search (a live one is left as is)."""
    actor.require("contacts.delete")
    return await CONTACTS.restore(kernel, contact_id, actor=actor)
