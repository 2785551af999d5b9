"""Contracts themselves: adding, validating, status and warnings, editing, deleting, lists,
search, permissions and the "own" scope, dashboard figures and the account panel."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from sampark.core.errors import NotFoundError, PermissionDenied, StaleRecordError, ValidationError

from .conftest import World, days, today


def fields_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {error.field: error.message for error in exc.value.errors}


async def test_a_contract_is_added_with_its_account_dates_and_units(world: World) -> None:
    account = await world.account()
    contract = await world.contract(
        account.id,
        name="AMC 2026",
        reference="AMC-2026-014",
        start_date=days(-10),
        end_date=days(355),
        unit="hours",
        units_included="7.5",
        notes="Annual maintenance",
    )
    assert contract.account_name == "Sundar Textiles"
    assert contract.units_included == Decimal("7.50")
    assert contract.units_used == Decimal("0.00")
    assert contract.status == "active"
    assert contract.usage_text == "0 of 7.5 hours used"
    assert (contract.reference, contract.notes, contract.version) == (
        "AMC-2026-014",
        "Annual maintenance",
        1,
    )
    assert await world.contracts.get(contract.id) == contract


async def test_a_contract_without_a_start_date_starts_today(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id)
    assert contract.start_date == today()
    assert contract.end_date is None


async def test_bad_input_names_every_field(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        await world.contracts.create(
            {
                "account_id": "x",
                "name": " ",
                "unit": "days",
                "units_included": "-3",
                "start_date": "2026-13-01",
                "colour": "red",
            }
        )
    assert set(fields_of(refused)) == {
        "account_id",
        "name",
        "unit",
        "units_included",
        "start_date",
        "colour",
    }


@pytest.mark.parametrize(
    ("unit", "units", "message"),
    [
        ("incidents", "2.5", "incidents must be a whole number"),
        ("hours", "0.01", "hours must come to whole minutes"),
        ("hours", "0", "must be more than 0"),
        ("incidents", "lots", "must be digits"),
        # One rule for every amount (parse_decimal): nothing ambiguous, never a float.
        ("hours", "12,50", "'12,50' is ambiguous"),
        ("hours", "1e2", "must be digits"),
        ("hours", " 5 ", "must be digits"),
        ("hours", 7.5, "never a float"),
        ("hours", "1000000.5", "must be at most 1000000"),
    ],
)
async def test_units_included_must_fit_the_unit(
    world: World, unit: str, units: object, message: str
) -> None:
    account = await world.account()
    with pytest.raises(ValidationError) as refused:
        await world.contract(account.id, unit=unit, units_included=units)
    assert message in fields_of(refused)["units_included"]


async def test_the_end_date_may_not_come_before_the_start(world: World) -> None:
    account = await world.account()
    with pytest.raises(ValidationError) as refused:
        await world.contract(account.id, start_date=days(0), end_date=days(-1))
    assert "on or after the start date" in fields_of(refused)["end_date"]


async def test_the_account_must_exist_and_references_are_unique(world: World) -> None:
    account = await world.account()
    with pytest.raises(ValidationError) as refused:
        await world.contract(999_999)
    assert fields_of(refused) == {"account_id": "no account with id 999999"}
    first = await world.contract(account.id, reference="AMC-1")
    with pytest.raises(ValidationError) as refused:
        await world.contract(account.id, reference="amc-1")
    assert f"contract {first.id}" in fields_of(refused)["reference"]


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [(-30, -1, "expired"), (5, 30, "upcoming"), (-5, None, "active"), (0, 0, "active")],
)
async def test_status_follows_the_dates(
    world: World, start: int, end: int | None, status: str
) -> None:
    account = await world.account()
    contract = await world.contract(
        account.id, start_date=days(start), end_date=days(end) if end is not None else None
    )
    assert contract.status == status
    listed = await world.contracts.list(status=status)
    assert [c.id for c in listed] == [contract.id]


async def test_a_contract_ending_soon_is_flagged_and_counted(world: World) -> None:
    account = await world.account()
    soon = await world.contract(account.id, name="Ending soon", end_date=days(30))
    later = await world.contract(account.id, name="Ending later", end_date=days(31))
    assert soon.near_expiry and "ends" in soon.warnings[0]
    assert not later.near_expiry and later.warnings == ()
    assert await world.contracts.flagged_counts() == {"near_exhaustion": 0, "near_expiry": 1}
    attention = await world.contracts.list(attention=True)
    assert [c.name for c in attention] == ["Ending soon"]


async def test_the_warning_thresholds_come_from_the_config(make_kernel) -> None:
    from sampark.plugins.contracts.facade import Contracts

    from .conftest import PLUGINS

    kernel = await make_kernel(
        plugins=PLUGINS,
        plugin_tables={"contracts": {"expiry_warning_days": 90, "exhaustion_warning_percent": 50}},
    )
    account = await kernel.accounts.create(name="Acme")
    contract = await Contracts.of(kernel).create(
        account_id=account.id, name="AMC", unit="incidents", units_included=2, end_date=days(60)
    )
    assert contract.near_expiry


async def test_a_contract_is_edited_with_a_version_check(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id)
    changed = await world.contracts.update(
        contract.id, {"name": "Platinum", "units_included": 20}, version=1
    )
    assert (changed.name, changed.units_included, changed.version) == ("Platinum", 20, 2)
    with pytest.raises(StaleRecordError):
        await world.contracts.update(contract.id, {"name": "Stale"}, version=1)
    with pytest.raises(ValidationError) as refused:
        await world.contracts.update(contract.id, {"end_date": days(-400)})
    assert "end_date" in fields_of(refused)


async def test_account_and_unit_are_fixed_once_units_are_used(world: World) -> None:
    account = await world.account()
    other = await world.account("Other")
    contract = await world.contract(account.id)
    await world.ticket(account.id)
    with pytest.raises(ValidationError) as refused:
        await world.contracts.update(
            contract.id, {"unit": "hours", "units_included": 10, "account_id": other.id}
        )
    assert set(fields_of(refused)) == {"unit", "account_id"}


async def test_deleting_a_contract_keeps_its_tickets_and_leaves_an_audit_row(
    world: World,
) -> None:
    account = await world.account()
    contract = await world.contract(account.id)
    ticket = await world.ticket(account.id)
    with pytest.raises(StaleRecordError):
        await world.contracts.delete(contract.id, version=7)
    await world.contracts.delete(contract.id, version=contract.version)
    with pytest.raises(NotFoundError):
        await world.contracts.get(contract.id)
    assert (await world.tickets.get(ticket.id)).id == ticket.id
    assert await world.contracts.of_ticket(ticket.id) is None
    with world.kernel.activate():
        rows = await world.kernel.connection.execute_query_dict(
            "SELECT action FROM core_audit WHERE entity = 'contract' ORDER BY id"
        )
    assert [row["action"] for row in rows] == ["create", "delete"]


async def test_lists_page_by_name_and_filter_by_account(world: World) -> None:
    first = await world.account("First")
    second = await world.account("Second")
    for name in ("Charlie", "alpha", "Bravo"):
        await world.contract(first.id, name=name)
    await world.contract(second.id, name="Delta")
    page = await world.contracts.list(limit=2)
    assert [c.name for c in page] == ["alpha", "Bravo"]
    rest = await world.contracts.list(limit=2, cursor=page.next_cursor)
    assert [c.name for c in rest] == ["Charlie", "Delta"]
    assert rest.next_cursor is None
    of_second = await world.contracts.list(account_id=second.id)
    assert [c.name for c in of_second] == ["Delta"]
    with pytest.raises(ValidationError):
        await world.contracts.list(status="dormant")


async def test_search_finds_contracts_by_any_part_of_name_or_reference(world: World) -> None:
    account = await world.account()
    await world.contract(account.id, name="Gold support", reference="AMC-2026-014")
    await world.contract(account.id, name="Silver 50% plan", reference="")
    assert [c.name for c in await world.contracts.search("2026-01")] == ["Gold support"]
    assert [c.name for c in await world.contracts.search("GOLD")] == ["Gold support"]
    assert [c.name for c in await world.contracts.search("50%")] == ["Silver 50% plan"]
    assert [c.name for c in await world.contracts.search("0%")] == ["Silver 50% plan"]
    found = await world.kernel.search("amc-2026")
    assert [hit.title for hit in found["contracts"]] == ["Gold support"]
    assert found["contracts"][0].url.startswith("/contracts/")


async def test_permissions_are_checked_before_anything_happens(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id)
    reader = world.as_user(await world.actor("mira"))
    assert (await reader.get(contract.id)).id == contract.id
    with pytest.raises(PermissionDenied):
        await reader.create(account_id=account.id, name="X", unit="incidents", units_included=1)
    with pytest.raises(PermissionDenied):
        await reader.update(contract.id, name="X")
    with pytest.raises(PermissionDenied):
        await reader.delete(contract.id)
    agent = world.as_user(await world.actor("ravi"))
    with pytest.raises(PermissionDenied):
        await agent.delete(contract.id)
    assert (await world.contracts.get(contract.id)).name == "Gold support"


async def test_an_agent_sees_only_contracts_of_accounts_they_own(world: World) -> None:
    mine = await world.account("Ravi's", owner="ravi")
    theirs = await world.account("Asha's", owner="asha")
    own = await world.contract(mine.id, name="Mine", end_date=days(3))
    other = await world.contract(theirs.id, name="Theirs", end_date=days(3))
    ravi = world.as_user(await world.actor("ravi"))
    assert [c.name for c in await ravi.list()] == ["Mine"]
    assert [c.name for c in await ravi.search("i")] == ["Mine"]
    assert (await ravi.get(own.id)).name == "Mine"
    with pytest.raises(NotFoundError):
        await ravi.get(other.id)
    with pytest.raises(NotFoundError):
        await ravi.update(other.id, name="Taken")
    with pytest.raises(ValidationError) as refused:
        await ravi.create(account_id=theirs.id, name="X", unit="incidents", units_included=1)
    assert fields_of(refused) == {"account_id": f"no account with id {theirs.id}"}
    made = await ravi.create(account_id=mine.id, name="Second", unit="hours", units_included=5)
    assert made.account_id == mine.id
    assert await ravi.flagged_counts() == {"near_exhaustion": 0, "near_expiry": 1}
    assert await world.contracts.flagged_counts() == {"near_exhaustion": 0, "near_expiry": 2}


async def test_dashboard_numbers_alert_and_need_the_read_permission(world: World) -> None:
    account = await world.account()
    await world.contract(account.id, units_included=1)
    await world.ticket(account.id)
    numbers = {n.label: n for n in await world.kernel.dashboard_numbers()}
    assert numbers["contracts near exhaustion"].value == 1
    assert numbers["contracts near exhaustion"].alert
    assert numbers["contracts near expiry"].value == 0
    nobody = world.kernel.as_user(
        (await world.actor("mira")).__class__(99, "guest", frozenset(), "all")
    )
    labels = {n.label for n in await nobody.dashboard_numbers()}
    assert "contracts near exhaustion" not in labels


async def test_the_account_panel_lists_its_contracts_with_warnings(world: World) -> None:
    account = await world.account()
    other = await world.account("Other")
    await world.contract(account.id, name="Gold <b>", units_included=2)
    await world.contract(other.id, name="Elsewhere")
    await world.ticket(account.id)
    await world.ticket(account.id)
    panels = [p for p in await world.kernel.panels(account) if p.title == "Contracts"]
    assert len(panels) == 1
    html = panels[0].html
    assert "Gold &lt;b&gt;" in html and "<b>" not in html
    assert "2 of 2 incidents used (exhausted)" in html
    assert "all units used" in html
    assert "Elsewhere" not in html


async def test_lists_and_the_default_link_use_indexes(world: World) -> None:
    """The query plans on SQLite search or walk an index, never sort a full scan."""
    from sampark.core.sql import dialect, fetch
    from sampark.plugins.contracts import services

    conn = world.kernel.connection
    if dialect(conn) != "sqlite":
        pytest.skip("query plans are checked on SQLite")
    queries = [
        f"{services.SELECT} WHERE a.deleted_at IS NULL ORDER BY c.sort_name, c.id LIMIT 51",
        f"{services.SELECT} WHERE c.account_id = 1 ORDER BY c.sort_name, c.id LIMIT 51",
        "SELECT id FROM contracts_contract WHERE account_id = 1 AND end_date >= '2026-01-01'",
        "SELECT ticket_id FROM contracts_ticket_link WHERE contract_id = 1 "
        "ORDER BY linked_at DESC, id DESC LIMIT 100",
    ]
    with world.kernel.activate():
        for sql in queries:
            plan = " | ".join(r["detail"] for r in await fetch(conn, f"EXPLAIN QUERY PLAN {sql}"))
            assert re.search(r"USING (COVERING )?INDEX contracts_", plan), plan
            assert "TEMP B-TREE" not in plan, plan
