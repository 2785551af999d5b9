"""Deals and tickets in a real browser: a note logged on a deal's page shows on its timeline
and its contact's; deleting a deal or a ticket is undone from the notice's button."""

from __future__ import annotations

import re

import pytest

from sampark.core.kernel import Sampark

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


@pytest.fixture(scope="module")
def served_plugins() -> tuple[str, ...]:
    return ("pipeline", "tickets")


async def _seed(kernel: Sampark) -> tuple[int, int, int]:
    from sampark.plugins.pipeline.facade import Deals
    from sampark.plugins.tickets.facade import Tickets

    contact = await kernel.contacts.create(first_name="Lakshmi", last_name="Menon")
    deal = await Deals(kernel).create(title="Cold storage", amount="9000", contacts=[contact.id])
    ticket = await Tickets(kernel).open(subject="Compressor noise", requester_id=contact.id)
    return contact.id, deal.id, ticket.id


def test_log_a_note_on_a_deal_then_delete_and_undo_a_deal_and_a_ticket(browsing) -> None:
    contact_id, deal_id, ticket_id = browsing.server.kernel_do(_seed)
    page = browsing.page
    browsing.sign_in()

    page.goto(f"/pipeline/deals/{deal_id}")
    page.locator("#log-kind").select_option("note")
    page.locator("#log-subject").fill("Sent the quote for two chambers")
    page.locator("#log-submit").click()
    page.wait_for_url(re.compile(rf"/pipeline/deals/{deal_id}#timeline$"))
    expect(page.locator("#timeline-entries")).to_contain_text("Sent the quote for two chambers")
    expect(page.locator("#timeline-entries")).to_contain_text("Deal opened: Cold storage")
    browsing.assert_clean()
    page.goto(f"/contacts/{contact_id}")
    expect(page.locator("#timeline")).to_contain_text("Sent the quote for two chambers")

    page.goto(f"/pipeline/deals/{deal_id}")
    page.locator("#delete-deal").click()
    page.wait_for_url(re.compile(rf"/pipeline/deals\?removed={deal_id}$"))
    expect(page.locator("#removed-notice")).to_contain_text("Cold storage was deleted")
    browsing.assert_clean()
    page.locator("#restore").click()
    page.wait_for_url(re.compile(rf"/pipeline/deals/{deal_id}$"))
    expect(page.locator("h1")).to_have_text("Cold storage")
    expect(page.locator("#audit")).to_contain_text("restore")

    page.goto(f"/tickets/{ticket_id}")
    page.locator("#delete-ticket").click()
    page.wait_for_url(re.compile(rf"/tickets/\?removed={ticket_id}$"))
    expect(page.locator("#removed-notice")).to_contain_text("Compressor noise was deleted")
    page.goto("/tickets/?deleted=1")
    expect(page.locator(f"#restore-ticket-{ticket_id}")).to_be_visible()
    page.goto(f"/tickets/?removed={ticket_id}")
    page.locator("#restore").click()
    page.wait_for_url(re.compile(rf"/tickets/{ticket_id}$"))
    expect(page.locator("#ticket-title")).to_contain_text("Compressor noise")
    expect(page.locator("#audit")).to_contain_text("restore")
    browsing.assert_clean()
