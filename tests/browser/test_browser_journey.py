"""A day's work in a real browser: sign in, add a contact, log a call, find it, sign out."""

from __future__ import annotations

import re

import pytest

from sampark.core.kernel import Sampark

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


NAME = "Priya Raghunathan"
PHONE = "+91 98450 17263"
PHONE_PART = "5017 26"  # typed as a person reads it off a card


async def _others(kernel: Sampark) -> None:
    """Contacts the search must leave out."""
    await kernel.contacts.create(first_name="Vikram", last_name="Sethi", phones=["+91 99000 11122"])
    await kernel.contacts.create(first_name="Lakshmi", last_name="Iyer", phones=["+91 90080 70605"])


def test_sign_in_add_a_contact_log_a_call_find_it_and_sign_out(browsing) -> None:
    browsing.server.kernel_do(_others)
    page = browsing.page
    browsing.sign_in()
    expect(page.locator("h1")).to_contain_text("asha")
    browsing.assert_clean()

    # A contact with a bad email: the error is beside the field and what was typed stays.
    page.goto("/contacts")
    page.locator("#new-contact").click()
    page.wait_for_url(re.compile(r"/contacts/new$"))
    page.locator("#f-first_name").fill("Priya")
    page.locator("#f-last_name").fill("Raghunathan")
    page.locator("#f-emails-0-email").fill("priya.example.com")
    page.locator("#f-phones-0-number").fill(PHONE)
    page.locator("#save").click()
    error = page.locator("#f-emails-0-email-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("email")
    email = page.locator("#f-emails-0-email")
    expect(email).to_have_value("priya.example.com")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", re.compile("f-emails-0-email-error"))
    expect(page.locator("#f-first_name")).to_have_value("Priya")
    expect(page.locator("#f-phones-0-number")).to_have_value(PHONE)
    # "Beside": the message follows the field it is about, in the same field block.
    field = page.locator(".field", has=email)
    expect(field.locator("#f-emails-0-email-error")).to_have_count(1)
    # Keyboard users are taken to the summary of problems, which links to the field.
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator('#error-summary a[href="#f-emails-0-email"]')).to_have_count(1)
    browsing.assert_refused(400, "/contacts/new")

    # Fixed, it saves and shows the contact.
    email.fill("priya@example.in")
    page.locator("#save").click()
    page.wait_for_url(re.compile(r"/contacts/\d+$"))
    expect(page.locator("#record-title")).to_have_text(NAME)
    expect(page.locator("#fields")).to_contain_text("priya@example.in")
    contact_url = page.url
    browsing.assert_clean()

    # Log a call on the contact's page: it appears on the timeline.
    page.locator("#log-kind").select_option("call")
    page.locator("#log-subject").fill("Talked about the renewal")
    page.locator("#log-submit").click()
    page.wait_for_url(re.compile(r"/contacts/\d+(#.*)?$"))
    entry = page.locator("#timeline-entries li", has_text="Talked about the renewal")
    expect(entry).to_have_count(1)
    expect(entry.locator(".kind")).to_have_text("call")
    browsing.assert_clean()

    # Search as you type: part of the phone number finds the contact, without a reload.
    page.goto("/contacts")
    expect(page.locator("#record-rows")).to_contain_text("Vikram Sethi")
    page.evaluate("window.__samePage = true")
    page.locator("#q").press_sequentially(PHONE_PART, delay=40)
    rows = page.locator("#record-rows tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(NAME)
    expect(page).to_have_url(re.compile(r"/contacts\?.*q=5017"))
    assert page.evaluate("window.__samePage === true"), "the page reloaded instead of updating"
    rows.get_by_role("link", name=NAME).click()
    page.wait_for_url(contact_url)
    browsing.assert_clean()

    # Sign out: protected pages send the browser to sign in again.
    page.locator("#logout").click()
    page.wait_for_url(re.compile(r"/login"))
    page.goto("/contacts")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fcontacts$"))
    expect(page.locator("#sign-in")).to_be_visible()
    browsing.assert_clean()
