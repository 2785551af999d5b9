"""The SQL contacts and accounts need on both engines: the search index and keyset pages.

SQLite keeps the search text in FTS5 trigram tables (rowid = record id); PostgreSQL keeps
it in plain tables with a pg_trgm GIN index. Both match any substring of three or more
characters; shorter queries fall back to an index range on ``sort_name``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient

from sampark.core.errors import ValidationError
from sampark.core.pagination import decode_cursor, encode_cursor
from sampark.core.search_text import query_terms, search_body
from sampark.core.sql import (
    Row,
    dialect,
    execute,
    execute_many,
    fetch,
    fetch_rows,
    like_pattern,
    marks,
)

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

TABLES = {"contact": "core_contact", "account": "core_account"}
SEARCH_TABLES = {"contact": "core_contact_search", "account": "core_account_search"}
OWNER_COLUMNS = {"contact": "contact_id", "account": "account_id"}
TRIGRAM = 3  # shortest term a trigram index can answer

# ---------------------------------------------------------------------------
# Keyset pages
# ---------------------------------------------------------------------------


async def keyset_page(
    conn: BaseDBAsyncClient,
    select: str,
    alias: str,
    conditions: list[str],
    params: list[Any],
    *,
    cursor: str | None,
    limit: int,
    deleted: bool = False,
) -> tuple[list[Row], str | None]:
    """One page after ``cursor``, and the cursor of the next page (None on the last).

    Live records come by (sort_name, id), soft-deleted ones newest deletion first, each
    matching its partial index. The keyset condition leads with a range on the first
    key so the index is searched, not scanned (PERFORMANCE.md trap 4).
    """
    column, after, direction = ("deleted_at", "<", " DESC") if deleted else ("sort_name", ">", "")
    key, ident = f"{alias}.{column}", f"{alias}.id"
    conditions = list(conditions)
    params = list(params)
    if cursor is not None:
        value, last_id = decode_cursor(cursor, 2)
        if not isinstance(value, str) or not isinstance(last_id, int):
            raise ValidationError.single("cursor", "is not a cursor this server gave out")
        if deleted:
            value = _cursor_time(conn, value)
        conditions.append(f"{key} {after}= ? AND ({key} {after} ? OR {ident} {after} ?)")
        params += [value, value, last_id]
    sql = (
        f"{select} WHERE {' AND '.join(conditions)} "
        f"ORDER BY {key}{direction}, {ident}{direction} LIMIT ?"
    )
    rows = await fetch_rows(conn, sql, [*params, limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1][column]
    return rows, encode_cursor(
        last.isoformat() if isinstance(last, dt.datetime) else last, rows[-1]["id"]
    )


def _cursor_time(conn: BaseDBAsyncClient, value: str) -> Any:
    """A deletion time from a cursor, as the engine compares it (SQLite: the stored text)."""
    if dialect(conn) == "sqlite":
        return value
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError.single("cursor", "is not a cursor this server gave out") from None


# ---------------------------------------------------------------------------
# The search index
# ---------------------------------------------------------------------------


async def refresh_search(
    kernel: Sampark, conn: BaseDBAsyncClient, entity: str, ids: Iterable[int]
) -> None:
    """Rebuild the search rows of these records from the database (live records only).

    Call it inside the write's transaction, after the record and its lists are written.
    """
    ids = sorted(set(ids))
    if not ids:
        return
    await remove_from_search(kernel, conn, entity, ids)
    bodies = await _bodies(conn, entity, ids)
    table = SEARCH_TABLES[entity]
    key = _key(conn)
    await execute_many(
        conn,
        f"INSERT INTO {table} ({key}, body) VALUES (?, ?)",
        [[record_id, body] for record_id, body in bodies.items()],
    )


async def remove_from_search(
    kernel: Sampark, conn: BaseDBAsyncClient, entity: str, ids: Iterable[int]
) -> None:
    """Drop these records from search (a soft-deleted record is not found)."""
    ids = list(ids)
    if not ids:
        return
    key = _key(conn)
    await execute(
        conn, f"DELETE FROM {SEARCH_TABLES[entity]} WHERE {key} IN ({marks(len(ids))})", ids
    )


async def _bodies(conn: BaseDBAsyncClient, entity: str, ids: list[int]) -> dict[int, str]:
    """The indexed text of each live record: names, emails, phone digits, #tags."""
    in_ids = marks(len(ids))
    if entity == "contact":
        names_sql = (
            "SELECT id, first_name, last_name, display_name FROM core_contact "
            f"WHERE id IN ({in_ids}) AND deleted_at IS NULL"
        )
    else:
        names_sql = (
            "SELECT id, name, website, registration_number, vat_number FROM core_account "
            f"WHERE id IN ({in_ids}) AND deleted_at IS NULL"
        )
    records = await fetch(conn, names_sql, ids)
    if not records:
        return {}
    owner = OWNER_COLUMNS[entity]
    emails = await _grouped(
        conn, f"SELECT {owner} AS owner, email AS value FROM core_email", owner, ids
    )
    phones = await _grouped(
        conn, f"SELECT {owner} AS owner, e164 AS value FROM core_phone", owner, ids
    )
    tags = await _grouped(
        conn,
        f"SELECT l.{owner} AS owner, t.name AS value FROM core_{entity}_tag l "
        "JOIN core_tag t ON t.id = l.tag_id",
        f"l.{owner}",
        ids,
    )
    bodies = {}
    for row in records:
        if entity == "contact":
            names = dict.fromkeys([row["display_name"], row["first_name"], row["last_name"]])
            extra: list[str] = []
        else:
            names = dict.fromkeys([row["name"]])
            extra = [_host(row["website"]), row["registration_number"], row["vat_number"]]
        bodies[row["id"]] = search_body(
            names,
            emails.get(row["id"], ()),
            phones.get(row["id"], ()),
            tags.get(row["id"], ()),
            extra,
        )
    return bodies


