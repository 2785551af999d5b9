"""The pipeline's forecasts at 100k deals: the plugin's queries against the raw driver.

    .venv/bin/python bench/bench_forecast.py [--deals 100000] [--db sqlite|postgres]
                                             [--pg-url postgres://postgres@127.0.0.1:5432/postgres]
                                             [--repeat 5] [--workdir /tmp/sampark-bench]

One run: a fresh database migrated with the pipeline plugin; N deals (deterministic: three
currencies, five owners, 2,000 accounts, every stage, close dates over two years) and 2 to 4
stage changes each, inserted with the raw driver; then each forecast query is timed
through the plugin's service (kernel connection, records built) and as the same SQL on the
raw driver (sqlite3 or asyncpg, rows fetched and nothing else). Printed: best of
``--repeat`` runs for each, and the ratio. Absolute figures drift on shared machines; the
ratios within one run hold. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sampark.core.kernel import Sampark
from sampark.core.settings import Settings
from sampark.core.sql import bind, db_date, dialect
from sampark.plugins.pipeline import faces, forecast
from sampark.plugins.pipeline.config import DEFAULT_STAGES

OWNERS = ("asha", "ravi", "meera", "john", "fatima")
CURRENCIES = ("INR", "INR", "INR", "USD", "EUR")
ACCOUNTS = 2000


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _fresh_sqlite(work: Path) -> str:
    work.mkdir(parents=True, exist_ok=True)
    path = work / "forecast.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite://{path}"


async def _fresh(args: argparse.Namespace) -> str:
    if args.db == "sqlite":
        return _fresh_sqlite(Path(args.workdir))
    import asyncpg

    admin = await asyncpg.connect(_with_database(args.pg_url, "postgres"))
    try:
        await admin.execute('DROP DATABASE IF EXISTS "sampark_bench_forecast" WITH (FORCE)')
        await admin.execute('CREATE DATABASE "sampark_bench_forecast"')
    finally:
        await admin.close()
    return _with_database(args.pg_url, "sampark_bench_forecast")


def _rows(count: int, seed: int) -> tuple[list[list[Any]], list[list[Any]]]:
    """Deal rows and stage-change rows, deterministic for a seed."""
    rng = random.Random(seed)
    stages = DEFAULT_STAGES
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    deals, changes = [], []
    for deal_id in range(1, count + 1):
        final = rng.randrange(len(stages))
        stage = stages[final]
        status = "won" if stage.get("won") else "lost" if stage.get("lost") else "open"
        opened = start + dt.timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
        close = (opened + dt.timedelta(days=rng.randrange(10, 120))).date()
        amount = f"{rng.randrange(1000, 5_000_000)}.{rng.randrange(100):02d}"
        path = sorted({0, *rng.sample(range(4), 2)}) if status == "open" else [0, 2]
        path = [p for p in path if p <= final or status != "open"]
        moments = [
            opened + dt.timedelta(days=3 * n + rng.randrange(3)) for n in range(len(path) + 1)
        ]
        keys = [stages[p]["key"] for p in path]
        if keys[-1] != stage["key"]:
            keys.append(stage["key"])
        for index, key in enumerate(keys):
            changes.append(
                [
                    deal_id,
                    "sales",
                    keys[index - 1] if index else None,
                    key,
                    moments[min(index, len(moments) - 1)],
                    moments[index + 1] if index + 1 < len(keys) else None,
                    None,
                    "bench",
                ]
            )
        deals.append(
            [
                deal_id,
                f"Deal {deal_id}",
                rng.randrange(1, ACCOUNTS + 1),
                amount,
                rng.choice(CURRENCIES),
                "sales",
                stage["key"],
                status,
                stage["probability"],
                close,
                rng.randrange(1, len(OWNERS) + 1),
                "",
                "",
                close if status != "open" else None,
                "",
                moments[len(keys) - 1] if len(keys) <= len(moments) else opened,
                opened,
                opened,
                1,
            ]
        )
    return deals, changes


_DEAL_INSERT = (
    "INSERT INTO pipeline_deal (id, title, account_id, amount, currency, pipeline, stage, status, "
    "probability, expected_close, owner_id, source, lost_reason, closed_on, notes, "
    "stage_changed_at, created_at, updated_at, version) VALUES "
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CHANGE_INSERT = (
    "INSERT INTO pipeline_stage_change (deal_id, pipeline, from_stage, to_stage, at, left_at, "
    "by_id, by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


async def _load(kernel: Sampark, deals: list[list[Any]], changes: list[list[Any]]) -> float:
    from sampark.core.services.auth import add_user
    from sampark.core.sql import db_time

    for name in OWNERS:
        await add_user(kernel, name, roles=("agent",))
    with kernel.activate():
        conn = kernel.connection
        accounts = [[f"Account {n}", f"account {n}"] for n in range(1, ACCOUNTS + 1)]
        began = time.perf_counter()
        from tortoise.transactions import in_transaction

        async with in_transaction() as tx:
            stamp = db_time(tx, dt.datetime.now(dt.UTC))
            await tx.execute_many(
                bind(
                    tx,
                    "INSERT INTO core_account (name, sort_name, website, registration_number, "
                    "vat_number, notes, custom, created_at, updated_at, version) "
                    "VALUES (?, ?, '', '', '', '', '{}', ?, ?, 1)",
                ),
                [[name, sort, stamp, stamp] for name, sort in accounts],
            )

            def convert(row: list[Any]) -> list[Any]:
                return [
                    db_date(tx, v)
                    if isinstance(v, dt.date) and not isinstance(v, dt.datetime)
                    else db_time(tx, v)
                    if isinstance(v, dt.datetime)
                    else v
                    for v in row
                ]

            for batch in range(0, len(deals), 5000):
                await tx.execute_many(
                    bind(tx, _DEAL_INSERT), [convert(r) for r in deals[batch : batch + 5000]]
                )
            for batch in range(0, len(changes), 5000):
                await tx.execute_many(
                    bind(tx, _CHANGE_INSERT), [convert(r) for r in changes[batch : batch + 5000]]
                )
        if dialect(conn) == "postgres":
            await conn.execute_script(
                "SELECT setval(pg_get_serial_sequence('pipeline_deal', 'id'), "
                "(SELECT max(id) FROM pipeline_deal)); ANALYZE"
            )
        else:
            await conn.execute_script("ANALYZE")
        return time.perf_counter() - began


class Raw:
    """The same SQL on the raw driver: sqlite3 or asyncpg."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite: sqlite3.Connection | None = None
        self.pg: Any = None

    async def open(self) -> None:
        if self.url.startswith("sqlite"):
            self.sqlite = sqlite3.connect(self.url.removeprefix("sqlite://"))
        else:
            import asyncpg

            self.pg = await asyncpg.connect(self.url)

    async def fetch(self, sql: str, params: list[Any]) -> list[Any]:
        if self.sqlite is not None:
            return self.sqlite.execute(sql, params).fetchall()
        numbered = sql.split("?")
        text = numbered[0] + "".join(f"${n}{piece}" for n, piece in enumerate(numbered[1:], 1))
        return await self.pg.fetch(text, *params)

    async def close(self) -> None:
        if self.sqlite is not None:
            self.sqlite.close()
        if self.pg is not None:
            await self.pg.close()


