"""Ids no record can have (past a 32-bit integer) are not found on every face and engine.

PostgreSQL refuses such a number as a query argument and SQLite anything past 64 bits, so
the services check ids before querying; these tests fail with a driver error otherwise.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sampark.core.errors import NotFoundError
from sampark.core.ids import MAX_ID, check_id
from sampark.core.kernel import Sampark
from sampark.plugins.contracts.facade import Contracts
from sampark.plugins.pipeline.facade import Deals
from sampark.plugins.tickets.facade import Tickets

BUILT_IN = ("pipeline", "tickets", "contracts")
TOO_BIG = [MAX_ID + 1, 99_999_999_999, 10**30]


@pytest.fixture(scope="module")
def sampark_plugins() -> tuple[str, ...]:
    return BUILT_IN


@pytest.mark.parametrize("value", [*TOO_BIG, 0, -1, True, "7", 7.0, None])
def test_check_id_refuses_what_no_record_can_have(value: Any) -> None:
    with pytest.raises(NotFoundError, match="contact"):
        check_id("contact", value)


def test_check_id_passes_the_whole_range() -> None:
    assert check_id("contact", 1) == 1
    assert check_id("contact", MAX_ID) == MAX_ID


@pytest.mark.parametrize("record_id", TOO_BIG)
async def test_the_kernel_finds_no_record_past_a_32_bit_id(
    make_kernel: Callable[..., Awaitable[Sampark]], record_id: int
) -> None:
    crm = await make_kernel(plugins=BUILT_IN)
    lookups: list[Callable[[], Awaitable[Any]]] = [
        lambda: crm.contacts.get(record_id),
        lambda: crm.accounts.restore(record_id),
        lambda: crm.interactions.get(record_id),
        lambda: crm.links.get(record_id),
        lambda: crm.timeline(("contact", record_id)),
        lambda: crm.audit("account", record_id),
        lambda: crm.audit("deal", record_id),
        lambda: Deals(crm).get(record_id),
        lambda: Tickets(crm).restore(record_id),
        lambda: Contracts(crm).get(record_id),
    ]
    for lookup in lookups:
        with pytest.raises(NotFoundError):
            await lookup()


@pytest.mark.parametrize(
    "args",
    [
        ("contacts", "show"),
        ("accounts", "delete"),
        ("followups", "done"),
        ("unlink",),
        ("deals", "show"),
        ("tickets", "show"),
        ("contracts", "show"),
    ],
)
def test_the_cli_says_not_found_for_an_id_past_32_bits(
    run_cli: Callable[..., Any], args: tuple[str, ...]
) -> None:
    result = run_cli(*args, "99999999999")
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "99999999999 not found" in result.output
