"""The pipeline's API under /api/v1/pipeline: documented, scoped, locked, and fuzzed."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from schemathesis.python.asgi import shutdown_lifespans
from starlette.applications import Starlette

from sampark.core.kernel import Sampark
from sampark.core.services.auth import add_user, create_token
from sampark.core.settings import Settings
from sampark.plugins.pipeline.facade import Deals
from sampark.web.app import build_app

HOSTS = ("test", "testserver")
USERS = {"admin": ("admin",), "asha": ("agent",), "ravi": ("agent",), "reader": ("read-only",)}


def _api_settings(settings: Settings) -> Settings:
    web = dataclasses.replace(settings.web, allowed_hosts=HOSTS)
    return dataclasses.replace(settings, web=web, plugins=("pipeline",))


async def _tokens(kernel: Sampark) -> dict[str, str]:
    tokens = {}
    for username, roles in USERS.items():
        await add_user(kernel, username, roles=roles)
        tokens[username], _ = await create_token(kernel, username, "tests")
    return tokens


@pytest.fixture
async def api(make_kernel, settings) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    kernel = await make_kernel(
        **vars(_api_settings(settings)) | {"database_url": settings.database_url}
    )
    tokens = await _tokens(kernel)
    app = build_app(kernel)
    clients: list[httpx.AsyncClient] = []

    def client(username: str | None = "admin", **headers: str) -> httpx.AsyncClient:
        if username:
            headers["Authorization"] = f"Bearer {tokens[username]}"
        made = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test/api/v1", headers=headers
        )
        clients.append(made)
        return made

    client.kernel = kernel  # type: ignore[attr-defined]
    yield client
    for made in clients:
        await made.aclose()


async def test_deals_through_the_api(api) -> None:
    admin = api()
    created = await admin.post(
        "/pipeline/deals",
        json={"title": "Licence", "amount": "1250.50", "expected_close": "2026-03-01"},
    )
    assert created.status_code == 201, created.text
    deal = created.json()
    assert (deal["amount"], deal["currency"], deal["stage"], deal["probability"]) == (
        "1250.50",
        "INR",
        "qualification",
        10,
    )
    assert created.headers["etag"] == '"v1"'
    assert created.headers["location"].endswith(f"/v1/pipeline/deals/{deal['id']}")
    url = f"/pipeline/deals/{deal['id']}"
    assert (await admin.patch(url, json={"title": "x"})).status_code == 428
    assert (
        await admin.patch(url, json={"title": "x"}, headers={"If-Match": '"v9"'})
    ).status_code == 412
    moved = await admin.post(
        f"{url}/move", json={"stage": "proposal"}, headers={"If-Match": '"v1"'}
    )
    assert moved.status_code == 200 and moved.json()["probability"] == 50
    assert moved.headers["etag"] == '"v2"'
    bad = await admin.post(f"{url}/move", json={"stage": "nowhere"}, headers={"If-Match": '"v2"'})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "stage"
    history = (await admin.get(f"{url}/history")).json()["items"]
    assert [h["to_stage"] for h in history] == ["qualification", "proposal"]
    listed = (await admin.get("/pipeline/deals", params={"stage": "proposal"})).json()
    assert [d["id"] for d in listed["items"]] == [deal["id"]]
    forecast = (await admin.get("/pipeline/forecast", params={"by": "month"})).json()
    assert forecast["items"] == [
        {
            "group": "2026-03",
            "currency": "INR",
            "deals": 1,
            "amount": "1250.50",
            "weighted": "625.25",
            "best": "1250.50",
            "worst": "0.00",
        }
    ]
    assert forecast["totals"][0]["group"] == "total"
    assert (await admin.get("/pipeline/forecast", params={"from": "03/01/2026"})).status_code == 400
    assert (await admin.get("/pipeline/sales")).status_code == 400
    sales = await admin.get("/pipeline/sales", params={"from": "2026-01-01", "to": "2026-12-31"})
    assert sales.status_code == 200 and sales.json() == {"items": []}
    stats = (await admin.get("/pipeline/stage-stats")).json()["items"]
    assert [s["stage"] for s in stats] == ["qualification", "proposal"]
    pipelines = (await admin.get("/pipeline/pipelines")).json()
    assert pipelines["default"] == "sales" and len(pipelines["items"][0]["stages"]) == 6
    deleted = await admin.delete(url, headers={"If-Match": '"v2"'})
    assert deleted.status_code == 204
    assert (await admin.get(url)).status_code == 404


async def test_permissions_and_scope_in_the_api(api) -> None:
    asha, ravi, reader = api("asha"), api("ravi"), api("reader")
    mine = (await asha.post("/pipeline/deals", json={"title": "Asha's", "amount": 10})).json()
    assert mine["owner"] == "asha" and mine["amount"] == "10.00"
    assert (await ravi.get(f"/pipeline/deals/{mine['id']}")).status_code == 404
    assert (await ravi.get("/pipeline/deals")).json()["items"] == []
    assert (await reader.get(f"/pipeline/deals/{mine['id']}")).status_code == 200
    assert (await reader.post("/pipeline/deals", json={"title": "no"})).status_code == 403
    assert (await api(None).get("/pipeline/deals")).status_code == 401
    refused = await asha.post("/pipeline/deals", json={"title": "", "amount": "1.234", "colour": 1})
    assert refused.status_code == 422


@pytest.mark.parametrize("amount", ["12,50", " 5 ", "1e5", 12.5])
async def test_ambiguous_amounts_and_json_fractions_are_refused(api, amount: object) -> None:
    asha = api("asha")
    refused = await asha.post("/pipeline/deals", json={"title": "Odd", "amount": amount})
    assert refused.status_code == 422, refused.text
    assert [error["field"] for error in refused.json()["errors"]] == ["amount"]
    assert (await asha.get("/pipeline/deals")).json()["items"] == []


@pytest.mark.parametrize(
    ("amount", "stored"),
    [(92.0, "92.00"), (92, "92.00"), (5_000_000_000, "5000000000.00"), ("92.5", "92.50")],
)
async def test_whole_json_numbers_are_whole_amounts_past_32_bits_too(
    api, amount: object, stored: str
) -> None:
    made = await api("asha").post("/pipeline/deals", json={"title": "Big", "amount": amount})
    assert made.status_code == 201, made.text
    assert made.json()["amount"] == stored


async def test_an_amount_past_the_column_is_refused_naming_it(api, expect) -> None:
    refused = await api("asha").post("/pipeline/deals", json={"title": "Huge", "amount": 10**16})
    assert expect.fields(refused) == {"amount": f"must be at most {10**16 - 1} (got {10**16})"}


async def test_the_document_lists_the_pipeline_operations(api) -> None:
    document = (await api().get("/../openapi.json")).json()
    assert "/v1/pipeline/deals/{deal_id}/move" in document["paths"]
    move = document["paths"]["/v1/pipeline/deals/{deal_id}/move"]["post"]
    assert move["operationId"] == "pipeline.moveDeal" and move["x-permission"] == "deals.write"


async def _seed(kernel: Sampark) -> dict[str, str]:
    await kernel.start()
    try:
        tokens = await _tokens(kernel)
        account = await kernel.accounts.create(name="Acme")
        contact = await kernel.contacts.create(first_name="Asha")
        from sampark.plugins.pipeline.facade import Deals

        deal = await Deals(kernel).create(
            title="Seed", amount="100", account=account.id, contacts=[contact.id]
        )
        await Deals(kernel).move(deal.id, "proposal")
    finally:
        await kernel.close()
    return tokens


@pytest.fixture
def served_api(settings: Settings) -> Iterator[Starlette]:
    configured = _api_settings(settings)
    kernel = Sampark(configured)

    async def migrate_and_seed() -> dict[str, str]:
        await kernel.start(migrate=True)
        await kernel.close()
        return await _seed(kernel)

    tokens = asyncio.run(migrate_and_seed())
    app = build_app(kernel, manage_kernel=True)
    app.state.tokens = tokens
    yield app
    shutdown_lifespans()


def test_schemathesis_over_the_api_with_the_pipeline_enabled(
    served_api: Starlette, fuzz_api: Callable[..., list[str]]
) -> None:
    # Every operation, core's too: the whole API must hold with the plugin enabled.
    operations = fuzz_api(served_api, served_api.state.tokens["admin"])
    assert len([op for op in operations if op.split()[1].startswith("/v1/pipeline/")]) == 14


async def test_the_global_search_of_the_api_finds_deals(api) -> None:
    admin = api()
    await admin.post("/pipeline/deals", json={"title": "Turbine overhaul", "amount": "5"})
    found = (await admin.get("/search", params={"q": "overhaul"})).json()
    assert [hit["title"] for hit in found["results"]["deals"]] == ["Turbine overhaul"]
    assert found["results"]["deals"][0]["url"].startswith("/pipeline/deals/")


async def test_two_moves_from_one_version_one_wins(api) -> None:
    import asyncio

    from sampark.plugins.pipeline.facade import Deals

    kernel = api.kernel
    deals = Deals(kernel)
    deal = await deals.create(title="Contested", amount="1")
    results = await asyncio.gather(
        deals.move(deal.id, "proposal", version=1),
        deals.move(deal.id, "negotiation", version=1),
        return_exceptions=True,
    )
    from sampark.core.errors import StaleRecordError

    assert sorted(type(r).__name__ for r in results) == ["DealRecord", "StaleRecordError"]
    assert any(isinstance(r, StaleRecordError) for r in results)
    history = await deals.history(deal.id)
    assert len(history) == 2 and (await deals.get(deal.id)).version == 2


async def test_a_deleted_deal_is_listed_restored_and_audited(api) -> None:
    admin, asha = api("admin"), api("asha")
    created = await admin.post("/pipeline/deals", json={"title": "Back again", "amount": "7"})
    url = f"/pipeline/deals/{created.json()['id']}"
    await admin.delete(url, headers={"If-Match": created.headers["etag"]})
    listed = (await admin.get("/pipeline/deals", params={"deleted": "true"})).json()["items"]
    assert [(d["title"], d["deleted_at"] is not None) for d in listed] == [("Back again", True)]
    assert (await admin.get("/pipeline/deals")).json()["items"] == []
    assert (await admin.post(f"{url}/restore")).status_code == 428
    assert (await asha.post(f"{url}/restore", headers={"If-Match": '"v2"'})).status_code == 403
    assert (await admin.post(f"{url}/restore", headers={"If-Match": '"v1"'})).status_code == 412
    restored = await admin.post(f"{url}/restore", headers={"If-Match": '"v2"'})
    assert restored.status_code == 200, restored.text
    assert restored.json()["deleted_at"] is None and restored.headers["etag"] == '"v3"'
    trail = (await admin.get(f"{url}/audit")).json()["items"]
    assert [row["action"] for row in trail] == ["restore", "delete", "create"]
    assert (await api("reader").get(f"{url}/audit")).status_code == 200
    assert (await asha.get(f"{url}/audit")).status_code == 404, "not her deal: not found"
    assert (await admin.get("/pipeline/deals/999/audit")).status_code == 404


async def test_a_deals_timeline_pages_its_stage_changes_and_notes(api) -> None:
    admin = api("admin")
    contact = await api.kernel.contacts.create(first_name="Asha")  # type: ignore[attr-defined]
    created = await admin.post(
        "/pipeline/deals", json={"title": "Noted", "amount": "5", "contacts": [contact.id]}
    )
    deal_id = created.json()["id"]
    await Deals(api.kernel).log(deal_id, kind="note", subject="Called back")  # type: ignore[attr-defined]
    url = f"/pipeline/deals/{deal_id}/timeline"
    first = (await admin.get(url, params={"limit": 1})).json()
    assert [item["title"] for item in first["items"]] == ["Called back"]
    second = (await admin.get(url, params={"limit": 1, "cursor": first["next_cursor"]})).json()
    assert second["items"][0]["title"].startswith("Deal opened: Noted")
    assert second["next_cursor"] is None
    assert (await admin.get(url, params={"cursor": "garbled"})).status_code == 400
    assert (await api("asha").get(url)).status_code == 404, "not her deal: not found"
