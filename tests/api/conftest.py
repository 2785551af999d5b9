"""Fixtures for the JSON API: the web app serving it, users of each role with tokens, clients.

Requests go through the whole web app (``build_app``: its security middleware, its token
and session authentication) to the API mounted at ``/api``; every test runs on both engines.
These users differ from ``sampark.testing``'s (two agents, to test what each may see), so
this suite overrides ``crm``, ``tokens`` and ``api``; ``expect`` comes from ``sampark.testing``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sampark.core.kernel import Sampark
from sampark.core.services.auth import add_user, create_token
from sampark.core.settings import Settings
from sampark.web.app import build_app

# username -> roles; "asha" and "ravi" are agents who see only what they own.
USERS: dict[str, tuple[str, ...]] = {
    "admin": ("admin",),
    "manager": ("manager",),
    "asha": ("agent",),
    "ravi": ("agent",),
    "reader": ("read-only",),
}
# The hosts test clients send: httpx's and schemathesis'.
HOSTS = ("test", "testserver")


def _with_test_hosts(settings: Settings) -> Settings:
    return dataclasses.replace(settings, web=dataclasses.replace(settings.web, allowed_hosts=HOSTS))


@pytest.fixture
async def crm(make_kernel, settings: Settings) -> Sampark:
    """A started kernel whose web app answers the test clients' host names."""
    return await make_kernel(web=_with_test_hosts(settings).web)


@pytest.fixture
def make_api_app() -> Callable[[Sampark], Starlette]:
    """The builder of the test app, for tests that register plugins first."""
    return build_app


async def make_tokens(kernel: Sampark) -> dict[str, str]:
    tokens = {}
    for username, roles in USERS.items():
        await add_user(kernel, username, roles=roles)
        tokens[username], _ = await create_token(kernel, username, "api tests")
    return tokens


@pytest.fixture
async def tokens(crm: Sampark) -> dict[str, str]:
    """An API token for each user in USERS."""
    return await make_tokens(crm)


async def _seed(kernel: Sampark) -> dict[str, str]:
    tokens = await make_tokens(kernel)
    contact = await kernel.contacts.create(first_name="Asha", emails=["asha@example.in"])
    account = await kernel.accounts.create(name="Acme", kinds=["customer"])
    await kernel.links.create(contact.id, account.id, role="CTO")
    await kernel.interactions.log(kind="call", subject="Intro", contacts=[contact.id])
    return tokens


@pytest.fixture
def served_api(serve: Callable[..., Starlette]) -> Starlette:
    """The web app on a seeded test database, opening and closing its kernel in its lifespan.

    For tools that run the app in an event loop of their own (schemathesis). Tokens of
    the users in USERS are in ``app.state.tokens``.
    """
    app = serve(_seed)
    app.state.tokens = app.state.seeded
    return app


ClientFactory = Callable[..., httpx.AsyncClient]


@pytest.fixture
def connect(tokens: dict[str, str], clients: Any) -> ClientFactory:
    """``connect(app, "asha")``: a client of ``app``'s API as that user (None: no token)."""

    def client(app: Starlette, username: str | None = "admin", **headers: str) -> httpx.AsyncClient:
        return clients.api(app, tokens[username] if username is not None else None, **headers)

    return client


@pytest.fixture
def api(crm: Sampark, connect: ClientFactory) -> ClientFactory:
    """``api("asha")``: a client of the core API signed in as that user; ``api(None)``: no token."""
    app = build_app(crm)

    def client(username: str | None = "admin", **headers: str) -> httpx.AsyncClient:
        return connect(app, username, **headers)

    return client
