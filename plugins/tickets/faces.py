"""What the tickets plugin shows elsewhere: dashboard figures, panels, the search source."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

from sampark.core.contributions import DashboardNumber, Panel, SearchHit, SearchSource
from sampark.core.permissions import Actor
from sampark.plugins.tickets import lookups


async def dashboard_numbers(kernel: Any, actor: Actor) -> list[DashboardNumber]:
    """My open tickets, unassigned ones, and those breaching soon (counted in one query)."""
    if not actor.can("tickets.read"):
        return []
    counts = await lookups.counts(kernel, actor=actor)
    numbers = [
        DashboardNumber(
            "unassigned tickets", counts["unassigned"], "/tickets/?view=unassigned", 31
        ),
        DashboardNumber(
            "tickets breaching soon",
            counts["breaching"],
            "/tickets/?view=breaching",
            32,
            alert=True,
        ),
    ]
    if not actor.is_system:
        numbers.insert(
            0, DashboardNumber("my open tickets", counts["mine"], "/tickets/?view=mine", 30)
        )
    return numbers


async def tickets_panel(
    kernel: Any, actor: Actor, *, requester_id: int | None = None, account_id: int | None = None
) -> list[Panel]:
    """A contact's or account's newest tickets, with a link to open one."""
    if not actor.can("tickets.read"):
        return []
    page = await lookups.tickets_of(
        kernel, requester_id=requester_id, account_id=account_id, limit=10, actor=actor
    )
    rows = "".join(
        f'<li><a href="/tickets/{ticket.id}">{html.escape(ticket.number)}</a> '
        f'<span dir="auto">{html.escape(ticket.subject)}</span> '
        f'<span class="badge">{html.escape(ticket.status)}</span>'
        "</li>"
        for ticket in page
    )
    body = f'<ul class="ticket-list">{rows}</ul>' if rows else "<p>No tickets.</p>"
    if actor.can("tickets.write") and requester_id is not None:
        query = urlencode({"requester_id": requester_id})
        body += f'<p><a href="/tickets/new?{query}" id="open-ticket">Open a ticket</a></p>'
    filters = (
        {"requester_id": requester_id} if requester_id is not None else {"account_id": account_id}
    )
    if page.next_cursor:
        body += f'<p><a href="/tickets/?{urlencode(filters)}">All tickets</a></p>'
    return [Panel("Tickets", body, order=40)]


async def _search(kernel: Any, query: str, limit: int, actor: Actor) -> list[SearchHit]:
    found = await lookups.search_tickets(kernel, query, limit=limit, actor=actor)
    return [
        SearchHit(
            source="tickets",
            ref=f"ticket:{ticket.id}",
            title=f"{ticket.number} {ticket.subject}",
            subtitle=f"{ticket.status} · {ticket.priority}"
            + (f" · {ticket.requester_name}" if ticket.requester_name else ""),
            url=f"/tickets/{ticket.id}",
        )
        for ticket in found
    ]


def search_source() -> SearchSource:
    return SearchSource("tickets", "Tickets", _search, permission="tickets.read")
