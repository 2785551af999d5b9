"""Tickets in a real browser: open one from a contact, reply, resolve, see it on the timeline."""

from __future__ import annotations

import re

import pytest

from sampark.core.kernel import Sampark

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


@pytest.fixture(scope="module")
def served_plugins() -> tuple[str, ...]:
    return ("tickets",)


async def _requester(kernel: Sampark) -> int:
    return (await kernel.contacts.create(first_name="Meera", last_name="Nair")).id


def test_open_reply_resolve_and_see_it_on_the_timeline(browsing) -> None:
    contact_id = browsing.server.kernel_do(_requester)
    page = browsing.page
    browsing.sign_in()
    expect(page.locator("#nav")).to_contain_text("Tickets")

    # From the contact's page: the tickets panel opens a ticket for them.
    page.goto(f"/contacts/{contact_id}")
    page.locator("#open-ticket").click()
    page.wait_for_url(re.compile(r"/tickets/new\?requester_id=\d+$"))
    expect(page.locator("#f-requester_id")).to_have_value(str(contact_id))
    page.locator("#f-priority").select_option("high")
    page.locator("#save").click()
    # No subject: the error is beside the field, the choices stay.
    expect(page.locator("#f-subject-error")).to_contain_text("required")
    expect(page.locator("#f-priority")).to_have_value("high")
    browsing.assert_refused(400, "/tickets/new")
    page.locator("#f-subject").fill("Invoice shows the wrong address")
    page.locator("#save").click()
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    expect(page.locator("#ticket-title")).to_have_text("T-000001: Invoice shows the wrong address")
    expect(page.locator("#sla-first-response")).to_contain_text("left")
    browsing.assert_clean()

    # Reply with time spent: the conversation shows it and the first response is met.
    page.locator("#msg-body").fill("We have corrected the address.")
    page.locator("#msg-minutes").fill("12")
    page.locator("#send-reply").click()
    page.wait_for_url(re.compile(r"/tickets/\d+(#conversation)?$"))
    expect(page.locator("#messages")).to_contain_text("We have corrected the address.")
    expect(page.locator("#messages")).to_contain_text("12 min")
    expect(page.locator("#sla-first-response")).to_have_text("met")
    expect(page.locator("#ticket-status")).to_have_text("open")

    # Resolve it.
    page.locator("#chg-status").select_option("resolved")
    page.locator("#apply-change").click()
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    expect(page.locator("#ticket-status")).to_have_text("resolved")
    expect(page.locator("#history")).to_contain_text("open → resolved")
    browsing.assert_clean()

    # The requester's timeline shows the reply and the ticket's opening and resolution.
    page.locator("#requester").click()
    page.wait_for_url(re.compile(rf"/contacts/{contact_id}$"))
    timeline = page.locator("#timeline-entries")
    expect(timeline).to_contain_text("T-000001: Invoice shows the wrong address")
    expect(timeline).to_contain_text("Ticket T-000001 resolved: Invoice shows the wrong address")
    expect(timeline).to_contain_text("Ticket T-000001 opened")
    expect(page.locator(".panel", has_text="Tickets")).to_contain_text("resolved")
    browsing.assert_clean()
