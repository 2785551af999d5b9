"""Interactions, follow-ups and links through the API."""

from __future__ import annotations

import datetime as dt

from sampark.core.kernel import Sampark


async def test_log_change_complete_and_delete_an_interaction(api, crm: Sampark, expect) -> None:
    client = api("admin")
    contact = await crm.contacts.create(first_name="Asha")
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    planned = await client.post(
        "/interactions",
        json={"kind": "call", "status": "planned", "due_at": due, "contacts": [contact.id]},
    )
    assert planned.status_code == 201, planned.text
    interaction = planned.json()
    assert planned.headers["location"] == f"/api/v1/interactions/{interaction['id']}"
    url = f"/interactions/{interaction['id']}"

    followups = (await client.get("/followups")).json()
    assert [item["id"] for item in followups["items"]] == [interaction["id"]]

    fetched = await client.get(url)
    assert fetched.headers["etag"] == '"v1"'
    changed = await client.patch(url, json={"subject": "Pricing"}, headers={"If-Match": '"v1"'})
    assert changed.status_code == 200, changed.text
    assert changed.json()["subject"] == "Pricing"
    stale = await client.patch(url, json={"subject": "Lost"}, headers={"If-Match": '"v1"'})
    expect.problem(stale, 412)

    done = await client.post(f"{url}/complete", json={"outcome": "Agreed"})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["outcome"]) == ("done", "Agreed")
    assert (await client.get("/followups")).json()["items"] == []
    again = await client.post(f"{url}/complete")
    assert "status" in expect.fields(again)

    expect.problem(await client.delete(url), 428)
    deleted = await client.delete(url, headers={"If-Match": done.headers["etag"]})
    assert deleted.status_code == 204
    expect.problem(await client.get(url), 404)


async def test_bad_interactions_name_every_field(api, crm: Sampark, expect) -> None:
    client = api("admin")
    shape = await client.post(
        "/interactions",
        json={"kind": "telegram", "contacts": ["x"], "duration_minutes": -5, "occurred_at": "soon"},
    )
    assert set(expect.fields(shape)) == {"kind", "contacts[0]", "duration_minutes", "occurred_at"}
    meaning = await client.post(
        "/interactions", json={"kind": "call", "status": "planned", "contacts": [424242]}
    )
    assert {"due_at", "contacts[0]"} <= set(expect.fields(meaning))
    assert "due_before" in expect.fields(await client.get("/followups?due_before=someday"), 400)
    assert (await crm.interactions.followups()).items == []


async def test_link_and_unlink(api, crm: Sampark, expect) -> None:
    client = api("admin")
    contact = await crm.contacts.create(first_name="Asha")
    account = await crm.accounts.create(name="Acme")
    body = {"contact_id": contact.id, "account_id": account.id, "role": "CTO", "primary": True}
    created = await client.post("/links", json=body)
    assert created.status_code == 201, created.text
    link = created.json()
    assert (link["contact_name"], link["account_name"], link["primary"]) == ("Asha", "Acme", True)
    assert "role" in expect.fields(await client.post("/links", json=body))
    listed = (await client.get(f"/accounts/{account.id}/links")).json()["items"]
    assert [x["id"] for x in listed] == [link["id"]]

    missing = await client.post("/links", json={**body, "account_id": 99999, "role": "CFO"})
    expect.problem(missing, 404)
    bad = await client.post("/links", json={"contact_id": "one", "end_date": 5})
    assert set(expect.fields(bad)) == {"contact_id", "account_id", "end_date"}

    assert (await client.delete(f"/links/{link['id']}")).status_code == 204
    expect.problem(await client.delete(f"/links/{link['id']}"), 404)
    assert len(await crm.links.of_contact(contact.id)) == 0
