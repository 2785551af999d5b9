"""Who may call what: tokens, roles, record scope, and requests the API cannot read."""

from __future__ import annotations

import re

from sampark.core.kernel import Sampark
from sampark.web.api.operations import MAX_BODY


def _concrete(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "1", path)


async def test_every_operation_needs_a_valid_token(api, expect) -> None:
    anonymous = api(None)
    document = (await anonymous.get("http://test/api/openapi.json")).json()
    assert document["paths"]
    for path, methods in document["paths"].items():
        for method in methods:
            url = "http://test/api" + _concrete(path)
            for client in (anonymous, api(None, Authorization="Bearer smp_not-a-token")):
                response = await client.request(method.upper(), url, json={})
                body = expect.problem(response, 401)
                assert response.headers["www-authenticate"].startswith("Bearer"), url
                assert body["type"] == "urn:sampark:problem:unauthorized"
    invalid = await api(None, Authorization="Bearer smp_not-a-token").get("/contacts")
    assert 'error="invalid_token"' in invalid.headers["www-authenticate"]


async def test_a_read_only_user_reads_but_writes_nothing(api, crm: Sampark, expect) -> None:
    contact = await crm.contacts.create(first_name="Asha", owner="admin")
    reader = api("reader")
    assert (await reader.get(f"/contacts/{contact.id}")).status_code == 200
    denied = await reader.post("/contacts", json={"first_name": "Ravi"})
    assert "contacts.write" in expect.problem(denied, 403)["detail"]
    changed = await reader.patch(
        f"/contacts/{contact.id}", json={"first_name": "X"}, headers={"If-Match": '"v1"'}
    )
    expect.problem(changed, 403)
    deleted = await reader.delete(f"/contacts/{contact.id}", headers={"If-Match": '"v1"'})
    expect.problem(deleted, 403)
    logged = await reader.post("/interactions", json={"kind": "note", "contacts": [contact.id]})
    expect.problem(logged, 403)
    assert [c.first_name for c in await crm.contacts.list()] == ["Asha"]
    assert (await crm.contacts.get(contact.id)).version == 1
    assert len(await crm.timeline(contact)) == 0


async def test_an_agent_cannot_see_or_touch_another_agents_contact(
    api, crm: Sampark, expect
) -> None:
    asha, ravi = api("asha"), api("ravi")
    mine = (
        await asha.post("/contacts", json={"first_name": "Meera", "phones": ["98765 43210"]})
    ).json()
    assert mine["owner"] == "asha"
    url = f"/contacts/{mine['id']}"

    for response in (
        await ravi.get(url),
        await ravi.get(f"{url}/timeline"),
        await ravi.get(f"{url}/links"),
        await ravi.patch(url, json={"first_name": "X"}, headers={"If-Match": '"v1"'}),
    ):
        expect.problem(response, 404)
        assert "Meera" not in response.text
        assert "98765" not in response.text
    assert (await ravi.get("/contacts")).json()["items"] == []
    assert (await ravi.get("/contacts", params={"q": "meera"})).json()["items"] == []
    search = (await ravi.get("/search", params={"q": "meera"})).json()
    assert all(hits == [] for hits in search["results"].values())
    assert (await crm.contacts.get(mine["id"])).first_name == "Meera"

    assert (await asha.get(url)).status_code == 200
    found = (await asha.get("/search", params={"q": "meera"})).json()
    assert [hit["title"] for hit in found["results"]["contacts"]] == ["Meera"]
    assert (await asha.get(f"{url}/audit")).json()["items"][0]["actor"] == "asha"
    expect.problem(await asha.delete(url, headers={"If-Match": '"v1"'}), 403)  # no .delete


async def test_requests_the_api_cannot_read(api, crm: Sampark, expect) -> None:
    client = api("admin")
    malformed = await client.post(
        "/contacts", content=b'{"first_name": "Asha"', headers={"Content-Type": "application/json"}
    )
    assert "body" in expect.fields(malformed, 400)
    not_json = await client.post(
        "/contacts",
        content=b"first_name=Asha",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    expect.problem(not_json, 415)
    empty = await client.post(
        "/contacts", content=b"", headers={"Content-Type": "application/json"}
    )
    assert "body" in expect.fields(empty, 400)
    nan = await client.post(
        "/contacts", content=b'{"first_name": NaN}', headers={"Content-Type": "application/json"}
    )
    expect.problem(nan, 400)
    huge = await client.post(
        "/contacts",
        content=b'{"notes": "' + b"x" * MAX_BODY + b'"}',
        headers={"Content-Type": "application/json"},
    )
    expect.problem(huge, 413)
    nul = await client.post("/contacts", json={"first_name": "As\u0000ha"})
    assert "NUL" in expect.fields(nul)["first_name"]
    assert "q" in expect.fields(await client.get("/contacts", params={"q": "a\x00b"}), 400)
    array = await client.post("/contacts", json=["Asha"])
    assert expect.fields(array) == {"body": "must be an object (got array)"}
    assert len(await crm.contacts.list()) == 0

    wrong_method = await client.put("/contacts")
    expect.problem(wrong_method, 405)
    assert wrong_method.headers["allow"] == "GET, POST, HEAD"
    expect.problem(await client.get("/no-such-thing"), 404)
    expect.problem(await client.get("/contacts/"), 404)
    assert (await client.head("/contacts")).status_code == 200
