"""Tags shared by contacts and accounts, keyed by their case-folded name."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.backends.base.client import BaseDBAsyncClient

from sampark.core.services.search import OWNER_COLUMNS
from sampark.core.sql import execute, execute_many, fetch, fetch_rows, marks


def tag_key(name: str) -> str:
    """The key that makes "VIP", "vip" and "Vip" one tag."""
    return name.strip().casefold()


async def ensure_tags(conn: BaseDBAsyncClient, names: Iterable[str]) -> dict[str, int]:
    """Tag ids by key, creating the missing tags.

    Race-safe on both engines: the insert leans on the UNIQUE key (``ON CONFLICT DO
    NOTHING``), so two writers creating one tag both end up with the same row.
    """
    wanted = {tag_key(name): name.strip() for name in names}
    if not wanted:
        return {}
    ids = await tag_ids(conn, wanted)
    missing = [[name, key] for key, name in wanted.items() if key not in ids]
    if missing:
        await execute_many(
            conn,
            "INSERT INTO core_tag (name, key) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            missing,
        )
        ids = await tag_ids(conn, wanted)
    return ids


async def tag_ids(conn: BaseDBAsyncClient, keys: Iterable[str]) -> dict[str, int]:
    """Ids of the existing tags among ``keys`` (case-folded)."""
    keys = list(keys)
    if not keys:
        return {}
    sql = f"SELECT id, key FROM core_tag WHERE key IN ({marks(len(keys))})"
    rows = await fetch(conn, sql, keys)
    return {row["key"]: row["id"] for row in rows}


async def set_tags(
    conn: BaseDBAsyncClient, entity: str, record_id: int, names: Iterable[str]
) -> None:
    """Make ``names`` the record's whole tag list."""
    ids = await ensure_tags(conn, names)
    owner = OWNER_COLUMNS[entity]
    await execute(conn, f"DELETE FROM core_{entity}_tag WHERE {owner} = ?", [record_id])
    await execute_many(
        conn,
        f"INSERT INTO core_{entity}_tag ({owner}, tag_id) VALUES (?, ?)",
        [[record_id, tag_id] for tag_id in ids.values()],
    )


async def load_tags(
    conn: BaseDBAsyncClient, entity: str, ids: list[int]
) -> dict[int, tuple[str, ...]]:
    """Tag names of every record in ``ids``, alphabetical, in one query."""
    if not ids:
        return {}
    owner = OWNER_COLUMNS[entity]
    rows = await fetch_rows(
        conn,
        f"SELECT l.{owner} AS owner, t.name FROM core_{entity}_tag l "
        f"JOIN core_tag t ON t.id = l.tag_id WHERE l.{owner} IN ({marks(len(ids))}) "
        "ORDER BY t.key",
        ids,
    )
    tags: dict[int, list[str]] = {}
    for row in rows:
        tags.setdefault(row["owner"], []).append(row["name"])
    return {record_id: tuple(names) for record_id, names in tags.items()}
