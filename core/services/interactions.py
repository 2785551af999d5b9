"""Calls, emails, meetings, notes and messages: logged when done, or planned as follow-ups.

An interaction involves contacts and/or accounts (its participants). ``at`` places it on
the timeline: when it happened once done, when it is due while planned. Datetimes are
stored in UTC; naive ones given to us are taken as UTC.

Every call runs as an actor. An "own"-scoped actor sees the interactions they wrote and
those involving a contact or account they own; a signed-in user logging an interaction is
its author unless they name another (which only "all"-scoped users may).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from sampark.core.errors import FieldError, NotFoundError, StaleRecordError, ValidationError
from sampark.core.ids import check_id, is_record_id
from sampark.core.models import Account, Contact, Interaction, InteractionParticipant
from sampark.core.pagination import check_limit, decode_cursor, encode_cursor
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import InteractionRecord, Page
from sampark.core.services.audit import record_change
from sampark.core.services.scope import interaction_condition, owner_for_change, where
from sampark.core.services.users import user_id_for
from sampark.core.sql import db_time, dialect, execute_many, fetch, marks, now, read_time
from sampark.core.text import text_problem

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

STATUSES = ("done", "planned")
DIRECTIONS = ("inbound", "outbound")
FIELDS = (
    "kind",
    "status",
    "direction",
    "occurred_at",
    "due_at",
    "duration_minutes",
    "subject",
    "body",
    "outcome",
    "contacts",
    "accounts",
    "author",
)
# Without an explicit version, a completion that loses a race is retried on the fresh row.
_RETRIES = 3
# Clocks drift: "now" on the caller's machine may be a little ahead of ours.
_CLOCK_SLACK = dt.timedelta(minutes=1)
_SELECT = (
    "SELECT i.id, i.kind, i.status, i.direction, i.occurred_at, i.due_at, i.at, "
    "i.duration_minutes, i.subject, i.body, i.outcome, i.version, u.username AS author "
    "FROM core_interaction i LEFT JOIN core_user u ON u.id = i.author_id"
)


def parse_datetime(value: Any, where: str) -> dt.datetime:
    """An aware UTC datetime from a datetime, date or ISO 8601 text; naive means UTC."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError.single(
                where, f"must be a date and time such as 2025-03-01T14:30+05:30 (got {value!r})"
            ) from None
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if not isinstance(value, dt.datetime):
        raise ValidationError.single(
            where, f"must be a date and time such as 2025-03-01T14:30+05:30 (got {value!r})"
        )
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------


class _Checker:
    """Collects every bad field of one input, so the caller hears about all at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(FieldError(where, message))

    def text(
        self, value: Any, where: str, max_length: int | None = None, *, multiline: bool = False
    ) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(where, f"must be text (got {type(value).__name__})")
            return ""
        text = value.strip()
        problem = text_problem(text, multiline=multiline)
        if problem:
            self.fail(where, problem)
        if max_length is not None and len(text) > max_length:
            self.fail(where, f"must be at most {max_length} characters (got {len(text)})")
        return text

    def when(self, value: Any, where: str) -> dt.datetime | None:
        if value is None or value == "":
            return None
        try:
            return parse_datetime(value, where)
        except ValidationError as exc:
            self.errors.extend(exc.errors)
            return None

    def ids(self, value: Any, where: str) -> list[int]:
        if value is None:
            return []
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, list | tuple):
            self.fail(where, "must be a list of ids")
            return []
        ids: list[int] = []
        for index, item in enumerate(value):
            number = _whole_number(item)
            if number is None or number < 1:
                self.fail(f"{where}[{index}]", f"must be an id (got {item!r})")
            elif number not in ids:
                ids.append(number)
        return ids


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _kind(check: _Checker, value: Any, kinds: tuple[str, ...]) -> str:
    """The kind as configured (``"Site visit"``), whatever case it was typed in."""
    known = {kind.casefold(): kind for kind in kinds}
    kind = known.get(check.text(value, "kind", 50).casefold())
    if kind is None:
        check.fail("kind", f"must be one of {', '.join(kinds)} (got {value!r})")
        return ""
    return kind


def _timing(
    check: _Checker, given: Mapping[str, Any], old: Mapping[str, Any], status: Any
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``occurred_at`` and ``due_at``: done means it happened (by now), planned means due.

    A status change drops the old ``occurred_at``, so an interaction switched to done
    without a time happened now.
    """
    occurred_at = check.when(given.get("occurred_at"), "occurred_at")
    if "occurred_at" not in given and status == old.get("status"):
        occurred_at = old.get("occurred_at")
    due_at = check.when(given["due_at"], "due_at") if "due_at" in given else old.get("due_at")
    if status == "done":
        occurred_at = occurred_at or now()
        if occurred_at > now() + _CLOCK_SLACK:
            check.fail(
                "occurred_at",
                f"is in the future ({occurred_at.isoformat()}): plan it with "
                "status='planned' and due_at instead",
            )
    elif status == "planned":
        if occurred_at is not None:
            check.fail("occurred_at", "a planned interaction has not happened yet: leave it empty")
        if due_at is None and not any(error.field == "due_at" for error in check.errors):
            check.fail("due_at", "is required for a planned interaction")
    return occurred_at, due_at


