"""What the tickets services return: frozen records, cheap to build from SELECT rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sampark.core.records import Record


def ticket_number(seq: int) -> str:
    """The human number of the ``seq``-th ticket: ``T-000123``."""
    return f"T-{seq:06d}"


@dataclass(frozen=True)
class TicketRecord(Record):
    """One ticket as it is now.

    ``first_response_due_at`` and ``resolution_due_at`` are the SLA deadlines while the
    clock runs; both are None while the ticket is pending (the clock is paused) and once
    it is resolved or closed. ``deleted_at`` is set on a deleted ticket (listed with
    ``deleted=True``; ``restore`` brings it back).
    """

    id: int
    number: str
    subject: str
    description: str = ""
    requester_id: int | None = None
    account_id: int | None = None
    channel: str = "email"
    priority: str = "normal"
    status: str = "new"
    assignee: str | None = None
    tags: tuple[str, ...] = ()
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    first_response_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    first_response_due_at: dt.datetime | None = None
    resolution_due_at: dt.datetime | None = None
    version: int = 1
    requester_name: str = ""
    account_name: str = ""
    sla_used_seconds: int = 0
    deleted_at: dt.datetime | None = None

    @property
    def seq(self) -> int:
        return int(self.number.removeprefix("T-"))

    @property
    def is_active(self) -> bool:
        return self.status in ("new", "open", "pending")


@dataclass(frozen=True)
class StatusChange(Record):
    """One step of a ticket's status history."""

    id: int
    ticket_id: int
    from_status: str | None
    to_status: str
    at: dt.datetime
    actor: str = ""


@dataclass(frozen=True)
class TicketMessage(Record):
    """A reply or an internal note on a ticket (a core interaction, linked to the ticket)."""

    id: int
    interaction_id: int
    internal: bool
    at: dt.datetime
    body: str = ""
    author: str | None = None
    minutes: int | None = None


@dataclass(frozen=True)
class SlaStatus(Record):
    """Where a ticket stands against its SLA, for showing: time left, paused, met or breached."""

    state: str  # running, paused, met, breached, none
    label: str
    due_at: dt.datetime | None = None
