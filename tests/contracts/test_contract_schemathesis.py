"""Schemathesis over the contracts operations: generated requests find no 500 and no
mismatch with the document (valid and invalid input, with and without a token)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette

from sampark.core.kernel import Sampark
from sampark.core.services.auth import add_user, create_token
from sampark.core.settings import Settings
from sampark.plugins.contracts.facade import Contracts
from sampark.plugins.tickets.facade import Tickets
from sampark.web.app import build_app

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


async def _seed(kernel: Sampark) -> str:
    await kernel.start(migrate=True)
    try:
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
    finally:
        await kernel.close()
    return token


@pytest.fixture
def served(settings: Settings) -> Iterator[Starlette]:
    web = dataclasses.replace(settings.web, allowed_hosts=("test", "testserver"))
    kernel = Sampark(dataclasses.replace(settings, plugins=("tickets", "contracts"), web=web))
    token = asyncio.run(_seed(kernel))
    app = build_app(kernel, manage_kernel=True)
    app.state.token = token
    yield app
    shutdown_lifespans()


def _exercise(operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call()
        if "\n" in unquote(urlsplit(response.request.url).path):
            return
        case.validate_response(response, checks=CHECKS, transport_kwargs={})

    run()


def test_the_contracts_api_keeps_its_document(served: Starlette) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", served)
    token = served.state.token

    @schema.auth()
    class AdminToken:
        def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
            return token

        def set(
            self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext
        ) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.split("/")[2] == "contracts"
    ]
    assert len(operations) == 7
    failures = []
    for operation in operations:
        for mode in MODES:
            try:
                _exercise(operation, mode)
            except Exception as exc:
                failures.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"
                )
    assert not failures, "\n\n".join(failures)
