"""Tickets seen from elsewhere: dashboard counts, the global search, timeline lines.

Each answers with one indexed query and only what the actor may see (see ``services``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient

from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import Page, TimelineEntry
from sampark.core.services.timeline import older_than
from sampark.core.sql import db_time, dialect, fetch, now
from sampark.plugins.tickets.records import TicketRecord
from sampark.plugins.tickets.services import (
    _SELECT,
    ACTIVE_SQL,
    _records,
    _utc,
    _where,
    breach_window,
    list_tickets,
    parse_number,
    scope_condition,
)

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark


async def counts(kernel: Sampark, *, actor: Actor = SYSTEM) -> dict[str, int]:
    """How many active tickets are the actor's, unassigned, and breaching soon (one query)."""
    actor.require("tickets.read")
    conn = kernel.connection
    conditions, params = scope_condition(actor)
    soon = db_time(conn, now() + breach_window(kernel))
    mine = "t.assignee_id = ?" if not actor.is_system else "1 = 0"
    mine_params = [actor.user_id] if not actor.is_system else []
    rows = await fetch(
        conn,
        f"SELECT SUM(CASE WHEN {mine} THEN 1 ELSE 0 END) AS mine, "
        "SUM(CASE WHEN t.assignee_id IS NULL THEN 1 ELSE 0 END) AS unassigned, "
        "SUM(CASE WHEN t.next_due_at IS NOT NULL AND t.next_due_at < ? THEN 1 ELSE 0 END) "
        "AS breaching FROM tickets_ticket t "
        f"WHERE t.status IN {ACTIVE_SQL} AND t.deleted_at IS NULL AND {_where(conditions)}",
        [*mine_params, soon, *params],
    )
    row = rows[0]
    return {key: int(row[key] or 0) for key in ("mine", "unassigned", "breaching")}


async def search_tickets(
    kernel: Sampark, query: str, *, limit: int = 10, actor: Actor = SYSTEM
) -> list[TicketRecord]:
    """Tickets by number (``T-000123`` or ``123``) or by words of their subject."""
    actor.require("tickets.read")
    conn = kernel.connection
    conditions, params = scope_condition(actor)
    conditions.append("t.deleted_at IS NULL")
    seq = parse_number(query)
    found: list[dict[str, Any]] = []
    if seq is not None:
        found = await fetch(
            conn, f"{_SELECT} WHERE t.seq = ? AND {_where(conditions)}", [seq, *params]
        )
    words = [word for word in query.split() if word]
    if any(len(word) >= 3 for word in words) and len(found) < limit:
        match, match_params = _subject_match(conn, words)
        rows = await fetch(
            conn,
            f"{_SELECT} WHERE {match} AND {_where(conditions)} ORDER BY t.id DESC LIMIT ?",
            [*match_params, *params, limit],
        )
        seen = {row["id"] for row in found}
        found += [row for row in rows if row["id"] not in seen]
    return await _records(conn, found[:limit])


def _subject_match(conn: BaseDBAsyncClient, words: list[str]) -> tuple[str, list[Any]]:
    """A condition matching subjects holding every word, answered by the trigram index.

    Words of three or more characters go to the index; shorter ones only narrow its matches.
    """
    long_words = [word for word in words if len(word) >= 3]
    short_words = [word for word in words if len(word) < 3]
    if dialect(conn) == "sqlite":
        phrase = " AND ".join('"' + word.replace('"', '""') + '"' for word in long_words)
        narrow = "".join(" AND instr(lower(t.subject), lower(?)) > 0" for _ in short_words)
        return (
            "t.id IN (SELECT rowid FROM tickets_ticket_search WHERE tickets_ticket_search "
            f"MATCH ?){narrow}",
            [phrase, *short_words],
        )
    patterns = [
        "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for word in words
    ]
    return " AND ".join("t.subject ILIKE ? ESCAPE '\\'" for _ in words), patterns


async def tickets_of(
    kernel: Sampark,
    *,
    requester_id: int | None = None,
    account_id: int | None = None,
    limit: int = 10,
    actor: Actor = SYSTEM,
) -> Page[TicketRecord]:
    """A contact's (as requester) or an account's tickets, newest first."""
    return await list_tickets(
        kernel, requester_id=requester_id, account_id=account_id, limit=limit, actor=actor
    )


async def timeline_entries(
    kernel: Sampark, subject: Any, before: Any, limit: int, actor: Actor
) -> list[Any]:
    """ "Ticket opened" and "ticket resolved" lines for a contact's or account's timeline."""
    if not actor.can("tickets.read"):
        return []
    conn = kernel.connection
    column = "h.requester_id" if subject.entity == "contact" else "h.account_id"
    conditions, params = scope_condition(actor)
    conditions += [f"{column} = ?", "t.deleted_at IS NULL", "h.to_status IN ('new', 'resolved')"]
    params.append(subject.id)
    # Refs are zero-padded ids, so comparing ids orders them as their refs.
    last_id = None
    if before is not None and before.source == "tickets":
        last_id = int(before.ref.rpartition(":")[2] or 0)
    older, older_params = older_than(conn, before, "tickets", "h.at", "h.id", last_id)
    if older:
        conditions.append(older.removeprefix(" AND "))
        params += older_params
    rows = await fetch(
        conn,
        "SELECT h.id, h.to_status, h.at, h.actor, t.id AS ticket_id, t.number, t.subject "
        "FROM tickets_status_change h JOIN tickets_ticket t ON t.id = h.ticket_id "
        f"WHERE {_where(conditions)} ORDER BY h.at DESC, h.id DESC LIMIT ?",
        [*params, limit],
    )
    return [
        TimelineEntry(
            at=_utc(row["at"]),  # type: ignore[arg-type]
            kind="ticket",
            title=(
                f"Ticket {row['number']} opened: {row['subject']}"
                if row["to_status"] == "new"
                else f"Ticket {row['number']} resolved: {row['subject']}"
            ),
            ref=f"ticket:{row['id']:012d}",
            url=f"/tickets/{row['ticket_id']}",
        )
        for row in rows
    ]
