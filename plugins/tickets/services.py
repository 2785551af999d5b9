"""Tickets: open, read, change, reply to, list and count them, as an actor.

Every call checks the actor's permission first. An "own"-scoped actor sees the tickets
assigned to them, the unassigned ones, and those whose requester is a contact they own;
any other ticket is not found. Every write is one transaction that bumps the ticket's
version, writes the status history and the audit row, and lets other plugins join in
through ``ticket_written`` (and ``ticket_time_logged``) before it commits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from sampark.core.errors import FieldError, NotFoundError, StaleRecordError, ValidationError
from sampark.core.ids import check_id, is_record_id
from sampark.core.pagination import check_limit, decode_cursor, encode_cursor
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import Page
from sampark.core.services.audit import record_change
from sampark.core.services.interactions import log_interaction, parse_datetime
from sampark.core.services.scope import visible_condition, visible_ids
from sampark.core.sql import (
    db_time,
    execute,
    execute_many,
    fetch,
    marks,
    now,
    read_time,
)
from sampark.core.text import text_problem
from sampark.plugins.tickets import sla
from sampark.plugins.tickets.config import DEFAULT_FIRST_RESPONSE, DEFAULT_RESOLUTION
from sampark.plugins.tickets.records import (
    SlaStatus,
    StatusChange,
    TicketMessage,
    TicketRecord,
    ticket_number,
)

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

ENTITY = "ticket"
CHANNELS = ("email", "phone", "web", "chat", "social", "other")
PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("new", "open", "pending", "resolved", "closed")
ACTIVE = ("new", "open", "pending")
# Written out (not bound) so the planner may use the partial indexes on active tickets.
ACTIVE_SQL = "('new', 'open', 'pending')"
REPLY_KIND = "ticket reply"
NOTE_KIND = "ticket note"
FIELDS = (
    "subject",
    "description",
    "requester_id",
    "account_id",
    "channel",
    "priority",
    "status",
    "assignee",
    "tags",
)
VIEWS = ("mine", "unassigned", "breaching")
_RETRIES = 5
_NUMBER = re.compile(r"^\s*(?:t-?)?0*(\d{1,9})\s*$", re.IGNORECASE)

_SELECT = (
    "SELECT t.id, t.seq, t.number, t.subject, t.description, t.requester_id, t.account_id, "
    "t.channel, t.priority, t.status, t.created_at, t.updated_at, t.first_response_at, "
    "t.resolved_at, t.closed_at, t.first_response_due_at, t.resolution_due_at, "
    "t.sla_used_seconds, t.sla_started_at, t.deleted_at, t.version, "
    "u.username AS assignee, c.display_name AS requester_name, a.name AS account_name "
    "FROM tickets_ticket t LEFT JOIN core_user u ON u.id = t.assignee_id "
    "LEFT JOIN core_contact c ON c.id = t.requester_id "
    "LEFT JOIN core_account a ON a.id = t.account_id"
)


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


def calendar_of(kernel: Sampark) -> sla.BusinessCalendar | None:
    """The business calendar the SLA clocks count in (None: 24/7)."""
    config = kernel.plugin_config("tickets")
    if config is None:
        return None
    return sla.calendar_from(
        business_hours=config.business_hours,
        business_days=config.business_days,
        day_start=config.day_start,
        day_end=config.day_end,
        time_zone=config.time_zone,
        holidays=config.holidays,
    )


def targets(kernel: Sampark, priority: str) -> tuple[dt.timedelta, dt.timedelta]:
    """First-response and resolution targets of a priority, as working time."""
    config = kernel.plugin_config("tickets")
    first = dict(DEFAULT_FIRST_RESPONSE)
    resolution = dict(DEFAULT_RESOLUTION)
    if config is not None:
        first.update(config.first_response_minutes)
        resolution.update(config.resolution_minutes)
    return dt.timedelta(minutes=first[priority]), dt.timedelta(minutes=resolution[priority])


def check_config(kernel: Sampark) -> None:
    """Refuse bad ``[plugin.tickets]`` settings at start-up, naming the key."""
    from sampark.core.errors import ConfigError

    config = kernel.plugin_config("tickets")
    if config is None:
        return
    for key in ("first_response_minutes", "resolution_minutes"):
        for priority, minutes in getattr(config, key).items():
            if priority not in PRIORITIES:
                raise ConfigError(
                    f"plugin.tickets.{key}: unknown priority {priority!r} "
                    f"(known: {', '.join(PRIORITIES)})"
                )
            if minutes < 1:
                raise ConfigError(f"plugin.tickets.{key}.{priority}: must be at least 1 minute")
    if config.breach_window_minutes < 0:
        raise ConfigError("plugin.tickets.breach_window_minutes: must be >= 0")
    calendar_of(kernel)


def breach_window(kernel: Sampark) -> dt.timedelta:
    config = kernel.plugin_config("tickets")
    return dt.timedelta(minutes=config.breach_window_minutes if config else 120)


# ---------------------------------------------------------------------------
# Scope and reading
# ---------------------------------------------------------------------------


def scope_condition(actor: Actor, alias: str = "t") -> tuple[list[str], list[Any]]:
    """Tickets an "own"-scoped actor sees: assigned to them, unassigned, or their contact's."""
    if actor.sees_everything():
        return [], []
    (theirs,), params = visible_condition(actor, "contact", f"{alias}.requester_id")
    condition = f"({alias}.assignee_id = ? OR {alias}.assignee_id IS NULL OR {theirs})"
    return [condition], [actor.user_id, *params]