async def _grouped(
    conn: BaseDBAsyncClient, select: str, column: str, ids: list[int]
) -> dict[int, list[str]]:
    rows = await fetch(conn, f"{select} WHERE {column} IN ({marks(len(ids))})", ids)
    grouped: dict[int, list[str]] = {}
    for row in rows:
        grouped.setdefault(row["owner"], []).append(row["value"])
    return grouped


def _host(website: str) -> str:
    host = website.split("://", 1)[-1].split("/", 1)[0]
    return host.removeprefix("www.")


def _fts_phrase(term: str) -> str:
    """An FTS5 string literal: the term in double quotes, inner quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


def search_sql(
    conn: BaseDBAsyncClient, entity: str, query: str, *, owner_id: int | None = None
) -> tuple[str, list[Any]] | None:
    """The index-backed query giving matching record ids, or None for an empty query.

    Every term must match. Terms of three or more characters go to the trigram index;
    shorter ones only narrow those matches. A query made only of short terms becomes a
    prefix range on ``sort_name`` (a trigram index cannot answer it). With ``owner_id``
    only that user's records match (an "own"-scoped search), so LIMIT counts only them.
    """
    terms = query_terms(unicodedata.normalize("NFC", query))
    if not terms:
        return None
    long_terms = [term for term in terms if len(term) >= TRIGRAM]
    short_terms = [term for term in terms if len(term) < TRIGRAM]
    owner = [] if owner_id is None else [owner_id]
    if not long_terms:
        prefix = " ".join(terms).casefold()
        owned = "" if owner_id is None else " AND owner_id = ?"
        return (
            f"SELECT id FROM {TABLES[entity]} WHERE deleted_at IS NULL{owned} "
            "AND sort_name >= ? AND sort_name < ? ORDER BY sort_name, id LIMIT ?",
            [*owner, prefix, prefix + "\uffff"],
        )
    table = SEARCH_TABLES[entity]
    owned = "" if owner_id is None else " AND r.owner_id = ?"
    # FTS5 matches on the table's own name (an alias is not a column), so no alias here.
    key = f"{table}.{_key(conn)}"
    owners = "" if owner_id is None else f" JOIN {TABLES[entity]} r ON r.id = {key}"
    if dialect(conn) == "sqlite":
        match = " AND ".join(_fts_phrase(term) for term in long_terms)
        narrow = "".join(" AND instr(lower(body), lower(?)) > 0" for _ in short_terms)
        return (
            f"SELECT {key} AS id FROM {table}{owners} WHERE {table} MATCH ?{narrow}{owned} LIMIT ?",
            [match, *short_terms, *owner],
        )
    where = " AND ".join("body ILIKE ? ESCAPE '\\'" for _ in terms)
    return (
        f"SELECT {key} AS id FROM {table}{owners} WHERE {where}{owned} LIMIT ?",
        [*(like_pattern(term) for term in terms), *owner],
    )


def _key(conn: BaseDBAsyncClient) -> str:
    """The search tables' record id column: FTS5's rowid on SQLite, ``id`` on PostgreSQL."""
    return "rowid" if dialect(conn) == "sqlite" else "id"


async def search_ids(
    kernel: Sampark, entity: str, query: str, limit: int, *, owner_id: int | None = None
) -> list[int]:
    """Ids of live records matching every term of ``query`` (at most ``limit``).

    With ``owner_id``, only records that user owns.
    """
    conn = kernel.connection
    built = search_sql(conn, entity, query, owner_id=owner_id)
    if built is None:
        return []
    sql, params = built
    rows = await fetch(conn, sql, [*params, limit])
    return [row["id"] for row in rows]
