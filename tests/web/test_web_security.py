"""The browser-facing protections: CSRF, cross-site refusal, headers, cookies, limits, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import sampark
from sampark.core.kernel import Sampark
from sampark.core.services import auth
from sampark.core.settings import WebSettings
from sampark.web.app import build_app
from sampark.web.security import CONTENT_SECURITY_POLICY, TrustedHosts, own_origin

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def _assert_secured(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.request.url)


async def _form_token(client: httpx.AsyncClient, path: str = "/contacts/new") -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return token


# ---------------------------------------------------------------------------
# CSRF and cross-site requests
# ---------------------------------------------------------------------------


async def test_a_form_post_without_the_csrf_token_is_refused(
    web_crm: Sampark, admin: httpx.AsyncClient
) -> None:
    response = await admin.post("/contacts/new", data={"first_name": "Asha"})
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    _assert_secured(response)
    forged = await admin.post("/contacts/new", data={"first_name": "Asha", "csrf_token": "x"})
    assert forged.status_code == 403
    assert len(await web_crm.contacts.list()) == 0


async def test_the_csrf_token_may_come_as_a_header(
    web_crm: Sampark, admin: httpx.AsyncClient
) -> None:
    token = await _form_token(admin)
    response = await admin.post(
        "/contacts/new", data={"first_name": "Asha"}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 303, response.text
    assert [c.display_name for c in await web_crm.contacts.list()] == ["Asha"]


async def test_a_cross_site_post_is_refused_even_with_the_token(
    web_crm: Sampark, admin: httpx.AsyncClient
) -> None:
    token = await _form_token(admin)
    response = await admin.post(
        "/contacts/new",
        data={"first_name": "Asha", "csrf_token": token},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert "other sites" in response.text
    same = await admin.post(
        "/contacts/new",
        data={"first_name": "Asha", "csrf_token": token},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert same.status_code == 303


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "null", "http://localhost:8000", "https://localhost"]
)
async def test_a_post_from_another_origin_is_refused_even_with_the_token(
    web_crm: Sampark, admin: httpx.AsyncClient, origin: str
) -> None:
    token = await _form_token(admin)
    response = await admin.post(
        "/contacts/new",
        data={"first_name": "Asha", "csrf_token": token},
        headers={"Origin": origin},
    )
    assert response.status_code == 403
    assert "other sites" in response.text
    assert len(await web_crm.contacts.list()) == 0


@pytest.mark.parametrize("origin", ["http://localhost", "http://LOCALHOST"])
async def test_a_post_from_our_own_origin_is_accepted(
    web_crm: Sampark, admin: httpx.AsyncClient, origin: str
) -> None:
    token = await _form_token(admin)
    response = await admin.post(
        "/contacts/new",
        data={"first_name": "Asha", "csrf_token": token},
        headers={"Origin": origin},
    )
    assert response.status_code == 303, response.text


async def test_our_origin_follows_the_scheme_and_host_served() -> None:
    def scope(scheme: str, host: str) -> dict[str, Any]:
        return {"type": "http", "scheme": scheme, "headers": [(b"host", host.encode())]}

    assert own_origin(scope("https", "crm.example.in:443")) == "https://crm.example.in"
    assert own_origin(scope("https", "crm.example.in:8443")) == "https://crm.example.in:8443"
    assert own_origin(scope("http", "[::1]:8000")) == "http://[::1]:8000"
    assert own_origin(scope("http", "[::1]")) == "http://[::1]"


async def test_a_multipart_form_carries_its_token_too(
    web_crm: Sampark, admin: httpx.AsyncClient
) -> None:
    token = await _form_token(admin)
    response = await admin.post(
        "/contacts/new",
        files={"first_name": (None, "Asha"), "csrf_token": (None, token)},
    )
    assert response.status_code == 303, response.text


async def test_api_calls_with_a_token_are_exempt_but_cookie_calls_are_not(
    web_crm: Sampark, admin: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    token, _ = await auth.create_token(web_crm, "asha", "script")
    created = await anonymous.post(
        "/api/v1/contacts",
        json={"first_name": "Asha"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text
    with_cookie = await admin.post("/api/v1/contacts", json={"first_name": "Ravi"})
    assert with_cookie.status_code == 403
    assert with_cookie.headers["content-type"] == "application/problem+json"
    nobody = await anonymous.post("/api/v1/contacts", json={"first_name": "Ravi"})
    assert nobody.status_code == 401
    assert [c.display_name for c in await web_crm.contacts.list()] == ["Asha"]


# ---------------------------------------------------------------------------
# Headers and cookies
# ---------------------------------------------------------------------------


async def test_every_response_carries_the_security_headers(
    admin: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    for client, path in (
        (admin, "/"),
        (admin, "/contacts"),
        (anonymous, "/login"),
        (anonymous, "/no-such-page"),
        (anonymous, "/static/sampark.css"),
        (anonymous, "/api/openapi.json"),
        (admin, "/api/v1/contacts"),
    ):
        response = await client.get(path)
        _assert_secured(response)
    page = await admin.get("/")
    assert page.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in page.headers
    assert 'charset="utf-8"' in page.text or "charset=utf-8" in page.headers["content-type"]


async def test_pages_have_no_inline_script_or_style(admin: httpx.AsyncClient) -> None:
    page = (await admin.get("/contacts/new")).text
    assert "<script>" not in page and "<style" not in page
    assert " style=" not in page and " onclick=" not in page
    assert '<script src="/static/sampark.js?v=' in page


async def test_cookies_are_httponly_lax_and_carry_only_a_signed_id(
    web_crm: Sampark, anonymous: httpx.AsyncClient, web: Any
) -> None:
    page = await anonymous.get("/login")
    pre = page.headers["set-cookie"]
    assert pre.startswith("sampark_csrf=")
    response = await web.sign_in(anonymous, "ravi")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("sampark_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    value = anonymous.cookies["sampark_session"]
    session_id, signature = value.rsplit(".", 1)
    assert await auth.session_for(web_crm, session_id) is not None
    assert "ravi" not in value and signature


async def test_behind_tls_cookies_are_secure_and_host_bound(
    make_kernel: Callable[..., Awaitable[Sampark]], web: Any
) -> None:
    kernel = await make_kernel(web=WebSettings(secret_key="k" * 40, https_only=True))
    await auth.add_user(kernel, "asha", password=web.password, roles=("admin",))
    transport = httpx.ASGITransport(app=build_app(kernel))
    async with httpx.AsyncClient(transport=transport, base_url="https://localhost") as client:
        page = await client.get("/login")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert page.headers["set-cookie"].startswith("__Host-sampark_csrf=")
        response = await web.sign_in(client, "asha")
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-sampark=")
        assert "Secure" in cookie and "HttpOnly" in cookie
        assert (await client.get("/")).status_code == 200


# ---------------------------------------------------------------------------
# Limits and hosts
# ---------------------------------------------------------------------------


@pytest.fixture
async def small_app(make_kernel: Callable[..., Awaitable[Sampark]]) -> AsyncIterator[Any]:
    kernel = await make_kernel(web=WebSettings(secret_key="k" * 40, max_body_bytes=2048))
    transport = httpx.ASGITransport(app=build_app(kernel), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client


async def test_a_body_over_the_limit_is_refused_with_413(small_app: httpx.AsyncClient) -> None:
    response = await small_app.post("/login", data={"username": "x" * 5000})
    assert response.status_code == 413
    assert "too large" in response.text
    _assert_secured(response)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"username=" + b"y" * 500

    streamed = await small_app.post(
        "/login",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413
    api = await small_app.post("/api/v1/contacts", content=b"{" + b" " * 4000 + b"}")
    assert api.status_code == 413
    assert api.headers["content-type"] == "application/problem+json"


async def test_unknown_hosts_are_refused(app: Any) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://evil.example") as client:
        page = await client.get("/login")
        api = await client.get("/api/v1/contacts")
    assert page.status_code == 400
    assert "Invalid host header" in page.text
    _assert_secured(page)
    assert api.status_code == 400  # the API's clients get the problem format, as for any refusal
    assert api.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("localhost", True),
        ("localhost:8000", True),
        ("crm.example.in", True),
        ("example.in", False),
        ("[::1]:8000", True),
        ("evil.example", False),
        ("", False),
    ],
)
def test_allowed_hosts_match_names_patterns_and_ipv6(host: str, allowed: bool) -> None:
    hosts = TrustedHosts(None, allowed_hosts=["localhost", "*.example.in", "[::1]"], refuse=None)
    assert hosts.allows(host) is allowed


# ---------------------------------------------------------------------------
# Error pages
# ---------------------------------------------------------------------------


async def test_error_pages_are_friendly(admin: httpx.AsyncClient) -> None:
    missing = await admin.get("/no-such-page")
    assert missing.status_code == 404
    assert "There is nothing here" in missing.text
    assert 'href="/contacts"' in missing.text  # the navigation is still there
    record = await admin.get("/contacts/987654")
    assert record.status_code == 404
    wrong_method = await admin.get("/logout")
    assert wrong_method.status_code == 405
    assert "cannot be used that way" in wrong_method.text
    api = await admin.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"


async def test_a_server_error_shows_a_page_without_the_traceback(web_crm: Sampark, web: Any):
    class Broken:
        @sampark.hookimpl
        def register_routes(self) -> list[Route]:
            async def boom(request: Request) -> Response:
                raise RuntimeError("secret internals: password=hunter2")

            return [Route("/boom", boom)]

    web_crm.plugins.pm.register(Broken(), name="broken")
    async with web.client(build_app(web_crm)) as client:
        await web.sign_in(client, "asha")
        response = await client.get("/broken/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "Traceback" not in response.text and "hunter2" not in response.text
    _assert_secured(response)


async def test_text_in_records_is_escaped(web_crm: Sampark, admin: httpx.AsyncClient) -> None:
    contact = await web_crm.contacts.create(
        first_name="<script>alert(1)</script>", notes="<img src=x onerror=alert(2)>"
    )
    page = (await admin.get(f"/contacts/{contact.id}")).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