def _where(conditions: list[str]) -> str:
    return " AND ".join(conditions) if conditions else "1 = 1"


def _utc(value: Any) -> dt.datetime | None:
    moment = read_time(value)
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


async def _records(conn: BaseDBAsyncClient, rows: list[dict[str, Any]]) -> list[TicketRecord]:
    """Records for rows of ``_SELECT``, their tags loaded in one query."""
    tags: dict[int, list[str]] = {row["id"]: [] for row in rows}
    if rows:
        for row in await fetch(
            conn,
            f"SELECT ticket_id, tag FROM tickets_ticket_tag WHERE ticket_id IN "
            f"({marks(len(tags))}) ORDER BY tag",
            list(tags),
        ):
            tags[row["ticket_id"]].append(row["tag"])
    return [
        TicketRecord(
            id=row["id"],
            number=row["number"],
            subject=row["subject"],
            description=row["description"],
            requester_id=row["requester_id"],
            account_id=row["account_id"],
            channel=row["channel"],
            priority=row["priority"],
            status=row["status"],
            assignee=row["assignee"],
            tags=tuple(tags[row["id"]]),
            created_at=_utc(row["created_at"]),
            updated_at=_utc(row["updated_at"]),
            first_response_at=_utc(row["first_response_at"]),
            resolved_at=_utc(row["resolved_at"]),
            closed_at=_utc(row["closed_at"]),
            first_response_due_at=_utc(row["first_response_due_at"]),
            resolution_due_at=_utc(row["resolution_due_at"]),
            version=row["version"],
            requester_name=row["requester_name"] or "",
            account_name=row["account_name"] or "",
            sla_used_seconds=row["sla_used_seconds"],
            deleted_at=_utc(row["deleted_at"]),
        )
        for row in rows
    ]


async def _row(
    conn: BaseDBAsyncClient, ticket_id: Any, actor: Actor = SYSTEM, include_deleted: bool = False
) -> dict[str, Any]:
    check_id(ENTITY, ticket_id)
    conditions, params = scope_condition(actor)
    if not include_deleted:
        conditions.append("t.deleted_at IS NULL")
    rows = await fetch(
        conn,
        f"{_SELECT} WHERE t.id = ? AND {_where(conditions)}",
        [ticket_id, *params],
    )
    if not rows:
        raise NotFoundError(ENTITY, ticket_id)
    return rows[0]


async def _load_one(conn: BaseDBAsyncClient, ticket_id: Any, actor: Actor = SYSTEM) -> TicketRecord:
    """The live ticket if the actor may see it; NotFoundError otherwise."""
    return (await _records(conn, [await _row(conn, ticket_id, actor)]))[0]


async def load_ticket(
    kernel: Sampark,
    conn: BaseDBAsyncClient,
    ticket_id: Any,
    actor: Actor = SYSTEM,
    include_deleted: bool = False,
) -> TicketRecord:
    """A ticket the actor may see (a deleted one only with ``include_deleted``)."""
    return (await _records(conn, [await _row(conn, ticket_id, actor, include_deleted)]))[0]


async def _load_state(
    conn: BaseDBAsyncClient, ticket_id: Any, actor: Actor
) -> tuple[TicketRecord, _State]:
    """The ticket and its SLA state, read before a write (the version guards the write)."""
    row = await _row(conn, ticket_id, actor)
    return (await _records(conn, [row]))[0], _State.of(row)


async def get_ticket(
    kernel: Sampark, ticket_id: int, *, include_deleted: bool = False, actor: Actor = SYSTEM
) -> TicketRecord:
    """One ticket by its id (a deleted one only with ``include_deleted``)."""
    actor.require("tickets.read")
    return await load_ticket(kernel, kernel.connection, ticket_id, actor, include_deleted)


