"""Fixtures for the contracts plugin: a CRM with tickets and contracts, users, web and API clients.

Every test runs on SQLite and (with SAMPARK_TEST_POSTGRES_URL) PostgreSQL, through the
public faces: the services' facade, ``Tickets`` to open tickets and log time, the CLI,
the web pages and the API.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sampark.core.kernel import Sampark
from sampark.core.permissions import Actor
from sampark.core.services import auth, users
from sampark.core.settings import Settings
from sampark.core.sql import fetch, now
from sampark.plugins.contracts.facade import Contracts
from sampark.plugins.tickets.facade import Tickets
from sampark.web.app import build_app

PLUGINS = ("tickets", "contracts")
SECRET = "test-secret-key-" + "x" * 32
# username -> roles; ravi is an agent: he sees only the contracts of accounts he owns.
USERS = {"asha": ("admin",), "ravi": ("agent",), "mira": ("read-only",), "maya": ("manager",)}


def today() -> dt.date:
    return now().date()


def days(count: int) -> str:
    """The ISO date ``count`` days from today (UTC)."""
    return (today() + dt.timedelta(days=count)).isoformat()


@pytest.fixture(autouse=True)
def _quick_password_hashes(quick_password_hashes: None) -> None:
    """These tests sign in a lot: cheap hashes for all of them."""


@pytest.fixture
async def crm(
    make_kernel: Callable[..., Awaitable[Sampark]], settings: Settings, clients: Any
) -> Sampark:
    """A started kernel with tickets and contracts, web settings, and one user per role."""
    web = dataclasses.replace(
        settings.web, secret_key=SECRET, allowed_hosts=("localhost", "test", "testserver")
    )
    kernel = await make_kernel(plugins=PLUGINS, web=web)
    for username, roles in USERS.items():
        await auth.add_user(kernel, username, password=clients.password, roles=roles)
    return kernel


class World:
    """Shortcuts for building what the tests need, all through the public services."""

    def __init__(self, kernel: Sampark) -> None:
        self.kernel = kernel
        self.contracts = Contracts.of(kernel)
        self.tickets = Tickets(kernel)

    async def actor(self, username: str) -> Actor:
        with self.kernel.activate():
            rows = await fetch(
                self.kernel.connection, "SELECT id FROM core_user WHERE username = ?", [username]
            )
        actor = await users.actor_for_user(self.kernel, rows[0]["id"])
        assert actor is not None
        return actor

    def as_user(self, actor: Actor) -> Contracts:
        return Contracts.of(self.kernel.as_user(actor))

    async def account(self, name: str = "Sundar Textiles", owner: str | None = None) -> Any:
        data: dict[str, Any] = {"name": name}
        if owner:
            data["owner"] = owner
        return await self.kernel.accounts.create(data)

    async def contact(self, name: str = "Asha") -> Any:
        return await self.kernel.contacts.create(first_name=name)

    async def contract(self, account_id: int, **fields: Any) -> Any:
        data = {
            "account_id": account_id,
            "name": "Gold support",
            "unit": "incidents",
            "units_included": 10,
            **fields,
        }
        return await self.contracts.create(data)

    async def ticket(self, account_id: int | None, subject: str = "Printer jammed") -> Any:
        requester = await self.contact()
        data: dict[str, Any] = {"subject": subject, "requester_id": requester.id}
        if account_id is not None:
            data["account_id"] = account_id
        return await self.tickets.open(data)

    async def log_time(self, ticket_id: int, minutes: int) -> Any:
        return await self.tickets.note(ticket_id, "Worked on it", minutes=minutes)


@pytest.fixture
def world(crm: Sampark) -> World:
    return World(crm)


# ---------------------------------------------------------------------------
# Web and API
# ---------------------------------------------------------------------------


@pytest.fixture
def app(crm: Sampark) -> Starlette:
    return build_app(crm)


SignIn = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
def browser(app: Starlette, clients: Any) -> SignIn:
    """``await browser("ravi")``: a client of the web app signed in as that user."""

    async def open_as(username: str) -> httpx.AsyncClient:
        return await clients.signed_in(app, username)

    return open_as


@pytest.fixture
async def api(crm: Sampark, app: Starlette, clients: Any) -> Callable[..., httpx.AsyncClient]:
    """``api("ravi")``: a client of the JSON API (``/api/v1/contracts``) with that user's token."""
    tokens = {
        username: (await auth.create_token(crm, username, "contract tests"))[0]
        for username in USERS
    }

    def client(username: str | None = "asha", **headers: str) -> httpx.AsyncClient:
        return clients.api(app, tokens[username] if username is not None else None, **headers)

    return client
