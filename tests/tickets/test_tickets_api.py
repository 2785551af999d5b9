"""The tickets API under /api/v1/tickets/, on both engines."""

from __future__ import annotations

from typing import Any

import httpx

from sampark.core.kernel import Sampark
from sampark.plugins.tickets.facade import Tickets
from sampark.web.app import build_app

BASE = "/tickets"


async def test_open_read_change_reply_and_delete(api: Any, staff: dict) -> None:
    asha = api("asha")
    created = await asha.post(
        BASE,
        json={
            "subject": "Cannot print",
            "requester_id": staff["contact"].id,
            "account_id": staff["account"].id,
            "priority": "high",
            "tags": ["printer"],
        },
    )
    assert created.status_code == 201, created.text
    ticket = created.json()
    assert ticket["number"] == "T-000001" and ticket["status"] == "new"
    assert created.headers["location"].endswith(f"/v1/tickets/{ticket['id']}")
    etag = created.headers["etag"]
    url = f"{BASE}/{ticket['id']}"
    assert (await asha.get(url)).headers["etag"] == etag
    no_match = await asha.patch(url, json={"status": "pending"})
    assert no_match.status_code == 428
    changed = await asha.patch(url, json={"status": "pending"}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.json()["status"] == "pending"
    stale = await asha.patch(url, json={"priority": "low"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    replied = await asha.post(f"{url}/messages", json={"body": "On it", "minutes": 5})
    assert replied.status_code == 200 and replied.json()["first_response_at"]
    noted = await asha.post(f"{url}/messages", json={"body": "secret", "internal": True})
    assert noted.status_code == 200
    messages = (await asha.get(f"{url}/messages")).json()["items"]
    assert [(m["body"], m["internal"], m["minutes"]) for m in messages] == [
        ("On it", False, 5),
        ("secret", True, None),
    ]
    history = (await asha.get(f"{url}/history")).json()["items"]
    assert [h["to_status"] for h in history] == ["new", "pending"]
    listed = (await asha.get(BASE, params={"status": "pending"})).json()
    assert [item["number"] for item in listed["items"]] == ["T-000001"]
    current = await asha.get(url)
    deleted = await asha.delete(url, headers={"If-Match": current.headers["etag"]})
    assert deleted.status_code == 204
    assert (await asha.get(url)).status_code == 404


async def test_refusals_are_problems_naming_fields(api: Any, staff: dict) -> None:
    asha = api("asha")
    bad = await asha.post(BASE, json={"subject": "x", "requester_id": 99999, "priority": "asap"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert {e["field"] for e in bad.json()["errors"]} == {"priority"}
    unknown = await asha.post(BASE, json={"subject": "x", "requester_id": 99999})
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["requester_id"]
    assert (await api("mira").post(BASE, json={"subject": "x", "requester_id": 1})).status_code == (
        403
    )
    assert (await api(None).get(BASE)).status_code == 401


async def test_the_operations_are_in_the_document(api: Any) -> None:
    document = (await api("asha").get("/../openapi.json")).json()
    paths = document["paths"]
    assert "/v1/tickets" in paths and "/v1/tickets/{ticket_id}/messages" in paths
    assert paths["/v1/tickets"]["post"]["operationId"] == "tickets.createTicket"


async def test_disabling_removes_pages_nav_and_api_but_keeps_data(
    make_kernel: Any, web_desk: Sampark, staff: dict
) -> None:
    ticket = await Tickets(web_desk).open(subject="Survivor", requester_id=staff["contact"].id)
    web = web_desk.settings.web
    await web_desk.close()
    plain = await make_kernel(plugins=(), web=web)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_app(plain)),
        base_url="http://test",
        headers={"Authorization": f"Bearer {staff['tokens']['asha']}"},
    ) as client:
        assert (await client.get(f"/api/v1/tickets/{ticket.id}")).status_code == 404
        document = (await client.get("/api/openapi.json")).json()
        assert not [path for path in document["paths"] if "tickets" in path]
        assert (await client.get(f"/tickets/{ticket.id}")).status_code == 404
        assert (await client.get("/tickets/")).status_code == 404
    assert plain.nav_items() == []
    assert await plain.dashboard_numbers() == []
    assert "tickets" not in await plain.search("Survivor")
    await plain.close()
    again = await make_kernel(plugins=("tickets",), web=web)
    kept = await Tickets(again).get(ticket.id)
    assert kept.subject == "Survivor" and kept.number == "T-000001"
    assert [item.label for item in again.nav_items()] == ["Tickets"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_app(again)),
        base_url="http://test",
        headers={"Authorization": f"Bearer {staff['tokens']['asha']}"},
    ) as client:
        found = await client.get(f"/api/v1/tickets/{ticket.id}")
        assert found.status_code == 200 and found.json()["subject"] == "Survivor"


async def test_a_deleted_ticket_is_listed_restored_and_audited(api: Any, staff: dict) -> None:
    asha, ravi = api("asha"), api("ravi")
    created = await asha.post(BASE, json={"subject": "Spam", "requester_id": staff["contact"].id})
    url = f"{BASE}/{created.json()['id']}"
    await asha.delete(url, headers={"If-Match": created.headers["etag"]})
    deleted = (await asha.get(BASE, params={"deleted": "true"})).json()["items"]
    assert [(t["number"], t["deleted_at"] is not None) for t in deleted] == [("T-000001", True)]
    assert (await asha.post(f"{url}/restore")).status_code == 428
    assert (await ravi.post(f"{url}/restore", headers={"If-Match": '"v2"'})).status_code == 403
    stale = await asha.post(f"{url}/restore", headers={"If-Match": '"v1"'})
    assert stale.status_code == 412
    restored = await asha.post(f"{url}/restore", headers={"If-Match": '"v2"'})
    assert restored.status_code == 200, restored.text
    assert restored.json()["deleted_at"] is None and restored.headers["etag"] == '"v3"'
    assert (await asha.get(url)).status_code == 200
    trail = (await asha.get(f"{url}/audit")).json()["items"]
    assert [row["action"] for row in trail] == ["restore", "delete", "create"]
    assert (await ravi.get(f"{url}/audit")).status_code == 200, "his requester: he sees it"
    assert (await asha.get(f"{BASE}/999/audit")).status_code == 404


async def test_text_the_forms_refuse_is_refused_here_too(api: Any, staff: dict) -> None:
    asha = api("asha")
    contact = staff["contact"].id
    for field, value, message in (
        ("subject", "Broken\nscreen", "must be a single line"),
        ("subject", "Broken\x1b[2J", "control characters (found U+001B)"),
        ("description", "bad\x00byte", "NUL character"),
    ):
        body = {"subject": "Broken screen", "requester_id": contact, field: value}
        refused = await asha.post(BASE, json=body)
        assert refused.status_code == 422, refused.text
        assert [(e["field"], message in e["message"]) for e in refused.json()["errors"]] == [
            (field, True)
        ]
    kept = await asha.post(
        BASE, json={"subject": "Broken", "requester_id": contact, "description": "a\n\tb"}
    )
    assert kept.status_code == 201 and kept.json()["description"] == "a\n\tb"
