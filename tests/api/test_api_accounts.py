"""Accounts through the API: CRUD with ETags, kind filter, pagination and bad input."""

from __future__ import annotations

from sampark.core.kernel import Sampark


async def test_create_read_change_delete_and_restore_an_account(api, crm: Sampark) -> None:
    client = api("manager")
    created = await client.post(
        "/accounts",
        json={"name": "Acme Traders", "kinds": ["customer"], "website": "acme.example.in"},
    )
    assert created.status_code == 201, created.text
    account = created.json()
    assert created.headers["location"] == f"/api/v1/accounts/{account['id']}"
    assert account["website"] == "https://acme.example.in"
    url = f"/accounts/{account['id']}"

    fetched = await client.get(url)
    assert fetched.json() == account
    etag = fetched.headers["etag"]
    changed = await client.patch(
        url, json={"kinds": ["customer", "partner"]}, headers={"If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["kinds"] == ["customer", "partner"]
    assert changed.json()["name"] == "Acme Traders"

    deleted = await client.delete(url, headers={"If-Match": changed.headers["etag"]})
    assert deleted.status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.post(f"{url}/restore")).status_code == 200
    assert (await crm.accounts.get(account["id"])).kinds == ("customer", "partner")


async def test_accounts_filter_by_kind_and_page(api, crm: Sampark, expect) -> None:
    client = api("admin")
    for index in range(5):
        kinds = ["supplier"] if index % 2 else ["customer"]
        response = await client.post("/accounts", json={"name": f"Firm {index}", "kinds": kinds})
        assert response.status_code == 201
    suppliers = (await client.get("/accounts", params={"kind": "supplier"})).json()
    assert [a["name"] for a in suppliers["items"]] == ["Firm 1", "Firm 3"]
    first = (await client.get("/accounts", params={"limit": 2})).json()
    second = (
        await client.get("/accounts", params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    assert [a["name"] for a in first["items"] + second["items"]] == [
        "Firm 0",
        "Firm 1",
        "Firm 2",
        "Firm 3",
    ]
    found = (await client.get("/accounts", params={"q": "firm", "kind": "customer"})).json()
    assert {a["name"] for a in found["items"]} == {"Firm 0", "Firm 2", "Firm 4"}
    assert "kind" in expect.fields(await client.get("/accounts?kind=friend"), 400)


async def test_bad_accounts_are_refused_field_by_field(api, crm: Sampark, expect) -> None:
    client = api("admin")
    response = await client.post(
        "/accounts",
        json={"kinds": ["customer", "friend"], "website": "ftp://x", "parent_id": 2**40},
    )
    assert set(expect.fields(response)) == {"name", "kinds[1]", "parent_id"}
    bad_meaning = await client.post("/accounts", json={"name": "Acme", "website": "ftp://acme.in"})
    assert set(expect.fields(bad_meaning)) == {"website"}
    assert len(await crm.accounts.list()) == 0
    account = await crm.accounts.create(name="Acme")
    empty_name = await client.patch(
        f"/accounts/{account.id}", json={"name": ""}, headers={"If-Match": '"v1"'}
    )
    assert set(expect.fields(empty_name)) == {"name"}
    assert (await crm.accounts.get(account.id)).name == "Acme"


async def test_a_website_that_is_not_a_url_is_a_field_error(api, expect) -> None:
    response = await api("admin").post("/accounts", json={"name": "Acme", "website": "https://[x"})
    assert set(expect.fields(response)) == {"website"}