def _clean(
    kernel: Sampark, data: Mapping[str, Any], existing: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[FieldError]]:
    """Checked values for every column, from ``data`` over ``existing`` (None when new).

    Fields absent from ``data`` keep their current value; participants and author come
    back as given (``contacts``/``accounts`` id lists, ``author`` username), to be
    checked against the database by the caller.
    """
    check = _Checker()
    if not isinstance(data, Mapping):
        raise ValidationError.single("interaction", "must be a table of fields")
    for key in data:
        if key not in FIELDS:
            check.fail(str(key), f"unknown field (known: {', '.join(FIELDS)})")
    old = dict(existing or {})
    given = {key: data[key] for key in FIELDS if key in data}
    values: dict[str, Any] = {}

    if "kind" in given or existing is None:
        values["kind"] = _kind(check, given.get("kind"), kernel.interaction_kinds)
    else:
        values["kind"] = old["kind"]

    status = given.get("status", old.get("status", "done"))
    if status not in STATUSES:
        check.fail("status", f"must be done or planned (got {status!r})")
    values["status"] = status

    direction = given.get("direction", old.get("direction"))
    if direction == "":
        direction = None
    if direction is not None and direction not in DIRECTIONS:
        check.fail("direction", f"must be inbound, outbound or empty (got {direction!r})")
    values["direction"] = direction

    occurred_at, due_at = _timing(check, given, old, status)
    values["occurred_at"] = occurred_at
    values["due_at"] = due_at
    values["at"] = occurred_at if status == "done" else due_at

    duration = given.get("duration_minutes", old.get("duration_minutes"))
    if duration == "":
        duration = None
    if duration is not None:
        number = _whole_number(duration)
        if number is None or number < 0:
            check.fail("duration_minutes", f"must be a whole number >= 0 (got {duration!r})")
        duration = number
    values["duration_minutes"] = duration

    for key, limit in (("subject", 500), ("body", None), ("outcome", 500)):
        if key in given:
            values[key] = check.text(given[key], key, limit, multiline=key == "body")
        else:
            values[key] = old.get(key, "")

    for key in ("contacts", "accounts"):
        if key in given or existing is None:
            values[key] = check.ids(given.get(key), key)
    if (
        ("contacts" in values or "accounts" in values)
        and not values.get("contacts", old.get("contacts"))
        and not values.get("accounts", old.get("accounts"))
    ):
        check.fail("contacts", "name at least one contact or account taking part")

    if "author" in given:
        values["author"] = check.text(given["author"], "author", 150) or None
    elif existing is None:
        values["author"] = None
    return values, check.errors


