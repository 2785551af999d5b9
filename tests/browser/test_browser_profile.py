"""Self-service in a real browser: changing one's password, creating and revoking a token,
the admin's user pages and the API reference, clean under the CSP and at phone width."""

from __future__ import annotations

import re
import urllib.request
from typing import Any

import pytest

from sampark.core.services import auth
from sampark.testing.clients import PASSWORD

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

USER = "kiran"
NEW_PASSWORD = "kiran's brand new passphrase"


@pytest.fixture(scope="module")
def kiran(server: Any) -> str:
    """An agent of their own, so changing their password leaves the admin's alone."""
    server.kernel_do(lambda kernel: auth.add_user(kernel, USER, password=PASSWORD, roles="agent"))
    return USER


def _api_status(server: Any, token: str) -> int:
    request = urllib.request.Request(
        f"{server.url}/api/v1/contacts", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_user_changes_their_password_and_manages_a_token(
    browsing: Any, server: Any, kiran: str
) -> None:
    page = browsing.page
    browsing.sign_in(kiran)
    page.locator("#profile-link").click()
    page.wait_for_url(re.compile(r"/profile$"))
    page.locator("#pw-current_password").fill(PASSWORD)
    page.locator("#pw-new_password").fill(NEW_PASSWORD)
    page.locator("#pw-new_password_again").fill(NEW_PASSWORD)
    page.locator("#change-password").click()
    expect(page.locator("#profile-notice")).to_contain_text("Your password was changed")
    page.locator("#token-name").fill("mail sync")
    page.locator("#create-token").click()
    expect(page.locator("#new-token")).to_contain_text("Copy it now")
    token = page.locator("#new-token-value").input_value()
    assert token.startswith("smp_")
    assert _api_status(server, token) == 200
    page.goto("/profile")  # reloading shows the token's name, never the token
    expect(page.locator("#token-list")).to_contain_text("mail sync")
    assert token not in page.content()
    page.locator("#token-list button", has_text="Revoke").first.click()
    expect(page.locator("#profile-notice")).to_contain_text("no longer works")
    assert _api_status(server, token) == 401
    browsing.assert_clean()
    page.locator("#logout").click()
    browsing.sign_in(kiran, NEW_PASSWORD)
    browsing.assert_clean()


def test_the_admin_pages_and_the_reference_are_clean(browsing: Any, kiran: str) -> None:
    page = browsing.page
    browsing.sign_in()
    page.locator("nav a", has_text="Users").click()
    page.wait_for_url(re.compile(r"/users$"))
    page.locator(f'a[href="/users/{kiran}"]').click()
    expect(page.locator("#user-status")).to_have_text("active")
    page.goto("/users/new")
    expect(page.locator("#f-username")).to_be_visible()
    page.goto("/api/docs")
    expect(page.locator("#authentication")).to_contain_text("bearer")
    browsing.assert_clean()


@pytest.mark.parametrize(
    "path", ["/profile", "/users", f"/users/{USER}", "/users/new", "/api/docs"]
)
def test_the_pages_fit_a_phone(open_browser: Any, kiran: str, path: str) -> None:
    phone = open_browser(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    phone.sign_in()
    phone.page.goto(path)
    sizes = phone.page.evaluate(
        "() => ({viewport: window.innerWidth, page: document.documentElement.scrollWidth})"
    )
    assert sizes["viewport"] == 375
    assert sizes["page"] <= sizes["viewport"], f"{path} scrolls sideways: {sizes}"
    phone.assert_clean()
