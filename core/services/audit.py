"""The audit trail: who changed which record, when, and each field's value before and after.

Services call :func:`record_change` inside the transaction of the change itself, so a
change and its audit row are committed (or rolled back) together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient

from sampark.core.errors import NotFoundError, ValidationError
from sampark.core.ids import check_id, is_record_id
from sampark.core.pagination import check_limit, decode_cursor, encode_cursor
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import AuditRecord, Page, Record, to_jsonable
from sampark.core.services.scope import (
    READ_PERMISSIONS,
    interaction_condition,
    owner_condition,
    where,
)
from sampark.core.sql import db_json, db_time, execute, fetch, now, read_json, read_time

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

ACTIONS = ("create", "update", "delete", "restore", "link", "unlink")
# Bookkeeping every write touches; the trail shows what people changed.
_SKIPPED = frozenset({"id", "created_at", "updated_at", "version"})
_TABLES = {"contact": "core_contact", "account": "core_account", "interaction": "core_interaction"}

Snapshot = Record | dict[str, Any] | None


@dataclass(frozen=True)
class AuditedRecords:
    """A plugin's kind of record whose trail ``crm.audit(entity, id)`` reads.

    Given by the ``audited_records`` hook. ``entity`` is the name its audit rows carry
    ("deal"); reading them needs ``audit.read`` and ``read_permission``, and
    ``find(kernel, id, actor)`` must raise NotFoundError for a record (deleted ones
    included) the actor may not see. ``labels`` name its fields for people.
    """

    entity: str
    read_permission: str
    find: Callable[[Sampark, int, Actor], Awaitable[Any]]
    labels: Mapping[str, str] = field(default_factory=dict)


def audited_records(kernel: Sampark) -> dict[str, AuditedRecords]:
    """The plugins' audited kinds of record by entity name."""
    found = kernel.plugins.collect("audited_records", kernel=kernel)
    return {c.item.entity: c.item for c in found}


def _fields(snapshot: Snapshot) -> dict[str, Any]:
    """A record's fields as JSON values; a dict field (``custom``) is split per key."""
    if snapshot is None:
        return {}
    values = to_jsonable(snapshot)
    fields: dict[str, Any] = {}
    for name, value in values.items():
        if name in _SKIPPED:
            continue
        if isinstance(value, dict):
            fields.update({f"{name}.{key}": item for key, item in value.items()})
        else:
            fields[name] = value
    return fields


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def field_changes(before: Snapshot, after: Snapshot) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for each field that differs (blank counts as missing)."""
    old, new = _fields(before), _fields(after)
    changes: dict[str, list[Any]] = {}
    for name in dict.fromkeys([*old, *new]):
        was, becomes = old.get(name), new.get(name)
        if was == becomes or (_blank(was) and _blank(becomes)):
            continue
        changes[name] = [was, becomes]
    return changes


async def record_change(
    conn: BaseDBAsyncClient,
    actor: Actor,
    entity: str,
    record_id: int,
    action: str,
    before: Snapshot,
    after: Snapshot,
) -> None:
    """Write one audit row; call it inside the transaction that makes the change.

    ``before`` is None for a create, ``after`` None for a delete or an unlink.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r} (known: {', '.join(ACTIONS)})")
    await execute(
        conn,
        "INSERT INTO core_audit (at, actor_id, actor_name, entity, record_id, action, changes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            db_time(conn, now()),
            actor.user_id,
            actor.username,
            entity,
            record_id,
            action,
            db_json(field_changes(before, after)),
        ],
    )


async def _require_visible(kernel: Sampark, entity: str, record_id: Any, actor: Actor) -> None:
    """The record exists (deleted ones too) and the actor may see it; else NotFoundError."""
    check_id(entity, record_id)
    alias = entity[0]
    if entity == "interaction":
        conditions, params = interaction_condition(actor, alias)
    else:
        conditions, params = owner_condition(actor, alias)
    rows = await fetch(
        kernel.connection,
        f"SELECT {alias}.id FROM {_TABLES[entity]} {alias} WHERE {alias}.id = ?{where(conditions)}",
        [record_id, *params],
    )
    if not rows:
        raise NotFoundError(entity, record_id)


async def audit_trail(
    kernel: Sampark,
    entity: str,
    record_id: int,
    *,
    actor: Actor = SYSTEM,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[AuditRecord]:
    """A record's changes, newest first, a page at a time.

    Needs ``audit.read`` and the right to read the record; a record the actor may not see
    is not found.
    """
    actor.require("audit.read")
    if entity in READ_PERMISSIONS:
        actor.require(READ_PERMISSIONS[entity])
        await _require_visible(kernel, entity, record_id, actor)
    else:
        kinds = audited_records(kernel)
        if entity not in kinds:
            known = ", ".join([*READ_PERMISSIONS, *kinds])
            raise ValidationError.single("entity", f"must be one of {known} (got {entity!r})")
        actor.require(kinds[entity].read_permission)
        await kinds[entity].find(kernel, check_id(entity, record_id), actor)
    return await audit_page(kernel, entity, record_id, cursor=cursor, limit=limit)


async def audit_page(
    kernel: Sampark,
    entity: str,
    record_id: int,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[AuditRecord]:
    """The audit rows of any entity's record, newest first, checking nobody's rights.

    Plugins declare their records through the ``audited_records`` hook and read them with
    ``audit_trail``, which checks the actor's rights first.
    """
    limit = check_limit(limit)
    conditions, params = ["entity = ?", "record_id = ?"], [entity, record_id]
    if cursor is not None:
        (last_id,) = decode_cursor(cursor, 1)
        if not is_record_id(last_id):
            raise ValidationError.single("cursor", "is not a cursor this server gave out")
        conditions.append("id < ?")
        params.append(last_id)
    rows = await fetch(
        kernel.connection,
        "SELECT id, at, actor_name, entity, record_id, action, changes FROM core_audit "
        f"WHERE {' AND '.join(conditions)} ORDER BY id DESC LIMIT ?",
        [*params, limit + 1],
    )
    items = [
        AuditRecord(
            id=row["id"],
            at=read_time(row["at"]),
            actor=row["actor_name"],
            entity=row["entity"],
            record_id=row["record_id"],
            action=row["action"],
            changes=read_json(row["changes"]) or {},
        )
        for row in rows[:limit]
    ]
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    return Page(items, next_cursor)
