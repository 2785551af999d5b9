"""Schemathesis over the contracts operations: generated requests find no 500 and no
mismatch with the document (valid and invalid input, with and without a token)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.applications import Starlette

from sampark.core.kernel import Sampark
from sampark.core.services.auth import add_user, create_token
from sampark.plugins.contracts.facade import Contracts
from sampark.plugins.tickets.facade import Tickets

MAX_EXAMPLES = 15


async def _seed(kernel: Sampark) -> str:
    await add_user(kernel, "admin", roles=("admin",))
    token, _ = await create_token(kernel, "admin", "schemathesis")
    account = await kernel.accounts.create(name="Sundar Textiles")
    await Contracts.of(kernel).create(
        account_id=account.id, name="Gold", unit="hours", units_included="7.5"
    )
    contact = await kernel.contacts.create(first_name="Asha")
    desk = Tickets(kernel)
    ticket = await desk.open(subject="Seeded", requester_id=contact.id, account_id=account.id)
    await desk.reply(ticket.id, "Hello", minutes=30)
    return token


@pytest.fixture
def served(serve: Callable[..., Starlette]) -> Starlette:
    app = serve(_seed, migrate=True, plugins=("tickets", "contracts"))
    app.state.token = app.state.seeded
    return app


def test_the_contracts_api_keeps_its_document(
    served: Starlette, fuzz_api: Callable[..., list[str]]
) -> None:
    operations = fuzz_api(served, served.state.token, label="contracts")
    assert len(operations) == 9
