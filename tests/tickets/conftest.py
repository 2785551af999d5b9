"""Fixtures for the tickets plugin: a kernel with tickets enabled, users, a requester."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sampark.core.kernel import Sampark
from sampark.core.permissions import actor_for
from sampark.core.services import auth

TICKETS = ("tickets",)
PASSWORD = "a long enough passphrase"
ROLES = {"asha": ("admin",), "ravi": ("agent",), "mira": ("read-only",), "dev": ("agent",)}


@pytest.fixture
async def desk(make_kernel: Callable[..., Awaitable[Sampark]]) -> Sampark:
    """A kernel with the tickets plugin on a fresh database."""
    return await make_kernel(plugins=TICKETS)


@pytest.fixture
async def people(desk: Sampark) -> dict[str, Any]:
    """Users of each role, their actors, and a requester contact owned by ravi."""
    actors = {}
    for username in ("asha", "ravi", "mira", "dev"):
        user = await auth.add_user(desk, username, password=PASSWORD, roles=ROLES[username])
        actors[username] = actor_for(
            user.id, username, ROLES[username], desk.roles, desk.permission_names
        )
    contact = await desk.contacts.create(first_name="Kiran", last_name="Rao", owner="ravi")
    other = await desk.contacts.create(first_name="Lata", last_name="Shah", owner="asha")
    account = await desk.accounts.create(name="Acme", kinds=["customer"])
    return {"actors": actors, "contact": contact, "other": other, "account": account}


# ---------------------------------------------------------------------------
# The web app and the API with tickets enabled
# ---------------------------------------------------------------------------

import re  # noqa: E402

import httpx  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402

from sampark.core.services import users  # noqa: E402
from sampark.core.settings import WebSettings  # noqa: E402
from sampark.web.app import build_app  # noqa: E402

SECRET = "tickets-test-secret-" + "x" * 32
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@pytest.fixture
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
async def web_desk(make_kernel: Callable[..., Awaitable[Sampark]], quick_hashes: None) -> Sampark:
    """A kernel with tickets, web settings that admit test clients, and one user per role."""
    kernel = await make_kernel(
        plugins=TICKETS,
        web=WebSettings(secret_key=SECRET, allowed_hosts=("localhost", "test", "testserver")),
    )
    return kernel


@pytest.fixture
async def staff(web_desk: Sampark) -> dict[str, Any]:
    from sampark.core.services.auth import create_token

    tokens = {}
    for username, roles in ROLES.items():
        await auth.add_user(web_desk, username, password=PASSWORD, roles=roles)
        tokens[username], _ = await create_token(web_desk, username, "tests")
    contact = await web_desk.contacts.create(first_name="Kiran", last_name="Rao", owner="ravi")
    account = await web_desk.accounts.create(name="Acme", kinds=["customer"])
    return {"tokens": tokens, "contact": contact, "account": account}


def client_for(app: Any, **options: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://localhost", **options)


@pytest.fixture
async def signed_in(web_desk: Sampark, staff: dict) -> Any:
    """``await signed_in("asha")``: a browser-like client signed in as that user."""
    app = build_app(web_desk)
    clients: list[httpx.AsyncClient] = []

    async def open_as(username: str) -> httpx.AsyncClient:
        client = client_for(app)
        clients.append(client)
        page = await client.get("/login")
        response = await client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert response.status_code == 303, response.text
        return client

    yield open_as
    for client in clients:
        await client.aclose()


@pytest.fixture
async def api(web_desk: Sampark, staff: dict) -> Any:
    """``api("asha")``: a client of the tickets API as that user (None: no token)."""
    app = build_app(web_desk)
    clients: list[httpx.AsyncClient] = []

    def open_as(username: str | None = "asha", **headers: str) -> httpx.AsyncClient:
        if username is not None:
            headers.setdefault("Authorization", f"Bearer {staff['tokens'][username]}")
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test/api/v1", headers=headers
        )
        clients.append(client)
        return client

    yield open_as
    for client in clients:
        await client.aclose()
