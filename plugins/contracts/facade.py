"""``Contracts``: the contract services bound to one kernel and actor, for every face.

``Contracts.of(crm)`` takes the kernel (system) or a ``crm.as_user(actor)`` view; each
method activates the kernel's database and runs the service as that actor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sampark.core.facades import PluginFacade
from sampark.core.records import Page
from sampark.plugins.contracts import lifecycle, services, usage
from sampark.plugins.contracts.records import ContractRecord, TicketLinkRecord


class Contracts(PluginFacade):
    """Contracts as one actor sees them: ``await Contracts.of(crm).create({...})``."""

    async def create(self, data: Mapping[str, Any] | None = None, **fields: Any) -> ContractRecord:
        with self.kernel.activate():
            return await services.create_contract(
                self.kernel, {**(data or {}), **fields}, actor=self.actor
            )

    async def get(self, contract_id: int, *, include_deleted: bool = False) -> ContractRecord:
        with self.kernel.activate():
            return await services.get_contract(
                self.kernel, contract_id, include_deleted=include_deleted, actor=self.actor
            )

    async def update(
        self,
        contract_id: int,
        data: Mapping[str, Any] | None = None,
        *,
        version: int | None = None,
        **fields: Any,
    ) -> ContractRecord:
        with self.kernel.activate():
            return await services.update_contract(
                self.kernel,
                contract_id,
                {**(data or {}), **fields},
                expected_version=version,
                actor=self.actor,
            )

    async def delete(self, contract_id: int, *, version: int | None = None) -> ContractRecord:
        """Soft-delete a contract; ``restore`` brings it back."""
        with self.kernel.activate():
            return await lifecycle.delete_contract(
                self.kernel, contract_id, expected_version=version, actor=self.actor
            )

    async def restore(self, contract_id: int, *, version: int | None = None) -> ContractRecord:
        """Bring a deleted contract back (a live one is returned as it is)."""
        with self.kernel.activate():
            return await lifecycle.restore_contract(
                self.kernel, contract_id, expected_version=version, actor=self.actor
            )

    async def list(
        self,
        *,
        account_id: int | None = None,
        status: str | None = None,
        attention: bool = False,
        deleted: bool = False,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[ContractRecord]:
        """Contracts by name; ``deleted=True`` lists the deleted ones instead."""
        with self.kernel.activate():
            return await services.list_contracts(
                self.kernel,
                account_id=account_id,
                status=status,
                attention=attention,
                deleted=deleted,
                cursor=cursor,
                limit=limit,
                actor=self.actor,
            )

    async def search(self, query: str, *, limit: int = 20) -> Page[ContractRecord]:
        with self.kernel.activate():
            return await services.search_contracts(
                self.kernel, query, limit=limit, actor=self.actor
            )

    async def tickets(self, contract_id: int, *, limit: int = 100) -> list[TicketLinkRecord]:
        """The tickets charged to the contract, newest first."""
        with self.kernel.activate():
            return await usage.linked_tickets(
                self.kernel, contract_id, limit=limit, actor=self.actor
            )

    async def of_ticket(self, ticket_id: int) -> ContractRecord | None:
        """The contract a ticket is charged to (None if none, or not visible)."""
        with self.kernel.activate():
            return await usage.contract_of_ticket(self.kernel, ticket_id, actor=self.actor)

    async def flagged_counts(self) -> dict[str, int]:
        with self.kernel.activate():
            return await services.count_flagged(self.kernel, actor=self.actor)
