"""The plugin's life: it needs tickets, and disabling it leaves no trace but its data."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from sampark.cli import build_cli
from sampark.core.errors import ConfigError
from sampark.core.kernel import Sampark
from sampark.core.settings import Settings
from sampark.plugins.contracts.facade import Contracts
from sampark.web.app import build_app

from .conftest import SECRET


def test_enabling_contracts_without_tickets_fails_clearly(settings: Settings) -> None:
    with pytest.raises(ConfigError) as refused:
        Sampark(dataclasses.replace(settings, plugins=("contracts",)))
    assert str(refused.value) == (
        "plugin contracts requires 'tickets', which is not enabled (add 'tickets' to plugins)"
    )


def test_a_bad_warning_setting_is_named(settings: Settings) -> None:
    with pytest.raises(ConfigError) as refused:
        Sampark(
            dataclasses.replace(
                settings,
                plugins=("tickets", "contracts"),
                plugin_tables={"contracts": {"expiry_warning_day": 3}},
            )
        )
    assert "plugin.contracts: unknown setting 'expiry_warning_day'" in str(refused.value)


async def test_an_impossible_threshold_stops_the_start(make_kernel) -> None:
    with pytest.raises(ConfigError) as refused:
        await make_kernel(
            plugins=("tickets", "contracts"),
            plugin_tables={"contracts": {"exhaustion_warning_percent": 0}},
        )
    assert "plugin.contracts.exhaustion_warning_percent: must be from 1 to 100" in str(
        refused.value
    )


@contextlib.asynccontextmanager
async def _signed_in(clients: Any, app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with clients.browser(app) as client:
        await clients.sign_in(client, "asha")
        yield client


async def test_disabling_removes_every_face_and_re_enabling_finds_the_data(
    make_kernel, settings: Settings, clients: Any
) -> None:
    from sampark.core.services import auth

    web = dataclasses.replace(settings.web, secret_key=SECRET)
    both = await make_kernel(plugins=("tickets", "contracts"), web=web)
    await auth.add_user(both, "asha", password=clients.password, roles=("admin",))
    account = await both.accounts.create(name="Sundar Textiles")
    contract = await Contracts.of(both).create(
        account_id=account.id, name="Gold", unit="incidents", units_included=10
    )
    contact = await both.contacts.create(first_name="Asha")
    from sampark.plugins.tickets.facade import Tickets

    await Tickets(both).open(subject="Loom", requester_id=contact.id, account_id=account.id)
    await both.close()

    # Disabled: tickets stays on, contracts goes.
    alone = await make_kernel(plugins=("tickets",), web=web)
    assert "contracts.read" not in alone.permission_names
    async with _signed_in(clients, build_app(alone)) as client:
        assert (await client.get("/contracts/")).status_code == 404
        assert (await client.get(f"/contracts/{contract.id}")).status_code == 404
        home = await client.get("/")
        assert 'href="/contracts/"' not in home.text
        assert "contracts near" not in home.text
        account_page = await client.get(f"/accounts/{account.id}")
        assert "contracts-panel" not in account_page.text
        document = (await client.get("/api/openapi.json")).json()
        assert not [path for path in document["paths"] if path.startswith("/v1/contracts")]
        api = await client.get("/api/v1/contracts")
        assert api.status_code in (401, 404)
    assert "contracts" not in (await alone.search("gold"))
    with alone.activate():
        rows = await alone.connection.execute_query_dict(
            "SELECT name, used_count FROM contracts_contract"
        )
    assert rows == [{"name": "Gold", "used_count": 1}]
    await alone.close()

    # Enabled again: the same contract, its usage intact.
    again = await make_kernel(plugins=("tickets", "contracts"), web=web)
    back = await Contracts.of(again).get(contract.id)
    assert (back.name, back.units_used) == ("Gold", 1)
    async with _signed_in(clients, build_app(again)) as client:
        assert (await client.get(f"/contracts/{contract.id}")).status_code == 200
        document = (await client.get("/api/openapi.json")).json()
        assert "/v1/contracts" in document["paths"]


def test_the_command_exists_only_while_contracts_is_enabled(
    database_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "sampark.toml"

    def cli(plugins: str, *args: str) -> Result:
        config.write_text(f'database = "{database_url}"\nplugins = [{plugins}]\n', "utf-8")
        argv = ["--config", str(config), *args]
        return CliRunner().invoke(build_cli(argv), argv)

    async def seed() -> None:
        kernel = Sampark(Settings(database_url=database_url, plugins=("tickets", "contracts")))
        await kernel.start(migrate=True)
        try:
            account = await kernel.accounts.create(name="Sundar Textiles")
            await Contracts.of(kernel).create(
                account_id=account.id, name="Gold", unit="incidents", units_included=10
            )
        finally:
            await kernel.close()

    asyncio.run(seed())
    both = '"tickets", "contracts"'
    assert "Gold" in cli(both, "contracts", "list").output
    gone = cli('"tickets"', "contracts", "list")
    assert gone.exit_code == 2 and "No such command 'contracts'" in gone.output
    assert "contracts" not in cli('"tickets"', "--help").output
    back = cli(both, "contracts", "list")
    assert back.exit_code == 0 and "Gold" in back.output
