"""Fixtures for the tickets plugin: a kernel with tickets enabled, users, a requester."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sampark.core.kernel import Sampark
from sampark.core.permissions import actor_for
from sampark.core.services import auth
from sampark.core.services.auth import create_token
from sampark.core.settings import WebSettings
from sampark.web.app import build_app

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

SECRET = "tickets-test-secret-" + "x" * 32


@pytest.fixture
async def web_desk(
    make_kernel: Callable[..., Awaitable[Sampark]], quick_password_hashes: None
) -> Sampark:
    """A kernel with tickets, web settings that admit test clients, and one user per role."""
    kernel = await make_kernel(
        plugins=TICKETS,
        web=WebSettings(secret_key=SECRET, allowed_hosts=("localhost", "test", "testserver")),
    )
    return kernel


@pytest.fixture
async def staff(web_desk: Sampark, clients: Any) -> dict[str, Any]:
    """One user per role (signing in with ``clients.password``), their tokens, a contact."""
    tokens = {}
    for username, roles in ROLES.items():
        await auth.add_user(web_desk, username, password=clients.password, roles=roles)
        tokens[username], _ = await create_token(web_desk, username, "tests")
    contact = await web_desk.contacts.create(first_name="Kiran", last_name="Rao", owner="ravi")
    account = await web_desk.accounts.create(name="Acme", kinds=["customer"])
    return {"tokens": tokens, "contact": contact, "account": account}


@pytest.fixture
def signed_in(web_desk: Sampark, staff: dict, clients: Any) -> Any:
    """``await signed_in("asha")``: a browser-like client signed in as that user."""
    app = build_app(web_desk)

    async def open_as(username: str) -> Any:
        return await clients.signed_in(app, username)

    return open_as


@pytest.fixture
def api(web_desk: Sampark, staff: dict, clients: Any) -> Any:
    """``api("asha")``: a client of the tickets API as that user (None: no token)."""
    app = build_app(web_desk)

    def open_as(username: str | None = "asha", **headers: str) -> Any:
        token = staff["tokens"][username] if username is not None else None
        return clients.api(app, token, **headers)

    return open_as
