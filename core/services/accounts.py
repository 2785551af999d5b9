"""Accounts: create, read, change, soft-delete, restore, list and search organisations.

An account has kinds (customer, supplier, …; several at once), may belong to a parent
account, and reaches people through the same emails, phones and addresses as contacts.
Every call runs as an actor, checked and scoped as contacts are, and every write leaves an
audit row in its own transaction.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from sampark.core.errors import NotFoundError, StaleRecordError, ValidationError
from sampark.core.pagination import check_limit
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import AccountRecord, Page
from sampark.core.services.audit import record_change
from sampark.core.services.channels import channels_of, load_channels, replace_channels
from sampark.core.services.inputs import (
    AccountInput,
    clean_account,
    clean_account_changes,
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
    db_json,
    db_time,
    execute,
    execute_many,
    fetch,
    marks,
    now,
    read_json,
    read_time,
)

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

ENTITY = "account"
_RETRIES = 3
# Deeper than any real group of companies; stops the walk should bad data hold a loop.
_MAX_DEPTH = 1000

_SELECT = (
    "SELECT a.id, a.name, a.sort_name, a.website, a.registration_number, a.vat_number, "
    "a.parent_id, a.notes, a.custom, a.created_at, a.updated_at, a.deleted_at, a.version, "
    "u.username AS owner FROM core_account a LEFT JOIN core_user u ON u.id = a.owner_id"
)
_COLUMNS = (
    "name, sort_name, website, registration_number, vat_number, parent_id, notes, custom, owner_id"
)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


async def _kinds(conn: BaseDBAsyncClient, ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    rows = await fetch(
        conn,
        f"SELECT account_id, kind FROM core_account_kind WHERE account_id IN "
        f"({marks(len(ids))}) ORDER BY account_id, id",
        ids,
    )
    kinds: dict[int, list[str]] = {}
    for row in rows:
        kinds.setdefault(row["account_id"], []).append(row["kind"])
    return {account_id: tuple(names) for account_id, names in kinds.items()}


async def _records(conn: BaseDBAsyncClient, rows: list[dict[str, Any]]) -> list[AccountRecord]:
    """Records for a page of rows: one query each for kinds, channels and tags."""
    ids = [row["id"] for row in rows]
    kinds = await _kinds(conn, ids)
    channels = await load_channels(conn, ENTITY, ids)
    tags = await load_tags(conn, ENTITY, ids)
    records = []
    for row in rows:
        reach = channels_of(channels, row["id"])
        records.append(
            AccountRecord(
                id=row["id"],
                name=row["name"],
                kinds=kinds.get(row["id"], ()),
                website=row["website"],
                registration_number=row["registration_number"],
                vat_number=row["vat_number"],
                emails=reach.emails,
                phones=reach.phones,
                addresses=reach.addresses,
                parent_id=row["parent_id"],
                tags=tags.get(row["id"], ()),
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
) -> list[AccountRecord]:
    """The accounts with these ids that ``actor`` may see, ordered by name."""
    if not ids:
        return []
    conditions, params = owner_condition(actor, "a")
    if not include_deleted:
        conditions.append("a.deleted_at IS NULL")
    rows = await fetch(
        conn,
        f"{_SELECT} WHERE a.id IN ({marks(len(ids))}){where(conditions)} "
        "ORDER BY a.sort_name, a.id",
        [*ids, *params],
    )
    return await _records(conn, rows)


async def _load_one(
    conn: BaseDBAsyncClient,
    account_id: int,
    *,
    include_deleted: bool = False,
    actor: Actor = SYSTEM,
) -> AccountRecord:
    records = await _load(conn, [account_id], include_deleted=include_deleted, actor=actor)
    if not records:
        raise NotFoundError(ENTITY, account_id)
    return records[0]


def _check_id(account_id: Any) -> int:
    if isinstance(account_id, bool) or not isinstance(account_id, int):
        raise NotFoundError(ENTITY, account_id)
    return account_id


async def get_account(
    kernel: Sampark, account_id: int, *, include_deleted: bool = False, actor: Actor = SYSTEM
) -> AccountRecord:
    """One account; a soft-deleted one only with ``include_deleted``."""
    actor.require("accounts.read")
    return await _load_one(
        kernel.connection, _check_id(account_id), include_deleted=include_deleted, actor=actor
    )


async def list_accounts(
    kernel: Sampark,
    *,
    tag: str | None = None,
    kind: str | None = None,
    owner: str | None = None,
    deleted: bool = False,
    cursor: str | None = None,
    limit: int = 50,
    actor: Actor = SYSTEM,
) -> Page[AccountRecord]:
    """Accounts the actor may see by name, a page at a time, optionally of one tag, kind or owner.

    ``deleted=True`` lists only the soft-deleted ones, most recently deleted first.
    """
    actor.require("accounts.read")
    limit = check_limit(limit)
    conn = kernel.connection
    conditions, params = owner_condition(actor, "a")
    conditions.append("a.deleted_at IS NOT NULL" if deleted else "a.deleted_at IS NULL")
    if kind:
        if kind not in kernel.account_kinds:
            raise ValidationError.single(
                "kind", f"must be one of {', '.join(kernel.account_kinds)} (got {kind!r})"
            )
        conditions.append(
            "EXISTS (SELECT 1 FROM core_account_kind k WHERE k.account_id = a.id AND k.kind = ?)"
        )
        params.append(kind)
    if owner:
        conditions.append("a.owner_id = ?")
        params.append(await user_id_for(kernel, owner))
    if tag:
        found = await tag_ids(conn, [tag_key(tag)])
        if not found:
            return Page([])
        conditions.append(
            "EXISTS (SELECT 1 FROM core_account_tag l WHERE l.account_id = a.id AND l.tag_id = ?)"
        )
        params.extend(found.values())
    rows, next_cursor = await keyset_page(
        conn, _SELECT, "a", conditions, params, cursor=cursor, limit=limit, deleted=deleted
    )
    return Page(await _records(conn, rows), next_cursor)


async def search_accounts(
    kernel: Sampark, query: str, *, limit: int = 20, actor: Actor = SYSTEM
) -> Page[AccountRecord]:
    """Live accounts the actor may see matching every word of ``query``.

    Words match any part of a name, website, email, phone number or tag.
    """
    actor.require("accounts.read")
    if not isinstance(query, str):
        raise ValidationError.single("query", "must be text")
    limit = check_limit(limit)
    owner_id = None if actor.sees_everything() else actor.user_id
    ids = await search_ids(kernel, ENTITY, query, limit, owner_id=owner_id)
    return Page(await _load(kernel.connection, ids, actor=actor))


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _values(account: AccountInput, owner_id: int | None) -> list[Any]:
    """Column values in the order of ``_COLUMNS``."""
    return [
        account.name,
        account.sort_name,
        account.website,
        account.registration_number,
        account.vat_number,
        account.parent_id,
        account.notes,
        db_json(account.custom),
        owner_id,
    ]


def _without_empty(custom: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in custom.items() if value is not None}


async def _check_parent(
    kernel: Sampark, account_id: int | None, parent_id: int | None, actor: Actor
) -> None:
    """The parent must be a live account the actor sees, not the account or one below it."""
    if parent_id is None:
        return
    if parent_id == account_id:
        raise ValidationError.single("parent_id", "an account cannot be its own parent")
    conn = kernel.connection
    scope, scope_params = owner_condition(actor, "a")
    rows = await fetch(
        conn,
        f"SELECT a.id FROM core_account a WHERE a.id = ? AND a.deleted_at IS NULL{where(scope)}",
        [parent_id, *scope_params],
    )
    if not rows:
        raise ValidationError.single("parent_id", f"no account with id {parent_id}")
    if account_id is None:
        return
    above = await fetch(
        conn,
        "WITH RECURSIVE up (id, parent_id, depth) AS ("
        " SELECT id, parent_id, 0 FROM core_account WHERE id = ?"
        " UNION ALL"
        " SELECT a.id, a.parent_id, up.depth + 1 FROM core_account a"
        " JOIN up ON a.id = up.parent_id WHERE up.depth < ?"
        ") SELECT id FROM up WHERE id = ? LIMIT 1",
        [parent_id, _MAX_DEPTH, account_id],
    )
    if above:
        raise ValidationError.single(
            "parent_id",
            f"account {parent_id} is already inside account {account_id}: that would make a loop",
        )


async def _write_kinds(conn: BaseDBAsyncClient, account_id: int, kinds: tuple[str, ...]) -> None:
    await execute(conn, "DELETE FROM core_account_kind WHERE account_id = ?", [account_id])
    await execute_many(
        conn,
        "INSERT INTO core_account_kind (account_id, kind) VALUES (?, ?)",
        [[account_id, kind] for kind in kinds],
    )


async def _owner_id(kernel: Sampark, owner: str | None) -> int | None:
    return await user_id_for(kernel, owner) if owner else None


async def create_account(
    kernel: Sampark, data: dict[str, Any], *, actor: Actor = SYSTEM
) -> AccountRecord:
    """Validate and add an account with its kinds, channels and tags.

    A signed-in user naming no owner owns the new account (see ``scope.owner_for_new``).
    """
    actor.require("accounts.write")
    account = clean_account(kernel, data)
    owner = owner_for_new(actor, "owner" in data, account.owner)
    account = replace(account, custom=_without_empty(account.custom), owner=owner)
    await validate_with_plugins(kernel, ENTITY, input_fields(account), None)
    await _check_parent(kernel, None, account.parent_id, actor)
    owner_id = await _owner_id(kernel, account.owner)
    async with in_transaction() as conn:
        stamp = db_time(conn, now())
        rows = await fetch(
            conn,
            f"INSERT INTO core_account ({_COLUMNS}, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
            [*_values(account, owner_id), stamp, stamp],
        )
        account_id = rows[0]["id"]
        await _write_kinds(conn, account_id, account.kinds)
        await replace_channels(
            conn,
            ENTITY,
            account_id,
            emails=account.emails,
            phones=account.phones,
            addresses=account.addresses,
        )
        await set_tags(conn, ENTITY, account_id, account.tags)
        await refresh_search(kernel, conn, ENTITY, [account_id])
        record = await _load_one(conn, account_id)
        await record_change(conn, actor, ENTITY, account_id, "create", None, record)
    await kernel.plugins.notify(
        "record_saved", kernel=kernel, entity=ENTITY, record=record, created=True
    )
    return record


def _merge(existing: AccountRecord, changes: dict[str, Any]) -> AccountInput:
    """The account as it will be once ``changes`` apply."""
    name = changes.get("name", existing.name)
    return AccountInput(
        name=name,
        sort_name=name.casefold(),
        kinds=changes.get("kinds", existing.kinds),
        website=changes.get("website", existing.website),
        registration_number=changes.get("registration_number", existing.registration_number),
        vat_number=changes.get("vat_number", existing.vat_number),
        emails=changes.get("emails", existing.emails),
        phones=changes.get("phones", existing.phones),
        addresses=changes.get("addresses", existing.addresses),
        parent_id=changes.get("parent_id", existing.parent_id),
        tags=changes.get("tags", existing.tags),
        notes=changes.get("notes", existing.notes),
        owner=changes.get("owner", existing.owner),
        custom=_without_empty({**existing.custom, **changes.get("custom", {})}),
    )


async def update_account(
    kernel: Sampark,
    account_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
    actor: Actor = SYSTEM,
) -> AccountRecord:
    """Apply ``changes``; lists given are replaced whole, custom values are merged.

    With ``expected_version`` the edit is refused (StaleRecordError) unless the account
    is still at that version.
    """
    actor.require("accounts.write")
    account_id = _check_id(account_id)
    cleaned = clean_account_changes(kernel, changes)
    if "owner" in cleaned:
        cleaned["owner"] = owner_for_change(actor, cleaned["owner"])
    conn = kernel.connection
    for _ in range(_RETRIES):
        existing = await _load_one(conn, account_id, actor=actor)
        if expected_version is not None and existing.version != expected_version:
            raise StaleRecordError(ENTITY, account_id, expected_version, existing.version)
        account = _merge(existing, cleaned)
        await validate_with_plugins(kernel, ENTITY, input_fields(account), existing)
        if "parent_id" in cleaned:
            await _check_parent(kernel, account_id, account.parent_id, actor)
        owner_id = await _owner_id(kernel, account.owner)
        record = await _write_update(kernel, existing, account, cleaned, owner_id, actor)
        if record is not None:
            await kernel.plugins.notify(
                "record_saved", kernel=kernel, entity=ENTITY, record=record, created=False
            )
            return record
        if expected_version is not None:
            break
    current = await _load_one(conn, account_id, actor=actor)
    expected = existing.version if expected_version is None else expected_version
    raise StaleRecordError(ENTITY, account_id, expected, current.version)


async def _write_update(
    kernel: Sampark,
    existing: AccountRecord,
    account: AccountInput,
    cleaned: dict[str, Any],
    owner_id: int | None,
    actor: Actor,
) -> AccountRecord | None:
    """Write the update if the row is still as ``existing``; None if someone got there first.

    The version check also keeps the actor's scope: an owner change bumps the version.
    """
    account_id, version = existing.id, existing.version
    assignments = ", ".join(f"{column.strip()} = ?" for column in _COLUMNS.split(","))
    async with in_transaction() as conn:
        rows = await fetch(
            conn,
            f"UPDATE core_account SET {assignments}, updated_at = ?, version = version + 1 "
            "WHERE id = ? AND version = ? AND deleted_at IS NULL RETURNING id",
            [*_values(account, owner_id), db_time(conn, now()), account_id, version],
        )
        if not rows:
            return None
        if "kinds" in cleaned:
            await _write_kinds(conn, account_id, account.kinds)
        await replace_channels(
            conn,
            ENTITY,
            account_id,
            emails=cleaned.get("emails"),
            phones=cleaned.get("phones"),
            addresses=cleaned.get("addresses"),
        )
        if "tags" in cleaned:
            await set_tags(conn, ENTITY, account_id, account.tags)
        await refresh_search(kernel, conn, ENTITY, [account_id])
        record = await _load_one(conn, account_id)
        await record_change(conn, actor, ENTITY, account_id, "update", existing, record)
        return record


async def delete_account(
    kernel: Sampark,
    account_id: int,
    *,
    actor: Actor = SYSTEM,
    expected_version: int | None = None,
) -> None:
    """Soft-delete: hidden from lists and search until restored.

    With ``expected_version``, a account changed since that version is left alone
    (StaleRecordError).
    """
    actor.require("accounts.delete")
    await soft_delete(
        kernel,
        ENTITY,
        _check_id(account_id),
        actor=actor,
        expected_version=expected_version,
        load_one=_load_one,
    )


async def restore_account(
    kernel: Sampark, account_id: int, *, actor: Actor = SYSTEM
) -> AccountRecord:
    """Bring a soft-deleted account back into lists and search (a live one is left as is)."""
    actor.require("accounts.delete")
    _check_id(account_id)
    conn = kernel.connection
    for _ in range(_RETRIES):
        deleted = await _load_one(conn, account_id, include_deleted=True, actor=actor)
        if deleted.deleted_at is None:
            return deleted
        record = await _write_restore(kernel, deleted, actor)
        if record is not None:
            await kernel.plugins.notify(
                "record_saved", kernel=kernel, entity=ENTITY, record=record, created=False
            )
            return record
    current = await _load_one(conn, account_id, include_deleted=True, actor=actor)
    raise StaleRecordError(ENTITY, account_id, deleted.version, current.version)


async def _write_restore(
    kernel: Sampark, deleted: AccountRecord, actor: Actor
) -> AccountRecord | None:
    """Restore the account if it is still as ``deleted``; None if it changed meanwhile."""
    async with in_transaction() as conn:
        rows = await fetch(
            conn,
            "UPDATE core_account SET deleted_at = NULL, updated_at = ?, version = version + 1 "
            "WHERE id = ? AND version = ? AND deleted_at IS NOT NULL RETURNING id",
            [db_time(conn, now()), deleted.id, deleted.version],
        )
        if not rows:
            return None
        await refresh_search(kernel, conn, ENTITY, [deleted.id])
        record = await _load_one(conn, deleted.id)
        await record_change(conn, actor, ENTITY, deleted.id, "restore", deleted, record)
        return record
