"""Finding deals by any part of their title, through an index on both engines.

SQLite answers from an FTS5 trigram table kept by triggers, PostgreSQL from a pg_trgm GIN
index on ``lower(title)`` (migration 0003); searches of only one- or two-character words
match the start of titles through a range on ``(lower(title), id)``.
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from sampark.core import db
from sampark.core.kernel import Sampark
from sampark.core.services.auth import actor_for_user, add_user
from sampark.core.sql import execute_many
from sampark.plugins.pipeline import services
from sampark.plugins.pipeline.facade import Deals
from sampark.testing import migrate_back_to


async def titles(kernel: Sampark, query: str, actor: Any = None, limit: int = 10) -> list[str]:
    view = kernel.as_user(actor) if actor is not None else kernel
    found = await view.search(query, limit_per_source=limit)
    return [hit.title for hit in found["deals"]]


async def test_any_three_characters_of_a_title_in_any_script_any_case(pipe, deals):
    await deals.create(title="Annual Licence Renewal", amount="1")
    await deals.create(title="भारत सरकार अनुबंध", amount="2")
    await deals.create(title="Überholung der Anlage", amount="3")
    await deals.create(title="Support plan", amount="4")
    assert await titles(pipe, "licence") == ["Annual Licence Renewal"]
    assert await titles(pipe, "ICEN") == ["Annual Licence Renewal"]
    assert await titles(pipe, "nUaL") == ["Annual Licence Renewal"]
    assert await titles(pipe, "भारत") == ["भारत सरकार अनुबंध"]
    assert await titles(pipe, "रका") == ["भारत सरकार अनुबंध"]  # inside a word
    assert await titles(pipe, "अनुबंध भार") == ["भारत सरकार अनुबंध"]
    assert await titles(pipe, "überholung") == ["Überholung der Anlage"]
    # Every word must occur, in any order; a short word only narrows.
    assert await titles(pipe, "renewal annual") == ["Annual Licence Renewal"]
    assert await titles(pipe, "annual zzz") == []
    assert await titles(pipe, "anlage de") == ["Überholung der Anlage"]
    assert await titles(pipe, "anlage dx") == []
    # Newest first.
    assert await titles(pipe, "an") == ["Annual Licence Renewal"]
    assert await titles(pipe, "pla") == ["Support plan"]
    await deals.create(title="Support plan (renewal)", amount="5")
    assert await titles(pipe, "plan") == ["Support plan (renewal)", "Support plan"]
    # LIKE's wildcards and FTS5's syntax are plain characters.
    assert await titles(pipe, '"pl') == []
    assert await titles(pipe, "n (r") == []
    assert await titles(pipe, "plan (r") == ["Support plan (renewal)"]
    assert await titles(pipe, "a%n") == []
    assert await titles(pipe, "   ") == []


async def test_short_queries_match_the_start_of_titles(pipe, deals):
    await deals.create(title="Annual licence", amount="1")
    await deals.create(title="ab testing", amount="1")
    await deals.create(title="Abacus", amount="1")
    await deals.create(title="Crab", amount="1")
    # In title order, case-insensitively; "ab" inside "Crab" is not the start.
    assert await titles(pipe, "AB") == ["ab testing", "Abacus"]
    assert await titles(pipe, "a") == ["ab testing", "Abacus", "Annual licence"]
    assert await titles(pipe, "ab t") == ["ab testing"]
    assert await titles(pipe, "c") == ["Crab"]
    assert await titles(pipe, "x") == []
    assert await titles(pipe, "a", limit=1) == ["ab testing"]


async def test_deleted_deals_and_old_titles_are_not_found(pipe, deals):
    kept = await deals.create(title="Fleet overhaul", amount="1")
    gone = await deals.create(title="Fleet tyres", amount="1")
    await deals.delete(gone.id)
    assert await titles(pipe, "fleet") == ["Fleet overhaul"]
    assert await titles(pipe, "tyres") == []
    assert await titles(pipe, "fl") == ["Fleet overhaul"]
    await deals.update(kept.id, title="Fleet repaint")
    assert await titles(pipe, "overhaul") == []
    assert await titles(pipe, "repaint") == ["Fleet repaint"]
    await deals.move(kept.id, "proposal")
    assert await titles(pipe, "repaint") == ["Fleet repaint"]
    await deals.delete(kept.id)
    assert await titles(pipe, "fleet") == []
    assert await titles(pipe, "fl") == []


async def test_an_own_scoped_actor_finds_only_their_deals(pipe, deals, people):
    actors = await people()
    for n in range(3):
        await deals.create(title=f"Gita's licence {n}", amount="1", owner="gita")
    await deals.create(title="Ravi's licence", amount="1", owner="ravi")
    ravi, asha = actors["ravi"], actors["asha"]
    assert await titles(pipe, "licence", ravi, limit=1) == ["Ravi's licence"]
    assert await titles(pipe, "ra", ravi) == ["Ravi's licence"]
    assert await titles(pipe, "gi", ravi) == []
    assert await titles(pipe, "licence 0", ravi) == []
    assert len(await titles(pipe, "licence", asha)) == 4
    rows = await services.search_deals(pipe, "licence", limit=10, actor=ravi)
    assert [row["title"] for row in rows] == ["Ravi's licence"]
    assert await titles(pipe, "licence", actors["mira"]) != []  # read-only sees all


async def test_a_word_of_another_script_inside_a_title(pipe, deals):
    await deals.create(title="Warehouse सौर panels", amount="1")
    assert await titles(pipe, "सौर") == ["Warehouse सौर panels"]
    assert await titles(pipe, "house सौर") == ["Warehouse सौर panels"]
    assert await titles(pipe, "panels सौ") == ["Warehouse सौर panels"]
    assert await titles(pipe, "se सौ") == []  # only short words: the start of titles
    rows = await services.search_deals(pipe, "panels\x00")  # NUL is dropped, not sent
    assert [row["title"] for row in rows] == ["Warehouse सौर panels"]


# ---------------------------------------------------------------------------
# Index use
# ---------------------------------------------------------------------------


async def _fill(kernel: Sampark, count: int, owners: tuple[int, int]) -> None:
    """Many deals straight into the table (the triggers index them on SQLite).

    Deal ``n`` belongs to ``owners[0]`` when ``n`` is a multiple of 3, else to ``owners[1]``.
    """
    with kernel.activate():
        conn = kernel.connection
        await execute_many(
            conn,
            "INSERT INTO pipeline_deal (title, amount, currency, pipeline, stage, status, "
            "probability, owner_id, stage_changed_at, created_at, updated_at, source, "
            "lost_reason, notes, version) VALUES (?, '1.00', 'INR', 'sales', 'proposal', "
            "'open', 50, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
            "'', '', '', 1)",
            [
                [f"Bulk deal {n:05d} {'x' * (n % 7)}", owners[0] if n % 3 == 0 else owners[1]]
                for n in range(count)
            ],
        )


async def _analyze(kernel: Sampark) -> None:
    """Fresh statistics; on PostgreSQL also merge the GIN index's pending list (as autovacuum
    does): until then the planner prices the trigram index by the rows waiting in it."""
    with kernel.activate():
        postgres = kernel.dialect == "postgres"
        await kernel.connection.execute_script(
            "VACUUM ANALYZE pipeline_deal" if postgres else "ANALYZE"
        )


async def _plan(kernel: Sampark, sql: str, values: list[Any]) -> str:
    """The query plan; PostgreSQL may not read a table sequentially (as core's test does)."""
    with kernel.activate():
        if kernel.dialect == "sqlite":
            rows = await kernel.connection.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}", values)
            return "\n".join(row["detail"] for row in rows)
        async with in_transaction() as conn:
            await conn.execute_script("SET LOCAL enable_seqscan = off")
            rows = await conn.execute_query_dict(f"EXPLAIN {sql}", values)
        return "\n".join(row["QUERY PLAN"] for row in rows)


