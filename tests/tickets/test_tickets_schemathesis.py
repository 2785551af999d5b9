"""Schemathesis over the API with tickets enabled: the tickets operations keep their document."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.applications import Starlette

from sampark.core.kernel import Sampark
from sampark.core.services.auth import add_user, create_token
from sampark.plugins.tickets.facade import Tickets

MAX_EXAMPLES = 15


async def _seed(kernel: Sampark) -> str:
    await add_user(kernel, "admin", roles=("admin",))
    token, _ = await create_token(kernel, "admin", "schemathesis")
    contact = await kernel.contacts.create(first_name="Asha")
    desk = Tickets(kernel)
    ticket = await desk.open(subject="Seeded", requester_id=contact.id)
    await desk.reply(ticket.id, "Hello", minutes=3)
    return token


@pytest.fixture
def served(serve: Callable[..., Starlette]) -> Starlette:
    app = serve(_seed, migrate=True, plugins=("tickets",))
    app.state.token = app.state.seeded
    return app


def test_the_tickets_api_keeps_its_document(
    served: Starlette, fuzz_api: Callable[..., list[str]]
) -> None:
    operations = fuzz_api(served, served.state.token, label="tickets")
    assert len(operations) == 10
