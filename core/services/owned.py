"""What contacts and accounts share: owned, tagged, searchable records with soft delete.

Each service module describes its table once as an :class:`OwnedTable` (how to build its
records, its column values, the parts written beside the row) and gets the shared
plumbing: scoped reads, keyset lists, search, the version-checked update with retries,
soft delete and restore. Permissions are checked by the services before they call in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from sampark.core.errors import NotFoundError, StaleRecordError, ValidationError
from sampark.core.ids import check_id
from sampark.core.pagination import check_limit
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import Page
from sampark.core.services.audit import record_change
from sampark.core.services.inputs import input_fields, validate_with_plugins
from sampark.core.services.scope import owner_condition, owner_for_change, where
from sampark.core.services.search import keyset_page, refresh_search, remove_from_search, search_ids
from sampark.core.services.tags import tag_ids, tag_key
from sampark.core.services.users import user_id_for
from sampark.core.sql import Row, db_time, fetch, fetch_rows, marks, now

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark


class OwnedRecord(Protocol):
    """What the plumbing reads of a record (ContactRecord, AccountRecord)."""

    @property
    def id(self) -> int: ...
    @property
    def version(self) -> int: ...
    @property
    def deleted_at(self) -> dt.datetime | None: ...


class OwnedInput(Protocol):
    """What the plumbing reads of a cleaned input (ContactInput, AccountInput)."""

    @property
    def owner(self) -> str | None: ...


R = TypeVar("R", bound=OwnedRecord)
I = TypeVar("I", bound=OwnedInput)  # noqa: E741

# Without an explicit version, an edit that loses a race is re-applied on the fresh row.
RETRIES = 3


def without_empty(custom: dict[str, Any]) -> dict[str, Any]:
    """A cleared custom field is removed rather than stored as null."""
    return {name: value for name, value in custom.items() if value is not None}


@dataclass(frozen=True)
class OwnedTable(Generic[R, I]):
    """One kind of owned record and how to read and write it.

    ``build(conn, rows)`` turns selected rows into records (loading their channels and
    tags); ``values(conn, input, owner_id)`` gives ``columns``' values; and
    ``write_parts(conn, id, input, given)`` writes what lives beside the row (channels,
    tags, kinds) for the field names in ``given``.
    """

    entity: str
    alias: str
    select: str
    columns: tuple[str, ...]
    build: Callable[[BaseDBAsyncClient, Sequence[Row]], Awaitable[list[R]]]
    values: Callable[[BaseDBAsyncClient, I, int | None], list[Any]]
    write_parts: Callable[[BaseDBAsyncClient, int, I, Collection[str]], Awaitable[None]]

    @property
    def table(self) -> str:
        return f"core_{self.entity}"

    # -- reading ----------------------------------------------------------------

    def check_id(self, record_id: Any) -> int:
        return check_id(self.entity, record_id)

    async def load(
        self,
        conn: BaseDBAsyncClient,
        ids: list[int],
        *,
        include_deleted: bool = False,
        actor: Actor = SYSTEM,
    ) -> list[R]:
        """The records with these ids that ``actor`` may see, ordered by name."""
        if not ids:
            return []
        alias = self.alias
        conditions, params = owner_condition(actor, alias)
        if not include_deleted:
            conditions.append(f"{alias}.deleted_at IS NULL")
        rows = await fetch_rows(
            conn,
            f"{self.select} WHERE {alias}.id IN ({marks(len(ids))}){where(conditions)} "
            f"ORDER BY {alias}.sort_name, {alias}.id",
            [*ids, *params],
        )
        return await self.build(conn, rows)

    async def load_one(
        self,
        conn: BaseDBAsyncClient,
        record_id: int,
        *,
        include_deleted: bool = False,
        actor: Actor = SYSTEM,
    ) -> R:
        records = await self.load(conn, [record_id], include_deleted=include_deleted, actor=actor)
        if not records:
            raise NotFoundError(self.entity, record_id)
        return records[0]

    async def page(
        self,
        kernel: Sampark,
        conditions: list[str],
        params: list[Any],
        *,
        tag: str | None,
        owner: str | None,
        deleted: bool,
        cursor: str | None,
        limit: int,
        actor: Actor,
    ) -> Page[R]:
        """A page by name (or newest deletion first), with the entity's own ``conditions``."""
        limit = check_limit(limit)
        conn = kernel.connection
        alias = self.alias
        scope, scope_params = owner_condition(actor, alias)
        conditions = [*scope, *conditions]
        params = [*scope_params, *params]
        conditions.append(f"{alias}.deleted_at IS {'NOT ' if deleted else ''}NULL")
        if owner:
            conditions.append(f"{alias}.owner_id = ?")
            params.append(await user_id_for(kernel, owner))
        if tag:
            found = await tag_ids(conn, [tag_key(tag)])
            if not found:
                return Page([])
            conditions.append(
                f"EXISTS (SELECT 1 FROM {self.table}_tag l "
                f"WHERE l.{self.entity}_id = {alias}.id AND l.tag_id = ?)"
            )
            params.extend(found.values())
        rows, next_cursor = await keyset_page(
            conn,
            self.select,
            alias,
            conditions,
            params,
            cursor=cursor,
            limit=limit,
            deleted=deleted,
        )
        return Page(await self.build(conn, rows), next_cursor)

    async def search(self, kernel: Sampark, query: Any, limit: int, actor: Actor) -> Page[R]:
        """Live records the actor may see matching every word of ``query``."""
        if not isinstance(query, str):
            raise ValidationError.single("query", "must be text")
        limit = check_limit(limit)
        owner_id = None if actor.sees_everything() else actor.user_id
        ids = await search_ids(kernel, self.entity, query, limit, owner_id=owner_id)
        return Page(await self.load(kernel.connection, ids, actor=actor))

    # -- writing ----------------------------------------------------------------

    async def owner_id(self, kernel: Sampark, owner: str | None) -> int | None:
        return await user_id_for(kernel, owner) if owner else None

    async def insert(
        self, kernel: Sampark, record: I, fields: Collection[str], owner: str | None, actor: Actor
    ) -> R:
        """Write a new record with its ``fields`` parts, index and audit it, tell plugins."""
        owner_id = await self.owner_id(kernel, owner)
        columns = ", ".join(self.columns)
        async with in_transaction() as conn:
            stamp = db_time(conn, now())
            rows = await fetch(
                conn,
                f"INSERT INTO {self.table} ({columns}, created_at, updated_at, version) "
                f"VALUES ({marks(len(self.columns) + 2)}, 1) RETURNING id",
                [*self.values(conn, record, owner_id), stamp, stamp],
            )
            record_id = rows[0]["id"]
            await self.write_parts(conn, record_id, record, fields)
            await refresh_search(kernel, conn, self.entity, [record_id])
            saved = await self.load_one(conn, record_id)
            await record_change(conn, actor, self.entity, record_id, "create", None, saved)
        await kernel.plugins.notify(
            "record_saved", kernel=kernel, entity=self.entity, record=saved, created=True
        )
        return saved

    async def update(
        self,
        kernel: Sampark,
        record_id: Any,
        cleaned: dict[str, Any],
        *,
        merge: Callable[[R, dict[str, Any]], I],
        check: Callable[[I], Awaitable[None]] | None = None,
        expected_version: int | None,
        actor: Actor,
    ) -> R:
        """Apply cleaned changes: ``merge(existing, cleaned)`` gives the record to write.

        With ``expected_version`` the edit is refused (StaleRecordError) unless the record
        is still at that version; the check and the write are one statement. Without it,
        an edit that loses a race is merged again onto the fresh row.
        """
        record_id = self.check_id(record_id)
        if "owner" in cleaned:
            cleaned["owner"] = owner_for_change(actor, cleaned["owner"])
        conn = kernel.connection
        for _ in range(RETRIES):
            existing = await self.load_one(conn, record_id, actor=actor)
            if expected_version is not None and existing.version != expected_version:
                raise StaleRecordError(
                    self.entity,
                    record_id,
                    expected_version,
                    existing.version,
                )
            record = merge(existing, cleaned)
            await validate_with_plugins(kernel, self.entity, input_fields(record), existing)
            if check is not None:
                await check(record)
            saved = await self._write_update(kernel, existing, record, cleaned, actor)
            if saved is not None:
                await kernel.plugins.notify(
                    "record_saved", kernel=kernel, entity=self.entity, record=saved, created=False
                )
                return saved
            if expected_version is not None:
                break
        current = await self.load_one(conn, record_id, actor=actor)
        expected = existing.version if expected_version is None else expected_version
        raise StaleRecordError(self.entity, record_id, expected, current.version)

    async def _write_update(
        self, kernel: Sampark, existing: R, record: I, cleaned: dict[str, Any], actor: Actor
    ) -> R | None:
        """Write the update if the row is still as ``existing``; None if someone got there first.

        The version check also keeps the actor's scope: an owner change bumps the version.
        """
        owner_id = await self.owner_id(kernel, record.owner)
        assignments = ", ".join(f"{column} = ?" for column in self.columns)
        async with in_transaction() as conn:
            rows = await fetch(
                conn,
                f"UPDATE {self.table} SET {assignments}, updated_at = ?, version = version + 1 "
                "WHERE id = ? AND version = ? AND deleted_at IS NULL RETURNING id",
                [
                    *self.values(conn, record, owner_id),
                    db_time(conn, now()),
                    existing.id,
                    existing.version,
                ],
            )
            if not rows:
                return None
            await self.write_parts(conn, existing.id, record, cleaned.keys())
            await refresh_search(kernel, conn, self.entity, [existing.id])
            saved = await self.load_one(conn, existing.id)
            await record_change(conn, actor, self.entity, existing.id, "update", existing, saved)
            return saved

    async def soft_delete(
        self, kernel: Sampark, record_id: Any, *, actor: Actor, expected_version: int | None
    ) -> None:
        """Hide a live record from lists and search, then tell plugins after the commit.

        The scope and version checks sit in the UPDATE itself, so a concurrent edit can
        never slip between the check and the delete.
        """
        record_id = self.check_id(record_id)
        scope, scope_params = owner_condition(actor, self.table)
        version_check = " AND version = ?" if expected_version is not None else ""
        async with in_transaction() as conn:
            stamp = db_time(conn, now())
            rows = await fetch(
                conn,
                f"UPDATE {self.table} SET deleted_at = ?, updated_at = ?, version = version + 1 "
                f"WHERE id = ? AND deleted_at IS NULL{where(scope)}{version_check} RETURNING id",
                [stamp, stamp, record_id, *scope_params]
                + ([] if expected_version is None else [expected_version]),
            )
            if not rows:
                if expected_version is not None:
                    current = await self.load_one(conn, record_id, actor=actor)
                    raise StaleRecordError(
                        self.entity,
                        record_id,
                        expected_version,
                        current.version,
                    )
                raise NotFoundError(self.entity, record_id)
            await remove_from_search(kernel, conn, self.entity, [record_id])
            record = await self.load_one(conn, record_id, include_deleted=True)
            before = dataclasses.replace(record, deleted_at=None)
            await record_change(conn, actor, self.entity, record_id, "delete", before, None)
        await kernel.plugins.notify(
            "record_deleted", kernel=kernel, entity=self.entity, record=record, soft=True
        )

    async def restore(self, kernel: Sampark, record_id: Any, *, actor: Actor) -> R:
        """Bring a soft-deleted record back into lists and search (a live one is left as is)."""
        record_id = self.check_id(record_id)
        conn = kernel.connection
        for _ in range(RETRIES):
            deleted = await self.load_one(conn, record_id, include_deleted=True, actor=actor)
            if deleted.deleted_at is None:
                return deleted
            record = await self._write_restore(kernel, deleted, actor)
            if record is not None:
                await kernel.plugins.notify(
                    "record_saved", kernel=kernel, entity=self.entity, record=record, created=False
                )
                return record
        current = await self.load_one(conn, record_id, include_deleted=True, actor=actor)
        raise StaleRecordError(self.entity, record_id, deleted.version, current.version)

    async def _write_restore(self, kernel: Sampark, deleted: R, actor: Actor) -> R | None:
        """Restore the record if it is still as ``deleted``; None if it changed meanwhile."""
        async with in_transaction() as conn:
            rows = await fetch(
                conn,
                f"UPDATE {self.table} SET deleted_at = NULL, updated_at = ?, "
                "version = version + 1 "
                "WHERE id = ? AND version = ? AND deleted_at IS NOT NULL RETURNING id",
                [db_time(conn, now()), deleted.id, deleted.version],
            )
            if not rows:
                return None
            await refresh_search(kernel, conn, self.entity, [deleted.id])
            record = await self.load_one(conn, deleted.id)
            await record_change(conn, actor, self.entity, deleted.id, "restore", deleted, record)
            return record