def parse_number(text: Any) -> int | None:
    """The sequence of ``T-000123``, ``t123`` or ``123``; None if it is not a ticket number."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if text > 0 else None
    match = _NUMBER.match(str(text or ""))
    return int(match.group(1)) if match else None


async def find_ticket(
    kernel: Sampark, number: Any, *, include_deleted: bool = False, actor: Actor = SYSTEM
) -> TicketRecord:
    """A ticket by its number: ``T-000123`` or just ``123`` (deleted too if asked)."""
    actor.require("tickets.read")
    seq = parse_number(number)
    if seq is None:
        raise NotFoundError(ENTITY, number)
    conn = kernel.connection
    rows = await fetch(conn, "SELECT id FROM tickets_ticket WHERE seq = ?", [seq])
    if not rows:
        raise NotFoundError(ENTITY, number)
    try:
        return await load_ticket(kernel, conn, rows[0]["id"], actor, include_deleted)
    except NotFoundError:
        raise NotFoundError(ENTITY, number) from None


async def list_tickets(
    kernel: Sampark,
    *,
    view: str | None = None,
    status: str | None = None,
    priority: str | None = None,
    assignee: str | None = None,
    requester_id: int | None = None,
    account_id: int | None = None,
    tag: str | None = None,
    channel: str | None = None,
    deleted: bool = False,
    cursor: str | None = None,
    limit: int = 50,
    actor: Actor = SYSTEM,
) -> Page[TicketRecord]:
    """Tickets the actor may see, newest first, a keyset page at a time.

    ``view`` picks a queue: ``mine`` (active, assigned to the actor), ``unassigned``
    (active, nobody's), ``breaching`` (clock running, due within the breach window, the
    soonest first). ``status`` may be ``active`` for new, open and pending together.
    ``deleted`` lists deleted tickets instead (for restoring them: needs ``tickets.delete``).
    """
    actor.require("tickets.read")
    if deleted:
        actor.require("tickets.delete")
    check_limit(limit)
    conn = kernel.connection
    conditions, params = scope_condition(actor)
    conditions.append(f"t.deleted_at IS {'NOT ' if deleted else ''}NULL")
    errors: list[FieldError] = []
    if view not in (None, "", *VIEWS):
        errors.append(FieldError("view", f"must be one of {', '.join(VIEWS)} (got {view!r})"))
    if status not in (None, "", "active", *STATUSES):
        errors.append(FieldError("status", f"must be active or one of {', '.join(STATUSES)}"))
    if priority not in (None, "", *PRIORITIES):
        errors.append(FieldError("priority", f"must be one of {', '.join(PRIORITIES)}"))
    if channel not in (None, "", *CHANNELS):
        errors.append(FieldError("channel", f"must be one of {', '.join(CHANNELS)}"))
    if errors:
        raise ValidationError(errors)
    if view == "mine":
        if actor.is_system:
            raise ValidationError.single("view", "mine needs a signed-in user")
        conditions.append(f"t.assignee_id = ? AND t.status IN {ACTIVE_SQL}")
        params.append(actor.user_id)
    elif view == "unassigned":
        conditions.append(f"t.assignee_id IS NULL AND t.status IN {ACTIVE_SQL}")
    elif view == "breaching":
        conditions.append("t.next_due_at IS NOT NULL AND t.next_due_at < ?")
        params.append(db_time(conn, now() + breach_window(kernel)))
    if status == "active":
        conditions.append(f"t.status IN {ACTIVE_SQL}")
    elif status:
        conditions.append("t.status = ?")
        params.append(status)
    if priority:
        conditions.append("t.priority = ?")
        params.append(priority)
    if channel:
        conditions.append("t.channel = ?")
        params.append(channel)
    if assignee:
        conditions.append("t.assignee_id = ?")
        params.append(await _user_id(conn, assignee, "assignee"))
    if requester_id is not None:
        conditions.append("t.requester_id = ?")
        params.append(requester_id)
    if account_id is not None:
        conditions.append("t.account_id = ?")
        params.append(account_id)
    if tag:
        conditions.append(
            "EXISTS (SELECT 1 FROM tickets_ticket_tag tt WHERE tt.ticket_id = t.id AND tt.tag = ?)"
        )
        params.append(tag.strip().casefold())
    if view == "breaching":
        order = "t.next_due_at, t.id"
        if cursor:
            last_due, last_id = _cursor(cursor)
            due = db_time(conn, parse_datetime(last_due, "cursor"))
            conditions.append(
                "t.next_due_at >= ? AND (t.next_due_at > ? OR (t.next_due_at = ? AND t.id > ?))"
            )
            params += [due, due, due, last_id]
    else:
        order = "t.id DESC"
        if cursor:
            (last_id,) = decode_cursor(cursor, 1)
            if isinstance(last_id, bool) or not isinstance(last_id, int):
                raise ValidationError.single("cursor", "is not a cursor this server gave out")
            conditions.append("t.id < ?")
            params.append(last_id)
    select = _SELECT.replace("t.version,", "t.version, t.next_due_at,")
    rows = await fetch(
        conn,
        f"{select} WHERE {_where(conditions)} ORDER BY {order} LIMIT ?",
        [*params, limit + 1],
    )
    items = await _records(conn, rows[:limit])
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        if view == "breaching":
            next_cursor = encode_cursor(_utc(last["next_due_at"]).isoformat(), last["id"])
        else:
            next_cursor = encode_cursor(last["id"])
    return Page(items, next_cursor)


def _cursor(cursor: str) -> tuple[str, int]:
    last_due, last_id = decode_cursor(cursor, 2)
    if isinstance(last_id, bool) or not isinstance(last_id, int) or not isinstance(last_due, str):
        raise ValidationError.single("cursor", "is not a cursor this server gave out")
    return last_due, last_id


async def conversation(
    kernel: Sampark, ticket_id: int, *, actor: Actor = SYSTEM
) -> list[TicketMessage]:
    """The ticket's replies and internal notes, oldest first."""
    actor.require("tickets.read")
    conn = kernel.connection
    await _row(conn, ticket_id, actor)
    rows = await fetch(
        conn,
        "SELECT l.id, l.interaction_id, l.internal, l.minutes, i.at, i.body, "
        "u.username AS author FROM tickets_ticket_interaction l "
        "JOIN core_interaction i ON i.id = l.interaction_id "
        "LEFT JOIN core_user u ON u.id = i.author_id "
        "WHERE l.ticket_id = ? AND i.deleted_at IS NULL ORDER BY l.id",
        [ticket_id],
    )
    return [
        TicketMessage(
            id=row["id"],
            interaction_id=row["interaction_id"],
            internal=bool(row["internal"]),
            at=_utc(row["at"]),  # type: ignore[arg-type]
            body=row["body"],
            author=row["author"],
            minutes=row["minutes"],
        )
        for row in rows
    ]


