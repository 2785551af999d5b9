"""What a call asked the database: the SELECTs it ran and the tables their plans read whole."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

RecordedSelects = Callable[..., Awaitable[list[tuple[str, list[Any]]]]]

_SQLITE_FULL_SCAN = re.compile(r"\bSCAN (\w+)\b(?! USING| VIRTUAL TABLE)")


async def recorded_selects_of(
    crm: Sampark, call: Callable[[], Awaitable[Any]]
) -> list[tuple[str, list[Any]]]:
    """The SELECTs ``call`` ran on the kernel's connection, with their parameters."""
    with crm.activate():
        client = crm.connection
    queries: list[tuple[str, list[Any]]] = []

    def spying(name: str) -> Callable[..., Awaitable[Any]]:
        original = getattr(client, name)

        async def spy(sql: str, values: list[Any] | None = None) -> Any:
            queries.append((sql, list(values or [])))
            return await original(sql, values)

        return spy

    names = ("execute_query", "execute_query_dict")
    for name in names:
        setattr(client, name, spying(name))
    try:
        await call()
    finally:
        for name in names:
            delattr(client, name)
    return [(sql, values) for sql, values in queries if sql.lstrip().upper().startswith("SELECT")]


@pytest.fixture
def recorded_selects() -> RecordedSelects:
    """``await recorded_selects(crm, call)``: the SELECTs a call through the public API ran."""
    return recorded_selects_of


class QueryPlans:
    """The plan of a query on the kernel's engine, and the tables it reads whole.

    A list or a search that reads a whole table is a bug: tests assert ``full_scans`` is empty.
    """

    @staticmethod
    async def plan(crm: Sampark, sql: str, values: list[Any]) -> str:
        from tortoise.transactions import in_transaction

        with crm.activate():
            if crm.dialect == "sqlite":
                rows = await crm.connection.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}", values)
                return "\n".join(row["detail"] for row in rows)
            async with in_transaction() as conn:
                # Tiny test tables make a sequential scan and a sort cheapest; forbid both to
                # prove the query *can* be answered from an index, in order.
                await conn.execute_script("SET LOCAL enable_seqscan = off")
                await conn.execute_script("SET LOCAL enable_sort = off")
                rows = await conn.execute_query_dict(f"EXPLAIN {sql}", values)
            return "\n".join(row["QUERY PLAN"] for row in rows)

    @staticmethod
    def scans(dialect: str, sql: str, plan: str) -> list[str]:
        """Tables read whole; a LIMITed query that sorts counts too (it reads every match).

        Loading a page's emails or tags may sort those few rows: that is not a scan.
        """
        if dialect == "sqlite":
            scans = _SQLITE_FULL_SCAN.findall(plan)
            if "LIMIT" in sql and "USE TEMP B-TREE FOR ORDER BY" in plan:
                scans.append("sort before LIMIT")
            return scans
        scans = re.findall(r"Seq Scan on (\w+)", plan)
        if "LIMIT" in sql and re.search(r"Limit.*\n.*Sort", plan):
            scans.append("sort before LIMIT")
        return scans

    async def full_scans(self, crm: Sampark, sql: str, values: list[Any]) -> list[str]:
        return self.scans(crm.dialect, sql, await self.plan(crm, sql, values))


@pytest.fixture
def query_plans() -> QueryPlans:
    """``await query_plans.full_scans(crm, sql, values)``: the tables a query reads whole."""
    return QueryPlans()
