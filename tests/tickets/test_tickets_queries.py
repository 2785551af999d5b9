"""The queue, lists, search, counts and timeline stay on indexes; search and timeline pages."""

from __future__ import annotations

from typing import Any

from sampark.core.kernel import Sampark
from sampark.plugins.tickets.facade import Tickets


async def test_ticket_queries_use_indexes(
    desk: Sampark, people: dict, recorded_selects: Any, query_plans: Any
) -> None:
    system = Tickets(desk)
    ravi = Tickets(desk, people["actors"]["ravi"])
    for number in range(12):
        await system.open(
            subject=f"Printer problem {number}",
            requester_id=people["contact"].id,
            account_id=people["account"].id,
            priority="urgent" if number % 3 == 0 else "normal",
            assignee="ravi" if number % 2 else None,
            tags=["hardware"] if number % 4 == 0 else [],
        )
    first = await system.list(limit=3)
    calls = {
        "list": lambda: system.list(cursor=first.next_cursor, limit=3),
        "own list": lambda: ravi.list(limit=3),
        "mine": lambda: ravi.list(view="mine"),
        "unassigned": lambda: system.list(view="unassigned"),
        "breaching": lambda: system.list(view="breaching"),
        "by status": lambda: system.list(status="open"),
        "by requester": lambda: system.list(requester_id=people["contact"].id),
        "by account": lambda: system.list(account_id=people["account"].id),
        "by tag": lambda: system.list(tag="hardware"),
        "counts": lambda: ravi.counts(),
        "search number": lambda: desk.search("T-000003"),
        "search subject": lambda: desk.search("printer prob"),
        "timeline": lambda: desk.timeline(("contact", people["contact"].id)),
    }
    for name, call in calls.items():
        queries = await recorded_selects(desk, call)
        assert queries, name
        for sql, values in queries:
            if "tickets_" not in sql:
                continue  # core's own queries: core's tests check them
            assert await query_plans.full_scans(desk, sql, values) == [], f"{name}: {sql}"


async def test_search_finds_any_part_of_a_subject(desk: Sampark, people: dict) -> None:
    tickets = Tickets(desk)
    await tickets.open(subject="Printer on fire", requester_id=people["contact"].id)
    await tickets.open(subject="VPN drops at night", requester_id=people["contact"].id)
    renamed = await tickets.open(subject="Old name", requester_id=people["contact"].id)
    await tickets.update(renamed.id, subject="Laptop screen flickers")

    async def titles(query: str) -> list[str]:
        return [hit.title for hit in (await desk.search(query)).get("tickets", [])]

    assert await titles("rinte") == ["T-000001 Printer on fire"]
    assert await titles("PRINTER fi") == ["T-000001 Printer on fire"]
    assert await titles("night vpn") == ["T-000002 VPN drops at night"]
    assert await titles("flicker") == ["T-000003 Laptop screen flickers"]
    assert await titles("old name") == []
    assert await titles("100%") == []


async def test_timeline_pages_neither_skip_nor_repeat(desk: Sampark, people: dict) -> None:
    tickets = Tickets(desk)
    for number in range(4):
        ticket = await tickets.open(subject=f"Issue {number}", requester_id=people["contact"].id)
        await tickets.reply(ticket.id, f"Answer {number}")
        await tickets.update(ticket.id, status="resolved")
    everything = await desk.timeline(("contact", people["contact"].id), limit=100)
    seen = []
    cursor = None
    while True:
        page = await desk.timeline(("contact", people["contact"].id), cursor=cursor, limit=3)
        seen += [(entry.source, entry.ref) for entry in page]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [(entry.source, entry.ref) for entry in everything]
    assert len(seen) == 12  # 4 opened, 4 replies, 4 resolved
