"""Accounts: create, read, change, soft-delete, restore, list and search organisations.

An account has kinds (customer, supplier, …; several at once), may belong to a parent
account, and reaches people through the same emails, phones and addresses as contacts.
Every call runs as an actor, checked and scoped as contacts are, and every write leaves an
audit row in its own transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient

from sampark.core.errors import ValidationError
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import AccountRecord, Page
from sampark.core.services.channels import channels_of, load_channels, replace_channels
from sampark.core.services.inputs import (
    AccountInput,
    clean_account,
    clean_account_changes,
    input_fields,
    validate_with_plugins,
)
from sampark.core.services.owned import OwnedTable, without_empty
from sampark.core.services.scope import owner_condition, owner_for_new, where
from sampark.core.services.tags import load_tags, set_tags
from sampark.core.sql import (
    Row,
    db_json,
    execute,
    execute_many,
    fetch,
    fetch_rows,
    marks,
    read_json,
    read_time,
)

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

ENTITY = "account"
# Deeper than any real group of companies; stops the walk should bad data hold a loop.
_MAX_DEPTH = 1000

_SELECT = (
    "SELECT a.id, a.name, a.sort_name, a.website, a.registration_number, a.vat_number, "
    "a.parent_id, a.notes, a.custom, a.created_at, a.updated_at, a.deleted_at, a.version, "
    "u.username AS owner FROM core_account a LEFT JOIN core_user u ON u.id = a.owner_id"
)
_COLUMNS = (
    *("name", "sort_name", "website", "registration_number", "vat_number", "parent_id"),
    *("notes", "custom", "owner_id"),
)
_ALL_PARTS = ("kinds", "emails", "phones", "addresses", "tags")


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


async def _kinds(conn: BaseDBAsyncClient, ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    rows = await fetch_rows(
        conn,
        f"SELECT account_id, kind FROM core_account_kind WHERE account_id IN "
        f"({marks(len(ids))}) ORDER BY account_id, id",
        ids,
    )
    kinds: dict[int, list[str]] = {}
    for row in rows:
        kinds.setdefault(row["account_id"], []).append(row["kind"])
    return {account_id: tuple(names) for account_id, names in kinds.items()}


async def _records(conn: BaseDBAsyncClient, rows: Sequence[Row]) -> list[AccountRecord]:
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


async def _write_parts(
    conn: BaseDBAsyncClient, account_id: int, account: AccountInput, given: Collection[str]
) -> None:
    """The kinds, emails, phones, addresses and tags among the ``given`` fields."""
    if "kinds" in given:
        await _write_kinds(conn, account_id, account.kinds)
    await replace_channels(
        conn,
        ENTITY,
        account_id,
        emails=account.emails if "emails" in given else None,
        phones=account.phones if "phones" in given else None,
        addresses=account.addresses if "addresses" in given else None,
    )
    if "tags" in given:
        await set_tags(conn, ENTITY, account_id, account.tags)


async def _write_kinds(conn: BaseDBAsyncClient, account_id: int, kinds: tuple[str, ...]) -> None:
    await execute(conn, "DELETE FROM core_account_kind WHERE account_id = ?", [account_id])
    await execute_many(
        conn,
        "INSERT INTO core_account_kind (account_id, kind) VALUES (?, ?)",
        [[account_id, kind] for kind in kinds],
    )


def _values(conn: BaseDBAsyncClient, account: AccountInput, owner_id: int | None) -> list[Any]:
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


ACCOUNTS: OwnedTable[AccountRecord, AccountInput] = OwnedTable(
    entity=ENTITY,
    alias="a",
    select=_SELECT,
    columns=_COLUMNS,
    build=_records,
    values=_values,
    write_parts=_write_parts,
)


async def get_account(
    kernel: Sampark, account_id: int, *, include_deleted: bool = False, actor: Actor = SYSTEM
) -> AccountRecord:
    """One account; a soft-deleted one only with ``include_deleted``."""
    actor.require("accounts.read")
    return await ACCOUNTS.load_one(
        kernel.connection,
        ACCOUNTS.check_id(account_id),
        include_deleted=include_deleted,
        actor=actor,
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
    conditions: list[str] = []
    params: list[Any] = []
    if kind:
        if kind not in kernel.account_kinds:
            raise ValidationError.single(
                "kind", f"must be one of {', '.join(kernel.account_kinds)} (got {kind!r})"
            )
        conditions.append(
            "EXISTS (SELECT 1 FROM core_account_kind k WHERE k.account_id = a.id AND k.kind = ?)"
        )
        params.append(kind)
    return await ACCOUNTS.page(
        kernel,
        conditions,
        params,
        tag=tag,
        owner=owner,
        deleted=deleted,
        cursor=cursor,
        limit=limit,
        actor=actor,
    )


async def search_accounts(
    kernel: Sampark, query: str, *, limit: int = 20, actor: Actor = SYSTEM
) -> Page[AccountRecord]:
    """Live accounts the actor may see matching every word of ``query``.

    Words match any part of a name, website, email, phone number or tag.
    """
    actor.require("accounts.read")
    return await ACCOUNTS.search(kernel, query, limit, actor)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


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


async def create_account(
    kernel: Sampark, data: dict[str, Any], *, actor: Actor = SYSTEM
) -> AccountRecord:
    """Validate and add an account with its kinds, channels and tags.

    A signed-in user naming no owner owns the new account (see ``scope.owner_for_new``).
    """
    actor.require("accounts.write")
    account = clean_account(kernel, data)
    owner = owner_for_new(actor, "owner" in data, account.owner)
    account = replace(account, custom=without_empty(account.custom), owner=owner)
    await validate_with_plugins(kernel, ENTITY, input_fields(account), None)
    await _check_parent(kernel, None, account.parent_id, actor)
    return await ACCOUNTS.insert(kernel, account, _ALL_PARTS, account.owner, actor)


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
        custom=without_empty({**existing.custom, **changes.get("custom", {})}),
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
    ACCOUNTS.check_id(account_id)
    cleaned = clean_account_changes(kernel, changes)

    async def check(account: AccountInput) -> None:
        if "parent_id" in cleaned:
            await _check_parent(kernel, account_id, account.parent_id, actor)

    return await ACCOUNTS.update(
        kernel,
        account_id,
        cleaned,
        merge=_merge,
        check=check,
        expected_version=expected_version,
        actor=actor,
    )


async def delete_account(
    kernel: Sampark,
    account_id: int,
    *,
    actor: Actor = SYSTEM,
    expected_version: int | None = None,
) -> None:
    """Soft-delete: hidden from lists and search until restored.

    With ``expected_version``, an account changed since that version is left alone
    (StaleRecordError).
    """
    actor.require("accounts.delete")
    await ACCOUNTS.soft_delete(kernel, account_id, actor=actor, expected_version=expected_version)


async def restore_account(
    kernel: Sampark, account_id: int, *, actor: Actor = SYSTEM
) -> AccountRecord:
    """Bring a soft-deleted account back into lists and search (a live one is left as is)."""
    actor.require("accounts.delete")
    return await ACCOUNTS.restore(kernel, account_id, actor=actor)
