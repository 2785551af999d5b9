"""Contracts in a real browser: add one from an account's page (an error beside the field
first), see a ticket use it, and find the warnings on the ticket, the list and the home page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sampark.core.kernel import Sampark
from sampark.plugins.tickets.facade import Tickets

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


@pytest.fixture(scope="module")
def served_plugins() -> tuple[str, ...]:
    return ("tickets", "contracts")


async def _account(kernel: Sampark) -> int:
    return (await kernel.accounts.create(name="Sundar Textiles")).id


def _open_tickets(account_id: int, count: int) -> Any:
    async def work(kernel: Sampark) -> list[int]:
        contact = await kernel.contacts.create(first_name="Meena")
        desk = Tickets(kernel)
        made = []
        for n in range(count):
            ticket = await desk.open(
                subject=f"Loom {n} stopped", requester_id=contact.id, account_id=account_id
            )
            made.append(ticket.id)
        return made

    return work


def test_add_a_contract_and_watch_tickets_use_it(browsing: Any) -> None:
    account_id = browsing.server.kernel_do(_account)
    page = browsing.page
    browsing.sign_in()

    page.goto(f"/accounts/{account_id}")
    panel = page.locator("#contracts-panel")
    expect(panel).to_contain_text("No contracts.")
    panel.get_by_role("link", name="Add a contract").click()
    page.wait_for_url(re.compile(r"/contracts/new\?account_id="))
    expect(page.locator("#f-account_id")).to_have_value(str(account_id))
    page.locator("#f-name").fill("Gold support")
    page.locator("#f-reference").fill("AMC-2026-014")
    page.locator("#f-unit").select_option("incidents")
    page.locator("#f-units_included").fill("2.5")
    page.locator("#save").click()
    error = page.locator("#f-units_included-error")
    expect(error).to_contain_text("incidents must be a whole number")
    field = page.locator(".field", has=page.locator("#f-units_included"))
    expect(field.locator("#f-units_included-error")).to_have_count(1)
    expect(page.locator("#f-name")).to_have_value("Gold support")
    browsing.assert_refused(400, "/contracts/new")

    page.locator("#f-units_included").fill("5")
    page.locator("#save").click()
    page.wait_for_url(re.compile(r"/contracts/\d+$"))
    expect(page.locator("#usage")).to_contain_text("0 of 5 incidents used")
    contract_url = page.url

    ticket_ids = browsing.server.kernel_do(_open_tickets(account_id, 4))
    page.goto(contract_url)
    expect(page.locator("#usage")).to_contain_text("4 of 5 incidents used (80%)")
    expect(page.locator("#contract-warnings")).to_contain_text("80% used")
    expect(page.locator("#linked-tickets tbody tr")).to_have_count(4)

    page.goto(f"/tickets/{ticket_ids[0]}")
    expect(page.locator("#ticket-contract")).to_contain_text(
        "Gold support: 4 of 5 incidents used (active)"
    )

    page.goto("/")
    expect(page.get_by_text("contracts near exhaustion")).to_be_visible()
    page.get_by_role("link", name=re.compile("contracts near exhaustion")).click()
    page.wait_for_url(re.compile(r"/contracts/\?attention=1"))
    expect(page.locator("#contract-rows tr")).to_have_count(1)
    page.get_by_role("navigation").get_by_role("link", name="Contracts").click()
    page.wait_for_url(re.compile(r"/contracts/$"))
    expect(page.locator("#contract-rows")).to_contain_text("AMC-2026-014")
    browsing.assert_clean()