async def status_history(
    kernel: Sampark, ticket_id: int, *, actor: Actor = SYSTEM
) -> list[StatusChange]:
    """Every status the ticket has had, oldest first, with when and who."""
    actor.require("tickets.read")
    conn = kernel.connection
    await _row(conn, ticket_id, actor)
    rows = await fetch(
        conn,
        "SELECT id, ticket_id, from_status, to_status, at, actor FROM tickets_status_change "
        "WHERE ticket_id = ? ORDER BY at, id",
        [ticket_id],
    )
    return [
        StatusChange(
            id=row["id"],
            ticket_id=row["ticket_id"],
            from_status=row["from_status"],
            to_status=row["to_status"],
            at=_utc(row["at"]),  # type: ignore[arg-type]
            actor=row["actor"],
        )
        for row in rows
    ]


def sla_status(ticket: TicketRecord, moment: dt.datetime | None = None) -> dict[str, SlaStatus]:
    """Where the ticket stands against its first-response and resolution targets."""
    moment = moment or now()
    paused = ticket.status == "pending"
    if ticket.first_response_at is None and not ticket.is_active:
        first_state, first_words = "none", "no reply sent"
    else:
        first_state, first_words = sla.describe(
            ticket.first_response_due_at, ticket.first_response_at, moment, paused=paused
        )
    done = ticket.resolved_at or ticket.closed_at
    resolution_state, resolution_words = sla.describe(
        ticket.resolution_due_at, done, moment, paused=paused
    )
    return {
        "first_response": SlaStatus(first_state, first_words, ticket.first_response_due_at),
        "resolution": SlaStatus(resolution_state, resolution_words, ticket.resolution_due_at),
    }


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------


def _text(
    errors: list[FieldError], value: Any, where: str, limit: int | None, *, multiline: bool = False
) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.append(FieldError(where, f"must be text (got {type(value).__name__})"))
        return ""
    text = value.strip()
    if problem := text_problem(text, multiline=multiline):
        errors.append(FieldError(where, problem))
    if limit is not None and len(text) > limit:
        errors.append(FieldError(where, f"must be at most {limit} characters (got {len(text)})"))
    return text