async def _missing(
    model: type[Contact] | type[Account],
    entity: str,
    key: str,
    ids: list[int],
    actor: Actor,
    kept: tuple[int, ...],
) -> list[FieldError]:
    """Participants that are not live records the actor sees.

    Participants ``kept`` from before stay even if the actor does not own them: editing
    a shared meeting must not drop the other side.
    """
    if not ids:
        return []
    query = model.filter(id__in=ids, deleted_at=None)
    if not actor.sees_everything():
        mine = Q(owner_id=actor.user_id)
        query = query.filter(mine | Q(id__in=list(kept)) if kept else mine)
    found = set(await query.values_list("id", flat=True))
    return [
        FieldError(f"{key}[{index}]", f"no {entity} with id {number}")
        for index, number in enumerate(ids)
        if number not in found
    ]


def _author(actor: Actor, values: dict[str, Any], creating: bool) -> None:
    """A signed-in user is the author unless they name another; "own" scope may not."""
    if actor.is_system or "author" not in values:
        return
    if values["author"] is None and creating:
        values["author"] = actor.username
    else:
        values["author"] = owner_for_change(actor, values["author"], "author")


async def _checked(
    kernel: Sampark,
    data: Mapping[str, Any],
    existing: InteractionRecord | None,
    actor: Actor,
) -> tuple[dict[str, Any], int | None]:
    """Every value ready to write and the author's user id; ValidationError naming each fault."""
    values, errors = _clean(kernel, data, _as_input(existing) if existing else None)
    try:
        _author(actor, values, existing is None)
    except ValidationError as exc:
        errors += exc.errors
        values.pop("author")
    kept_contacts = existing.contact_ids if existing else ()
    kept_accounts = existing.account_ids if existing else ()
    errors += await _missing(
        Contact, "contact", "contacts", values.get("contacts", []), actor, kept_contacts
    )
    errors += await _missing(
        Account, "account", "accounts", values.get("accounts", []), actor, kept_accounts
    )
    author_id = None
    if values.get("author"):
        try:
            author_id = await user_id_for(kernel, values["author"], "author")
        except ValidationError as exc:
            errors += exc.errors
    if not errors:
        for contribution in await kernel.plugins.acollect(
            "validate_record", kernel=kernel, entity="interaction", data=values, existing=existing
        ):
            errors.append(contribution.item)
    if errors:
        raise ValidationError(errors)
    return values, author_id


def _as_input(record: InteractionRecord) -> dict[str, Any]:
    return {
        "kind": record.kind,
        "status": record.status,
        "direction": record.direction,
        "occurred_at": record.occurred_at,
        "due_at": record.due_at,
        "duration_minutes": record.duration_minutes,
        "subject": record.subject,
        "body": record.body,
        "outcome": record.outcome,
        "contacts": list(record.contact_ids),
        "accounts": list(record.account_ids),
        "author": record.author,
    }


_COLUMN_NAMES = (
    "kind",
    "status",
    "direction",
    "occurred_at",
    "due_at",
    "at",
    "duration_minutes",
    "subject",
    "body",
    "outcome",
)
_INSERT = (
    f"INSERT INTO core_interaction ({', '.join(_COLUMN_NAMES)}, "
    "author_id, created_at, updated_at, version) "
    f"VALUES ({', '.join('?' * (len(_COLUMN_NAMES) + 4))}) RETURNING id"
)


async def _add_participants(
    conn: BaseDBAsyncClient, interaction_id: int, contacts: list[int], accounts: list[int]
) -> None:
    rows = [[interaction_id, number, None] for number in contacts]
    rows += [[interaction_id, None, number] for number in accounts]
    await execute_many(
        conn,
        "INSERT INTO core_interaction_participant (interaction_id, contact_id, account_id) "
        "VALUES (?, ?, ?)",
        rows,
    )


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def _utc(value: Any) -> dt.datetime | None:
    moment = read_time(value)
    return None if moment is None else moment.astimezone(dt.UTC)


