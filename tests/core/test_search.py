"""Search and list queries: what they match, and that an index answers them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from sampark.core.kernel import Sampark
from sampark.core.services import search
from sampark.core.services.users import create_user
from sampark.core.sql import bind


@pytest.mark.parametrize(
    "query", ['"', 'a"b', "NEAR(asha rao)", "asha OR ravi", "ash*", "50%", "a_b", "-asha", "^as"]
)
async def test_query_syntax_is_taken_literally(crm: Sampark, query: str) -> None:
    await crm.contacts.create(first_name="Asha", last_name="Rao", tags=["50% off"])
    await crm.contacts.create(first_name="Ravi")
    found = await crm.contacts.search(query)
    assert [c.first_name for c in found] == ([] if query != "50%" else ["Asha"])


async def test_like_wildcards_do_not_match_everything(crm: Sampark) -> None:
    await crm.contacts.create(first_name="Asha", emails=["a_b@example.in"])
    await crm.contacts.create(first_name="Ravi", emails=["axb@example.in"])
    assert [c.first_name for c in await crm.contacts.search("a_b@")] == ["Asha"]
    assert list(await crm.contacts.search("%%%")) == []


async def test_search_limit_and_order(crm: Sampark) -> None:
    for name in ("Carol Rao", "Alok Rao", "Bina Rao", "Dev Iyer"):
        await crm.contacts.create(first_name=name.split()[0], last_name=name.split()[1])
    found = await crm.contacts.search("rao", limit=20)
    assert [c.display_name for c in found] == ["Alok Rao", "Bina Rao", "Carol Rao"]
    assert len(await crm.contacts.search("rao", limit=2)) == 2


async def test_refresh_search_rebuilds_from_the_database(crm: Sampark) -> None:
    contact = await crm.contacts.create(first_name="Asha", emails=["asha@example.in"])
    with crm.activate():
        async with in_transaction() as conn:
            await search.remove_from_search(crm, conn, "contact", [contact.id])
        assert list(await crm.contacts.search("asha@")) == []
        async with in_transaction() as conn:
            await search.refresh_search(crm, conn, "contact", [contact.id, 12345])
    assert [c.id for c in await crm.contacts.search("asha@")] == [contact.id]


def test_fts_terms_are_quoted_and_anded() -> None:
    class Conn:
        class capabilities:
            dialect = "sqlite"

    sql, params = search.search_sql(Conn(), "contact", 'asha "rao" x')  # type: ignore[arg-type]
    assert "MATCH ?" in sql and "instr(lower(body), lower(?))" in sql
    assert params == ['"asha" AND """rao"""', "x"]
    Conn.capabilities.dialect = "postgres"
    sql, params = search.search_sql(Conn(), "contact", "50% a_b")  # type: ignore[arg-type]
    assert sql.count("ILIKE") == 2
    assert params == ["%50\\%%", "%a\\_b%"]
    sql, params = search.search_sql(Conn(), "contact", "As")  # type: ignore[arg-type]
    assert "sort_name >= ? AND sort_name < ?" in sql
    assert params == ["as", "as\uffff"]
    assert search.search_sql(Conn(), "contact", "  ") is None  # type: ignore[arg-type]


def test_placeholders_are_numbered_for_postgres() -> None:
    class Conn:
        class capabilities:
            dialect = "postgres"

    assert bind(Conn(), "a = ? AND b IN (?, ?)") == "a = $1 AND b IN ($2, $3)"  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Index use
# ---------------------------------------------------------------------------


async def test_list_and_search_queries_use_indexes(
    crm: Sampark, recorded_selects: Any, query_plans: Any
) -> None:
    with crm.activate():
        await create_user(crm, "meera")
    for i in range(30):
        await crm.contacts.create(
            first_name=f"Person{i:02d}",
            emails=[f"p{i}@example.in"],
            phones=[f"+91 98765 432{i:02d}"],
            tags=["even" if i % 2 else "odd"],
            owner="meera" if i % 3 else None,
        )
        await crm.accounts.create(name=f"Firm {i:02d}", kinds=["customer"], tags=["key"])
    first = await crm.contacts.list(limit=10)
    account_page = await crm.accounts.list(limit=10)
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "list": lambda: crm.contacts.list(limit=10),
        "list after cursor": lambda: crm.contacts.list(cursor=first.next_cursor, limit=10),
        "list by tag": lambda: crm.contacts.list(tag="even", cursor=first.next_cursor),
        "list by owner": lambda: crm.contacts.list(owner="meera", cursor=first.next_cursor),
        "list deleted": lambda: crm.contacts.list(deleted=True),
        "search words": lambda: crm.contacts.search("person1 example"),
        "search phone": lambda: crm.contacts.search("98765 43210"),
        "search short": lambda: crm.contacts.search("pe"),
        "search mixed": lambda: crm.contacts.search("person p1"),
        "accounts list": lambda: crm.accounts.list(cursor=account_page.next_cursor),
        "accounts by kind": lambda: crm.accounts.list(kind="customer"),
        "accounts search": lambda: crm.accounts.search("firm 1"),
        "accounts short": lambda: crm.accounts.search("fi"),
    }
    for name, call in calls.items():
        queries = await recorded_selects(crm, call)
        assert queries, name
        for sql, values in queries:
            plan = await query_plans.plan(crm, sql, values)
            assert not query_plans.scans(crm.dialect, sql, plan), f"{name}: {sql}\n{plan}"
        await call()  # and the query itself runs on this engine


async def test_main_list_query_searches_the_live_sort_index(
    crm: Sampark, recorded_selects: Any, query_plans: Any
) -> None:
    for i in range(5):
        await crm.contacts.create(first_name=f"P{i}")
    first = await crm.contacts.list(limit=2)
    queries = await recorded_selects(
        crm, lambda: crm.contacts.list(cursor=first.next_cursor, limit=2)
    )
    sql, values = queries[0]
    assert "sort_name >=" in sql and "deleted_at IS NULL" in sql
    plan = await query_plans.plan(crm, sql, values)
    assert "core_contact_live_sort" in plan


def test_the_plan_check_catches_scans_and_sorts(query_plans: Any) -> None:
    assert query_plans.scans(
        "sqlite", "SELECT 1", "SCAN c\nSEARCH u USING INTEGER PRIMARY KEY"
    ) == ["c"]
    assert (
        query_plans.scans("sqlite", "SELECT 1", "SCAN c USING INDEX core_contact_live_sort") == []
    )
    assert query_plans.scans("sqlite", "… LIMIT ?", "SCAN t VIRTUAL TABLE INDEX 0:M1") == []
    assert query_plans.scans(
        "sqlite", "… LIMIT ?", "SEARCH c USING INDEX x\nUSE TEMP B-TREE FOR ORDER BY"
    )
    assert query_plans.scans("postgres", "SELECT 1", "Seq Scan on core_contact c") == [
        "core_contact"
    ]
    assert query_plans.scans(
        "postgres", "… LIMIT $1", "Limit\n  ->  Sort\n    ->  Index Scan using x"
    )


async def test_a_nul_in_a_search_separates_words(crm: Sampark) -> None:
    asha = await crm.contacts.create(first_name="Asha", last_name="Rao")
    await crm.accounts.create(name="Rao Textiles")
    assert [c.id for c in await crm.contacts.search("asha\x00rao")] == [asha.id]
    assert [a.name for a in await crm.accounts.search("\x00rao")] == ["Rao Textiles"]
    assert (await crm.contacts.search("\x00")).items == []
