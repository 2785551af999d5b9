"""Tickets using contracts: the default link, incidents and hours counted atomically in the
ticket's transaction, over-use, deleted tickets, concurrency, and the ticket panel."""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import Decimal

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from sampark.core.errors import ValidationError
from sampark.plugins.contracts import usage
from sampark.plugins.tickets.records import TicketRecord

from .conftest import World, days


async def used(world: World, contract_id: int) -> Decimal:
    return (await world.contracts.get(contract_id)).units_used


async def test_a_new_ticket_of_the_account_is_charged_one_incident(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id, units_included=10)
    ticket = await world.ticket(account.id)
    assert (await world.contracts.of_ticket(ticket.id)).id == contract.id
    assert await used(world, contract.id) == 1
    links = await world.contracts.tickets(contract.id)
    assert [(link.ticket_id, link.number, link.units_used) for link in links] == [
        (ticket.id, ticket.number, Decimal(1))
    ]


async def test_tickets_without_an_account_or_of_another_account_are_not_charged(
    world: World,
) -> None:
    account = await world.account()
    other = await world.account("Other")
    contract = await world.contract(account.id)
    lone = await world.ticket(None)
    elsewhere = await world.ticket(other.id)
    assert await world.contracts.of_ticket(lone.id) is None
    assert await world.contracts.of_ticket(elsewhere.id) is None
    assert await used(world, contract.id) == 0


async def test_expired_upcoming_and_exhausted_contracts_take_no_new_tickets(
    world: World,
) -> None:
    account = await world.account()
    await world.contract(account.id, name="Old", start_date=days(-60), end_date=days(-1))
    await world.contract(account.id, name="Next year", start_date=days(30))
    full = await world.contract(account.id, name="Full", units_included=1)
    first = await world.ticket(account.id)
    second = await world.ticket(account.id)
    assert (await world.contracts.of_ticket(first.id)).id == full.id
    assert await world.contracts.of_ticket(second.id) is None
    assert (await world.contracts.get(full.id)).status == "exhausted"


async def test_of_several_current_contracts_the_one_ending_soonest_is_used(world: World) -> None:
    account = await world.account()
    open_ended = await world.contract(account.id, name="Open-ended")
    later = await world.contract(account.id, name="Later", end_date=days(200))
    sooner = await world.contract(account.id, name="Sooner", end_date=days(100), units_included=1)
    first = await world.ticket(account.id)
    second = await world.ticket(account.id)
    assert (await world.contracts.of_ticket(first.id)).id == sooner.id
    # "Sooner" is now exhausted: the next ticket goes to the next one ending.
    assert (await world.contracts.of_ticket(second.id)).id == later.id
    assert await used(world, open_ended.id) == 0


async def test_a_ticket_given_an_account_later_is_charged_then(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id)
    ticket = await world.ticket(None)
    await world.tickets.update(ticket.id, account_id=account.id)
    assert (await world.contracts.of_ticket(ticket.id)).id == contract.id
    # Further edits of the ticket charge nothing more.
    await world.tickets.update(ticket.id, priority="high")
    assert await used(world, contract.id) == 1


async def test_time_logged_on_a_ticket_uses_its_hours_contract(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id, unit="hours", units_included="2")
    ticket = await world.ticket(account.id)
    assert await used(world, contract.id) == 0
    for _ in range(3):
        await world.log_time(ticket.id, 20)
    record = await world.contracts.get(contract.id)
    # 3 x 20 minutes is exactly one hour: minutes are counted, not rounded hours.
    assert record.units_used == Decimal("1.00")
    assert record.usage_text == "1 of 2 hours used"
    assert record.percent_used == 50
    [link] = await world.contracts.tickets(contract.id)
    assert link.units_used == Decimal("1.00")


async def test_time_on_an_incidents_contract_changes_nothing(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id, units_included=5)
    ticket = await world.ticket(account.id)
    await world.log_time(ticket.id, 90)
    assert await used(world, contract.id) == 1


async def test_hours_may_run_over_and_the_contract_is_flagged_exhausted(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id, unit="hours", units_included="1")
    ticket = await world.ticket(account.id)
    await world.log_time(ticket.id, 50)
    record = await world.contracts.get(contract.id)
    assert (record.status, record.near_exhaustion) == ("active", True)
    assert record.warnings == ("83% used",)
    await world.log_time(ticket.id, 40)
    record = await world.contracts.get(contract.id)
    assert record.units_used == Decimal("1.50")
    assert record.status == "exhausted"
    assert record.warnings == ("0.5 hours over",)
    # A new ticket is no longer charged to it.
    later = await world.ticket(account.id)
    assert await world.contracts.of_ticket(later.id) is None
    numbers = {n.label: n.value for n in await world.kernel.dashboard_numbers()}
    assert numbers["contracts near exhaustion"] == 1


async def test_a_near_exhaustion_contract_shows_on_the_ticket_panel(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id, name="Gold <support>", units_included=10)
    tickets = [await world.ticket(account.id) for _ in range(8)]
    from sampark.plugins.contracts import faces

    with world.kernel.activate():
        ravi = await world.actor("asha")
        panels = await faces.ticket_panels(world.kernel, tickets[-1], ravi)
    [panel] = panels
    assert "Gold &lt;support&gt;</a>: 8 of 10 incidents used (active)" in panel.html
    assert "80% used" in panel.html
    assert f'href="/contracts/{contract.id}"' in panel.html
    with world.kernel.activate():
        unlinked = await world.ticket(None)
        assert await faces.ticket_panels(world.kernel, unlinked, ravi) == []