async def _records(conn: BaseDBAsyncClient, rows: list[dict[str, Any]]) -> list[InteractionRecord]:
    """Records for rows of ``_SELECT``, loading all their participants in one query."""
    contacts: dict[int, list[int]] = {row["id"]: [] for row in rows}
    accounts: dict[int, list[int]] = {row["id"]: [] for row in rows}
    if rows:
        participants = await fetch(
            conn,
            "SELECT interaction_id, contact_id, account_id FROM core_interaction_participant "
            f"WHERE interaction_id IN ({marks(len(contacts))}) ORDER BY id",
            list(contacts),
        )
        for row in participants:
            if row["contact_id"] is not None:
                contacts[row["interaction_id"]].append(row["contact_id"])
            else:
                accounts[row["interaction_id"]].append(row["account_id"])
    return [
        InteractionRecord(
            id=row["id"],
            kind=row["kind"],
            status=row["status"],
            at=_utc(row["at"]),  # type: ignore[arg-type]
            subject=row["subject"],
            body=row["body"],
            outcome=row["outcome"],
            direction=row["direction"],
            occurred_at=_utc(row["occurred_at"]),
            due_at=_utc(row["due_at"]),
            duration_minutes=row["duration_minutes"],
            contact_ids=tuple(contacts[row["id"]]),
            account_ids=tuple(accounts[row["id"]]),
            author=row["author"],
            version=row["version"],
        )
        for row in rows
    ]


async def _load_one(
    conn: BaseDBAsyncClient, interaction_id: Any, actor: Actor = SYSTEM
) -> InteractionRecord:
    """The live interaction if the actor may see it; NotFoundError otherwise."""
    check_id("interaction", interaction_id)
    conditions, params = interaction_condition(actor, "i")
    rows = await fetch(
        conn,
        f"{_SELECT} WHERE i.id = ? AND i.deleted_at IS NULL{where(conditions)}",
        [interaction_id, *params],
    )
    if not rows:
        raise NotFoundError("interaction", interaction_id)
    return (await _records(conn, rows))[0]


async def get_interaction(
    kernel: Sampark, interaction_id: int, *, actor: Actor = SYSTEM
) -> InteractionRecord:
    """One interaction with its participants; deleted ones are not found."""
    actor.require("interactions.read")
    return await _load_one(kernel.connection, interaction_id, actor)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


async def log_interaction(
    kernel: Sampark, data: Mapping[str, Any], *, actor: Actor = SYSTEM
) -> InteractionRecord:
    """Record an interaction that happened, or plan one (``status="planned"`` and ``due_at``)."""
    actor.require("interactions.write")
    values, author_id = await _checked(kernel, data, None, actor)
    async with in_transaction() as conn:
        # Raw SQL rather than Model.create: tortoise caches insert SQL per connection name,
        # not per engine, so kernels on SQLite and PostgreSQL in one process would clash.
        row = [values[name] for name in _COLUMN_NAMES]
        row = [db_time(conn, v) if isinstance(v, dt.datetime) else v for v in row]
        stamp = db_time(conn, now())
        inserted = await fetch(conn, _INSERT, [*row, author_id, stamp, stamp, 1])
        interaction_id = inserted[0]["id"]
        await _add_participants(conn, interaction_id, values["contacts"], values["accounts"])
        record = await _load_one(conn, interaction_id)
        await record_change(conn, actor, "interaction", interaction_id, "create", None, record)
    await kernel.plugins.notify(
        "record_saved", kernel=kernel, entity="interaction", record=record, created=True
    )
    return record


async def update_interaction(
    kernel: Sampark,
    interaction_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    actor: Actor = SYSTEM,
) -> InteractionRecord:
    """Change the given fields; ``contacts``/``accounts`` replace the participants whole.

    With ``expected_version``, a change made by someone else since then is refused with
    StaleRecordError instead of being overwritten.
    """
    actor.require("interactions.write")
    existing = await _load_one(kernel.connection, interaction_id, actor)
    if expected_version is not None and expected_version != existing.version:
        raise StaleRecordError("interaction", interaction_id, expected_version, existing.version)
    values, author_id = await _checked(kernel, data, existing, actor)
    changes = {name: values[name] for name in _COLUMN_NAMES}
    if "author" in values:
        changes["author_id"] = author_id
    async with in_transaction() as conn:
        # The version read above guards the write (and the actor's scope), so the values
        # just checked are the ones replaced; the UPDATE also comes first, as SQLite write
        # transactions should.
        updated = await (
            Interaction.filter(id=interaction_id, version=existing.version, deleted_at=None)
            .using_db(conn)
            .update(**changes, updated_at=now(), version=F("version") + 1)
        )
        if not updated:
            await _refuse_stale(conn, interaction_id, existing.version)
        if "contacts" in values or "accounts" in values:
            contacts = values.get("contacts", list(existing.contact_ids))
            accounts = values.get("accounts", list(existing.account_ids))
            await (
                InteractionParticipant.filter(interaction_id=interaction_id).using_db(conn).delete()
            )
            await _add_participants(conn, interaction_id, contacts, accounts)
        record = await _load_one(conn, interaction_id)
        await record_change(conn, actor, "interaction", interaction_id, "update", existing, record)
    await kernel.plugins.notify(
        "record_saved", kernel=kernel, entity="interaction", record=record, created=False
    )
    return record


