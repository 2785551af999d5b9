"""Contacts through the API: CRUD with ETags, filters, pagination, timeline, audit, links."""

from __future__ import annotations

from sampark.core.kernel import Sampark

ASHA = {
    "first_name": "Asha",
    "last_name": "Verma",
    "emails": ["asha@example.in"],
    "phones": [{"number": "98765 43210", "label": "work"}],
    "tags": ["vip"],
}


async def test_create_read_change_delete_and_restore_a_contact(api, crm: Sampark) -> None:
    client = api("admin")
    created = await client.post("/contacts", json=ASHA)
    assert created.status_code == 201, created.text
    contact = created.json()
    assert created.headers["location"] == f"/api/v1/contacts/{contact['id']}"
    assert created.headers["etag"] == '"v1"'
    assert contact["display_name"] == "Asha Verma"
    assert contact["phones"][0]["e164"] == "+919876543210"
    assert contact["owner"] == "admin"

    fetched = await client.get(created.headers["location"].removeprefix("/api/v1"))
    assert fetched.status_code == 200
    assert fetched.json() == contact
    assert fetched.headers["etag"] == '"v1"'

    changed = await client.patch(
        f"/contacts/{contact['id']}", json={"last_name": "Rao"}, headers={"If-Match": '"v1"'}
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"v2"'
    assert changed.json()["display_name"] == "Asha Rao"
    assert changed.json()["emails"] == contact["emails"]  # untouched fields stay

    deleted = await client.delete(f"/contacts/{contact['id']}", headers={"If-Match": '"v2"'})
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await client.get(f"/contacts/{contact['id']}")).status_code == 404
    listed = await client.get("/contacts", params={"deleted": "true"})
    assert [c["id"] for c in listed.json()["items"]] == [contact["id"]]

    restored = await client.post(f"/contacts/{contact['id']}/restore")
    assert restored.status_code == 200
    assert restored.json()["deleted_at"] is None
    assert restored.headers["etag"] == f'"v{restored.json()["version"]}"'
    assert (await crm.contacts.get(contact["id"])).last_name == "Rao"


async def test_bad_input_names_every_field_and_writes_nothing(api, crm: Sampark, expect) -> None:
    client = api("admin")
    response = await client.post(
        "/contacts",
        json={
            "first_name": "Asha",
            "emails": ["asha@example.in", "not-an-email"],
            "phones": ["12"],
            "birthday": "2999-01-01",
        },
    )
    errors = expect.fields(response)
    assert set(errors) == {"emails[1].email", "phones[0].number", "birthday"}
    assert "not a valid email" in errors["emails[1].email"]
    assert len(await crm.contacts.list()) == 0

    shape = await client.post(
        "/contacts", json={"first_name": 7, "colour": "red", "tags": [""], "birthday": "someday"}
    )
    assert set(expect.fields(shape)) == {"first_name", "colour", "tags[0]", "birthday"}
    assert len(await crm.contacts.list()) == 0


async def test_a_stale_or_missing_etag_never_overwrites(api, crm: Sampark, expect) -> None:
    client = api("admin")
    contact = await crm.contacts.create(first_name="Asha", emails=["asha@example.in"])
    await crm.contacts.update(contact.id, last_name="Verma")  # someone else: now v2
    url = f"/contacts/{contact.id}"

    stale = await client.patch(url, json={"last_name": "Rao"}, headers={"If-Match": '"v1"'})
    assert "changed by someone else" in expect.problem(stale, 412)["detail"]
    missing = await client.patch(url, json={"last_name": "Rao"})
    expect.problem(missing, 428)
    star = await client.patch(url, json={"last_name": "Rao"}, headers={"If-Match": "*"})
    expect.problem(star, 428)
    weak = await client.patch(url, json={"last_name": "Rao"}, headers={"If-Match": 'W/"v2"'})
    expect.problem(weak, 412)
    assert (await crm.contacts.get(contact.id)).last_name == "Verma"

    expect.problem(await client.delete(url), 428)
    expect.problem(await client.delete(url, headers={"If-Match": '"v1"'}), 412)
    assert (await crm.contacts.get(contact.id)).deleted_at is None


async def test_lists_filter_like_the_ui_and_page_with_cursors(api, crm: Sampark, expect) -> None:
    client = api("admin")
    for index in range(7):
        await client.post(
            "/contacts",
            json={
                "first_name": f"Person {index}",
                "tags": ["vip"] if index % 2 == 0 else [],
                "owner": "manager" if index < 3 else "admin",
            },
        )
    seen: list[str] = []
    cursor = None
    for _ in range(4):
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/contacts", params=params)).json()
        seen += [c["display_name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Person {index}" for index in range(7)]

    vip = (await client.get("/contacts", params={"tag": "VIP"})).json()["items"]
    assert [c["display_name"] for c in vip] == ["Person 0", "Person 2", "Person 4", "Person 6"]
    owned = (await client.get("/contacts", params={"owner": "manager"})).json()["items"]
    assert len(owned) == 3
    found = (await client.get("/contacts", params={"q": "person 4"})).json()
    assert [c["display_name"] for c in found["items"]] == ["Person 4"]
    assert found["next_cursor"] is None
    both = (await client.get("/contacts", params={"q": "person", "owner": "manager"})).json()
    assert {c["display_name"] for c in both["items"]} == {"Person 0", "Person 1", "Person 2"}

    assert "cursor" in expect.fields(await client.get("/contacts?cursor=garbage"), 400)
    assert "owner" in expect.fields(await client.get("/contacts?owner=nobody"), 400)
    bad = expect.fields(await client.get("/contacts?limit=0&deleted=maybe&sort=name"), 400)
    assert set(bad) == {"limit", "deleted", "sort"}
    assert "deleted" in expect.fields(await client.get("/contacts?q=per&deleted=true"), 400)


async def test_a_contacts_timeline_audit_trail_and_links(api, crm: Sampark) -> None:
    client = api("admin")
    contact = (await client.post("/contacts", json=ASHA)).json()
    account = (await client.post("/accounts", json={"name": "Acme"})).json()
    link = await client.post(
        "/links", json={"contact_id": contact["id"], "account_id": account["id"], "role": "CTO"}
    )
    assert link.status_code == 201, link.text
    await client.post(
        "/interactions",
        json={"kind": "call", "subject": "Intro call", "contacts": [contact["id"]]},
    )
    await client.patch(
        f"/contacts/{contact['id']}",
        json={"notes": "Met at the fair"},
        headers={"If-Match": '"v1"'},
    )

    timeline = (await client.get(f"/contacts/{contact['id']}/timeline")).json()
    assert [entry["title"] for entry in timeline["items"]] == ["Intro call"]
    links = (await client.get(f"/contacts/{contact['id']}/links")).json()
    assert [(x["account_name"], x["role"]) for x in links["items"]] == [("Acme", "CTO")]
    audit = (await client.get(f"/contacts/{contact['id']}/audit")).json()
    actions = [entry["action"] for entry in audit["items"]]
    assert (actions[0], actions[-1]) == ("update", "create")
    assert audit["items"][0]["actor"] == "admin"
    assert "notes" in audit["items"][0]["changes"]


async def test_missing_contacts_are_404_problems(api, expect) -> None:
    client = api("admin")
    for path in ("/contacts/999", "/contacts/abc", "/contacts/0", "/contacts/99999999999999"):
        expect.problem(await client.get(path), 404)
    expect.problem(await client.get("/contacts/999/timeline"), 404)
    missing = await client.patch("/contacts/999", json={}, headers={"If-Match": '"v1"'})
    expect.problem(missing, 404)
