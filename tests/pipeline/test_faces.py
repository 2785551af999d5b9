"""Where deals show up elsewhere: timelines, panels, the global search, the dashboard, the nav."""

from __future__ import annotations

import datetime as dt

from sampark.core.sql import db_time, execute
from sampark.plugins.pipeline.facade import Deals

MOMENT = dt.datetime(2026, 2, 3, 10, 0, tzinfo=dt.UTC)


async def _same_moment(pipe, table: str) -> None:
    with pipe.activate():
        await execute(
            pipe.connection, f"UPDATE {table} SET at = ?", [db_time(pipe.connection, MOMENT)]
        )


async def test_stage_changes_are_on_the_contacts_and_accounts_timelines(pipe, deals):
    acme = await pipe.accounts.create(name="Acme")
    asha = await pipe.contacts.create(first_name="Asha")
    deal = await deals.create(title="Licence", amount="10", account=acme.id, contacts=[asha.id])
    await deals.move(deal.id, "proposal")
    for page in (await pipe.timeline(acme), await pipe.timeline(asha)):
        titles = [entry.title for entry in page]
        assert titles == [
            "Deal moved: Licence (Qualification → Proposal)",
            "Deal opened: Licence (Qualification)",
        ]
        assert page[0].url == f"/pipeline/deals/{deal.id}"
        assert page[0].source == "pipeline" and page[0].body == "INR 10.00, by system"
    await deals.delete(deal.id)
    assert list(await pipe.timeline(acme)) == []


async def test_timeline_pages_never_skip_or_repeat_at_equal_times(pipe, deals):
    acme = await pipe.accounts.create(name="Acme")
    for number in range(4):
        deal = await deals.create(title=f"D{number}", amount="1", account=acme.id)
        await deals.move(deal.id, "proposal")
    for number in range(3):
        await pipe.interactions.log(kind="call", subject=f"Call {number}", accounts=[acme.id])
    await _same_moment(pipe, "pipeline_stage_change")
    await _same_moment(pipe, "core_interaction")
    everything = [(e.source, e.ref) for e in await pipe.timeline(acme, limit=100)]
    assert len(everything) == 11
    for size in (1, 2, 3, 4):
        seen, cursor = [], None
        while True:
            page = await pipe.timeline(acme, cursor=cursor, limit=size)
            seen += [(e.source, e.ref) for e in page]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == everything, size


async def test_own_scope_and_permissions_on_the_timeline_and_panels(pipe, people):
    actors = await people()
    gita = pipe.as_user(actors["gita"])
    account = await gita.accounts.create(name="Shared")
    await Deals(pipe, actors["gita"]).create(title="Gita's", amount="5", account=account.id)
    assert [e.title for e in await gita.timeline(account)] == [
        "Deal opened: Gita's (Qualification)"
    ]
    panels = await gita.panels(account)
    assert [p.title for p in panels] == ["Deals"]
    assert "Gita&#x27;s" in panels[0].html and "New deal" in panels[0].html
    reader = pipe.as_user(actors["mira"])
    assert "New deal" not in (await reader.panels(account))[0].html


async def test_panel_html_is_escaped(pipe, deals):
    asha = await pipe.contacts.create(first_name="Asha")
    await deals.create(title="<script>alert(1)</script>", amount="1", contacts=[asha.id])
    (panel,) = await pipe.panels(asha)
    assert "<script>" not in panel.html and "&lt;script&gt;" in panel.html


async def test_the_global_search_finds_deals_by_title(pipe, deals, people):
    actors = await people()
    await deals.create(title="Annual 100% licence", amount="1", owner="gita")
    await deals.create(title="Support plan", amount="1")
    found = await pipe.search("licence")
    assert [hit.title for hit in found["deals"]] == ["Annual 100% licence"]
    assert found["deals"][0].url.startswith("/pipeline/deals/")
    assert [h.title for h in (await pipe.search("100%"))["deals"]] == ["Annual 100% licence"]
    assert (await pipe.search("1_0"))["deals"] == []
    ravi = pipe.as_user(actors["ravi"])
    assert (await ravi.search("licence"))["deals"] == []


async def test_dashboard_numbers_and_nav(pipe, deals, people):
    actors = await people()
    this_month = dt.datetime.now(dt.UTC).date().replace(day=1)
    await deals.create(title="A", amount="100", expected_close=this_month, stage="proposal")
    await deals.create(title="B", amount="40", currency="USD", expected_close=this_month)
    await deals.create(title="C", amount="1000", owner="ravi")
    numbers = {n.label: n.value for n in await pipe.dashboard_numbers()}
    assert numbers == {"open deals": 3, "weighted pipeline this month": "INR 50.00; USD 4.00"}
    ravi = {n.label: n.value for n in await pipe.as_user(actors["ravi"]).dashboard_numbers()}
    assert ravi == {"open deals": 1, "weighted pipeline this month": "INR 0.00"}
    assert [i.label for i in pipe.as_user(actors["mira"]).nav_items()] == ["Pipeline"]
    from sampark.core.permissions import Actor

    nobody = Actor(99, "nobody", frozenset({"contacts.read"}))
    assert pipe.as_user(nobody).nav_items() == []
    assert await pipe.as_user(nobody).dashboard_numbers() == []
