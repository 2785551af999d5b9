"""Deleted contracts: restored through the shared lifecycle, charged no more while deleted,
their reference free for a new contract, and their audit trail readable on every face."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sampark.core import db
from sampark.core.errors import NotFoundError, PermissionDenied, StaleRecordError, ValidationError
from sampark.core.permissions import SYSTEM
from sampark.plugins.contracts.facade import Contracts
from sampark.testing import migrate_back_to

from .conftest import SignIn, World, days

Api = Callable[..., httpx.AsyncClient]


async def test_a_deleted_contract_comes_back_with_its_usage(world: World) -> None:
    account = await world.account()
    contract = await world.contract(account.id, reference="AMC-1")
    ticket = await world.ticket(account.id)
    assert (await world.contracts.of_ticket(ticket.id)).id == contract.id
    gone = await world.contracts.delete(contract.id, version=contract.version)
    assert gone.deleted_at is not None and gone.version == contract.version + 1
    assert list(await world.contracts.list()) == []
    assert list(await world.contracts.search("gold")) == []
    assert [c.id for c in await world.contracts.list(deleted=True)] == [contract.id]
    with pytest.raises(NotFoundError):
        await world.contracts.get(contract.id)
    assert await world.contracts.of_ticket(ticket.id) is None
    with pytest.raises(StaleRecordError):
        await world.contracts.restore(contract.id, version=contract.version)
    back = await world.contracts.restore(contract.id, version=gone.version)
    assert back.deleted_at is None and back.units_used == 1 and back.reference == "AMC-1"
    assert (await world.contracts.of_ticket(ticket.id)).id == contract.id
    assert await world.contracts.restore(contract.id) == back, "a live one is left as it is"


async def test_a_deleted_contract_is_neither_picked_nor_charged(world: World) -> None:
    account = await world.account()
    hours = await world.contract(account.id, unit="hours", units_included=5, end_date=days(10))
    first = await world.ticket(account.id)
    await world.log_time(first.id, 30)
    await world.contracts.delete(hours.id)
    await world.log_time(first.id, 45)
    later = await world.ticket(account.id, "Scanner offline")
    assert await world.contracts.of_ticket(later.id) is None
    assert (await world.contracts.flagged_counts()) == {"near_exhaustion": 0, "near_expiry": 0}
    incidents = await world.contract(account.id, name="Spare", units_included=1)
    await world.contracts.delete(incidents.id)
    assert await world.contracts.of_ticket((await world.ticket(account.id)).id) is None
    assert (await world.contracts.get(incidents.id, include_deleted=True)).units_used == 0
    back = await world.contracts.restore(hours.id)
    assert str(back.units_used) == "0.50", "time logged while deleted is not counted"


async def test_a_deleted_contracts_reference_is_free_until_it_comes_back(world: World) -> None:
    account = await world.account()
    old = await world.contract(account.id, reference="AMC-7")
    await world.contracts.delete(old.id)
    new = await world.contract(account.id, name="Renewed", reference="amc-7")
    with pytest.raises(ValidationError) as refused:
        await world.contracts.restore(old.id)
    assert refused.value.errors[0].field == "reference"
    assert "AMC-7" in refused.value.errors[0].message
    await world.contracts.update(new.id, {"reference": "AMC-8"})
    assert (await world.contracts.restore(old.id)).reference == "AMC-7"


async def test_restoring_needs_the_delete_permission_and_keeps_own_scope(world: World) -> None:
    admin = world.as_user(await world.actor("asha"))
    ravi = world.as_user(await world.actor("ravi"))
    theirs = await world.contract((await world.account("Asha's", owner="asha")).id)
    await admin.delete(theirs.id)
    with pytest.raises(PermissionDenied):
        await ravi.restore(theirs.id)
    with pytest.raises(PermissionDenied):
        await ravi.list(deleted=True)
    for missing in (999, "1", True):
        with pytest.raises(NotFoundError):
            await admin.restore(missing)
    assert (await admin.restore(theirs.id)).deleted_at is None


async def test_the_audit_trail_of_a_contract(world: World) -> None:
    contract = await world.contract((await world.account()).id, name="Gold")
    await world.contracts.update(contract.id, {"name": "Platinum"})
    await world.contracts.delete(contract.id)
    await world.contracts.restore(contract.id)
    crm = world.kernel.as_user(SYSTEM)
    trail = await crm.audit("contract", contract.id)
    assert [row.action for row in trail] == ["restore", "delete", "update", "create"]
    assert trail.items[2].changes["name"] == ["Gold", "Platinum"]
    assert trail.items[1].changes["name"] == ["Platinum", None]
    ravi = world.kernel.as_user(await world.actor("ravi"))
    with pytest.raises(NotFoundError):
        await ravi.audit("contract", contract.id)  # not his account's


async def test_the_api_restores_and_reads_the_audit(world: World, api: Api) -> None:
    contract = await world.contract((await world.account()).id)
    client = api("asha")
    one = f"/contracts/{contract.id}"
    assert (await client.delete(one, headers={"If-Match": '"v1"'})).status_code == 204
    listed = await client.get("/contracts", params={"deleted": "true"})
    assert [item["id"] for item in listed.json()["items"]] == [contract.id]
    assert listed.json()["items"][0]["deleted_at"]
    assert (await client.post(f"{one}/restore")).status_code == 428
    assert (await client.post(f"{one}/restore", headers={"If-Match": '"v1"'})).status_code == 412
    back = await client.post(f"{one}/restore", headers={"If-Match": '"v2"'})
    assert back.status_code == 200 and back.headers["etag"] == '"v3"'
    assert back.json()["deleted_at"] is None
    audit = await client.get(f"{one}/audit")
    assert [row["action"] for row in audit.json()["items"]] == ["restore", "delete", "create"]
    refused = await api("ravi").post(f"{one}/restore", headers={"If-Match": '"v3"'})
    assert refused.status_code == 403
    assert (await api("ravi").get(f"{one}/audit")).status_code == 404


async def test_the_pages_undo_a_delete_list_deleted_ones_and_show_changes(
    world: World, browser: SignIn, clients: Any
) -> None:
    contract = await world.contract((await world.account()).id, name="Gold <b>plan</b>")
    await world.contracts.update(contract.id, {"name": "Gold plan"})
    asha = await browser("asha")
    page = await asha.get(f"/contracts/{contract.id}")
    assert 'id="audit"' in page.text and "Gold &lt;b&gt;plan&lt;/b&gt;" in page.text
    token = clients.csrf_of(page.text)
    gone = await asha.post(
        f"/contracts/{contract.id}/delete", data={"csrf_token": token, "version": "2"}
    )
    assert gone.headers["location"] == f"/contracts/?removed={contract.id}"
    listing = await asha.get(gone.headers["location"])
    assert 'id="removed-notice"' in listing.text and "Gold plan" in listing.text
    deleted = await asha.get("/contracts/?deleted=1")
    assert f'id="restore-contract-{contract.id}"' in deleted.text
    missing = await asha.post(f"/contracts/{contract.id}/restore", data={"csrf_token": token})
    assert missing.status_code == 400
    back = await asha.post(
        f"/contracts/{contract.id}/restore", data={"csrf_token": token, "version": "3"}
    )
    assert back.status_code == 303 and back.headers["location"] == f"/contracts/{contract.id}"
    assert 'id="removed-notice"' not in (await asha.get(gone.headers["location"])).text
    ravi = await browser("ravi")
    assert 'id="deleted-contracts"' not in (await ravi.get("/contracts/")).text
    assert "Gold plan" not in (await ravi.get("/contracts/?deleted=1")).text


async def test_migrating_existing_contracts_keeps_them_live(make_kernel) -> None:
    kernel = await make_kernel(plugins=("tickets", "contracts"))
    account = await kernel.accounts.create(name="Sundar Textiles")
    contracts = Contracts.of(kernel)
    kept = await contracts.create(
        account_id=account.id, name="Gold", unit="incidents", units_included=3, reference="R-1"
    )
    await migrate_back_to(kernel, "contracts", "0002_checks_and_indexes")
    with kernel.activate():
        pending = await db.pending_migrations(kernel.connection, kernel.tortoise_config)
    assert pending == ["contracts.0003_soft_delete"]
    assert await kernel.migrate() == ["contracts.0003_soft_delete"]
    assert [c.id for c in await contracts.list()] == [kept.id]
    with pytest.raises(ValidationError):
        await contracts.create(
            account_id=account.id, name="Clash", unit="incidents", units_included=1, reference="r-1"
        )
    await contracts.delete(kept.id)
    again = await contracts.create(
        account_id=account.id, name="Again", unit="incidents", units_included=1, reference="r-1"
    )
    assert again.reference == "r-1", "the deleted contract's reference is free again"