def _id(errors: list[FieldError], value: Any, where: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not is_record_id(value):
        errors.append(FieldError(where, f"must be an id (got {value!r})"))
        return None
    return value


def _choice(
    errors: list[FieldError], value: Any, where: str, choices: tuple[str, ...]
) -> str | None:
    text = value.strip().lower() if isinstance(value, str) else value
    if text not in choices:
        errors.append(FieldError(where, f"must be one of {', '.join(choices)} (got {value!r})"))
        return None
    return text


def _tags(errors: list[FieldError], value: Any) -> list[str]:
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    if not isinstance(value, list | tuple):
        errors.append(FieldError("tags", "must be a list of tags"))
        return []
    tags: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            errors.append(FieldError(f"tags[{index}]", "must be text"))
            continue
        tag = item.strip().lstrip("#").casefold()
        if len(tag) > 100 or "\x00" in tag:
            errors.append(FieldError(f"tags[{index}]", "must be at most 100 characters"))
        elif tag and tag not in tags:
            tags.append(tag)
    return tags


def _clean(data: Mapping[str, Any], existing: TicketRecord | None) -> tuple[dict, list]:
    """Checked values of the fields given (all of them for a new ticket)."""
    if not isinstance(data, Mapping):
        raise ValidationError.single("ticket", "must be a table of fields")
    errors: list[FieldError] = []
    for key in data:
        if key not in FIELDS:
            errors.append(FieldError(str(key), f"unknown field (known: {', '.join(FIELDS)})"))
    values: dict[str, Any] = {}
    creating = existing is None
    if "subject" in data or creating:
        subject = _text(errors, data.get("subject"), "subject", 500)
        if not subject and not any(e.field == "subject" for e in errors):
            errors.append(FieldError("subject", "is required"))
        values["subject"] = subject
    if "description" in data:
        values["description"] = _text(
            errors, data["description"], "description", 100_000, multiline=True
        )
    if "requester_id" in data or creating:
        values["requester_id"] = _id(errors, data.get("requester_id"), "requester_id")
        if values["requester_id"] is None and not any(e.field == "requester_id" for e in errors):
            errors.append(FieldError("requester_id", "is required: the contact who asked"))
    if "account_id" in data:
        values["account_id"] = _id(errors, data["account_id"], "account_id")
    for key, choices, default in (
        ("channel", CHANNELS, "email"),
        ("priority", PRIORITIES, "normal"),
    ):
        if key in data and data[key] not in (None, ""):
            values[key] = _choice(errors, data[key], key, choices)
        elif creating:
            values[key] = default
    if "status" in data and data["status"] not in (None, ""):
        values["status"] = _choice(errors, data["status"], "status", STATUSES)
        if creating and values["status"] not in (None, "new"):
            errors.append(FieldError("status", "a new ticket starts as new"))
    if "assignee" in data:
        assignee = data["assignee"]
        if assignee in (None, ""):
            values["assignee"] = None
        else:
            values["assignee"] = _text(errors, assignee, "assignee", 150) or None
    if "tags" in data:
        values["tags"] = _tags(errors, data["tags"] if data["tags"] is not None else [])
    return values, errors


async def _user_id(conn: BaseDBAsyncClient, username: str, where: str) -> int:
    rows = await fetch(
        conn, "SELECT id FROM core_user WHERE lower(username) = ?", [username.strip().lower()]
    )
    if not rows:
        raise ValidationError.single(where, f"no user named {username!r}")
    return rows[0]["id"]


async def _visible(
    conn: BaseDBAsyncClient, entity: str, record_id: int, actor: Actor, kept: int | None
) -> bool:
    """Whether a contact or account exists and the actor may name it (or it is kept as is)."""
    if record_id == kept:
        return True
    return record_id in await visible_ids(conn, actor, entity, [record_id])


async def _checked(
    kernel: Sampark, data: Mapping[str, Any], existing: TicketRecord | None, actor: Actor
) -> dict[str, Any]:
    """Values ready to write (``assignee_id`` resolved); ValidationError naming each fault."""
    values, errors = _clean(data, existing)
    conn = kernel.connection
    for key, entity, kept in (
        ("requester_id", "contact", existing.requester_id if existing else None),
        ("account_id", "account", existing.account_id if existing else None),
    ):
        if values.get(key) is not None and not await _visible(
            conn, entity, values[key], actor, kept
        ):
            errors.append(FieldError(key, f"no {entity} with id {values[key]}"))
    if "assignee" in values:
        assignee = values["assignee"]
        if (
            not actor.sees_everything()
            and assignee is not None
            and assignee.casefold() != actor.username.casefold()
            and (existing is None or (existing.assignee or "").casefold() != assignee.casefold())
        ):
            errors.append(
                FieldError(
                    "assignee",
                    f"you may only assign tickets to yourself ({actor.username}) or nobody",
                )
            )
        elif assignee is None:
            values["assignee_id"] = None
        else:
            try:
                values["assignee_id"] = await _user_id(conn, assignee, "assignee")
            except ValidationError as exc:
                errors += exc.errors
    if existing is not None and values.get("status") == "new" and existing.status != "new":
        errors.append(FieldError("status", "a ticket cannot go back to new: reopen it as open"))
    if errors:
        raise ValidationError(errors)
    return values


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class _State:
    """The columns a write may change, as the ticket has them (before or after)."""

    status: str
    priority: str
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    first_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    clock: sla.Clock

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> _State:
        return cls(
            status=row["status"],
            priority=row["priority"],
            first_response_at=_utc(row["first_response_at"]),
            resolved_at=_utc(row["resolved_at"]),
            closed_at=_utc(row["closed_at"]),
            first_response_due_at=_utc(row["first_response_due_at"]),
            resolution_due_at=_utc(row["resolution_due_at"]),
            clock=sla.Clock(
                dt.timedelta(seconds=row["sla_used_seconds"]), _utc(row["sla_started_at"])
            ),
        )

    def next_due_at(self) -> dt.datetime | None:
        if self.status not in sla.RUNNING:
            return None
        dues = [self.resolution_due_at]
        if self.first_response_at is None:
            dues.append(self.first_response_due_at)
        dues = [due for due in dues if due is not None]
        return min(dues) if dues else None

    def columns(self, conn: BaseDBAsyncClient) -> dict[str, Any]:
        def stamp(value: dt.datetime | None) -> Any:
            return None if value is None else db_time(conn, value)

        return {
            "status": self.status,
            "priority": self.priority,
            "first_response_at": stamp(self.first_response_at),
            "resolved_at": stamp(self.resolved_at),
            "closed_at": stamp(self.closed_at),
            "first_response_due_at": stamp(self.first_response_due_at),
            "resolution_due_at": stamp(self.resolution_due_at),
            "next_due_at": stamp(self.next_due_at()),
            "sla_used_seconds": int(self.clock.used.total_seconds()),
            "sla_started_at": stamp(self.clock.started_at),
        }


def _advance(
    kernel: Sampark,
    state: _State,
    moment: dt.datetime,
    *,
    status: str | None = None,
    priority: str | None = None,
    responded: bool = False,
) -> _State:
    """The state after a status or priority change (or a first reply) at ``moment``.

    The clock runs while the ticket is new or open and stands otherwise; deadlines are
    recomputed while it runs, held at their last value once met or stopped.
    """
    calendar = calendar_of(kernel)
    new = dataclasses.replace(state)
    if priority:
        new.priority = priority
    if responded and new.first_response_at is None:
        new.first_response_at = moment
    if status and status != state.status:
        new.status = status
        if status == "resolved":
            new.resolved_at = moment
        elif status == "closed":
            new.closed_at = moment
            new.resolved_at = new.resolved_at or moment
        else:
            new.resolved_at = new.closed_at = None
    new.clock = state.clock.moved_to(calendar, new.status, moment)
    first_target, resolution_target = targets(kernel, new.priority)
    if new.status in sla.RUNNING:
        new.resolution_due_at = new.clock.due(calendar, resolution_target)
        if state.first_response_at is None:
            new.first_response_due_at = new.clock.due(calendar, first_target)
    elif new.status == "pending":
        new.resolution_due_at = None
        if new.first_response_at is None:
            new.first_response_due_at = None
    elif state.status == "pending":
        # Resolved straight from pending: nothing was due while the clock stood.
        new.resolution_due_at = None
    return new


async def _with_retries(work: Any) -> Any:
    """Run a write, again when SQLite says another process holds the write lock."""
    for attempt in range(_RETRIES):
        try:
            return await work()
        except OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc).lower():
                raise
            if attempt == _RETRIES - 1:
                raise
    return None  # pragma: no cover


