"""A contact's or account's history: core's interactions merged with every plugin's entries.

The timeline asks each plugin's ``timeline_entries(kernel, subject, before, limit, actor)``
hook:

* ``subject`` is a :class:`TimelineSubject`: ``subject.entity`` is ``"contact"`` or
  ``"account"`` and ``subject.id`` the record's id (the record exists; it may be deleted).
* ``before`` is None for the first page, else a :class:`TimelineKey` ``(at, source, ref)``:
  the last entry already shown.
* ``limit`` is how many entries to give at most.
* ``actor`` is who is looking: give only entries they may see.

A plugin gives up to ``limit`` of its entries that come strictly after ``before`` in the
timeline's order, newest first. The order is by ``(at, source, ref)`` descending, where
``source`` is the plugin's label (the timeline sets it) and ``ref`` the entry's reference,
compared as text (``"ticket:7"``). For one plugin that means: entries with ``at`` earlier
than ``before.at``; at exactly ``before.at``, all of them if the plugin's label sorts before
``before.source``, those with ``ref < before.ref`` if it is that source, none otherwise.
``before.admits(entry)`` answers it for one entry; :func:`interaction_entries` does it in SQL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from tortoise.backends.base.client import BaseDBAsyncClient

from sampark.core.errors import ConfigError, NotFoundError, ValidationError
from sampark.core.ids import check_id
from sampark.core.pagination import check_limit, decode_cursor, encode_cursor
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.plugins import CORE_LABEL
from sampark.core.records import AccountRecord, ContactRecord, Page, TimelineEntry
from sampark.core.services.scope import (
    READ_PERMISSIONS,
    interaction_condition,
    owner_condition,
    where,
)
from sampark.core.services.search import TABLES
from sampark.core.sql import db_date, db_time, fetch, read_time

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark


@dataclass(frozen=True)
class TimelineSubject:
    """Whose timeline is asked for: ``entity`` ("contact" or "account") and its ``id``."""

    entity: str
    id: int


class TimelineKey(NamedTuple):
    """A place on a timeline: the sort key ``(at, source, ref)`` of the last entry shown."""

    at: dt.datetime
    source: str
    ref: str

    def admits(self, entry: TimelineEntry) -> bool:
        """Whether ``entry`` comes after this place, i.e. belongs on a later page."""
        return (_utc(entry.at), entry.source, entry.ref) < (self.at, self.source, self.ref)


def older_than(
    conn: BaseDBAsyncClient,
    before: TimelineKey | None,
    source: str,
    at_column: str,
    ref_column: str,
    ref_value: Any = None,
) -> tuple[str, list[Any]]:
    """The SQL condition (``""`` or ``" AND …"``) keeping ``source``'s rows after ``before``.

    For a source's ``timeline_entries``: rows at ``at_column`` whose ref (``ref_column``,
    compared with ``ref_value``, by default ``before.ref``) sort after the last entry shown.
    The leading ``at <=`` lets an index on ``at_column`` bound the scan before the tie-break.
    """
    if before is None:
        return "", []
    at = db_time(conn, before.at)
    if before.source > source:
        return f" AND {at_column} <= ?", [at]
    if before.source < source:
        return f" AND {at_column} < ?", [at]
    tie = before.ref if ref_value is None else ref_value
    return f" AND {at_column} <= ? AND ({at_column} < ? OR {ref_column} < ?)", [at, at, tie]


def _sort_key(entry: TimelineEntry) -> tuple[dt.datetime, str, str]:
    return (entry.at, entry.source, entry.ref)


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


# ---------------------------------------------------------------------------
# The merged timeline
# ---------------------------------------------------------------------------


async def resolve_subject(kernel: Sampark, subject: Any, actor: Actor = SYSTEM) -> TimelineSubject:
    """A TimelineSubject for a record or an ``("contact", id)`` pair.

    NotFoundError if it is missing or the actor may not see it (deleted ones are found).
    """
    if isinstance(subject, ContactRecord):
        resolved = TimelineSubject("contact", subject.id)
    elif isinstance(subject, AccountRecord):
        resolved = TimelineSubject("account", subject.id)
    elif isinstance(subject, TimelineSubject):
        resolved = subject
    elif (
        isinstance(subject, tuple | list)
        and len(subject) == 2
        and subject[0] in TABLES
        and isinstance(subject[1], int)
        and not isinstance(subject[1], bool)
    ):
        resolved = TimelineSubject(subject[0], check_id(subject[0], subject[1]))
    else:
        raise ValidationError.single(
            "subject", f"must be a contact, an account or ('contact', id) (got {subject!r})"
        )
    conditions, params = owner_condition(actor, "r")
    rows = await fetch(
        kernel.connection,
        f"SELECT r.id FROM {TABLES[resolved.entity]} r WHERE r.id = ?{where(conditions)}",
        [resolved.id, *params],
    )
    if not rows:
        raise NotFoundError(resolved.entity, resolved.id)
    return resolved


def key_from_cursor(cursor: str) -> TimelineKey:
    """The place a timeline cursor (given out with a page) points at; refused if garbled."""
    at, source, ref = decode_cursor(cursor, 3)
    try:
        moment = dt.datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not isinstance(source, str):
        raise ValidationError.single("cursor", "is not a cursor this server gave out")
    if not isinstance(ref, str):
        raise ValidationError.single("cursor", "is not a cursor this server gave out")
    return TimelineKey(_utc(moment), source, ref)


def _entry(plugin: str, item: Any) -> TimelineEntry:
    """The entry as the timeline keeps it: from its plugin, its time in UTC."""
    if not isinstance(item, TimelineEntry):
        raise ConfigError(
            f"plugin {plugin}: timeline_entries must give TimelineEntry items "
            f"(got {type(item).__name__})"
        )
    return dataclasses.replace(item, source=plugin, at=_utc(item.at))


def _subject_entity(subject: Any) -> str | None:
    """The entity a subject names, for the permission check before any lookup."""
    if isinstance(subject, ContactRecord):
        return "contact"
    if isinstance(subject, AccountRecord):
        return "account"
    if isinstance(subject, TimelineSubject):
        return subject.entity
    if isinstance(subject, tuple | list) and subject and subject[0] in TABLES:
        return subject[0]
    return None


async def timeline(
    kernel: Sampark,
    subject: Any,
    *,
    cursor: str | None = None,
    limit: int = 50,
    actor: Actor = SYSTEM,
) -> Page[TimelineEntry]:
    """The subject's interactions and plugin entries, newest first, a page at a time.

    Needs ``interactions.read`` and the right to read the subject, which must be visible
    to the actor; plugins are asked for the entries that actor may see.
    """
    actor.require("interactions.read")
    entity = _subject_entity(subject)
    if entity is not None:
        actor.require(READ_PERMISSIONS[entity])
    check_limit(limit)
    resolved = await resolve_subject(kernel, subject, actor)
    before = key_from_cursor(cursor) if cursor else None
    contributions = await kernel.plugins.acollect(
        "timeline_entries",
        kernel=kernel,
        subject=resolved,
        before=before,
        limit=limit + 1,
        actor=actor,
    )
    entries = [_entry(c.plugin, c.item) for c in contributions]
    if before is not None:
        # A plugin that ignores `before` would repeat what the last page showed.
        entries = [entry for entry in entries if before.admits(entry)]
    entries.sort(key=_sort_key, reverse=True)
    page = entries[:limit]
    next_cursor = None
    if len(entries) > limit:
        last = page[-1]
        next_cursor = encode_cursor(last.at.isoformat(), last.source, last.ref)
    return Page(page, next_cursor)


# ---------------------------------------------------------------------------
# Core's own entries: interactions
# ---------------------------------------------------------------------------

_REF = "('interaction:' || CAST(i.id AS TEXT))"
_SELECT = (
    "SELECT i.id, i.kind, i.status, i.at, i.subject, i.body, i.outcome, i.direction "
    "FROM core_interaction i WHERE i.deleted_at IS NULL AND i.id IN ({participating}) "
    f"{{older}}{{visible}} ORDER BY i.at DESC, {_REF} DESC LIMIT ?"
)
_OF_CONTACT = "SELECT p.interaction_id FROM core_interaction_participant p WHERE p.contact_id = ?"
_OF_ACCOUNT = (
    "SELECT p.interaction_id FROM core_interaction_participant p WHERE p.account_id = ? "
    "UNION SELECT p.interaction_id FROM core_interaction_participant p "
    "JOIN core_contact_account l ON l.contact_id = p.contact_id "
    "WHERE l.account_id = ? AND (l.start_date IS NULL OR l.start_date <= ?) "
    "AND (l.end_date IS NULL OR l.end_date >= ?)"
)


def _title(row: dict[str, Any]) -> str:
    if row["subject"]:
        return row["subject"]
    kind = str(row["kind"])
    return f"{row['direction'].capitalize()} {kind}" if row["direction"] else kind.capitalize()


async def interaction_entries(
    kernel: Sampark,
    subject: TimelineSubject,
    before: TimelineKey | None,
    limit: int,
    actor: Actor = SYSTEM,
) -> list[TimelineEntry]:
    """Core's timeline entries: the interactions the subject takes part in, newest first.

    An account's timeline also shows the interactions of the contacts linked to it today
    (links without dates, or whose dates include today), those the actor may see.
    """
    conn = kernel.connection
    if subject.entity == "contact":
        participating, params = _OF_CONTACT, [subject.id]
    else:
        today = db_date(conn, dt.datetime.now(dt.UTC).date())
        participating, params = _OF_ACCOUNT, [subject.id, subject.id, today, today]
    return await interactions_among(kernel, participating, params, before, limit, actor)


async def interactions_among(
    kernel: Sampark,
    ids_sql: str,
    params: list[Any],
    before: TimelineKey | None,
    limit: int,
    actor: Actor = SYSTEM,
) -> list[TimelineEntry]:
    """Timeline entries of the live interactions whose ids ``ids_sql`` selects, newest first.

    For a plugin's own timelines (a deal's: ``SELECT interaction_id FROM … WHERE deal_id = ?``);
    only those the actor may see, after ``before``, at most ``limit``.
    """
    conn = kernel.connection
    participating = ids_sql
    older, older_params = older_than(conn, before, CORE_LABEL, "i.at", _REF)
    visible, visible_params = interaction_condition(actor, "i")
    sql = _SELECT.format(participating=participating, older=older, visible=where(visible))
    rows = await fetch(conn, sql, [*params, *older_params, *visible_params, limit])
    return [
        TimelineEntry(
            at=_utc(read_time(row["at"])),
            kind=row["kind"],
            title=_title(row),
            source=CORE_LABEL,
            ref=f"interaction:{row['id']}",
            body=row["body"] or row["outcome"] or "",
            status=row["status"],
        )
        for row in rows
    ]
