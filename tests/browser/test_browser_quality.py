"""What a real browser shows beyond the happy path: keyboard use, a clean console under the
Content Security Policy, a phone-sized screen, and names in Devanagari."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from sampark.core.kernel import Sampark

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

DEVANAGARI_NAME = "अनन्या शर्मा"
LONG_EMAIL = "venkatalakshminarayanan.subrahmanyam@kanyakumari-handlooms.example.in"


async def _seed(kernel: Sampark) -> dict[str, int]:
    """A few records to look at: a Devanagari name, a very long email, an account, a plan."""
    ananya = await kernel.contacts.create(
        first_name="अनन्या",
        last_name="शर्मा",
        emails=["ananya@example.in"],
        phones=["+91 98200 31415"],
        tags=["ग्राहक", "vip"],
    )
    long = await kernel.contacts.create(
        first_name="Venkatalakshminarayanan",
        last_name="Subrahmanyam-Chakravarthy",
        emails=[LONG_EMAIL],
        phones=["+91 80 4112 9876"],
        tags=["wholesale", "south-zone", "priority"],
        owner="asha",
    )
    for number in range(12):
        await kernel.contacts.create(first_name=f"Contact{number:02d}", last_name="Bose")
    account = await kernel.accounts.create(name="कन्याकुमारी Handlooms", kinds=["customer"])
    await kernel.links.create(long.id, account.id, role="Buyer", primary=True)
    await kernel.interactions.log(
        kind="call",
        subject="Send the new price list",
        status="planned",
        due_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
        contacts=[ananya.id],
        author="asha",
    )
    return {"ananya": ananya.id, "long": long.id, "account": account.id}


@pytest.fixture(scope="module")
def records(server: Any) -> dict[str, int]:
    return server.kernel_do(_seed)


def test_signing_in_needs_only_the_keyboard(browsing: Any) -> None:
    page = browsing.page
    page.goto("/contacts")
    page.wait_for_url(re.compile(r"/login\?next="))
    # The username field has the focus from the start; Tab moves to the password, visibly.
    expect(page.locator("#username")).to_be_focused()
    page.keyboard.type("asha")
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "the focused field shows no focus outline"
    page.keyboard.type("a long enough passphrase")
    page.keyboard.press("Enter")
    # Back to the page that was asked for.
    page.wait_for_url(re.compile(r"/contacts$"))
    expect(page.locator("#logout")).to_be_visible()
    browsing.assert_clean()


def test_every_page_loads_without_console_errors_or_csp_violations(
    browsing: Any, records: dict[str, int]
) -> None:
    page = browsing.page
    page.goto("/login")
    browsing.assert_clean()
    browsing.sign_in()
    browsing.assert_clean()
    visited: list[str] = []
    every_nav_link = page.locator("#nav a").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname)"
    )
    assert {"/contacts", "/accounts"} <= set(every_nav_link), every_nav_link
    pages = [
        *every_nav_link,
        "/",
        "/contacts",
        "/contacts/new",
        f"/contacts/{records['ananya']}",
        f"/contacts/{records['ananya']}/edit",
        f"/contacts/{records['long']}",
        "/contacts?q=%23vip",
        "/accounts",
        "/accounts/new",
        f"/accounts/{records['account']}",
        f"/accounts/{records['account']}/edit",
    ]
    for path in pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response}"
        expect(page.locator("main h1")).to_be_visible()
        browsing.assert_clean()
        visited.append(path)
    # The script is really there and working (not refused by the CSP): search as you type.
    page.goto("/contacts")
    page.locator("#q").press_sequentially("Bose", delay=20)
    expect(page.locator("#record-rows tr")).to_have_count(12)
    browsing.assert_clean()
    # A missing page is a friendly 404 page, styled by the same CSS, with nothing refused.
    response = page.goto("/contacts/999999")
    assert response is not None and response.status == 404
    expect(page.locator("main h1")).to_be_visible()
    browsing.assert_refused(404, "/contacts/999999")
    assert len(visited) == len(pages)


def test_browsers_find_the_site_icon(browsing: Any) -> None:
    """Every browser asks for an icon: without one it logs a 404 on the first page."""
    page = browsing.page
    page.goto("/login")
    declared = page.locator('head link[rel~="icon"]')
    if declared.count():
        href = declared.first.get_attribute("href") or ""
        if href.startswith("data:"):
            return
        url = page.evaluate("(href) => new URL(href, location.href).href", href)
    else:
        url = browsing.server.url + "/favicon.ico"
    response = page.request.get(url)
    assert response.status == 200, f"the site icon {url} answers {response.status}"
    assert response.headers["content-type"].startswith("image/"), response.headers


def test_the_csp_watch_sees_inline_script(browsing: Any) -> None:
    """The watch behind the clean-console checks above really catches a CSP violation."""
    page = browsing.page
    page.goto("/login")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__inlineRan = true'; document.body.append(s); }"
    )
    problems: list[str] = []
    for _ in range(100):  # the report reaches Python asynchronously
        problems += browsing.watch.take()
        if any(problem.startswith("CSP violation: script-src") for problem in problems):
            break
        page.wait_for_timeout(50)
    else:
        pytest.fail(f"no CSP violation reported: {problems}")
    assert page.evaluate("window.__inlineRan === undefined"), "inline script ran despite the CSP"


def test_a_phone_sized_screen_shows_the_list_without_sideways_scrolling(
    open_browser: Any, records: dict[str, int]
) -> None:
    phone = open_browser(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    phone.sign_in()
    page = phone.page
    page.goto("/contacts")
    expect(page.locator("#record-rows")).to_contain_text("Venkatalakshminarayanan")
    sizes = page.evaluate(
        """() => {
          const wrap = document.querySelector('#record-table').parentElement;
          return {
            viewport: window.innerWidth,
            page: document.documentElement.scrollWidth,
            wrapScroll: wrap.scrollWidth,
            wrapClient: wrap.clientWidth,
          };
        }"""
    )
    assert sizes["viewport"] == 375
    assert sizes["page"] <= sizes["viewport"], f"the page scrolls sideways: {sizes}"
    assert sizes["wrapScroll"] <= sizes["wrapClient"], f"the list scrolls sideways: {sizes}"
    # Every name in the list is on the screen, whole.
    for box in page.locator("#record-rows a").evaluate_all(
        "links => links.map(a => a.getBoundingClientRect().toJSON())"
    ):
        assert box["left"] >= 0 and box["right"] <= 375, box
    # The controls are within reach too.
    for selector in ("#q", "#new-contact", "#logout"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, selector
    phone.assert_clean()


def test_a_devanagari_name_renders(browsing: Any, records: dict[str, int]) -> None:
    browsing.sign_in()
    page = browsing.page
    page.goto(f"/contacts/{records['ananya']}")
    title = page.locator("#record-title")
    expect(title).to_have_text(DEVANAGARI_NAME)
    expect(page).to_have_title(re.compile(DEVANAGARI_NAME))
    # Drawn with real glyphs: with no font for the script every letter would be the same
    # "missing glyph" box, exactly as wide as a private-use character's.
    widths = title.evaluate(
        """(el) => {
          const style = getComputedStyle(el);
          const ctx = document.createElement('canvas').getContext('2d');
          ctx.font = `${style.fontSize} ${style.fontFamily}`;
          const text = el.textContent.trim();
          return {
            text: ctx.measureText(text).width,
            boxes: ctx.measureText('\\uE000'.repeat(text.length)).width,
            ka: ctx.measureText('क').width,
            kha: ctx.measureText('ख').width,
            box: ctx.measureText('\\uE000').width,
            height: el.getBoundingClientRect().height,
          };
        }"""
    )
    assert widths["height"] > 0
    assert widths["text"] != pytest.approx(widths["boxes"]), f"drawn as empty boxes: {widths}"
    assert widths["ka"] != pytest.approx(widths["box"]), f"no Devanagari font: {widths}"
    assert widths["ka"] != pytest.approx(widths["kha"]), f"no Devanagari font: {widths}"
    # In the list and in search as you type, too.
    page.goto("/contacts")
    expect(page.locator("#record-rows")).to_contain_text(DEVANAGARI_NAME)
    page.locator("#q").press_sequentially("अनन्या", delay=20)
    expect(page.locator("#record-rows tr")).to_have_count(1)
    expect(page.locator("#record-rows")).to_contain_text("ग्राहक")
    browsing.assert_clean()