async def _refuse_stale(conn: BaseDBAsyncClient, interaction_id: int, expected: int) -> None:
    current = await (
        Interaction.filter(id=interaction_id, deleted_at=None)
        .using_db(conn)
        .first()
        .values("version")
    )
    if current is None:
        raise NotFoundError("interaction", interaction_id)
    raise StaleRecordError("interaction", interaction_id, expected, current["version"])


async def complete_interaction(
    kernel: Sampark,
    interaction_id: int,
    *,
    outcome: str = "",
    occurred_at: dt.datetime | str | None = None,
    actor: Actor = SYSTEM,
) -> InteractionRecord:
    """Mark a planned interaction done, now unless ``occurred_at`` says when.

    An empty ``outcome`` keeps whatever outcome the interaction already had.
    """
    actor.require("interactions.write")
    check = _Checker()
    outcome = check.text(outcome, "outcome", 500)
    when = check.when(occurred_at, "occurred_at") or now()
    if when > now() + _CLOCK_SLACK:
        check.fail("occurred_at", f"is in the future ({when.isoformat()})")
    if check.errors:
        raise ValidationError(check.errors)
    changes: dict[str, Any] = {"status": "done", "occurred_at": when, "at": when}
    if outcome:
        changes["outcome"] = outcome
    for _ in range(_RETRIES):
        existing = await _load_one(kernel.connection, interaction_id, actor)
        if existing.status != "planned":
            raise ValidationError.single(
                "status", f"interaction {interaction_id} is already {existing.status}"
            )
        record = await _write_completion(actor, existing, changes)
        if record is not None:
            await kernel.plugins.notify(
                "record_saved", kernel=kernel, entity="interaction", record=record, created=False
            )
            return record
    current = await _load_one(kernel.connection, interaction_id, actor)
    raise StaleRecordError("interaction", interaction_id, existing.version, current.version)


async def _write_completion(
    actor: Actor, existing: InteractionRecord, changes: dict[str, Any]
) -> InteractionRecord | None:
    """Complete it if it is still as ``existing``: of two people completing it, one wins."""
    async with in_transaction() as conn:
        updated = await (
            Interaction.filter(
                id=existing.id, status="planned", version=existing.version, deleted_at=None
            )
            .using_db(conn)
            .update(**changes, updated_at=now(), version=F("version") + 1)
        )
        if not updated:
            return None
        record = await _load_one(conn, existing.id)
        await record_change(conn, actor, "interaction", existing.id, "update", existing, record)
        return record


async def delete_interaction(
    kernel: Sampark,
    interaction_id: int,
    *,
    actor: Actor = SYSTEM,
    expected_version: int | None = None,
) -> None:
    """Soft-delete: gone from timelines and follow-ups, still in the database.

    With ``expected_version``, one changed since that version is left alone (StaleRecordError).
    """
    actor.require("interactions.delete")
    record = await _load_one(kernel.connection, interaction_id, actor)
    unchanged = {} if expected_version is None else {"version": expected_version}
    async with in_transaction() as conn:
        deleted = await (
            Interaction.filter(id=interaction_id, deleted_at=None, **unchanged)
            .using_db(conn)
            .update(deleted_at=now(), updated_at=now(), version=F("version") + 1)
        )
        if not deleted:
            current = await _load_one(conn, interaction_id, actor)
            if expected_version is not None and current.version != expected_version:
                raise StaleRecordError(
                    "interaction", interaction_id, expected_version, current.version
                )
            raise NotFoundError("interaction", interaction_id)
        await record_change(conn, actor, "interaction", interaction_id, "delete", record, None)
    await kernel.plugins.notify(
        "record_deleted", kernel=kernel, entity="interaction", record=record, soft=True
    )


