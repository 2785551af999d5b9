"""The profile page: one's own password, language and time zone, and API tokens."""

from __future__ import annotations

import re
from typing import Any

import httpx

from sampark.core.kernel import Sampark
from sampark.core.services import auth
from sampark.core.services.audit import audit_page
from sampark.testing.clients import PASSWORD, csrf_of

NEW_PASSWORD = "another long passphrase"


async def _post(client: httpx.AsyncClient, path: str, **data: str) -> httpx.Response:
    page = await client.get("/profile")
    return await client.post(path, data={**data, "csrf_token": csrf_of(page.text)})


async def _change(client: httpx.AsyncClient, current: str, new: str, again: str | None = None):
    return await _post(
        client,
        "/profile/password",
        current_password=current,
        new_password=new,
        new_password_again=new if again is None else again,
    )


async def test_the_header_links_to_the_profile(browser: Any) -> None:
    ravi = await browser("ravi")
    home = await ravi.get("/")
    assert 'href="/profile"' in home.text
    page = await ravi.get("/profile")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Change your password" in page.text
    assert 'href="/api/docs"' in page.text


async def test_visitors_are_sent_to_sign_in(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/profile")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Fprofile")


async def test_changing_the_password_keeps_this_browser_and_ends_the_others(
    app: Any, browser: Any, clients: Any
) -> None:
    here = await browser("ravi")
    elsewhere = await browser("ravi")
    old_session = here.cookies["sampark_session"]
    response = await _change(here, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/profile?done=password"
    assert here.cookies["sampark_session"] != old_session  # a fresh session id
    done = await here.get("/profile?done=password")
    assert done.status_code == 200
    assert "Your password was changed" in done.text
    assert (await elsewhere.get("/")).status_code == 303  # signed out
    fresh = clients.browser(app)
    assert (await clients.sign_in(fresh, "ravi", PASSWORD)).status_code == 400
    assert (await clients.sign_in(fresh, "ravi", NEW_PASSWORD)).status_code == 303


async def test_a_wrong_current_password_is_refused_beside_its_field(
    web_crm: Sampark, browser: Any
) -> None:
    ravi = await browser("ravi")
    response = await _change(ravi, "not my password at all", NEW_PASSWORD)
    assert response.status_code == 400
    assert "is not your current password" in response.text
    assert 'id="pw-current_password-error"' in response.text
    assert NEW_PASSWORD not in response.text  # passwords are never echoed back
    assert (await ravi.get("/")).status_code == 200  # still signed in
    still = await auth.authenticate(web_crm, "ravi", PASSWORD, address="")
    assert still.username == "ravi"


async def test_a_new_password_follows_the_clis_rules(browser: Any) -> None:
    ravi = await browser("ravi")
    short = await _change(ravi, PASSWORD, "short")
    assert short.status_code == 400
    assert "must be at least 10 characters long" in short.text
    mismatch = await _change(ravi, PASSWORD, NEW_PASSWORD, again="something else entirely")
    assert mismatch.status_code == 400
    assert "does not match the new password" in mismatch.text
    same = await _change(ravi, PASSWORD, PASSWORD)
    assert same.status_code == 400
    assert "must differ from the current password" in same.text


async def test_guessing_the_current_password_is_rate_limited(browser: Any) -> None:
    ravi = await browser("ravi")
    for _ in range(auth.MAX_FAILURES_PER_USERNAME):
        assert (await _change(ravi, "a wrong guess here", NEW_PASSWORD)).status_code == 400
    refused = await _change(ravi, PASSWORD, NEW_PASSWORD)  # even the right one, for now
    assert refused.status_code == 429
    assert "Too many wrong passwords. Try again in" in refused.text
    assert int(refused.headers["retry-after"]) > 0


async def test_preferences_are_stored_on_the_user_and_its_actor(
    web_crm: Sampark, browser: Any
) -> None:
    ravi = await browser("ravi")
    response = await _post(ravi, "/profile/preferences", language="te", time_zone="Asia/Kolkata")
    assert response.status_code == 303
    user = await auth.get_user(web_crm, "ravi")
    assert (user.language, user.time_zone) == ("te", "Asia/Kolkata")
    page = await ravi.get("/profile")
    assert '<option value="te" selected>' in page.text
    assert 'value="Asia/Kolkata"' in page.text
    session_id = ravi.cookies["sampark_session"].rsplit(".", 1)[0]
    session = await auth.session_for(web_crm, session_id)
    assert session is not None
    assert (session.actor.language, session.actor.time_zone) == ("te", "Asia/Kolkata")
    trail = await audit_page(web_crm, "user", user.id)
    assert trail.items[0].changes == {"language": ["", "te"], "time_zone": ["", "Asia/Kolkata"]}


async def test_unknown_preferences_are_refused_and_kept_in_the_form(
    web_crm: Sampark, browser: Any
) -> None:
    ravi = await browser("ravi")
    response = await _post(ravi, "/profile/preferences", language="xx", time_zone="Mars/Olympus")
    assert response.status_code == 400
    assert "must be one of en, hi" in response.text
    assert "unknown time zone &#39;Mars/Olympus&#39;" in response.text
    assert 'value="Mars/Olympus"' in response.text
    user = await auth.get_user(web_crm, "ravi")
    assert (user.language, user.time_zone) == ("", "")


def _shown_token(html: str) -> str:
    found = re.search(r'id="new-token-value" value="(smp_[^"]+)"', html)
    assert found, "the new token is not shown"
    return found.group(1)


async def test_a_token_is_shown_once_works_and_stops_when_revoked(
    web_crm: Sampark, browser: Any, clients: Any, app: Any
) -> None:
    mira = await browser("mira")
    created = await _post(mira, "/profile/tokens", name="mail sync")
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    token = _shown_token(created.text)
    api = clients.api(app, token)
    assert (await api.get("/contacts")).status_code == 200
    listed = await mira.get("/profile")
    assert "mail sync" in listed.text
    assert token not in listed.text  # never shown again
    assert f"smp_{token[4:12]}…" in listed.text
    record = (await auth.list_tokens(web_crm, "mira")).items[0]
    revoked = await _post(mira, f"/profile/tokens/{record.id}/revoke")
    assert revoked.status_code == 303
    assert (await api.get("/contacts")).status_code == 401
    page = await mira.get("/profile?done=revoked")
    assert "revoked" in page.text
    assert f'id="revoke-{record.id}"' not in page.text


async def test_a_token_needs_a_name(browser: Any) -> None:
    mira = await browser("mira")
    response = await _post(mira, "/profile/tokens", name="  ")
    assert response.status_code == 400
    assert "must be 1 to 100 characters" in response.text
    assert 'id="new-token"' not in response.text


async def test_creating_tokens_is_rate_limited(web_crm: Sampark, browser: Any) -> None:
    mira = await browser("mira")
    for number in range(auth.MAX_TOKENS_PER_WINDOW):
        assert (await _post(mira, "/profile/tokens", name=f"t{number}")).status_code == 200
    refused = await _post(mira, "/profile/tokens", name="one more")
    assert refused.status_code == 429
    assert "Too many new tokens" in refused.text
    assert 'id="new-token"' not in refused.text
    tokens = await auth.list_tokens(web_crm, "mira")
    assert len(tokens.items) == auth.MAX_TOKENS_PER_WINDOW


async def test_another_users_token_cannot_be_revoked(web_crm: Sampark, browser: Any) -> None:
    _, theirs = await auth.create_token(web_crm, "maya", "theirs")
    ravi = await browser("ravi")
    response = await _post(ravi, f"/profile/tokens/{theirs.id}/revoke")
    assert response.status_code == 404
    assert (await auth.list_tokens(web_crm, "maya")).items[0].revoked_at is None


async def test_token_changes_are_audited(web_crm: Sampark, browser: Any) -> None:
    mira = await browser("mira")
    _shown_token((await _post(mira, "/profile/tokens", name="laptop")).text)
    record = (await auth.list_tokens(web_crm, "mira")).items[0]
    await _post(mira, f"/profile/tokens/{record.id}/revoke")
    trail = await audit_page(web_crm, "api_token", record.id)
    assert [row.action for row in trail] == ["update", "create"]
    assert [row.actor for row in trail] == ["mira", "mira"]
    assert trail.items[0].changes["status"] == ["active", "revoked"]
    assert "smp_" not in str(trail.items[1].changes)
