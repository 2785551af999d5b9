"""Soft-deleting a contact or an account: one statement, scoped, version-checked, audited."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from tortoise.transactions import in_transaction

from sampark.core.errors import NotFoundError, StaleRecordError
from sampark.core.permissions import Actor
from sampark.core.services.audit import record_change
from sampark.core.services.scope import owner_condition, where
from sampark.core.services.search import remove_from_search
from sampark.core.sql import db_time, fetch, now

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

LoadOne = Callable[..., Awaitable[Any]]


async def soft_delete(
    kernel: Sampark,
    entity: str,
    record_id: int,
    *,
    actor: Actor,
    expected_version: int | None,
    load_one: LoadOne,
) -> None:
    """Hide a live record from lists and search, then tell plugins after the commit.

    The scope and version checks sit in the UPDATE itself, so a concurrent edit can never
    slip between the check and the delete. ``load_one(conn, id, include_deleted=, actor=)``
    reads the entity's record.
    """
    table = f"core_{entity}"
    scope, scope_params = owner_condition(actor, table)
    version_check = " AND version = ?" if expected_version is not None else ""
    async with in_transaction() as conn:
        stamp = db_time(conn, now())
        rows = await fetch(
            conn,
            f"UPDATE {table} SET deleted_at = ?, updated_at = ?, version = version + 1 "
            f"WHERE id = ? AND deleted_at IS NULL{where(scope)}{version_check} RETURNING id",
            [stamp, stamp, record_id, *scope_params]
            + ([] if expected_version is None else [expected_version]),
        )
        if not rows:
            if expected_version is not None:
                current = await load_one(conn, record_id, actor=actor)
                raise StaleRecordError(entity, record_id, expected_version, current.version)
            raise NotFoundError(entity, record_id)
        await remove_from_search(kernel, conn, entity, [record_id])
        record = await load_one(conn, record_id, include_deleted=True)
        before = dataclasses.replace(record, deleted_at=None)
        await record_change(conn, actor, entity, record_id, "delete", before, None)
    await kernel.plugins.notify(
        "record_deleted", kernel=kernel, entity=entity, record=record, soft=True
    )
