"""``Tickets(crm)``: the tickets services for notebooks, the CLI, the web pages and the API.

Each method activates the kernel's database and calls the service as the facade's actor:
``Tickets(crm)`` acts as the system, ``Tickets(crm, actor)`` (or ``Tickets(view)`` for a
``crm.as_user(actor)`` view) as that user.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sampark.core.facades import PluginFacade
from sampark.core.records import Page
from sampark.plugins.tickets import lifecycle, services
from sampark.plugins.tickets.records import StatusChange, TicketMessage, TicketRecord


class Tickets(PluginFacade):
    """The tickets of one CRM as one actor sees them."""

    async def open(self, data: Mapping[str, Any] | None = None, **fields: Any) -> TicketRecord:
        with self.kernel.activate():
            return await services.create_ticket(
                self.kernel, {**(data or {}), **fields}, actor=self.actor
            )

    async def get(self, ticket_id: int, *, include_deleted: bool = False) -> TicketRecord:
        with self.kernel.activate():
            return await services.get_ticket(
                self.kernel, ticket_id, include_deleted=include_deleted, actor=self.actor
            )

    async def find(self, number: Any, *, include_deleted: bool = False) -> TicketRecord:
        """A ticket by its number, ``T-000123`` or ``123`` (a deleted one if asked)."""
        with self.kernel.activate():
            return await services.find_ticket(
                self.kernel, number, include_deleted=include_deleted, actor=self.actor
            )

    async def list(self, **filters: Any) -> Page[TicketRecord]:
        with self.kernel.activate():
            return await services.list_tickets(self.kernel, actor=self.actor, **filters)

    async def update(
        self,
        ticket_id: int,
        data: Mapping[str, Any] | None = None,
        *,
        version: int | None = None,
        **fields: Any,
    ) -> TicketRecord:
        with self.kernel.activate():
            return await services.update_ticket(
                self.kernel,
                ticket_id,
                {**(data or {}), **fields},
                expected_version=version,
                actor=self.actor,
            )

    async def reply(
        self, ticket_id: int, body: str, *, minutes: Any = None, status: Any = None
    ) -> TicketRecord:
        with self.kernel.activate():
            return await services.add_message(
                self.kernel, ticket_id, body, minutes=minutes, status=status, actor=self.actor
            )

    async def note(
        self, ticket_id: int, body: str, *, minutes: Any = None, status: Any = None
    ) -> TicketRecord:
        with self.kernel.activate():
            return await services.add_message(
                self.kernel,
                ticket_id,
                body,
                internal=True,
                minutes=minutes,
                status=status,
                actor=self.actor,
            )

    async def delete(self, ticket_id: int, *, version: int | None = None) -> TicketRecord:
        """Soft-delete a ticket; ``restore`` brings it back with its number."""
        with self.kernel.activate():
            return await lifecycle.delete_ticket(
                self.kernel, ticket_id, expected_version=version, actor=self.actor
            )

    async def restore(self, ticket_id: int, *, version: int | None = None) -> TicketRecord:
        """Bring a deleted ticket back (a live one is returned as it is)."""
        with self.kernel.activate():
            return await lifecycle.restore_ticket(
                self.kernel, ticket_id, expected_version=version, actor=self.actor
            )

    async def conversation(self, ticket_id: int) -> list[TicketMessage]:
        with self.kernel.activate():
            return await services.conversation(self.kernel, ticket_id, actor=self.actor)

    async def history(self, ticket_id: int) -> list[StatusChange]:
        with self.kernel.activate():
            return await services.status_history(self.kernel, ticket_id, actor=self.actor)

    async def counts(self) -> dict[str, int]:
        """How many active tickets are the actor's, unassigned, and breaching soon."""
        from sampark.plugins.tickets import lookups

        with self.kernel.activate():
            return await lookups.counts(self.kernel, actor=self.actor)
