"""The built-in plugins together: one global search over core and every plugin's source."""

from __future__ import annotations

import pytest

from sampark.core.kernel import Sampark
from sampark.plugins.contracts.facade import Contracts
from sampark.plugins.pipeline.facade import Deals
from sampark.plugins.tickets.facade import Tickets

ALL = ("pipeline", "tickets", "contracts")


@pytest.fixture
async def crm(make_kernel) -> Sampark:
    return await make_kernel(plugins=ALL)


async def test_one_search_finds_a_contact_a_deal_a_ticket_and_a_contract(crm: Sampark) -> None:
    acme = await crm.accounts.create(name="Acme Pumps")
    asha = await crm.contacts.create(first_name="Asha", last_name="Pumpwala")
    await Contracts(crm).create(
        account_id=acme.id, name="Pump care", unit="incidents", units_included=10
    )
    await Deals(crm).create(title="Pump overhaul", amount="1200", account=acme.id)
    ticket = await Tickets(crm).open(subject="Pump leaks", requester_id=asha.id)
    found = await crm.search("pump")
    assert list(found)[:2] == ["contacts", "accounts"]  # core's sources first, then plugins'
    assert set(found) == {"contacts", "accounts", "deals", "tickets", "contracts"}
    titles = {source: [hit.title for hit in hits] for source, hits in found.items()}
    assert titles["contacts"] == ["Asha Pumpwala"] and titles["accounts"] == ["Acme Pumps"]
    assert titles["deals"] == ["Pump overhaul"] and titles["contracts"] == ["Pump care"]
    assert [hit.ref for hit in found["tickets"]] == [f"ticket:{ticket.id}"]
    by_number = await crm.search(ticket.number)
    assert [hit.ref for hit in by_number["tickets"]] == [f"ticket:{ticket.id}"]


@pytest.mark.parametrize("query", ["", "   ", "\x00", "a\x00b", "%_\\", "T-0\x0001", "ज़"])
async def test_odd_queries_find_nothing_and_fail_nowhere(crm: Sampark, query: str) -> None:
    await crm.contacts.create(first_name="Asha")
    found = await crm.search(query)
    assert set(found) == {"contacts", "accounts", "deals", "tickets", "contracts"}
    assert all(hits == [] for hits in found.values())