async def test_the_ticket_panel_is_collected_through_the_tickets_hook(world: World) -> None:
    account = await world.account()
    await world.contract(account.id, name="Gold", units_included=3)
    ticket = await world.ticket(account.id)
    with world.kernel.activate():
        found = await world.kernel.plugins.acollect(
            "ticket_panels", kernel=world.kernel, ticket=ticket, actor=await world.actor("asha")
        )
    contract_panels = [c.item for c in found if c.plugin == "contracts"]
    assert [p.title for p in contract_panels] == ["Contract"]
    assert "Gold</a>: 1 of 3 incidents used" in contract_panels[0].html


async def test_a_deleted_ticket_gives_back_what_it_used(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id, unit="hours", units_included=5)
    ticket = await world.ticket(account.id)
    await world.log_time(ticket.id, 90)
    keep = await world.ticket(account.id)
    await world.log_time(keep.id, 30)
    assert await used(world, contract.id) == 2
    await world.tickets.delete(ticket.id)
    assert await used(world, contract.id) == Decimal("0.50")
    assert [link.ticket_id for link in await world.contracts.tickets(contract.id)] == [keep.id]


async def test_usage_never_goes_below_zero(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id)
    with world.kernel.activate(), pytest.raises(IntegrityError):
        async with in_transaction() as conn:
            await conn.execute_query(
                "UPDATE contracts_contract SET used_count = used_count - 1 WHERE id = "
                + str(contract.id)
            )
    assert await used(world, contract.id) == 0


async def test_a_refused_ticket_write_rolls_back_its_contract_usage(world: World) -> None:
    """The hooks write through the ticket's transaction: both commit or neither."""
    account = await world.account()
    contract = await world.contract(account.id, unit="hours", units_included=5)
    ticket = await world.ticket(account.id)
    with world.kernel.activate(), pytest.raises(ValidationError):
        async with in_transaction() as conn:
            await usage.time_logged(conn, ticket.id, 120)
            raise ValidationError.single("body", "refused by another plugin")
    assert await used(world, contract.id) == 0


async def test_the_hooks_work_on_a_ticket_shaped_record_in_a_real_transaction(
    world: World,
) -> None:
    """The hook implementations called directly, as the tickets plugin calls them."""
    account = await world.account()
    contract = await world.contract(account.id, unit="incidents", units_included=2)
    ticket = await world.ticket(None)
    shaped = dataclasses.replace(ticket, account_id=account.id)
    assert isinstance(shaped, TicketRecord)
    with world.kernel.activate():
        async with in_transaction() as conn:
            await world.kernel.plugins.notify(
                "ticket_written",
                kernel=world.kernel,
                conn=conn,
                ticket=shaped,
                previous=ticket,
                actor=await world.actor("asha"),
            )
    assert await used(world, contract.id) == 1


# ---------------------------------------------------------------------------
# Concurrency: PostgreSQL runs these in parallel; SQLite serialises writers (one
# connection per process behind a lock), so there they prove the same totals, in turn.
# ---------------------------------------------------------------------------


async def test_concurrent_tickets_never_overdraw_an_incidents_contract(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id, units_included=10)
    tickets = [await world.ticket(None, subject=f"Ticket {n}") for n in range(15)]

    async def assign(ticket_id: int) -> None:
        await world.tickets.update(ticket_id, account_id=account.id)

    await asyncio.gather(*(assign(ticket.id) for ticket in tickets))
    record = await world.contracts.get(contract.id)
    assert record.units_used == 10
    assert record.status == "exhausted"
    links = await world.contracts.tickets(contract.id)
    assert len(links) == 10
    assert len({link.ticket_id for link in links}) == 10


async def test_concurrent_time_logging_loses_no_minutes(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id, unit="hours", units_included=100)
    tickets = [await world.ticket(account.id, subject=f"Ticket {n}") for n in range(6)]

    async def log(ticket_id: int) -> None:
        for _ in range(3):
            await world.log_time(ticket_id, 10)

    await asyncio.gather(*(log(ticket.id) for ticket in tickets))
    assert await used(world, contract.id) == 3  # 6 tickets x 3 x 10 minutes


async def test_overlapping_transactions_add_up_exactly(world: World) -> None:
    """Transactions held open after their increment: a read-modify-write would lose some."""
    account = await world.account()
    contract = await world.contract(account.id, unit="hours", units_included=100)
    ticket = await world.ticket(account.id)

    async def log_slowly() -> None:
        with world.kernel.activate():
            async with in_transaction() as conn:
                await usage.time_logged(conn, ticket.id, 6)
                await asyncio.sleep(0.02)

    await asyncio.gather(*(log_slowly() for _ in range(20)))
    assert await used(world, contract.id) == 2  # 20 x 6 minutes
    [link] = await world.contracts.tickets(contract.id)
    assert link.units_used == 2


async def test_a_restored_ticket_is_charged_again(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id)
    ticket = await world.ticket(account.id)
    assert await used(world, contract.id) == 1
    await world.tickets.delete(ticket.id)
    assert await used(world, contract.id) == 0
    await world.tickets.restore(ticket.id)
    assert await used(world, contract.id) == 1
    assert [link.ticket_id for link in await world.contracts.tickets(contract.id)] == [ticket.id]
