"""The kernel's record APIs (``crm.contacts``, ``crm.accounts``, …).

Each method activates the kernel's database and calls the shared service as the facade's
actor, so the notebook, the CLI and the web app run the very same rules. The kernel's own
facades act as the system; ``crm.as_user(actor)`` gives facades bound to a user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sampark.core.errors import ValidationError
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import (
    AccountRecord,
    ContactRecord,
    InteractionRecord,
    LinkRecord,
    Page,
)
from sampark.core.services import accounts, bulk, contacts, interactions, links

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark
    from sampark.core.views import UserView


def _merge(data: Mapping[str, Any] | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    return {**(data or {}), **fields}


def _owned_by(actor: Actor, rows: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    """Rows owned by ``actor``; a row naming another owner is refused (nothing is written)."""
    for index, row in enumerate(rows):
        if isinstance(row, Mapping):
            if row.get("owner") not in (None, "", actor.username):
                raise ValidationError.single(
                    f"rows[{index}].owner",
                    f"you may only import contacts you own ({actor.username})",
                )
            row = {**row, "owner": actor.username}
        yield row


class PluginFacade:
    """The base of a plugin's record API, bound to one kernel and one actor.

    ``Tickets(crm)`` acts as the system; ``Tickets(crm.as_user(actor))`` or
    ``Tickets(crm, actor)`` as that user. Methods wrap their service calls in
    ``with self.kernel.activate():`` and pass ``actor=self.actor``.

    Attributes:
        kernel: the ``Sampark`` kernel (also when built from a user's view).
        actor: who the facade's calls run as (``SYSTEM`` for the kernel itself).
    """

    def __init__(self, crm: Sampark | UserView, actor: Actor | None = None) -> None:
        self.kernel: Sampark = getattr(crm, "kernel", crm)
        self.actor: Actor = actor or getattr(crm, "actor", SYSTEM)

    @classmethod
    def of(cls, crm: Sampark | UserView) -> Any:
        """The same as ``cls(crm)``: reads well at a call site (``Deals.of(view).list()``)."""
        return cls(crm)


class _Facade:
    def __init__(self, kernel: Sampark, actor: Actor = SYSTEM) -> None:
        self._kernel = kernel
        self._actor = actor

    @property
    def actor(self) -> Actor:
        """Who this facade's calls run as."""
        return self._actor


class Contacts(_Facade):
    """People: ``await crm.contacts.create(first_name="Asha", emails=["asha@example.in"])``."""

    async def create(self, data: Mapping[str, Any] | None = None, **fields: Any) -> ContactRecord:
        with self._kernel.activate():
            return await contacts.create_contact(
                self._kernel, _merge(data, fields), actor=self._actor
            )

    async def get(self, contact_id: int, *, include_deleted: bool = False) -> ContactRecord:
        with self._kernel.activate():
            return await contacts.get_contact(
                self._kernel, contact_id, include_deleted=include_deleted, actor=self._actor
            )

    async def update(
        self,
        contact_id: int,
        data: Mapping[str, Any] | None = None,
        *,
        version: int | None = None,
        **fields: Any,
    ) -> ContactRecord:
        """Change the given fields; lists (emails, phones, addresses, tags) are replaced whole.

        With ``version``, the update is refused (StaleRecordError) if the contact has
        changed since that version was read.
        """
        with self._kernel.activate():
            return await contacts.update_contact(
                self._kernel,
                contact_id,
                _merge(data, fields),
                expected_version=version,
                actor=self._actor,
            )

    async def delete(self, contact_id: int, *, version: int | None = None) -> None:
        """Soft-delete: hidden from lists and search, restorable."""
        with self._kernel.activate():
            await contacts.delete_contact(
                self._kernel, contact_id, actor=self._actor, expected_version=version
            )

    async def restore(self, contact_id: int) -> ContactRecord:
        with self._kernel.activate():
            return await contacts.restore_contact(self._kernel, contact_id, actor=self._actor)

    async def list(
        self,
        *,
        tag: str | None = None,
        owner: str | None = None,
        deleted: bool = False,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[ContactRecord]:
        """Contacts sorted by name, a page at a time (keyset pagination)."""
        with self._kernel.activate():
            return await contacts.list_contacts(
                self._kernel,
                tag=tag,
                owner=owner,
                deleted=deleted,
                cursor=cursor,
                limit=limit,
                actor=self._actor,
            )

    async def search(self, query: str, *, limit: int = 20) -> Page[ContactRecord]:
        """Find contacts by any part of a name, email, phone number (any format) or tag."""
        with self._kernel.activate():
            return await contacts.search_contacts(
                self._kernel, query, limit=limit, actor=self._actor
            )

    async def bulk_create(
        self,
        rows: Iterable[Mapping[str, Any]],
        *,
        batch_size: int = 5000,
        progress: Callable[[int, int | None], object] | None = None,
    ) -> int:
        """Validate and insert many contacts in one transaction; all or nothing.

        Needs ``contacts.write``; an "own"-scoped actor imports contacts they own. Bulk
        imports leave no per-row audit rows.
        """
        self._actor.require("contacts.write")
        if not self._actor.sees_everything():
            rows = _owned_by(self._actor, rows)
        with self._kernel.activate():
            return await bulk.import_contacts(
                self._kernel, rows, batch_size=batch_size, progress=progress
            )


class Accounts(_Facade):
    """Organisations: ``await crm.accounts.create(name="Acme", kinds=["customer"])``."""

    async def create(self, data: Mapping[str, Any] | None = None, **fields: Any) -> AccountRecord:
        with self._kernel.activate():
            return await accounts.create_account(
                self._kernel, _merge(data, fields), actor=self._actor
            )

    async def get(self, account_id: int, *, include_deleted: bool = False) -> AccountRecord:
        with self._kernel.activate():
            return await accounts.get_account(
                self._kernel, account_id, include_deleted=include_deleted, actor=self._actor
            )

    async def update(
        self,
        account_id: int,
        data: Mapping[str, Any] | None = None,
        *,
        version: int | None = None,
        **fields: Any,
    ) -> AccountRecord:
        with self._kernel.activate():
            return await accounts.update_account(
                self._kernel,
                account_id,
                _merge(data, fields),
                expected_version=version,
                actor=self._actor,
            )

    async def delete(self, account_id: int, *, version: int | None = None) -> None:
        with self._kernel.activate():
            await accounts.delete_account(
                self._kernel, account_id, actor=self._actor, expected_version=version
            )

    async def restore(self, account_id: int) -> AccountRecord:
        with self._kernel.activate():
            return await accounts.restore_account(self._kernel, account_id, actor=self._actor)

    async def list(
        self,
        *,
        tag: str | None = None,
        kind: str | None = None,
        owner: str | None = None,
        deleted: bool = False,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[AccountRecord]:
        with self._kernel.activate():
            return await accounts.list_accounts(
                self._kernel,
                tag=tag,
                kind=kind,
                owner=owner,
                deleted=deleted,
                cursor=cursor,
                limit=limit,
                actor=self._actor,
            )

    async def search(self, query: str, *, limit: int = 20) -> Page[AccountRecord]:
        with self._kernel.activate():
            return await accounts.search_accounts(
                self._kernel, query, limit=limit, actor=self._actor
            )


class Links(_Facade):
    """Who works where: links between contacts and accounts."""

    async def create(
        self,
        contact_id: int,
        account_id: int,
        *,
        role: str = "",
        primary: bool = False,
        start_date: dt.date | str | None = None,
        end_date: dt.date | str | None = None,
    ) -> LinkRecord:
        with self._kernel.activate():
            return await links.link_contact(
                self._kernel,
                contact_id,
                account_id,
                role=role,
                primary=primary,
                start_date=start_date,
                end_date=end_date,
                actor=self._actor,
            )

    async def get(self, link_id: int) -> LinkRecord:
        with self._kernel.activate():
            return await links.get_link(self._kernel, link_id, actor=self._actor)

    async def delete(self, link_id: int) -> None:
        with self._kernel.activate():
            await links.unlink(self._kernel, link_id, actor=self._actor)

    async def of_contact(self, contact_id: int) -> Page[LinkRecord]:
        with self._kernel.activate():
            return await links.links_of_contact(self._kernel, contact_id, actor=self._actor)

    async def of_account(self, account_id: int) -> Page[LinkRecord]:
        with self._kernel.activate():
            return await links.links_of_account(self._kernel, account_id, actor=self._actor)


class Interactions(_Facade):
    """Calls, emails, meetings, notes and messages, done or planned."""

    async def log(self, data: Mapping[str, Any] | None = None, **fields: Any) -> InteractionRecord:
        """Record an interaction. ``status="planned"`` with ``due_at`` plans a follow-up."""
        with self._kernel.activate():
            return await interactions.log_interaction(
                self._kernel, _merge(data, fields), actor=self._actor
            )

    async def get(self, interaction_id: int) -> InteractionRecord:
        with self._kernel.activate():
            return await interactions.get_interaction(
                self._kernel, interaction_id, actor=self._actor
            )

    async def complete(
        self,
        interaction_id: int,
        *,
        outcome: str = "",
        occurred_at: dt.datetime | str | None = None,
    ) -> InteractionRecord:
        """Mark a planned interaction done (now, unless ``occurred_at`` says when)."""
        with self._kernel.activate():
            return await interactions.complete_interaction(
                self._kernel,
                interaction_id,
                outcome=outcome,
                occurred_at=occurred_at,
                actor=self._actor,
            )

    async def update(
        self,
        interaction_id: int,
        data: Mapping[str, Any] | None = None,
        *,
        version: int | None = None,
        **fields: Any,
    ) -> InteractionRecord:
        with self._kernel.activate():
            return await interactions.update_interaction(
                self._kernel,
                interaction_id,
                _merge(data, fields),
                expected_version=version,
                actor=self._actor,
            )

    async def delete(self, interaction_id: int, *, version: int | None = None) -> None:
        with self._kernel.activate():
            await interactions.delete_interaction(
                self._kernel, interaction_id, actor=self._actor, expected_version=version
            )

    async def recent(
        self, *, owner: str | None = None, cursor: str | None = None, limit: int = 20
    ) -> Page[InteractionRecord]:
        """Done interactions, most recent first."""
        with self._kernel.activate():
            return await interactions.recent(
                self._kernel, owner=owner, cursor=cursor, limit=limit, actor=self._actor
            )

    async def followups(
        self,
        *,
        due_before: dt.datetime | str | None = None,
        owner: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[InteractionRecord]:
        """Planned interactions, soonest due first (overdue included)."""
        with self._kernel.activate():
            return await interactions.followups(
                self._kernel,
                due_before=due_before,
                owner=owner,
                cursor=cursor,
                limit=limit,
                actor=self._actor,
            )