async def _write_tags(conn: BaseDBAsyncClient, ticket_id: int, tags: list[str]) -> None:
    await execute(conn, "DELETE FROM tickets_ticket_tag WHERE ticket_id = ?", [ticket_id])
    await execute_many(
        conn,
        "INSERT INTO tickets_ticket_tag (ticket_id, tag) VALUES (?, ?)",
        [[ticket_id, tag] for tag in tags],
    )


async def _history(
    conn: BaseDBAsyncClient,
    ticket_id: int,
    before: str | None,
    after: str,
    moment: dt.datetime,
    actor: Actor,
) -> None:
    """Write a status change, with copies of the ticket's requester and account."""
    await execute(
        conn,
        "INSERT INTO tickets_status_change "
        "(ticket_id, requester_id, account_id, from_status, to_status, at, actor) "
        "SELECT id, requester_id, account_id, ?, ?, ?, ? FROM tickets_ticket WHERE id = ?",
        [before, after, db_time(conn, moment), actor.username, ticket_id],
    )


async def create_ticket(
    kernel: Sampark, data: Mapping[str, Any], *, actor: Actor = SYSTEM
) -> TicketRecord:
    """Open a ticket; it gets the next number (``T-000001`` …) in the same transaction.

    Needs ``subject`` and ``requester_id`` (the contact who asked); ``account_id``,
    ``description``, ``channel``, ``priority``, ``assignee`` and ``tags`` are optional.
    """
    actor.require("tickets.write")
    values = await _checked(kernel, data, None, actor)
    if "assignee" not in values and not actor.is_system and not actor.sees_everything():
        values["assignee_id"] = actor.user_id
    moment = now()
    state = _advance(
        kernel,
        _State(
            "new",
            values["priority"],
            None,
            None,
            None,
            None,
            None,
            sla.Clock(dt.timedelta(0), None),
        ),
        moment,
    )

    async def write() -> TicketRecord:
        async with in_transaction() as conn:
            # The counter UPDATE comes first: it takes the write lock (SQLite) or the row
            # lock (PostgreSQL), so numbers are handed out one at a time, without gaps.
            counted = await fetch(
                conn,
                "UPDATE tickets_counter SET last_number = last_number + 1 "
                "WHERE name = 'ticket' RETURNING last_number",
            )
            seq = counted[0]["last_number"]
            columns = {
                "seq": seq,
                "number": ticket_number(seq),
                "subject": values["subject"],
                "description": values.get("description", ""),
                "requester_id": values["requester_id"],
                "account_id": values.get("account_id"),
                "channel": values["channel"],
                "assignee_id": values.get("assignee_id"),
                "created_at": db_time(conn, moment),
                "updated_at": db_time(conn, moment),
                "version": 1,
                **state.columns(conn),
            }
            inserted = await fetch(
                conn,
                f"INSERT INTO tickets_ticket ({', '.join(columns)}) "
                f"VALUES ({marks(len(columns))}) RETURNING id",
                list(columns.values()),
            )
            ticket_id = inserted[0]["id"]
            await _write_tags(conn, ticket_id, values.get("tags", []))
            await _history(conn, ticket_id, None, "new", moment, actor)
            record = await _load_one(conn, ticket_id)
            await record_change(conn, actor, ENTITY, ticket_id, "create", None, record)
            await kernel.plugins.notify(
                "ticket_written",
                kernel=kernel,
                conn=conn,
                ticket=record,
                previous=None,
                actor=actor,
            )
            return record

    return await _with_retries(write)


