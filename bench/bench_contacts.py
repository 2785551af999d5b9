"""Contacts at scale: bulk insert against the raw driver, then search and list latency.

    .venv/bin/python bench/bench_contacts.py [--contacts 1000000] [--db sqlite|postgres]
                                             [--pg-url postgres://postgres@127.0.0.1:5432/postgres]

One run: generate N contacts (deterministic), insert them with the raw driver and with
``insert_contacts`` into fresh migrated databases, time a validated import of a subset,
then time searches and list pages through the kernel on the N-contact database.
Absolute figures drift on shared machines; the ratios within one run hold.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from contact_data import bench_rows

from sampark.core.kernel import Sampark
from sampark.core.pagination import encode_cursor
from sampark.core.search_text import search_body
from sampark.core.services import bulk, inputs, users
from sampark.core.services.inputs import ContactInput
from sampark.core.services.tags import tag_key
from sampark.core.settings import Settings
from sampark.core.sql import db_json

USERS = ("asha", "ravi", "meera", "john", "fatima")


# ---------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------


@dataclass
class Target:
    """Where the benchmark databases live: SQLite files or PostgreSQL databases."""

    engine: str
    workdir: Path
    pg_url: str

    def url(self, name: str) -> str:
        if self.engine == "sqlite":
            return f"sqlite://{self.workdir / f'{name}.db'}"
        parts = urlsplit(self.pg_url)
        return urlunsplit(parts._replace(path=f"/bench_{name}"))

    async def fresh(self, name: str) -> str:
        """An empty database of that name with every core migration applied."""
        if self.engine == "sqlite":
            remove_files(self.workdir, name)
        else:
            import asyncpg

            admin = await asyncpg.connect(self.pg_url)
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "bench_{name}" WITH (FORCE)')
                await admin.execute(f'CREATE DATABASE "bench_{name}"')
            finally:
                await admin.close()
        kernel = Sampark(Settings(database_url=self.url(name)))
        await kernel.start(migrate=True)
        try:
            with kernel.activate():
                for username in USERS:
                    await users.create_user(kernel, username, username.title())
        finally:
            await kernel.close()
        return self.url(name)

    def size(self, name: str) -> str:
        """A SQLite database's size on disk, WAL included."""
        if self.engine != "sqlite":
            return ""
        path = self.workdir / f"{name}.db"
        total = sum(
            Path(f"{path}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{path}{suffix}").exists()
        )
        return f"{total / 2**20:,.0f} MiB"


