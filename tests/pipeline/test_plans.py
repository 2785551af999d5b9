"""The lists, board, timeline and ranged forecasts walk indexes, never the whole deals table.

SQLite's ``EXPLAIN QUERY PLAN`` of every statement the services run is checked on a few
thousand deals (PERFORMANCE.md: a list or a search that scans is a bug).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sampark.core.permissions import Actor
from sampark.core.services.timeline import TimelineSubject
from sampark.core.sql import db_time, execute_many
from sampark.plugins.pipeline import faces, forecast, services

DEALS = 3000


class Capture:
    """The SQL statements a block of service calls runs."""

    def __init__(self, conn: Any) -> None:
        self.cls = type(conn)
        self.seen: list[tuple[str, list[Any]]] = []
        self.originals = {
            name: getattr(self.cls, name) for name in ("execute_query", "execute_query_dict")
        }

    def __enter__(self) -> list[tuple[str, list[Any]]]:
        for name, original in self.originals.items():

            def recording(client: Any, sql: str, values: Any = None, _o: Any = original) -> Any:
                self.seen.append((sql, list(values or [])))
                return _o(client, sql, values)

            setattr(self.cls, name, recording)
        return self.seen

    def __exit__(self, *exc: object) -> None:
        for name, original in self.originals.items():
            setattr(self.cls, name, original)


async def _fill(kernel) -> None:
    conn = kernel.connection
    stamp = db_time(conn, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    stages = ["qualification", "proposal", "negotiation", "won", "lost"]
    rows = []
    for n in range(1, DEALS + 1):
        stage = stages[n % len(stages)]
        status = stage if stage in ("won", "lost") else "open"
        closed = "2026-02-01" if status != "open" else None
        rows.append(
            [
                n,
                f"Deal {n}",
                n % 50 + 1,
                f"{n}.00",
                "INR",
                "sales",
                stage,
                status,
                50,
                f"2026-{n % 12 + 1:02d}-01",
                n % 3 + 1,
                closed,
                stamp,
                stamp,
                stamp,
            ]
        )
    await execute_many(
        conn,
        "INSERT INTO core_account (id, name, sort_name, website, registration_number, "
        "vat_number, notes, custom, created_at, updated_at, version) "
        "VALUES (?, ?, ?, '', '', '', '', '{}', ?, ?, 1)",
        [[n, f"A{n}", f"a{n}", stamp, stamp] for n in range(1, 51)],
    )
    await execute_many(
        conn,
        "INSERT INTO pipeline_deal (id, title, account_id, amount, currency, pipeline, stage, "
        "status, probability, expected_close, owner_id, closed_on, stage_changed_at, "
        "created_at, updated_at, source, lost_reason, notes, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', 1)",
        rows,
    )
    await execute_many(
        conn,
        "INSERT INTO pipeline_stage_change (deal_id, pipeline, from_stage, to_stage, at, "
        "by_name) VALUES (?, 'sales', NULL, 'qualification', ?, 'system')",
        [[n, stamp] for n in range(1, DEALS + 1)],
    )
    await execute_many(
        conn,
        "INSERT INTO pipeline_deal_contact (deal_id, contact_id) VALUES (?, ?)",
        [],
    )
    await conn.execute_script("ANALYZE")


async def test_lists_boards_timelines_and_ranged_forecasts_use_indexes(make_kernel, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("query plans are checked on SQLite")
    kernel = await make_kernel(plugins=("pipeline",))
    from sampark.core.services.auth import add_user

    for name in ("asha", "ravi", "gita"):
        await add_user(kernel, name, roles=("agent",))
    agent = Actor(2, "ravi", frozenset({"deals.read"}), scope="own")
    config = kernel.plugin_config("pipeline")
    with kernel.activate():
        await _fill(kernel)
        with Capture(kernel.connection) as seen:
            await services.list_deals(kernel)
            await services.list_deals(kernel, actor=agent)
            await services.list_deals(kernel, status="won")
            await services.list_deals(kernel, owner="ravi", status="open")
            await services.list_deals(kernel, pipeline="sales", stage="proposal")
            await services.list_deals(kernel, account=7)
            await services.list_deals(kernel, contact=7)
            page = await services.list_deals(kernel, limit=10)
            await services.list_deals(kernel, cursor=page.next_cursor)
            await faces.board(kernel, config.built["sales"])
            await faces.timeline_entries(kernel, TimelineSubject("account", 7), None, 20)
            await forecast.forecast(kernel, date_from="2026-03-01", date_to="2026-03-31")
            await forecast.sales_by_account(kernel, date_from="2026-02-01", date_to="2026-02-28")
        plans = {}
        for sql, values in seen:
            if "pipeline_deal" not in sql:
                continue
            rows = await kernel.connection.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}", values)
            plans[sql] = [row["detail"] for row in rows]
    assert len(plans) >= 12
    for sql, details in plans.items():
        ordered = "ORDER BY d.id DESC" in sql
        if ordered:
            assert not any("TEMP B-TREE FOR ORDER BY" in d for d in details), f"{sql}\n{details}"
        # Walking the primary key newest first stops at the page's end: not a full scan.
        scans = [d for d in details if d.startswith("SCAN d") and "INDEX" not in d]
        assert not scans or (ordered and scans == ["SCAN d"]), f"{sql}\n{details}"
