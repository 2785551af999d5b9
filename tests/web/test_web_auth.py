"""Signing in and out through the pages: CSRF, one generic failure, rate limits, rotation."""

from __future__ import annotations

from typing import Any

import httpx

from sampark.core.kernel import Sampark
from sampark.core.services import auth


async def _login(client: httpx.AsyncClient, web: Any, username: str, password: str) -> Any:
    page = await client.get("/login")
    token = web.csrf_of(page.text)
    return await client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


async def test_pages_send_visitors_to_sign_in_and_back(anonymous: httpx.AsyncClient, web: Any):
    response = await anonymous.get("/contacts?tag=vip")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fcontacts%3Ftag%3Dvip"
    page = await anonymous.get(response.headers["location"])
    assert page.status_code == 200
    assert 'name="next" value="/contacts?tag=vip"' in page.text
    assert '<label for="username">Username</label>' in page.text
    signed_in = await anonymous.post(
        "/login",
        data={
            "username": "asha",
            "password": web.password,
            "next": "/contacts?tag=vip",
            "csrf_token": web.csrf_of(page.text),
        },
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/contacts?tag=vip"
    assert (await anonymous.get("/contacts?tag=vip")).status_code == 200


async def test_next_never_leads_off_the_site(app: Any, web: Any) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"):
        async with web.client(app) as client:
            page = await client.get("/login")
            response = await client.post(
                "/login",
                data={
                    "username": "asha",
                    "password": web.password,
                    "next": target,
                    "csrf_token": web.csrf_of(page.text),
                },
            )
        assert response.status_code == 303
        assert response.headers["location"] == "/"


async def test_signing_in_needs_the_forms_csrf_token(anonymous: httpx.AsyncClient, web: Any):
    await anonymous.get("/login")
    response = await anonymous.post("/login", data={"username": "asha", "password": web.password})
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert "sampark_session" not in anonymous.cookies


async def test_a_failed_sign_in_says_the_same_for_unknown_users_and_wrong_passwords(
    anonymous: httpx.AsyncClient, web: Any
) -> None:
    wrong = await _login(anonymous, web, "asha", "not the password at all")
    unknown = await _login(anonymous, web, "nobody-here", "not the password at all")
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "Wrong username or password." in response.text
        assert "sampark_session" not in response.cookies
    assert wrong.text.replace("asha", "X") == unknown.text.replace("nobody-here", "X")
    assert 'value="asha"' in wrong.text  # the username is kept, the password is not
    assert "not the password at all" not in wrong.text


async def test_too_many_failures_say_when_to_try_again(
    anonymous: httpx.AsyncClient, web: Any
) -> None:
    for _ in range(auth.MAX_FAILURES_PER_USERNAME):
        assert (await _login(anonymous, web, "ravi", "a wrong password!")).status_code == 400
    refused = await _login(anonymous, web, "ravi", web.password)
    assert refused.status_code == 429
    assert "Too many failed sign-ins. Try again in" in refused.text
    assert "minute" in refused.text
    assert int(refused.headers["retry-after"]) > 0


async def test_signing_in_starts_a_new_session_and_ends_the_old_one(
    app: Any, anonymous: httpx.AsyncClient, web: Any
) -> None:
    await _login(anonymous, web, "ravi", web.password)
    first = anonymous.cookies["sampark_session"]
    home = await anonymous.get("/")
    again = await anonymous.post(
        "/login",
        data={"username": "ravi", "password": web.password, "csrf_token": web.csrf_of(home.text)},
    )
    assert again.status_code == 303
    second = anonymous.cookies["sampark_session"]
    assert second != first
    assert (await anonymous.get("/")).status_code == 200
    async with web.client(app) as replay:
        replay.cookies.set("sampark_session", first)
        assert (await replay.get("/")).status_code == 303  # the old session is over


async def test_signing_out_ends_the_session_even_if_the_cookie_is_replayed(
    anonymous: httpx.AsyncClient, web: Any
) -> None:
    await _login(anonymous, web, "ravi", web.password)
    cookie = anonymous.cookies["sampark_session"]
    home = await anonymous.get("/")
    assert home.status_code == 200
    out = await anonymous.post("/logout", data={"csrf_token": web.csrf_of(home.text)})
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert "sampark_session" not in anonymous.cookies
    anonymous.cookies.set("sampark_session", cookie)
    assert (await anonymous.get("/")).status_code == 303


async def test_signing_out_needs_the_csrf_token(admin: httpx.AsyncClient) -> None:
    response = await admin.post("/logout")
    assert response.status_code == 403
    assert (await admin.get("/")).status_code == 200  # still signed in


async def test_a_forged_session_cookie_is_ignored(
    web_crm: Sampark, anonymous: httpx.AsyncClient, web: Any
) -> None:
    await _login(anonymous, web, "ravi", web.password)
    session_id = anonymous.cookies["sampark_session"].rsplit(".", 1)[0]
    anonymous.cookies.set("sampark_session", f"{session_id}.forged-signature")
    assert (await anonymous.get("/")).status_code == 303
    anonymous.cookies.set("sampark_session", session_id)
    assert (await anonymous.get("/")).status_code == 303


async def test_a_disabled_user_is_signed_out_at_once(web_crm: Sampark, browser: Any) -> None:
    client = await browser("ravi")
    assert (await client.get("/")).status_code == 200
    await auth.disable_user(web_crm, "ravi")
    assert (await client.get("/")).status_code == 303


async def test_an_api_token_signs_requests_in_without_cookies(
    web_crm: Sampark, anonymous: httpx.AsyncClient
) -> None:
    token, _ = await auth.create_token(web_crm, "mira", "laptop")
    response = await anonymous.get("/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert "mira" in response.text
    bad = await anonymous.get("/", headers={"Authorization": "Bearer smp_not-a-token"})
    assert bad.status_code == 303
