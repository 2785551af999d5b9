"""In-process HTTP clients of the web app and the API, and users of each role to use them.

Clients speak to the ASGI app through httpx, without a server. A browser client keeps
cookies, does not follow redirects (tests see each 303) and gets server errors back as the
500 page, as a real browser would; an API client sends a bearer token to
``http://test/api/v1`` and lets server errors raise.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pytest

from sampark.testing._async import async_fixture

if TYPE_CHECKING:
    import httpx
    from starlette.applications import Starlette

    from sampark.core.kernel import Sampark
    from sampark.core.settings import Settings, WebSettings
    from sampark.testing.databases import KernelFactory

# The password every test user signs in with.
PASSWORD = "a long enough passphrase"
# The web app's session key in tests (any text of 32 characters or more).
SECRET = "test-secret-key-" + "x" * 32
# The hosts test clients send: the browser client's, httpx's and schemathesis'.
TEST_HOSTS = ("127.0.0.1", "localhost", "test", "testserver")
# One user per role, username -> roles: the users of ``web_crm``, ``tokens`` and ``api``.
USERS: dict[str, tuple[str, ...]] = {
    "asha": ("admin",),
    "maya": ("manager",),
    "ravi": ("agent",),
    "mira": ("read-only",),
}

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

SignIn = Callable[..., Awaitable["httpx.AsyncClient"]]
ClientFactory = Callable[..., "httpx.AsyncClient"]


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class Clients:
    """Browser-like and token clients of an app, closed when the test ends (``clients``)."""

    password = PASSWORD
    csrf_of = staticmethod(csrf_of)

    def __init__(self) -> None:
        self._opened: list[httpx.AsyncClient] = []

    def _keep(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        self._opened.append(client)
        return client

    def browser(self, app: Any, **options: Any) -> httpx.AsyncClient:
        """A browser that has not signed in (usable in ``async with`` too)."""
        import httpx

        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        return self._keep(
            httpx.AsyncClient(transport=transport, base_url="http://localhost", **options)
        )

    @staticmethod
    async def sign_in(
        client: httpx.AsyncClient, username: str, password: str = PASSWORD
    ) -> httpx.Response:
        """Sign in through the login form, as a person would; returns the POST's response."""
        page = await client.get("/login")
        return await client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        )

    async def signed_in(self, app: Any, username: str, **options: Any) -> httpx.AsyncClient:
        """A browser signed in as ``username`` (with ``PASSWORD``); the sign-in must succeed."""
        client = self.browser(app, **options)
        response = await self.sign_in(client, username)
        assert response.status_code == 303, response.text
        return client

    def api(self, app: Any, token: str | None, **headers: str) -> httpx.AsyncClient:
        """A client of ``app``'s API sending ``token`` (None: no Authorization header)."""
        import httpx

        if token is not None:
            headers.setdefault("Authorization", f"Bearer {token}")
        transport = httpx.ASGITransport(app=app)
        return self._keep(
            httpx.AsyncClient(transport=transport, base_url="http://test/api/v1", headers=headers)
        )

    async def aclose(self) -> None:
        for client in self._opened:
            await client.aclose()


@async_fixture
async def clients() -> AsyncIterator[Clients]:
    """``clients.browser(app)``, ``await clients.signed_in(app, "ravi")``, ``clients.api(app,
    token)``, ``clients.csrf_of(html)``: every client opened is closed after the test."""
    opened = Clients()
    yield opened
    await opened.aclose()


@pytest.fixture
def quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters, for tests that sign in a lot (the strength is tested elsewhere)."""
    from argon2 import PasswordHasher

    from sampark.core.services import users

    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


def web_settings(kernel_or_settings: Any, **changes: Any) -> WebSettings:
    """The ``[web]`` settings tests use: ``SECRET`` and ``TEST_HOSTS``, with ``changes``."""
    web = kernel_or_settings.web
    return dataclasses.replace(web, secret_key=SECRET, allowed_hosts=TEST_HOSTS, **changes)


async def add_users(kernel: Sampark, *, with_tokens: bool = True) -> dict[str, str]:
    """Add the users in ``USERS`` (signing in with ``PASSWORD``); returns an API token of each.

    A seed for ``serve``: ``serve(add_users)`` puts the tokens in ``app.state.seeded``.
    """
    from sampark.core.services import auth

    tokens = {}
    for username, roles in USERS.items():
        await auth.add_user(kernel, username, password=PASSWORD, roles=roles)
        if with_tokens:
            tokens[username], _ = await auth.create_token(kernel, username, "tests")
    return tokens


@async_fixture
async def web_crm(
    make_kernel: KernelFactory, settings: Settings, quick_password_hashes: None
) -> Sampark:
    """A kernel ready for the web app and the API, with one user per role in ``USERS``.

    Each user signs in with ``PASSWORD``; passwords are hashed cheaply in these tests. Their
    API tokens are in the ``tokens`` fixture.
    """
    kernel = await make_kernel(web=web_settings(settings))
    await add_users(kernel, with_tokens=False)
    return kernel


@pytest.fixture
def app(web_crm: Sampark) -> Starlette:
    """The web app (pages and ``/api``) on ``web_crm``."""
    from sampark.web.app import build_app

    return build_app(web_crm)


@pytest.fixture
def anonymous(app: Starlette, clients: Clients) -> httpx.AsyncClient:
    """A browser that has not signed in."""
    return clients.browser(app)


@pytest.fixture
def browser(app: Starlette, clients: Clients) -> SignIn:
    """``await browser("ravi")``: a client of the web app signed in as that user."""

    async def open_as(username: str, **options: Any) -> httpx.AsyncClient:
        return await clients.signed_in(app, username, **options)

    return open_as


@async_fixture
async def admin(browser: SignIn) -> httpx.AsyncClient:
    """A browser signed in as ``asha``, the admin."""
    return await browser("asha")


@async_fixture
async def tokens(web_crm: Sampark) -> dict[str, str]:
    """An API token for each user in ``USERS``."""
    from sampark.core.services.auth import create_token

    made = {}
    for username in USERS:
        made[username], _ = await create_token(web_crm, username, "tests")
    return made


@pytest.fixture
def api(app: Starlette, tokens: dict[str, str], clients: Clients) -> ClientFactory:
    """``api("ravi")``: a client of the JSON API with that user's token; ``api(None)``: none."""

    def open_as(username: str | None = "asha", **headers: str) -> httpx.AsyncClient:
        return clients.api(app, tokens[username] if username is not None else None, **headers)

    return open_as


class Expect:
    """Assertions on the API's refusals (the ``expect`` fixture)."""

    @staticmethod
    def problem(response: httpx.Response, status: int) -> dict[str, Any]:
        """The problem+json body of a refusal, after checking its status and shape."""
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == status
        assert {"type", "title", "detail"} <= set(body)
        assert "Traceback" not in response.text
        return body

    @staticmethod
    def fields(response: httpx.Response, status: int = 422) -> dict[str, str]:
        """Each bad field a refusal names, with its message."""
        body = Expect.problem(response, status)
        return {error["field"]: error["message"] for error in body["errors"]}


@pytest.fixture
def expect() -> type[Expect]:
    """``expect.problem(response, 404)``, ``expect.fields(response)``: refusals' shape."""
    return Expect
