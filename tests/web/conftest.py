"""Web fixtures: the app on the test database, users of each role, and a browser-like client.

The client speaks to the ASGI app in-process (httpx), keeps cookies like a browser, and
does not follow redirects, so tests see each 303. Server errors come back as the 500 page
instead of being raised, as a real browser would see them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette

from sampark.core.kernel import Sampark
from sampark.core.services import auth, users
from sampark.core.settings import WebSettings
from sampark.web.app import build_app

BASE_URL = "http://localhost"
PASSWORD = "a long enough passphrase"
SECRET = "test-secret-key-" + "x" * 32
# username -> roles
USERS = {"asha": ("admin",), "ravi": ("agent",), "mira": ("read-only",), "maya": ("manager",)}

SignIn = Callable[..., Awaitable[httpx.AsyncClient]]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def client_for(app: Starlette, **options: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL, **options)


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> Any:
    """Sign in through the login form, as a person would; returns the POST's response."""
    page = await client.get("/login")
    return await client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
    )


@pytest.fixture(autouse=True)
def _quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: these tests sign in a lot, and the strength is tested elsewhere."""
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
async def web_crm(make_kernel: Callable[..., Awaitable[Sampark]]) -> Sampark:
    """A kernel with web settings (a secret key) and one user per role."""
    kernel = await make_kernel(web=WebSettings(secret_key=SECRET))
    for username, roles in USERS.items():
        await auth.add_user(kernel, username, password=PASSWORD, roles=roles)
    return kernel


@pytest.fixture
def app(web_crm: Sampark) -> Starlette:
    return build_app(web_crm)


@pytest.fixture
async def anonymous(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A browser that has not signed in."""
    async with client_for(app) as client:
        yield client


@pytest.fixture
async def browser(app: Starlette) -> AsyncIterator[SignIn]:
    """``await browser("ravi")``: a client signed in as that user (closed after the test)."""
    clients: list[httpx.AsyncClient] = []

    async def open_as(username: str, **options: Any) -> httpx.AsyncClient:
        client = client_for(app, **options)
        clients.append(client)
        response = await sign_in(client, username)
        assert response.status_code == 303, response.text
        return client

    yield open_as
    for client in clients:
        await client.aclose()


@pytest.fixture
async def admin(browser: SignIn) -> httpx.AsyncClient:
    return await browser("asha")


class Web:
    """Helpers for tests that build their own app (the ``web`` fixture)."""

    password = PASSWORD
    csrf_of = staticmethod(csrf_of)
    client = staticmethod(client_for)
    sign_in = staticmethod(sign_in)

    @staticmethod
    def settings(kernel: Sampark, **changes: Any) -> WebSettings:
        return dataclasses.replace(kernel.settings.web, **changes)


@pytest.fixture
def web() -> type[Web]:
    return Web
