"""Deleting and restoring tickets, and the names their audit trail shows for each field.

A deleted ticket keeps its number: numbers are never handed out again, so a restored
ticket comes back as it was. Other plugins hear both through ``ticket_written``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise.backends.base.client import BaseDBAsyncClient

from sampark.core.permissions import SYSTEM, Actor
from sampark.core.services.lifecycle import RecordLifecycle
from sampark.plugins.tickets.records import TicketRecord
from sampark.plugins.tickets.services import ENTITY, load_ticket

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

LABELS = {
    "number": "Number",
    "subject": "Subject",
    "description": "Description",
    "requester_id": "Requester",
    "requester_name": "Requester name",
    "account_id": "Account",
    "account_name": "Account name",
    "channel": "Channel",
    "priority": "Priority",
    "status": "Status",
    "assignee": "Assignee",
    "tags": "Tags",
    "first_response_at": "First response",
    "resolved_at": "Resolved",
    "closed_at": "Closed",
    "first_response_due_at": "First response due",
    "resolution_due_at": "Resolution due",
    "sla_used_seconds": "SLA time used (s)",
    "deleted_at": "Deleted",
}


async def _tell_plugins(
    kernel: Sampark,
    conn: BaseDBAsyncClient,
    ticket: TicketRecord,
    previous: TicketRecord,
    actor: Actor,
) -> None:
    """Let other plugins join the transaction (contracts give back or re-charge usage)."""
    await kernel.plugins.notify(
        "ticket_written", kernel=kernel, conn=conn, ticket=ticket, previous=previous, actor=actor
    )


TICKETS: RecordLifecycle[TicketRecord] = RecordLifecycle(
    entity=ENTITY,
    table="tickets_ticket",
    read_permission="tickets.read",
    delete_permission="tickets.delete",
    load=load_ticket,
    written=_tell_plugins,
    labels=LABELS,
)


async def delete_ticket(
    kernel: Sampark, ticket_id: int, *, expected_version: int | None = None, actor: Actor = SYSTEM
) -> TicketRecord:
    """Remove a ticket from every list and queue until restored; its number stays taken."""
    return await TICKETS.delete(kernel, ticket_id, expected_version=expected_version, actor=actor)


async def restore_ticket(
    kernel: Sampark, ticket_id: int, *, expected_version: int | None = None, actor: Actor = SYSTEM
) -> TicketRecord:
    """Bring a deleted ticket back with its number (needs ``tickets.delete``, like deleting)."""
    return await TICKETS.restore(kernel, ticket_id, expected_version=expected_version, actor=actor)
