"""The contracts API under /api/v1/contracts: CRUD with ETags, problems naming fields,
permissions and scope, linked tickets, and the operations in /api/openapi.json."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from .conftest import World, days

Api = Callable[..., httpx.AsyncClient]


async def test_create_read_change_delete(world: World, api: Api) -> None:
    account = await world.account()
    client = api("asha")
    made = await client.post(
        "/contracts",
        json={
            "account_id": account.id,
            "name": "Gold",
            "unit": "hours",
            "units_included": "7.5",
            "end_date": days(100),
        },
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["units_included"] == "7.50" and body["status"] == "active"
    assert made.headers["etag"] == '"v1"'
    assert made.headers["location"].endswith(f"/v1/contracts/{body['id']}")
    one = f"/contracts/{body['id']}"
    assert (await client.get(one)).json()["name"] == "Gold"
    missing_match = await client.patch(one, json={"name": "Platinum"})
    assert missing_match.status_code == 428
    changed = await client.patch(one, json={"name": "Platinum"}, headers={"If-Match": '"v1"'})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = await client.patch(one, json={"name": "Old"}, headers={"If-Match": '"v1"'})
    assert stale.status_code == 412
    gone = await client.delete(one, headers={"If-Match": '"v2"'})
    assert gone.status_code == 204
    assert (await client.get(one)).status_code == 404


async def test_bad_bodies_name_each_field(world: World, api: Api) -> None:
    account = await world.account()
    client = api("asha")
    shape = await client.post("/contracts", json={"name": 5, "unit": "days"})
    assert shape.status_code == 422
    fields = {error["field"] for error in shape.json()["errors"]}
    assert {"name", "unit", "account_id", "units_included"} <= fields
    meaning = await client.post(
        "/contracts",
        json={"account_id": account.id, "name": "X", "unit": "incidents", "units_included": "1.5"},
    )
    assert meaning.status_code == 422
    assert meaning.headers["content-type"].startswith("application/problem+json")
    assert meaning.json()["errors"][0]["field"] == "units_included"
    for units, problem in [("12,50", "is ambiguous"), (7.5, "must be text or a whole number")]:
        refused = await client.post(
            "/contracts",
            json={"account_id": account.id, "name": "X", "unit": "hours", "units_included": units},
        )
        assert refused.status_code == 422, refused.text
        (error,) = refused.json()["errors"]
        assert error["field"] == "units_included" and problem in error["message"]


async def test_lists_filters_tickets_and_a_tickets_contract(world: World, api: Api) -> None:
    account = await world.account()
    contract = await world.contract(account.id, name="Gold", units_included=1)
    ticket = await world.ticket(account.id)
    client = api("asha")
    listed = await client.get("/contracts", params={"status": "exhausted"})
    assert [item["name"] for item in listed.json()["items"]] == ["Gold"]
    assert (await client.get("/contracts", params={"status": "zzz"})).status_code == 400
    linked = await client.get(f"/contracts/{contract.id}/tickets")
    assert [item["number"] for item in linked.json()["items"]] == [ticket.number]
    of_ticket = await client.get(f"/contracts/tickets/{ticket.id}/contract")
    assert of_ticket.json()["id"] == contract.id
    lone = await world.ticket(None)
    assert (await client.get(f"/contracts/tickets/{lone.id}/contract")).status_code == 404


async def test_permissions_and_scope(world: World, api: Api) -> None:
    mine = await world.account("Ravi's", owner="ravi")
    theirs = await world.account("Asha's", owner="asha")
    own = await world.contract(mine.id, name="Mine")
    other = await world.contract(theirs.id, name="Theirs")
    ravi = api("ravi")
    assert [c["name"] for c in (await ravi.get("/contracts")).json()["items"]] == ["Mine"]
    assert (await ravi.get(f"/contracts/{other.id}")).status_code == 404
    assert (await ravi.get(f"/contracts/{own.id}")).status_code == 200
    refused = await ravi.delete(f"/contracts/{own.id}", headers={"If-Match": '"v1"'})
    assert refused.status_code == 403
    reader = api("mira")
    assert (await reader.post("/contracts", json={})).status_code == 403
    assert (await api(None).get("/contracts")).status_code == 401


async def test_the_operations_are_documented(world: World, app) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        document = (await client.get("/api/openapi.json")).json()
    paths = document["paths"]
    assert "/v1/contracts" in paths
    assert {"get", "post"} <= set(paths["/v1/contracts"])
    assert {"get", "patch", "delete"} <= set(paths["/v1/contracts/{contract_id}"])
    assert "/v1/contracts/tickets/{ticket_id}/contract" in paths
    operation = paths["/v1/contracts"]["post"]
    assert operation["operationId"] == "contracts.createContract"