async def update_ticket(
    kernel: Sampark,
    ticket_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    actor: Actor = SYSTEM,
) -> TicketRecord:
    """Change the given fields (status, priority, assignee, …); ``tags`` are replaced whole.

    With ``expected_version`` a ticket changed since then is refused (StaleRecordError);
    without it, a write that loses a race is re-applied on the fresh ticket.
    """
    actor.require("tickets.write")
    for _ in range(_RETRIES):
        existing, state = await _load_state(kernel.connection, ticket_id, actor)
        if expected_version is not None and expected_version != existing.version:
            raise StaleRecordError(ENTITY, ticket_id, expected_version, existing.version)
        values = await _checked(kernel, data, existing, actor)
        record = await _write_change(kernel, existing, state, values, actor)
        if record is not None:
            return record
        if expected_version is not None:
            current = await _load_one(kernel.connection, ticket_id, actor)
            raise StaleRecordError(ENTITY, ticket_id, expected_version, current.version)
    raise StaleRecordError(ENTITY, ticket_id, existing.version, existing.version + 1)


async def _write_change(
    kernel: Sampark,
    existing: TicketRecord,
    state: _State,
    values: dict[str, Any],
    actor: Actor,
    *,
    message: dict[str, Any] | None = None,
) -> TicketRecord | None:
    """Write a change (and a reply or note) if the ticket is still at ``existing.version``."""
    moment = now()
    state = _advance(
        kernel,
        state,
        moment,
        status=values.get("status"),
        priority=values.get("priority"),
        responded=bool(message and not message["internal"]),
    )

    async def write() -> TicketRecord | None:
        async with in_transaction() as conn:
            columns: dict[str, Any] = {
                key: values[key]
                for key in ("subject", "description", "requester_id", "account_id", "channel")
                if key in values
            }
            if "assignee_id" in values:
                columns["assignee_id"] = values["assignee_id"]
            columns.update(state.columns(conn))
            columns["updated_at"] = db_time(conn, moment)
            assignments = ", ".join(f"{name} = ?" for name in columns)
            # The version-guarded UPDATE comes first, as SQLite write transactions should.
            updated = await fetch(
                conn,
                f"UPDATE tickets_ticket SET {assignments}, version = version + 1 "
                "WHERE id = ? AND version = ? AND deleted_at IS NULL RETURNING id",
                [*columns.values(), existing.id, existing.version],
            )
            if not updated:
                return None
            if "tags" in values:
                await _write_tags(conn, existing.id, values["tags"])
            if "requester_id" in values or "account_id" in values:
                await execute(
                    conn,
                    "UPDATE tickets_status_change SET requester_id = ?, account_id = ? "
                    "WHERE ticket_id = ?",
                    [
                        values.get("requester_id", existing.requester_id),
                        values.get("account_id", existing.account_id),
                        existing.id,
                    ],
                )
            if state.status != existing.status:
                await _history(conn, existing.id, existing.status, state.status, moment, actor)
            if message is not None:
                await _add_interaction(kernel, conn, existing, message, moment, actor)
            record = await _load_one(conn, existing.id)
            await record_change(conn, actor, ENTITY, existing.id, "update", existing, record)
            await kernel.plugins.notify(
                "ticket_written",
                kernel=kernel,
                conn=conn,
                ticket=record,
                previous=existing,
                actor=actor,
            )
            if message is not None and message.get("minutes"):
                await kernel.plugins.notify(
                    "ticket_time_logged",
                    kernel=kernel,
                    conn=conn,
                    ticket=record,
                    minutes=message["minutes"],
                    actor=actor,
                )
            return record

    return await _with_retries(write)