async def test_searches_read_an_index_not_the_deals_table(
    pipe, deals, recorded_selects, query_plans
):
    asha = await add_user(pipe, "asha", roles=("admin",))
    user = await add_user(pipe, "ravi", roles=("agent",))
    with pipe.activate():
        ravi = await actor_for_user(pipe, user.id)
    await _fill(pipe, 2000, (user.id, asha.id))
    await deals.create(title="Needle in the haystack", amount="1")
    await _analyze(pipe)
    cases = {
        "one word": ("needle", None, "Needle in the haystack"),
        "words": ("haystack needle", None, "Needle in the haystack"),
        "mixed": ("needle in", None, "Needle in the haystack"),
        "scoped": ("0004", ravi, "Bulk deal 00048 xxxxxx"),
        "short": ("ne", None, "Needle in the haystack"),
        "short scoped": ("bu", ravi, None),
    }
    sqlite = pipe.dialect == "sqlite"
    for name, (query, actor, first) in cases.items():
        view = pipe.as_user(actor) if actor is not None else pipe
        queries = await recorded_selects(pipe, lambda v=view, q=query: v.search(q))
        searches = [(sql, values) for sql, values in queries if "pipeline_deal" in sql]
        assert len(searches) == 1, name
        sql, values = searches[0]
        plan = await _plan(pipe, sql, values)
        assert not query_plans.scans(pipe.dialect, "", plan), f"{name}: {sql}\n{plan}"
        short = name.startswith("short")
        if sqlite:
            assert "pipeline_deal_search VIRTUAL TABLE" in plan or short, f"{name}\n{plan}"
            assert "pipeline_deal_title_prefix" in plan or not short, f"{name}\n{plan}"
            assert "TEMP B-TREE" not in plan, f"{name}\n{plan}"
        else:
            index = "pipeline_deal_title_prefix" if short else "pipeline_deal_title_trgm"
            assert index in plan, f"{name}\n{plan}"
        if short:  # in index order: no sort even when sorting is forbidden
            plan = await query_plans.plan(pipe, sql, values)
            assert not query_plans.scans(pipe.dialect, sql, plan), f"{name}: {sql}\n{plan}"
        found = await titles(pipe, query, actor)
        assert found, name
        if first is not None:
            assert found[0] == first, name
        if actor is ravi:
            assert all(int(title.split()[2]) % 3 == 0 for title in found), found


