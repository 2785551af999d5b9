"""``sampark demo`` with contracts: flagged contracts written before the demo tickets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sampark.core.kernel import Sampark
from sampark.core.services.demo import create_demo_data
from sampark.plugins.contracts.facade import Contracts

PLUGINS = ("tickets", "contracts")


async def demo_contracts(kernel: Sampark) -> tuple[Any, list[Any]]:
    with kernel.activate():
        summary = await create_demo_data(kernel, contacts=40, seed=5)
    return summary, list(await Contracts(kernel).list(limit=200))


def shape(contract: Any) -> tuple[Any, ...]:
    return (
        contract.name,
        contract.unit,
        contract.units_included,
        contract.units_used,
        contract.start_date,
        contract.end_date,
    )


async def test_demo_contracts_are_flagged_and_repeat_for_a_seed(
    second_database_url: str, make_kernel: Callable[..., Awaitable[Sampark]]
) -> None:
    kernel = await make_kernel(plugins=("contracts", "tickets"))
    # Contracts require tickets, so they register later and pluggy calls them first
    # (whatever the order in the config): the contracts exist before the demo tickets.
    hooks = kernel.plugins.pm.hook.demo_data.get_hookimpls()
    calls = [impl.plugin_name for impl in reversed(hooks)]
    assert calls.index("contracts") < calls.index("tickets")

    summary, contracts = await demo_contracts(kernel)
    assert len(contracts) == 3
    assert summary.plugins == ("3 contracts (4 tickets using one up)", "5 tickets")
    assert len({contract.account_id for contract in contracts}) == 3
    assert await Contracts(kernel).flagged_counts() == {"near_exhaustion": 1, "near_expiry": 1}
    [used_up] = [contract for contract in contracts if contract.near_exhaustion]
    # The 4 tickets the contracts demo opened, and any demo ticket from the same account.
    assert used_up.units_used == len(await Contracts(kernel).tickets(used_up.id)) >= 4
    # The others are in use; the nearly used-up one may be used up by the demo's tickets.
    assert all(c.status == "active" for c in contracts if c is not used_up)
    assert used_up.status == ("active" if used_up.units_used < 5 else "exhausted")

    again = await make_kernel(plugins=PLUGINS, database_url=second_database_url)
    _, repeated = await demo_contracts(again)
    assert [shape(contract) for contract in repeated] == [shape(c) for c in contracts]
