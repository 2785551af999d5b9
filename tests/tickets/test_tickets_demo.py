"""``sampark demo`` with tickets: a varied queue, the same again for a seed, and the CLI."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from sampark.cli import build_cli
from sampark.core.kernel import Sampark
from sampark.core.services.demo import create_demo_data
from sampark.core.settings import load_settings
from sampark.plugins.contracts.facade import Contracts
from sampark.plugins.tickets.facade import Tickets


async def demo_tickets(kernel: Sampark) -> tuple[Any, list[Any]]:
    with kernel.activate():
        summary = await create_demo_data(kernel, contacts=40, seed=5)
    return summary, list(await Tickets(kernel).list(limit=200))


def shape(ticket: Any) -> tuple[Any, ...]:
    return (ticket.subject, ticket.priority, ticket.channel, ticket.status, ticket.assignee)


async def test_demo_tickets_are_varied_and_repeat_for_a_seed(
    second_database_url: str, make_kernel: Callable[..., Awaitable[Sampark]]
) -> None:
    kernel = await make_kernel(plugins=("tickets",))
    summary, tickets = await demo_tickets(kernel)
    assert len(tickets) == 5 and "5 tickets" in summary.plugins
    assert len({ticket.status for ticket in tickets}) >= 3
    assert len({ticket.priority for ticket in tickets}) >= 2
    assert any(ticket.assignee for ticket in tickets)
    assert any(ticket.account_id for ticket in tickets)
    assert any(ticket.status in ("resolved", "closed") for ticket in tickets)
    talk = [m for ticket in tickets for m in await Tickets(kernel).conversation(ticket.id)]
    assert {message.internal for message in talk} == {True, False}
    assert all(message.minutes for message in talk)
    # An urgent ticket nobody has answered yet is due within the breach window.
    assert list(await Tickets(kernel).list(view="breaching"))

    again = await make_kernel(plugins=("tickets",), database_url=second_database_url)
    _, repeated = await demo_tickets(again)
    assert [shape(ticket) for ticket in repeated] == [shape(ticket) for ticket in tickets]


def _invoke(config: Path, *args: str) -> Result:
    argv = ["--config", str(config), *args]
    return CliRunner().invoke(build_cli(argv), argv)


def test_demo_command_fills_a_service_desk(database_url: str, tmp_path: Path) -> None:
    config = tmp_path / "sampark.toml"
    config.write_text(
        f'database = "{database_url}"\nphone_region = "IN"\nplugins = ["tickets", "contracts"]\n',
        encoding="utf-8",
    )
    assert _invoke(config, "migrate").exit_code == 0
    result = _invoke(config, "demo", "--seed", "1", "--contacts", "30")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "Plugins added 3 contracts (4 tickets using one up), 4 tickets."
    )

    async def charged(kernel: Sampark) -> list[int]:
        contracts = Contracts(kernel)
        return [len(await contracts.tickets(c.id)) for c in await contracts.list()]

    async def run() -> list[int]:
        async with Sampark(load_settings(config)) as kernel:
            return await charged(kernel)

    # Contracts are written before tickets, so the demo's tickets are charged to them too.
    assert sum(asyncio.run(run())) > 4
