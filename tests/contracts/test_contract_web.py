"""The contract pages: list, detail with linked tickets, forms with errors beside the field,
stale edits, permissions and scope, nav item, account panel, dashboard figures."""

from __future__ import annotations

from typing import Any

from .conftest import SignIn, World, days


async def test_the_list_shows_usage_and_warnings_and_filters(world: World, browser: SignIn) -> None:
    account = await world.account()
    await world.contract(account.id, name="Gold", units_included=1, end_date=days(10))
    await world.contract(account.id, name="Silver", start_date=days(-20), end_date=days(-1))
    await world.ticket(account.id)
    asha = await browser("asha")
    page = await asha.get("/contracts/")
    assert page.status_code == 200
    assert 'href="/contracts/"' in page.text  # the nav item
    assert "1 of 1 incident used" in page.text
    assert "all units used" in page.text and f"ends {days(10)}" in page.text
    expired = await asha.get("/contracts/?status=expired")
    assert "Silver" in expired.text and "Gold" not in expired.text
    attention = await asha.get("/contracts/?attention=1")
    assert "Gold" in attention.text and "Silver" not in attention.text
    found = await asha.get("/contracts/?q=silv")
    assert "Silver" in found.text and "Gold" not in found.text
    bad = await asha.get("/contracts/?status=dormant")
    assert bad.status_code == 400 and "status: must be one of" in bad.text


async def test_the_contract_page_lists_its_tickets(world: World, browser: SignIn) -> None:
    account = await world.account()
    contract = await world.contract(account.id, name="Gold", unit="hours", units_included=4)
    ticket = await world.ticket(account.id, subject="Loom <stopped>")
    await world.log_time(ticket.id, 90)
    asha = await browser("asha")
    page = await asha.get(f"/contracts/{contract.id}")
    assert page.status_code == 200
    assert "1.5 of 4 hours used" in page.text
    assert ticket.number in page.text
    assert "Loom &lt;stopped&gt;" in page.text
    assert (await asha.get("/contracts/999999")).status_code == 404


async def test_creating_a_contract_shows_errors_beside_the_fields(
    world: World, browser: SignIn, clients: Any
) -> None:
    account = await world.account()
    asha = await browser("asha")
    form = await asha.get(f"/contracts/new?account_id={account.id}")
    assert form.status_code == 200
    assert f'value="{account.id}"' in form.text
    refused = await asha.post(
        "/contracts/new",
        data={
            "csrf_token": clients.csrf_of(form.text),
            "account_id": str(account.id),
            "name": "Gold <b>",
            "unit": "incidents",
            "units_included": "2.5",
            "start_date": days(0),
            "end_date": days(-3),
        },
    )
    assert refused.status_code == 400
    assert 'id="f-units_included-error"' in refused.text
    assert "incidents must be a whole number" in refused.text
    assert 'id="f-end_date-error"' in refused.text
    assert 'value="Gold &lt;b&gt;"' in refused.text  # the input is kept
    made = await asha.post(
        "/contracts/new",
        data={
            "csrf_token": clients.csrf_of(form.text),
            "account_id": str(account.id),
            "name": "Gold",
            "unit": "incidents",
            "units_included": "3",
            "start_date": "",
            "end_date": "",
        },
    )
    assert made.status_code == 303
    page = await asha.get(made.headers["location"])
    assert "0 of 3 incidents used" in page.text


async def test_editing_keeps_the_version_and_refuses_a_stale_form(
    world: World, browser: SignIn, clients: Any
) -> None:
    account = await world.account()
    contract = await world.contract(account.id, name="Gold")
    asha = await browser("asha")
    form = await asha.get(f"/contracts/{contract.id}/edit")
    assert 'name="version" value="1"' in form.text
    data = {
        "csrf_token": clients.csrf_of(form.text),
        "version": "1",
        "account_id": str(account.id),
        "name": "Platinum",
        "unit": "incidents",
        "units_included": "10",
        "start_date": contract.start_date.isoformat(),
        "end_date": "",
        "notes": "",
        "reference": "",
    }
    saved = await asha.post(f"/contracts/{contract.id}/edit", data=data)
    assert saved.status_code == 303
    stale = await asha.post(f"/contracts/{contract.id}/edit", data={**data, "name": "Old"})
    assert stale.status_code == 409
    assert "Someone else changed this contract" in stale.text
    refused = await asha.post(
        f"/contracts/{contract.id}/edit", data={**data, "version": "2", "name": ""}
    )
    assert refused.status_code == 400 and 'id="f-name-error"' in refused.text
    assert (await world.contracts.get(contract.id)).name == "Platinum"


async def test_deleting_from_the_page(world: World, browser: SignIn, clients: Any) -> None:
    account = await world.account()
    contract = await world.contract(account.id)
    asha = await browser("asha")
    page = await asha.get(f"/contracts/{contract.id}")
    gone = await asha.post(
        f"/contracts/{contract.id}/delete",
        data={"csrf_token": clients.csrf_of(page.text), "version": "1"},
    )
    assert gone.status_code == 303
    assert (await asha.get(f"/contracts/{contract.id}")).status_code == 404


async def test_permissions_and_scope_on_the_pages(world: World, browser: SignIn) -> None:
    mine = await world.account("Ravi's", owner="ravi")
    theirs = await world.account("Asha's", owner="asha")
    own = await world.contract(mine.id, name="Mine")
    other = await world.contract(theirs.id, name="Theirs")
    ravi = await browser("ravi")
    listing = await ravi.get("/contracts/")
    assert "Mine" in listing.text and "Theirs" not in listing.text
    assert (await ravi.get(f"/contracts/{other.id}")).status_code == 404
    assert (await ravi.get(f"/contracts/{own.id}")).status_code == 200
    mira = await browser("mira")
    assert (await mira.get(f"/contracts/{own.id}")).status_code == 200
    assert (await mira.get("/contracts/new")).status_code == 403
    page = await mira.get(f"/contracts/{own.id}")
    assert 'id="edit"' not in page.text and 'id="delete"' not in page.text


async def test_the_account_page_and_home_show_contracts(world: World, browser: SignIn) -> None:
    account = await world.account()
    await world.contract(account.id, name="Gold", units_included=2, end_date=days(5))
    await world.ticket(account.id)
    asha = await browser("asha")
    page = await asha.get(f"/accounts/{account.id}")
    assert 'id="contracts-panel"' in page.text
    assert "1 of 2 incidents used (active)" in page.text
    home = await asha.get("/")
    assert "contracts near expiry" in home.text and "contracts near exhaustion" in home.text


async def test_the_ticket_page_shows_its_contract(world: World, browser: SignIn) -> None:
    account = await world.account()
    await world.contract(account.id, name="Gold", units_included=10)
    tickets = [await world.ticket(account.id) for _ in range(7)]
    asha = await browser("asha")
    page = await asha.get(f"/tickets/{tickets[-1].id}")
    assert page.status_code == 200
    assert 'id="ticket-contract"' in page.text
    assert "Gold</a>: 7 of 10 incidents used (active)" in page.text
    lone = await world.ticket(None)
    assert 'id="ticket-contract"' not in (await asha.get(f"/tickets/{lone.id}")).text
