"""Web fixtures: the app on the test database, users of each role, and a browser-like client.

The clients come from ``clients`` (tests/conftest.py): they speak to the ASGI app in-process
(httpx), keep cookies like a browser, and do not follow redirects, so tests see each 303.
Server errors come back as the 500 page instead of being raised, as a real browser would
see them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sampark.core.kernel import Sampark
from sampark.core.services import auth
from sampark.core.settings import WebSettings
from sampark.web.app import build_app

SECRET = "test-secret-key-" + "x" * 32
# username -> roles
USERS = {"asha": ("admin",), "ravi": ("agent",), "mira": ("read-only",), "maya": ("manager",)}

SignIn = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture(autouse=True)
def _quick_password_hashes(quick_password_hashes: None) -> None:
    """These tests sign in a lot: cheap hashes for all of them."""


@pytest.fixture
async def web_crm(make_kernel: Callable[..., Awaitable[Sampark]], clients: Any) -> Sampark:
    """A kernel with web settings (a secret key) and one user per role."""
    kernel = await make_kernel(web=WebSettings(secret_key=SECRET))
    for username, roles in USERS.items():
        await auth.add_user(kernel, username, password=clients.password, roles=roles)
    return kernel


@pytest.fixture
def app(web_crm: Sampark) -> Starlette:
    return build_app(web_crm)


@pytest.fixture
def anonymous(app: Starlette, clients: Any) -> httpx.AsyncClient:
    """A browser that has not signed in."""
    return clients.browser(app)


@pytest.fixture
def browser(app: Starlette, clients: Any) -> SignIn:
    """``await browser("ravi")``: a client signed in as that user (closed after the test)."""

    async def open_as(username: str, **options: Any) -> httpx.AsyncClient:
        return await clients.signed_in(app, username, **options)

    return open_as


@pytest.fixture
async def admin(browser: SignIn) -> httpx.AsyncClient:
    return await browser("asha")


class Web:
    """The ``clients`` helpers under the names the web tests use (the ``web`` fixture)."""

    def __init__(self, clients: Any) -> None:
        self.password = clients.password
        self.csrf_of = clients.csrf_of
        self.client = clients.browser
        self.sign_in = clients.sign_in

    @staticmethod
    def settings(kernel: Sampark, **changes: Any) -> WebSettings:
        return dataclasses.replace(kernel.settings.web, **changes)


@pytest.fixture
def web(clients: Any) -> Web:
    """Helpers for tests that build their own app."""
    return Web(clients)
