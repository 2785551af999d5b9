"""Schemathesis over the API with tickets enabled: the tickets operations keep their document."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator

import pytest
from schemathesis.python.asgi import shutdown_lifespans
from starlette.applications import Starlette

from sampark.core.kernel import Sampark
from sampark.core.services.auth import add_user, create_token
from sampark.core.settings import Settings
from sampark.plugins.tickets.facade import Tickets
from sampark.web.app import build_app

MAX_EXAMPLES = 15


async def _seed(kernel: Sampark) -> str:
    await kernel.start(migrate=True)
    try:
        await add_user(kernel, "admin", roles=("admin",))
        token, _ = await create_token(kernel, "admin", "schemathesis")
        contact = await kernel.contacts.create(first_name="Asha")
        desk = Tickets(kernel)
        ticket = await desk.open(subject="Seeded", requester_id=contact.id)
        await desk.reply(ticket.id, "Hello", minutes=3)
    finally:
        await kernel.close()
    return token


@pytest.fixture
def served(settings: Settings) -> Iterator[Starlette]:
    web = dataclasses.replace(settings.web, allowed_hosts=("test", "testserver"))
    kernel = Sampark(dataclasses.replace(settings, plugins=("tickets",), web=web))
    token = asyncio.run(_seed(kernel))
    app = build_app(kernel, manage_kernel=True)
    app.state.token = token
    yield app
    shutdown_lifespans()


def test_the_tickets_api_keeps_its_document(
    served: Starlette, fuzz_api: Callable[..., list[str]]
) -> None:
    operations = fuzz_api(served, served.state.token, label="tickets")
    assert len(operations) == 8
