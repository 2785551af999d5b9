"""The CRM as one user sees it: every record API and cross-record view bound to an actor.

``crm.as_user(actor)`` gives a :class:`UserView`; the web app and the API make one per
request, so every call they make is checked and scoped by the services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sampark.core.contributions import DashboardNumber, NavItem, Panel, SearchHit
from sampark.core.facades import Accounts, Contacts, Interactions, Links
from sampark.core.permissions import Actor
from sampark.core.records import AccountRecord, AuditRecord, ContactRecord, Page, TimelineEntry

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark


class UserView:
    """A kernel seen through one actor: ``view.contacts.get(7)`` runs as that actor.

    Records the actor may not see are not found, lists leave them out, and calls the
    actor has no permission for raise PermissionDenied before anything is read or written.
    """

    def __init__(self, kernel: Sampark, actor: Actor) -> None:
        self.kernel = kernel
        self.actor = actor
        self.contacts = Contacts(kernel, actor)
        self.accounts = Accounts(kernel, actor)
        self.links = Links(kernel, actor)
        self.interactions = Interactions(kernel, actor)

    def can(self, permission: str) -> bool:
        """Whether the actor holds ``permission`` (for showing or hiding a button)."""
        return self.actor.can(permission)

    async def timeline(
        self, subject: Any, *, cursor: str | None = None, limit: int = 50
    ) -> Page[TimelineEntry]:
        """A contact's or account's interactions and plugin entries the actor may see."""
        from sampark.core.services import timeline

        with self.kernel.activate():
            return await timeline.timeline(
                self.kernel, subject, cursor=cursor, limit=limit, actor=self.actor
            )

    async def search(self, query: str, *, limit_per_source: int = 10) -> dict[str, list[SearchHit]]:
        """Search contacts, accounts and plugin sources, only among what the actor sees."""
        from sampark.core.services.global_search import search_everything

        with self.kernel.activate():
            return await search_everything(
                self.kernel, query, limit_per_source=limit_per_source, actor=self.actor
            )

    async def audit(
        self, entity: str, record_id: int, *, cursor: str | None = None, limit: int = 50
    ) -> Page[AuditRecord]:
        """A record's audit trail, newest first (needs ``audit.read`` and sight of the record)."""
        from sampark.core.services.audit import audit_trail

        with self.kernel.activate():
            return await audit_trail(
                self.kernel, entity, record_id, actor=self.actor, cursor=cursor, limit=limit
            )

    def nav_items(self) -> list[NavItem]:
        """Navigation links from core and plugins that the actor may follow, in order."""
        found = self.kernel.plugins.collect("nav_items", kernel=self.kernel, actor=self.actor)
        items = [
            c.item for c in found if c.item.permission is None or self.actor.can(c.item.permission)
        ]
        return sorted(items, key=lambda item: (item.order, item.label))

    async def dashboard_numbers(self) -> list[DashboardNumber]:
        """Figures plugins put on the actor's home page, in order."""
        with self.kernel.activate():
            found = await self.kernel.plugins.acollect(
                "dashboard_numbers", kernel=self.kernel, actor=self.actor
            )
        return sorted((c.item for c in found), key=lambda number: (number.order, number.label))

    async def panels(self, record: ContactRecord | AccountRecord) -> list[Panel]:
        """Boxes plugins show the actor on a contact's or an account's page, in order."""
        with self.kernel.activate():
            if isinstance(record, ContactRecord):
                found = await self.kernel.plugins.acollect(
                    "contact_panels", kernel=self.kernel, contact=record, actor=self.actor
                )
            else:
                found = await self.kernel.plugins.acollect(
                    "account_panels", kernel=self.kernel, account=record, actor=self.actor
                )
        return sorted((c.item for c in found), key=lambda panel: (panel.order, panel.title))

    def __repr__(self) -> str:
        return f"<UserView {self.actor.username} of {self.kernel!r}>"