# ---------------------------------------------------------------------------
# Follow-ups
# ---------------------------------------------------------------------------


async def followups(
    kernel: Sampark,
    *,
    due_before: dt.datetime | str | None = None,
    owner: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    actor: Actor = SYSTEM,
) -> Page[InteractionRecord]:
    """Planned interactions the actor may see, soonest due first, overdue ones included.

    ``owner`` is the author.
    """
    actor.require("interactions.read")
    check_limit(limit)
    conn = kernel.connection
    conditions, params = interaction_condition(actor, "i")
    conditions += ["i.status = 'planned'", "i.deleted_at IS NULL"]
    if due_before is not None and due_before != "":
        conditions.append("i.due_at < ?")
        params.append(db_time(conn, parse_datetime(due_before, "due_before")))
    if owner:
        conditions.append("i.author_id = ?")
        params.append(await user_id_for(kernel, owner, "owner"))
    if cursor:
        last_due, last_id = decode_cursor(cursor, 2)
        if not is_record_id(last_id):
            raise ValidationError.single("cursor", "is not a cursor this server gave out")
        due = db_time(conn, parse_datetime(last_due, "cursor"))
        # The leading due_at >= conjunct lets the (status, due_at) index bound the scan.
        conditions.append("i.due_at >= ? AND (i.due_at > ? OR (i.due_at = ? AND i.id > ?))")
        params += [due, due, due, last_id]
    return await _page(conn, _SELECT, conditions, params, "i.due_at, i.id", limit)


async def recent(
    kernel: Sampark,
    *,
    owner: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
    actor: Actor = SYSTEM,
) -> Page[InteractionRecord]:
    """Done interactions the actor may see, most recent first (``owner`` is the author)."""
    actor.require("interactions.read")
    check_limit(limit)
    conn = kernel.connection
    conditions, params = interaction_condition(actor, "i")
    conditions += ["i.status = 'done'", "i.deleted_at IS NULL"]
    if owner:
        conditions.append("i.author_id = ?")
        params.append(await user_id_for(kernel, owner, "owner"))
    if cursor:
        last_at, last_id = decode_cursor(cursor, 2)
        if not is_record_id(last_id):
            raise ValidationError.single("cursor", "is not a cursor this server gave out")
        at = db_time(conn, parse_datetime(last_at, "cursor"))
        # The leading at <= conjunct lets the (at, id) index bound the scan.
        conditions.append("i.at <= ? AND (i.at < ? OR (i.at = ? AND i.id < ?))")
        params += [at, at, at, last_id]
    select = _SELECT
    if not owner and dialect(conn) == "sqlite":
        # SQLite's planner prefers the (status, due_at) index for status = 'done' and then
        # sorts every done interaction; walking the partial (at, id) index needs no sort.
        select = select.replace(
            "FROM core_interaction i", "FROM core_interaction i INDEXED BY core_interaction_done"
        )
    return await _page(conn, select, conditions, params, "i.at DESC, i.id DESC", limit)


async def _page(
    conn: BaseDBAsyncClient,
    select: str,
    conditions: list[str],
    params: list[Any],
    order: str,
    limit: int,
) -> Page[InteractionRecord]:
    """One keyset page; the cursor is the last item's (at, id), ``at`` being its sort time."""
    rows = await fetch(
        conn,
        f"{select} WHERE {' AND '.join(conditions)} ORDER BY {order} LIMIT ?",
        [*params, limit + 1],
    )
    items = await _records(conn, rows[:limit])
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(last.at.isoformat(), last.id)
    return Page(items, next_cursor)
