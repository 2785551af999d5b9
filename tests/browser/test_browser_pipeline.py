"""The pipeline board in a real browser: move a deal with the keyboard, then by dragging it."""

from __future__ import annotations

import re

import pytest

from sampark.core.kernel import Sampark

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


@pytest.fixture(scope="module")
def served_plugins() -> tuple[str, ...]:
    return ("pipeline",)


async def _seed(kernel: Sampark) -> tuple[int, int]:
    from sampark.plugins.pipeline.facade import Deals

    account = await kernel.accounts.create(name="Tata Steel")
    deal = await Deals(kernel).create(title="Plant maintenance", amount="48000", account=account.id)
    return account.id, deal.id


def test_move_a_deal_on_the_board_and_see_it_on_the_accounts_timeline(browsing) -> None:
    account_id, deal_id = browsing.server.kernel_do(_seed)
    page = browsing.page
    browsing.sign_in()
    page.locator('nav a[href="/pipeline/"]').click()
    page.wait_for_url(re.compile(r"/pipeline/$"))
    card = page.locator(f"#deal-{deal_id}")
    expect(page.locator("#column-qualification").locator(f"#deal-{deal_id}")).to_have_count(1)
    expect(card).to_contain_text("USD 48,000.00")

    # The keyboard path: the card's stage list and its Move button, no mouse, no script needed.
    stage = page.locator(f"#move-{deal_id}")
    stage.focus()
    stage.select_option("proposal")
    page.keyboard.press("Tab")
    expect(page.locator(f"#move-button-{deal_id}")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/pipeline/\?moved={deal_id}$"))
    expect(page.locator("#moved-notice")).to_be_visible()
    expect(page.locator("#column-proposal").locator(f"#deal-{deal_id}")).to_have_count(1)
    expect(page.locator("#column-qualification").locator(f"#deal-{deal_id}")).to_have_count(0)
    browsing.assert_clean()

    # Progressive enhancement: dragging the card onto another column submits the same form.
    page.locator(f"#deal-{deal_id}").drag_to(page.locator("#column-negotiation"))
    page.wait_for_url(re.compile(rf"moved={deal_id}"))
    expect(page.locator("#column-negotiation").locator(f"#deal-{deal_id}")).to_have_count(1)
    browsing.assert_clean()

    page.goto(f"/accounts/{account_id}")
    timeline = page.locator("main")
    expect(timeline).to_contain_text("Deal moved: Plant maintenance (Qualification → Proposal)")
    expect(timeline).to_contain_text("Deal moved: Plant maintenance (Proposal → Negotiation)")
    browsing.assert_clean()