class Capture:
    """Records the SQL each service runs (by wrapping the connection class's query methods)."""

    METHODS = ("execute_query", "execute_query_dict")

    def __init__(self, conn: Any) -> None:
        self.cls = type(conn)
        self.seen: list[tuple[str, list[Any]]] = []
        self.originals = {name: getattr(self.cls, name) for name in self.METHODS}

    def __enter__(self) -> Capture:
        seen = self.seen

        def recording(original: Any) -> Any:
            async def call(client: Any, sql: str, values: list[Any] | None = None) -> Any:
                seen.append((sql, list(values or [])))
                return await original(client, sql, values)

            return call

        for name, original in self.originals.items():
            setattr(self.cls, name, recording(original))
        return self

    def __exit__(self, *exc: object) -> None:
        for name, original in self.originals.items():
            setattr(self.cls, name, original)


async def _best(repeat: int, work: Callable[[], Awaitable[Any]]) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        await work()
        times.append(time.perf_counter() - began)
    return min(times)


def _unbind(sql: str) -> str:
    """PostgreSQL's $n placeholders back to ? for the raw side's own numbering."""
    import re

    return re.sub(r"\$\d+", "?", sql)


async def main(args: argparse.Namespace) -> None:
    url = await _fresh(args)
    kernel = Sampark(Settings(database_url=url, plugins=("pipeline",), currency="INR"))
    await kernel.start(migrate=True, create_db=args.db == "postgres")
    try:
        deals, changes = _rows(args.deals, args.seed)
        loaded = await _load(kernel, deals, changes)
        print(
            f"{args.db}: {len(deals):,} deals, {len(changes):,} stage changes "
            f"loaded in {loaded:.1f}s"
        )
        raw = Raw(url)
        await raw.open()
        config = kernel.plugin_config("pipeline")
        cases: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("forecast by month", lambda: forecast.forecast(kernel, by="month")),
            (
                "forecast by month, one quarter",
                lambda: forecast.forecast(
                    kernel, by="month", date_from="2025-04-01", date_to="2025-06-30"
                ),
            ),
            ("forecast by owner", lambda: forecast.forecast(kernel, by="owner")),
            ("win rate + days per stage", lambda: forecast.stage_stats(kernel)),
            (
                "win rate + days, stages since 2026",
                lambda: forecast.stage_stats(kernel, since="2026-01-01"),
            ),
            (
                "sales per account, one year",
                lambda: forecast.sales_by_account(
                    kernel, date_from="2025-01-01", date_to="2025-12-31"
                ),
            ),
            ("dashboard figures", lambda: forecast.dashboard_figures(kernel, _system())),
            ("board (counts + 6x50 cards)", lambda: faces.board(kernel, config.built["sales"])),
        ]
        print(f"{'query':34} {'plugin ms':>10} {'raw ms':>10} {'ratio':>7}")
        with kernel.activate():
            for name, work in cases:
                with Capture(kernel.connection) as capture:
                    await work()
                statements = capture.seen
                assert statements, name
                plugin = await _best(args.repeat, work)

                async def same_sql(statements: list[tuple[str, list[Any]]] = statements) -> None:
                    for sql, values in statements:
                        await raw.fetch(_unbind(sql), values)

                direct = await _best(args.repeat, same_sql)
                print(
                    f"{name:34} {plugin * 1000:10.1f} {direct * 1000:10.1f} {plugin / direct:7.2f}"
                )
        await raw.close()
    finally:
        await kernel.close()


def _system() -> Any:
    from sampark.core.permissions import SYSTEM

    return SYSTEM


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", default="/tmp/sampark-bench")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
