"""Soft delete and restore for a plugin's records, audited like contacts and accounts.

A plugin describes its table once as a :class:`RecordLifecycle` and gets the version-checked
delete and restore, each writing its audit row in the change's own transaction and telling
plugins afterwards (``record_deleted`` with ``soft=True``; ``record_saved`` on restore).
Its table needs ``id``, ``version``, ``updated_at`` and a nullable ``deleted_at`` column, and
its reads must leave rows with ``deleted_at`` set out by default.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from sampark.core.errors import NotFoundError, StaleRecordError
from sampark.core.ids import check_id
from sampark.core.permissions import Actor
from sampark.core.services.audit import AuditedRecords, Snapshot, record_change
from sampark.core.sql import db_time, fetch, now

if TYPE_CHECKING:
    import datetime as dt

    from sampark.core.kernel import Sampark


class Deletable(Protocol):
    """What the lifecycle reads of a record (DealRecord, TicketRecord)."""

    @property
    def id(self) -> int: ...
    @property
    def version(self) -> int: ...


R = TypeVar("R", bound=Deletable)

Loader = Callable[["Sampark", BaseDBAsyncClient, int, Actor, bool], Awaitable[R]]
"""``load(kernel, conn, id, actor, include_deleted)``: the record if ``actor`` may see it, else
NotFoundError; deleted ones only with ``include_deleted``."""

Written = Callable[["Sampark", BaseDBAsyncClient, R, R, Actor], Awaitable[None]]
"""``written(kernel, conn, after, before, actor)``: the plugin's own follow-up, in the
transaction of the delete or restore (``after.deleted_at`` tells which)."""

# A delete or restore that loses a race with an edit is tried again on the fresh row.
RETRIES = 3


def _same(record: Any) -> Snapshot:
    return record


@dataclass(frozen=True)
class RecordLifecycle(Generic[R]):
    """Soft delete, restore and a readable audit trail for one kind of plugin record.

    ``entity`` names it in the audit trail and errors ("deal"); ``table`` is its table;
    ``read_permission`` lets an actor read it (and its audit, with ``audit.read``);
    ``delete_permission`` lets an actor delete and restore it; ``load`` reads one record
    as an actor sees it; ``snapshot`` gives what the audit keeps of a record (the record
    itself by default); ``written`` is the plugin's own follow-up in the same transaction;
    ``labels`` name its fields for people (``{"amount": "Amount"}``).
    """

    entity: str
    table: str
    read_permission: str
    delete_permission: str
    load: Loader[R]
    snapshot: Callable[[R], Snapshot] = _same
    written: Written[R] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def audited(self) -> AuditedRecords:
        """What the ``audited_records`` hook gives so ``crm.audit(entity, id)`` reads these."""
        return AuditedRecords(
            entity=self.entity,
            read_permission=self.read_permission,
            find=self.find,
            labels=self.labels,
        )

    async def find(self, kernel: Sampark, record_id: int, actor: Actor) -> R:
        """The record, deleted or not, if ``actor`` may see it; NotFoundError otherwise."""
        return await self.load(kernel, kernel.connection, record_id, actor, True)

    async def delete(
        self, kernel: Sampark, record_id: Any, *, expected_version: int | None, actor: Actor
    ) -> R:
        """Hide a live record from every list; the deleted record is returned.

        With ``expected_version`` a record changed since is left alone (StaleRecordError).
        The version check sits in the UPDATE, so no edit slips between check and delete.
        """
        actor.require(self.delete_permission)
        record_id = check_id(self.entity, record_id)
        gone = await self._flip(kernel, record_id, True, expected_version, actor)
        await kernel.plugins.notify(
            "record_deleted", kernel=kernel, entity=self.entity, record=gone, soft=True
        )
        return gone

    async def restore(
        self, kernel: Sampark, record_id: Any, *, expected_version: int | None, actor: Actor
    ) -> R:
        """Bring a deleted record back into the lists (a live one is returned as it is)."""
        actor.require(self.delete_permission)
        record_id = check_id(self.entity, record_id)
        current = await self.load(kernel, kernel.connection, record_id, actor, True)
        if _deleted_at(current) is None:
            if expected_version is not None and current.version != expected_version:
                raise StaleRecordError(self.entity, record_id, expected_version, current.version)
            return current
        back = await self._flip(kernel, record_id, False, expected_version, actor)
        await kernel.plugins.notify(
            "record_saved", kernel=kernel, entity=self.entity, record=back, created=False
        )
        return back

    async def _flip(
        self,
        kernel: Sampark,
        record_id: int,
        delete: bool,
        expected_version: int | None,
        actor: Actor,
    ) -> R:
        """Set or clear ``deleted_at`` on a row still as read; the record afterwards."""
        for _ in range(RETRIES):
            before = await self.load(kernel, kernel.connection, record_id, actor, not delete)
            if delete is False and _deleted_at(before) is None:
                raise NotFoundError(self.entity, record_id)
            if expected_version is not None and before.version != expected_version:
                raise StaleRecordError(self.entity, record_id, expected_version, before.version)
            async with in_transaction() as conn:
                stamp = db_time(conn, now())
                rows = await fetch(
                    conn,
                    f"UPDATE {self.table} SET deleted_at = ?, updated_at = ?, "
                    "version = version + 1 WHERE id = ? AND version = ? "
                    f"AND deleted_at IS {'' if delete else 'NOT '}NULL RETURNING id",
                    [stamp if delete else None, stamp, record_id, before.version],
                )
                if not rows:
                    continue
                after = await self.load(kernel, conn, record_id, actor, True)
                action = "delete" if delete else "restore"
                await record_change(
                    conn,
                    actor,
                    self.entity,
                    record_id,
                    action,
                    self.snapshot(before),
                    None if delete else self.snapshot(after),
                )
                if self.written is not None:
                    await self.written(kernel, conn, after, before, actor)
            return after
        current = await self.load(kernel, kernel.connection, record_id, actor, True)
        raise StaleRecordError(self.entity, record_id, before.version, current.version)


def _deleted_at(record: Any) -> dt.datetime | None:
    return getattr(record, "deleted_at", None)