# ---------------------------------------------------------------------------
# Migrating an existing database
# ---------------------------------------------------------------------------


async def test_deals_from_before_the_migration_are_found_after_it(make_kernel):
    kernel = await make_kernel(plugins=("pipeline",))
    deals = Deals(kernel)
    early = await deals.create(title="Early bird renewal", amount="1")
    await migrate_back_to(kernel, "pipeline", "0002_indexes_and_checks")
    with kernel.activate():
        pending = await db.pending_migrations(kernel.connection, kernel.tortoise_config)
    assert pending[0] == "pipeline.0003_title_search"
    # Written while no index or trigger keeps search: created, renamed and deleted.
    older = await deals.create(title="Monsoon तैयारी order", amount="1")
    await deals.update(early.id, title="Early bird upgrade")
    removed = await deals.create(title="Cancelled monsoon order", amount="1")
    await deals.delete(removed.id)

    assert (await kernel.migrate())[0] == "pipeline.0003_title_search"
    assert await titles(kernel, "तैयारी") == ["Monsoon तैयारी order"]
    assert await titles(kernel, "upgrade") == ["Early bird upgrade"]
    assert await titles(kernel, "renewal") == []
    assert await titles(kernel, "monsoon") == ["Monsoon तैयारी order"]
    assert await titles(kernel, "mo") == ["Monsoon तैयारी order"]
    # Backfilled rows stay in step with later changes.
    await deals.update(older.id, title="Monsoon readiness order")
    assert await titles(kernel, "तैयारी") == []
    assert await titles(kernel, "readiness") == ["Monsoon readiness order"]
    await deals.delete(early.id)
    assert await titles(kernel, "early") == []
    assert await titles(kernel, "order") == ["Monsoon readiness order"]
