"""What contracts show beyond their own pages: panels, dashboard figures, search hits."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from sampark.core.contributions import DashboardNumber, Panel, SearchHit
from sampark.core.permissions import Actor
from sampark.plugins.contracts import services, usage
from sampark.plugins.contracts.records import ContractRecord

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

PANEL_SIZE = 10


def contract_url(contract_id: int) -> str:
    return f"/contracts/{contract_id}"


def _warning_html(contract: ContractRecord) -> str:
    if not contract.warnings:
        return ""
    words = html.escape(", ".join(contract.warnings))
    return f' <strong class="badge contract-flag">{words}</strong>'


def contract_line(contract: ContractRecord) -> str:
    """``<a>Gold support</a>: 7 of 10 incidents used (active)`` with its warnings, escaped."""
    return (
        f'<a href="{contract_url(contract.id)}" dir="auto">{html.escape(contract.name)}</a>: '
        f"{html.escape(contract.usage_text)} ({html.escape(contract.status)})"
        f"{_warning_html(contract)}"
    )


async def account_panels(kernel: Sampark, account: Any, actor: Actor) -> list[Panel]:
    """The account's contracts, flagged ones marked, with a link to add one."""
    if not actor.can("contracts.read"):
        return []
    page = await services.list_contracts(
        kernel, account_id=account.id, limit=PANEL_SIZE, actor=actor
    )
    items = "".join(f'<li class="contract-item">{contract_line(c)}</li>' for c in page)
    body = f'<ul class="contract-list">{items}</ul>' if items else "<p>No contracts.</p>"
    if page.next_cursor:
        body += f'<p><a href="/contracts/?account_id={account.id}">All contracts</a></p>'
    if actor.can("contracts.write"):
        body += f'<p><a href="/contracts/new?account_id={account.id}">Add a contract</a></p>'
    return [Panel("Contracts", f'<div id="contracts-panel">{body}</div>', order=40)]


async def ticket_panels(kernel: Sampark, ticket: Any, actor: Actor) -> list[Panel]:
    """ "Contract X: 7 of 10 incidents used" for a ticket charged to a contract."""
    if not actor.can("contracts.read"):
        return []
    contract = await usage.contract_of_ticket(kernel, ticket.id, actor=actor)
    if contract is None:
        return []
    body = f'<p id="ticket-contract">Contract {contract_line(contract)}</p>'
    return [Panel("Contract", body, order=40)]


async def dashboard_numbers(kernel: Sampark, actor: Actor) -> list[DashboardNumber]:
    if not actor.can("contracts.read"):
        return []
    counts = await services.count_flagged(kernel, actor=actor)
    url = "/contracts/?attention=1"
    return [
        DashboardNumber(
            "contracts near exhaustion", counts["near_exhaustion"], url, order=60, alert=True
        ),
        DashboardNumber("contracts near expiry", counts["near_expiry"], url, order=61, alert=True),
    ]


async def search(kernel: Sampark, query: str, limit: int, actor: Actor) -> list[SearchHit]:
    """Contracts found by any part of their name or reference."""
    page = await services.search_contracts(kernel, query, limit=limit, actor=actor)
    return [
        SearchHit(
            source="contracts",
            ref=f"contract:{contract.id}",
            title=contract.name,
            subtitle=" · ".join(
                part
                for part in (contract.reference, contract.account_name, contract.usage_text)
                if part
            ),
            url=contract_url(contract.id),
        )
        for contract in page
    ]