def remove_files(workdir: Path, name: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{workdir / name}.db{suffix}").unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# The raw baseline: the same rows, built by hand and sent with executemany
# ---------------------------------------------------------------------------


@dataclass
class RawBatch:
    contacts: list[tuple[Any, ...]] = field(default_factory=list)
    emails: list[tuple[Any, ...]] = field(default_factory=list)
    phones: list[tuple[Any, ...]] = field(default_factory=list)
    addresses: list[tuple[Any, ...]] = field(default_factory=list)
    tags: list[tuple[Any, ...]] = field(default_factory=list)
    search: list[tuple[Any, ...]] = field(default_factory=list)
    new_tags: list[tuple[Any, ...]] = field(default_factory=list)


class RawBuilder:
    """Value tuples for each table, written the plain way, with explicit ids from 1."""

    def __init__(self, engine: str, owners: dict[str, int]) -> None:
        self.sqlite = engine == "sqlite"
        self.owners = owners
        self.tags: dict[str, tuple[int, str]] = {}
        now = dt.datetime.now(dt.UTC)
        self.stamp: Any = str(now) if self.sqlite else now
        self.next_id = 1

    def batch(self, contacts: Sequence[ContactInput]) -> RawBatch:
        out = RawBatch()
        for c in contacts:
            contact_id = self.next_id
            self.next_id += 1
            birthday = c.birthday.isoformat() if self.sqlite and c.birthday else c.birthday
            out.contacts.append(
                (
                    contact_id,
                    c.first_name,
                    c.last_name,
                    c.display_name,
                    c.sort_name,
                    c.language,
                    birthday,
                    c.notes,
                    db_json(c.custom) if c.custom else "{}",
                    self.owners[c.owner] if c.owner else None,
                    self.stamp,
                    self.stamp,
                    1,
                )
            )
            for i, e in enumerate(c.emails):
                out.emails.append((contact_id, e.email, e.label, e.primary, i))
            for i, p in enumerate(c.phones):
                out.phones.append((contact_id, p.e164, p.original, p.label, p.primary, i))
            for i, a in enumerate(c.addresses):
                out.addresses.append(
                    (contact_id, a.label, a.street, a.city, a.region, a.postal_code, a.country, i)
                )
            names = []
            for tag in c.tags:
                key = tag_key(tag)
                if key not in self.tags:
                    self.tags[key] = (len(self.tags) + 1, tag)
                    out.new_tags.append((len(self.tags), tag, key))
                tag_id, name = self.tags[key]
                out.tags.append((contact_id, tag_id))
                names.append(name)
            body = search_body(
                dict.fromkeys((c.display_name, c.first_name, c.last_name)),
                [e.email for e in c.emails],
                [p.e164 for p in c.phones],
                names,
            )
            out.search.append((contact_id, body))
        return out


TABLES = (
    ("core_tag", ("id", "name", "key"), "new_tags"),
    ("core_contact", bulk.CONTACT_COLUMNS, "contacts"),
    ("core_email", bulk.EMAIL_COLUMNS, "emails"),
    ("core_phone", bulk.PHONE_COLUMNS, "phones"),
    ("core_address", bulk.ADDRESS_COLUMNS, "addresses"),
    ("core_contact_tag", bulk.TAG_COLUMNS, "tags"),
)


def batches(items: Sequence[ContactInput], size: int) -> Iterator[Sequence[ContactInput]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def raw_sqlite(path: Path, batches_: Iterable[RawBatch]) -> None:
    """The tortoise connection's pragmas, one transaction, executemany per table."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "journal_size_limit=16384", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    inserts = [
        (f"INSERT INTO {t} ({', '.join(c)}) VALUES ({', '.join('?' * len(c))})", attr)
        for t, c, attr in TABLES
    ]
    search = "INSERT INTO core_contact_search (rowid, body) VALUES (?, ?)"
    conn.execute("BEGIN")
    for batch in batches_:
        for sql, attr in inserts:
            conn.executemany(sql, getattr(batch, attr))
        conn.executemany(search, batch.search)
    conn.execute("COMMIT")
    conn.close()


async def raw_postgres(url: str, batches_: Iterable[RawBatch]) -> None:
    """asyncpg executemany per table in one transaction."""
    import asyncpg

    conn = await asyncpg.connect(url)
    inserts = [
        (
            f"INSERT INTO {t} ({', '.join(c)}) "
            f"VALUES ({', '.join(f'${n}' for n in range(1, len(c) + 1))})",
            attr,
        )
        for t, c, attr in TABLES
    ]
    inserts.append(("INSERT INTO core_contact_search (id, body) VALUES ($1, $2)", "search"))
    async with conn.transaction():
        for batch in batches_:
            for sql, attr in inserts:
                rows = getattr(batch, attr)
                if rows:
                    await conn.executemany(sql, rows)
    # Keep the sequences in step, as a real loader must (not timed separately).
    await conn.execute(
        "SELECT setval(pg_get_serial_sequence('core_contact', 'id'), "
        "(SELECT max(id) FROM core_contact))"
    )
    await conn.close()


async def raw_insert(
    target: Target, name: str, url: str, contacts: list[ContactInput], size: int, prebuilt: bool
) -> float:
    """Seconds for the raw load; with ``prebuilt`` the tuples are made before the clock."""
    owners = await user_ids(url)
    builder = RawBuilder(target.engine, owners)
    made: Iterable[RawBatch]
    if prebuilt:
        made = [builder.batch(chunk) for chunk in batches(contacts, size)]
    else:
        made = (builder.batch(chunk) for chunk in batches(contacts, size))
    gc.collect()
    start = time.perf_counter()
    if target.engine == "sqlite":
        raw_sqlite(target.workdir / f"{name}.db", made)
    else:
        await raw_postgres(url, made)
    return time.perf_counter() - start


async def user_ids(url: str) -> dict[str, int]:
    kernel = Sampark(Settings(database_url=url))
    await kernel.start()
    with kernel.activate():
        rows = await kernel.connection.execute_query_dict("SELECT id, username FROM core_user")
    await kernel.close()
    return {row["username"]: row["id"] for row in rows}


# ---------------------------------------------------------------------------
# Latency
# ---------------------------------------------------------------------------


@dataclass
class Latency:
    label: str
    samples: list[float] = field(default_factory=list)
    hits: int = 0

    def line(self) -> str:
        ms = sorted(s * 1000 for s in self.samples)
        p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
        return (
            f"  {self.label:<42} {len(ms):>5} {statistics.median(ms):>8.2f} "
            f"{p99:>8.2f} {ms[-1]:>8.2f} {self.hits / len(ms):>8.1f}"
        )


async def timed(latency: Latency, call: Callable[[], Awaitable[Any]]) -> Any:
    start = time.perf_counter()
    result = await call()
    latency.samples.append(time.perf_counter() - start)
    latency.hits += len(result)
    return result


def search_queries(contacts: list[ContactInput], rng: random.Random) -> list[tuple[str, str]]:
    """About 200 (category, query) pairs drawn from the data, as people would type them."""
    sample = rng.sample(contacts, 400)

    def pick(predicate: Callable[[ContactInput], bool], n: int) -> list[ContactInput]:
        return [c for c in sample if predicate(c)][:n]

    def script(c: ContactInput) -> str:
        return c.language or ""

    queries: list[tuple[str, str]] = []
    for c in pick(lambda c: script(c)[:2] in ("en", "de", "fr", "pt"), 20):
        queries.append(("name, Latin", rng.choice([c.first_name, c.last_name, c.display_name])))
    for c in pick(lambda c: script(c)[:2] in ("en", "de", "fr", "pt"), 10):
        queries.append(("name, Latin, partial", c.last_name[:4].lower()))
    for c in pick(lambda c: script(c) in ("hi-IN", "mr-IN"), 20):
        name = rng.choice([c.first_name, c.last_name, c.display_name])
        queries.append(("name, Devanagari", name))
    for c in pick(lambda c: script(c) in ("te-IN", "ta-IN", "bn-IN", "ar-AE"), 20):
        queries.append(("name, Telugu/Tamil/Bengali/Arabic", c.last_name))
    for c in pick(lambda c: script(c) in ("zh-CN", "ja-JP"), 10):
        queries.append(("name, CJK (short: prefix path)", c.display_name[:2]))
    for c in pick(lambda c: bool(c.emails), 30):
        local = c.emails[0].email.split("@")[0]
        queries.append(("email part", rng.choice([c.emails[0].email, local, local[-9:]])))
    for c in pick(lambda c: bool(c.phones), 30):
        digits = c.phones[0].e164[1:]
        queries.append(("phone digits", rng.choice([digits[-8:], digits[-10:], c.phones[0].e164])))
    for tag in ("vip", "#vip", "newsletter", "#referral", "दिवाली", "#event-2025"):
        queries.extend([("tag", tag)] * 5)
    for c in pick(lambda c: bool(c.tags) and bool(c.emails), 15):
        queries.append(("name + tag", f"{c.first_name} #{c.tags[0]}"))
    for text in ("a", "ra", "z", "王", "सु"):
        queries.extend([("short (1-2 chars: prefix path)", text)] * 3)
    return queries


# Terms each found in a tenth to a third of all rows but rarely together: the index walks
# their long lists to the end. Shown apart, not part of the ~200 everyday queries.
WORST_CASE = ("example.com example.org", "example.net #vip #lead", "vip newsletter")


async def measure_worst_case(kernel: Sampark) -> Latency:
    latency = Latency("search: worst case (common terms)")
    for _ in range(3):
        for query in WORST_CASE:
            await timed(latency, lambda q=query: kernel.contacts.search(q, limit=20))
    return latency


async def measure_search(
    kernel: Sampark, queries: list[tuple[str, str]]
) -> tuple[dict[str, Latency], Latency, Latency]:
    by_category: dict[str, Latency] = {}
    cold = Latency("all searches, first pass")
    warm = Latency("all searches, second pass")
    for latency in (cold, warm):
        for category, query in queries:
            one = Latency(category)
            await timed(one, lambda q=query: kernel.contacts.search(q, limit=20))
            latency.samples += one.samples
            latency.hits += one.hits
            if latency is warm:
                entry = by_category.setdefault(category, Latency(f"search: {category}"))
                entry.samples += one.samples
                entry.hits += one.hits
    return by_category, cold, warm


async def measure_lists(kernel: Sampark, rng: random.Random) -> list[Latency]:
    with kernel.activate():
        marks = await kernel.connection.execute_query_dict(
            "SELECT sort_name, id FROM (SELECT sort_name, id, "
            "row_number() OVER (ORDER BY sort_name, id) AS n FROM core_contact "
            "WHERE deleted_at IS NULL) AS ranked WHERE n % 5000 = 0"
        )
    deep_cursors = [encode_cursor(row["sort_name"], row["id"]) for row in marks]
    first = Latency("list: first page (50 rows)")
    deep = Latency("list: deep page via cursor")
    walk = Latency("list: next page, 200 in a row")
    tag_first = Latency("list: tag filter, first page")
    tag_walk = Latency("list: tag filter, next pages")
    owner_walk = Latency("list: owner filter, next pages")
    for _ in range(50):
        await timed(first, lambda: kernel.contacts.list(limit=50))
    for cursor in rng.sample(deep_cursors, min(100, len(deep_cursors))):
        await timed(deep, lambda c=cursor: kernel.contacts.list(cursor=c, limit=50))
    cursor: str | None = deep_cursors[len(deep_cursors) // 2]
    for _ in range(200):
        page = await timed(walk, lambda c=cursor: kernel.contacts.list(cursor=c, limit=50))
        cursor = page.next_cursor
    for tag in ("vip", "newsletter", "दिवाली", "referral", "lead"):
        page = await timed(tag_first, lambda t=tag: kernel.contacts.list(tag=t, limit=50))
        cursor = page.next_cursor
        for _ in range(20):
            page = await timed(
                tag_walk, lambda t=tag, c=cursor: kernel.contacts.list(tag=t, cursor=c, limit=50)
            )
            cursor = page.next_cursor
    cursor = None
    for _ in range(50):
        page = await timed(
            owner_walk, lambda c=cursor: kernel.contacts.list(owner="asha", cursor=c, limit=50)
        )
        cursor = page.next_cursor
    return [first, deep, walk, tag_first, tag_walk, owner_walk]


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


def rate_line(label: str, rows: int, seconds: float) -> str:
    return f"  {label:<44} {rows:>10,} {seconds:>9.1f} {rows / seconds:>10,.0f}"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM"


@contextlib.asynccontextmanager
async def started(url: str) -> AsyncIterator[Sampark]:
    """A kernel on ``url``, closed however the block ends (an open one keeps us alive)."""
    kernel = Sampark(Settings(database_url=url))
    await kernel.start()
    try:
        yield kernel
    finally:
        await kernel.close()


def prepare(args: argparse.Namespace, target: Target) -> tuple[list[ContactInput], list[Any]]:
    """The N checked inputs, and the first rows of them in raw form for the validated step."""
    start = time.perf_counter()
    pairs = list(bench_rows(args.contacts, seed=args.seed, owners=USERS))
    contacts = [contact for _, contact in pairs]
    rows = [row for row, _ in pairs[: args.validated]]
    del pairs
    print(f"generated {len(contacts):,} contacts in {time.perf_counter() - start:.1f} s")
    checker = Sampark(Settings(database_url=target.url("check")))
    for row, contact in zip(rows[:2000], contacts, strict=False):
        assert inputs.clean_contact(checker, row) == contact, (row, contact)
    print("checked: the first 2,000 inputs equal clean_contact() of their rows\n", flush=True)
    return contacts, rows


async def validated_import(target: Target, rows: list[Any], batch_size: int) -> list[str]:
    """Step 4: clean_contact and insert, from raw rows, into an empty database."""
    async with started(await target.fresh("validated")) as kernel:
        with kernel.activate():
            start = time.perf_counter()
            await bulk.clean_rows(kernel, rows)
            clean_s = time.perf_counter() - start
            start = time.perf_counter()
            await bulk.import_contacts(kernel, rows, batch_size=batch_size)
            import_s = time.perf_counter() - start
    return [
        rate_line("validated import_contacts (clean + insert)", len(rows), import_s),
        rate_line("  of which clean_contact + owner check", len(rows), clean_s),
    ]


async def main(args: argparse.Namespace) -> None:
    target = Target(args.db, Path(args.workdir), args.pg_url)
    target.workdir.mkdir(parents=True, exist_ok=True)
    n = args.contacts
    print(f"Sampark contact benchmark: {n:,} contacts on {args.db}")
    print(f"  {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {machine()}")
    print(f"  Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    print(f"  {' '.join(sys.argv)}\n")
    contacts, rows = prepare(args, target)

    results: list[str] = []
    url = await target.fresh("raw")
    raw_s = await raw_insert(target, "raw", url, contacts, args.batch_size, prebuilt=False)
    results.append(rate_line("raw executemany (build tuples + insert)", n, raw_s))
    print(results[-1], flush=True)
    raw_pre_s = None
    if not args.skip_prebuilt:
        url = await target.fresh("raw_prebuilt")
        raw_pre_s = await raw_insert(
            target, "raw_prebuilt", url, contacts, args.batch_size, prebuilt=True
        )
        results.append(rate_line("raw executemany (insert only, tuples ready)", n, raw_pre_s))
        print(results[-1], flush=True)

    async with started(await target.fresh("kernel")) as kernel:
        gc.collect()
        with kernel.activate():
            start = time.perf_counter()
            written = await bulk.insert_contacts(kernel, contacts, batch_size=args.batch_size)
            kernel_s = time.perf_counter() - start
        assert written == n
        results.append(rate_line("kernel insert_contacts", n, kernel_s))
        print(results[-1], flush=True)
        results += await validated_import(target, rows, args.batch_size)
        print(results[-2], flush=True)

        rng = random.Random(args.seed)
        queries = search_queries(contacts, rng)
        del contacts
        gc.collect()
        by_category, cold, warm = await measure_search(kernel, queries)
        worst = await measure_worst_case(kernel)
        lists = await measure_lists(kernel, rng)

    print(f"\nInsert ({n:,} contacts, one transaction, batches of {args.batch_size:,})")
    print(f"  {'':<44} {'rows':>10} {'seconds':>9} {'rows/s':>10}")
    print("\n".join(results))
    print(f"  kernel / raw, same work:                    {raw_s / kernel_s:>6.0%}")
    if raw_pre_s:
        print(f"  kernel / raw insert only:                   {raw_pre_s / kernel_s:>6.0%}")
    if target.engine == "sqlite":
        print(f"  database files: raw {target.size('raw')}, kernel {target.size('kernel')}")
    print(f"\nLatency through the kernel facade at {n:,} contacts (ms)")
    print(f"  {'':<42} {'n':>5} {'p50':>8} {'p99':>8} {'max':>8} {'hits':>8}")
    for latency in [*by_category.values(), cold, warm, worst, *lists]:
        print(latency.line())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--workdir", default="/tmp/sampark-bench", help="for SQLite files")
    parser.add_argument("--validated", type=int, default=50_000, help="rows for step 4")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--skip-prebuilt", action="store_true", help="skip the raw insert-only baseline"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
