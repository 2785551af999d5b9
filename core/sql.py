"""Talking to SQLite and PostgreSQL alike: placeholders, rows as dicts, stored values.

Services write SQL once with ``?`` placeholders; :func:`bind` numbers them for PostgreSQL,
and the ``db_*``/``read_*`` pairs convert values to and from what each engine stores.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from tortoise.backends.base.client import BaseDBAsyncClient


def dialect(conn: BaseDBAsyncClient) -> str:
    """``sqlite`` or ``postgres`` for a connection or a transaction."""
    return "postgres" if conn.capabilities.dialect == "postgres" else "sqlite"


def bind(conn: BaseDBAsyncClient, sql: str) -> str:
    """SQL written with ``?`` placeholders, numbered ``$1 …`` for PostgreSQL."""
    if dialect(conn) == "sqlite":
        return sql
    pieces = sql.split("?")
    numbered = [pieces[0]]
    for number, piece in enumerate(pieces[1:], start=1):
        numbered.append(f"${number}{piece}")
    return "".join(numbered)


def marks(count: int) -> str:
    """``?, ?, ?``: placeholders for an IN list of ``count`` values."""
    return ", ".join("?" * count)


async def fetch(
    conn: BaseDBAsyncClient, sql: str, params: Sequence[Any] = ()
) -> list[dict[str, Any]]:
    """Rows as dicts; also the way to run INSERT/UPDATE … RETURNING on both engines.

    On SQLite the dicts are built from the column names once per query: tortoise's
    ``execute_query_dict`` calls ``dict(row)``, which looks every column up by name and
    cost a quarter of a contacts page's time.
    """
    if dialect(conn) == "postgres":
        return await conn.execute_query_dict(bind(conn, sql), list(params))
    _, rows = await conn.execute_query(sql, list(params))
    if not rows:
        return []
    names = rows[0].keys()
    return [dict(zip(names, row)) for row in rows]  # noqa: B905 (one query's rows: same width)


class Row(Protocol):
    """A row as the driver gives it (sqlite3.Row, asyncpg.Record): read it by column name."""

    def __getitem__(self, column: str) -> Any: ...


async def fetch_rows(conn: BaseDBAsyncClient, sql: str, params: Sequence[Any] = ()) -> list[Row]:
    """The rows of a SELECT as the driver gives them, read by name (``row["id"]``), never copied.

    The fast path for pages of records, which read each column once: no dict per row. Use
    :func:`fetch` for rows you change or pass on, and for INSERT/UPDATE … RETURNING.
    """
    _, rows = await conn.execute_query(bind(conn, sql), list(params))
    return rows


async def execute(conn: BaseDBAsyncClient, sql: str, params: Sequence[Any] = ()) -> None:
    await conn.execute_query(bind(conn, sql), list(params))


async def execute_many(conn: BaseDBAsyncClient, sql: str, rows: list[list[Any]]) -> None:
    if rows:
        await conn.execute_many(bind(conn, sql), rows)


def like_pattern(term: str) -> str:
    """``%term%`` with LIKE's own wildcards escaped: use it with ``ESCAPE '\\'``."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def cents(conn: BaseDBAsyncClient, column: str) -> str:
    """A decimal money column in whole cents, as an expression both engines sum exactly.

    ``SUM(cents(conn, "d.amount"))`` adds integers on SQLite (which keeps decimals as
    text, so a plain SUM would add floats) and ``numeric`` on PostgreSQL; turn the total
    back into money with :func:`from_cents`.
    """
    if dialect(conn) == "postgres":
        return f"({column} * 100)"
    # x.yz as REAL times 100 is within 0.5 of the whole number of cents.
    return f"CAST(ROUND(CAST({column} AS REAL) * 100) AS INTEGER)"


def from_cents(value: Any, scale: int = 100) -> Decimal:
    """A sum of :func:`cents` as an exact Decimal to the cent (``None``, no rows, is 0.00).

    ``scale`` is what the summed expression was multiplied by: 100 for cents, 10 000 for
    cents times a percentage.
    """
    total = Decimal(str(value)) if value is not None else Decimal(0)
    return (total / scale).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def db_time(conn: BaseDBAsyncClient, value: dt.datetime) -> Any:
    """A timestamp as each engine stores it (SQLite: the text tortoise writes)."""
    return value if dialect(conn) == "postgres" else str(value.astimezone(dt.UTC))


def db_date(conn: BaseDBAsyncClient, value: dt.date | None) -> Any:
    if value is None or dialect(conn) == "postgres":
        return value
    return value.isoformat()


def db_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def read_time(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def read_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def read_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