async def _add_interaction(
    kernel: Sampark,
    conn: BaseDBAsyncClient,
    ticket: TicketRecord,
    message: dict[str, Any],
    moment: dt.datetime,
    actor: Actor,
) -> None:
    """Log the reply or note as a core interaction with the requester, linked to the ticket.

    Core's service runs inside this transaction (its own becomes a savepoint). It runs
    as the actor with "all" scope: ticket access was checked already, and an agent may
    answer a ticket whose requester another user owns.
    """
    if actor.is_system:
        acting = actor
    else:
        acting = dataclasses.replace(
            actor, scope="all", permissions=actor.permissions | {"interactions.write"}
        )
    data: dict[str, Any] = {
        "kind": NOTE_KIND if message["internal"] else REPLY_KIND,
        "status": "done",
        "occurred_at": moment,
        "subject": f"{ticket.number}: {ticket.subject}"[:500],
        "body": message["body"],
        "duration_minutes": message.get("minutes"),
        "contacts": [ticket.requester_id] if ticket.requester_id else [],
        "accounts": [ticket.account_id] if ticket.account_id else [],
    }
    if not message["internal"]:
        data["direction"] = "outbound"
    if not actor.is_system:
        data["author"] = actor.username
    interaction = await log_interaction(kernel, data, actor=acting)
    await execute(
        conn,
        "INSERT INTO tickets_ticket_interaction "
        "(ticket_id, interaction_id, internal, minutes, created_at) VALUES (?, ?, ?, ?, ?)",
        [
            ticket.id,
            interaction.id,
            message["internal"],
            message.get("minutes"),
            db_time(conn, moment),
        ],
    )


async def add_message(
    kernel: Sampark,
    ticket_id: int,
    body: Any,
    *,
    internal: bool = False,
    minutes: Any = None,
    status: Any = None,
    actor: Actor = SYSTEM,
) -> TicketRecord:
    """Reply to the requester (or, with ``internal``, add a note only staff read).

    ``minutes`` logs time spent; ``status`` changes the status at once. The first reply
    sets ``first_response_at``, and a reply to a new ticket opens it.
    """
    actor.require("tickets.write")
    errors: list[FieldError] = []
    text = _text(errors, body, "body", 100_000, multiline=True)
    if not text and not errors:
        errors.append(FieldError("body", "is required"))
    if minutes in ("", None):
        minutes = None
    elif isinstance(minutes, str) and minutes.strip().isdigit():
        minutes = int(minutes.strip())
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 100_000
    ):
        errors.append(FieldError("minutes", f"must be a whole number of minutes (got {minutes!r})"))
    values: dict[str, Any] = {}
    if status not in (None, ""):
        values["status"] = _choice(errors, status, "status", STATUSES)
        if values["status"] == "new":
            errors.append(FieldError("status", "a ticket cannot go back to new"))
    if errors:
        raise ValidationError(errors)
    message = {"body": text, "internal": bool(internal), "minutes": minutes or None}
    for _ in range(_RETRIES):
        existing, state = await _load_state(kernel.connection, ticket_id, actor)
        change = dict(values)
        if "status" not in change and not internal and existing.status == "new":
            change["status"] = "open"
        if existing.status == "new" and change.get("status") == "new":
            change.pop("status")
        record = await _write_change(kernel, existing, state, change, actor, message=message)
        if record is not None:
            return record
    raise StaleRecordError(ENTITY, ticket_id, existing.version, existing.version + 1)
