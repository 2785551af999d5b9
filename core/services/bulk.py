"""Many contacts at once: checked like single writes, then written in one fast transaction.

Creating contacts one by one costs about ten statements and a commit each. An import
instead builds plain value tuples (no model instances) and writes every table once per
batch: ``executemany`` on SQLite, COPY on PostgreSQL. The rows are the ones
:func:`sampark.core.services.contacts.create_contact` writes, search text included, so
an imported contact cannot be told from one created by hand.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from sampark.core.errors import FieldError, ValidationError
from sampark.core.search_text import search_body
from sampark.core.services.inputs import (
    ContactInput,
    clean_contact,
    input_fields,
    validate_with_plugins,
)
from sampark.core.services.tags import ensure_tags, tag_key
from sampark.core.sql import db_date, db_json, db_time, dialect, fetch, marks, now

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

Progress = Callable[[int, int | None], object]
"""Called after each batch with (contacts written so far, total or None if unknown)."""

ENTITY = "contact"
# A file with a million bad rows should not make a million-line error.
MAX_ERRORS = 100
# After this many rows PostgreSQL gets fresh statistics in the same transaction: without
# them it plans sequential scans over the new rows until autovacuum catches up.
ANALYZE_AFTER = 10_000

CONTACT_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "display_name",
    "sort_name",
    "language",
    "birthday",
    "notes",
    "custom",
    "owner_id",
    "created_at",
    "updated_at",
    "version",
)
EMAIL_COLUMNS = ("contact_id", "email", "label", "is_primary", "position")
PHONE_COLUMNS = ("contact_id", "e164", "original", "label", "is_primary", "position")
ADDRESS_COLUMNS = (
    "contact_id",
    "label",
    "street",
    "city",
    "region",
    "postal_code",
    "country",
    "position",
)
TAG_COLUMNS = ("contact_id", "tag_id")


# ---------------------------------------------------------------------------
# Checking the rows
# ---------------------------------------------------------------------------


async def import_contacts(
    kernel: Sampark,
    rows: Iterable[Mapping[str, Any]],
    *,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> int:
    """Check every row, then write them all in one transaction; return how many.

    One bad row refuses the whole import: the ValidationError names each fault with its
    row number (``rows[17].emails[0].email: …``) and nothing is written.
    """
    contacts = await clean_rows(kernel, rows)
    return await insert_contacts(kernel, contacts, batch_size=batch_size, progress=progress)


async def clean_rows(kernel: Sampark, rows: Iterable[Mapping[str, Any]]) -> list[ContactInput]:
    """Every row cleaned as :func:`create_contact` would; all faults in one ValidationError."""
    contacts: list[ContactInput] = []
    errors: list[FieldError] = []
    owners: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors.append(FieldError(f"rows[{index}]", "must be a table of fields"))
            continue
        try:
            contact = clean_contact(kernel, row)
            if contact.custom:
                contact = replace(contact, custom=_without_empty(contact.custom))
            await validate_with_plugins(kernel, ENTITY, input_fields(contact), None)
        except ValidationError as exc:
            errors.extend(FieldError(f"rows[{index}].{e.field}", e.message) for e in exc.errors)
            continue
        if contact.owner:
            owners.setdefault(contact.owner, []).append(index)
        contacts.append(contact)
    known = await _user_ids(kernel.connection, owners)
    for username, indexes in owners.items():
        if username not in known:
            errors.extend(
                FieldError(f"rows[{index}].owner", f"no user named {username!r}")
                for index in indexes
            )
    if errors:
        errors.sort(key=_row_number)
        raise ValidationError(_capped(errors))
    return contacts


def _without_empty(custom: dict[str, Any]) -> dict[str, Any]:
    """A cleared custom field is left out, as the single-record service does."""
    return {name: value for name, value in custom.items() if value is not None}


def _row_number(error: FieldError) -> int:
    return int(error.field[5 : error.field.index("]")])


def _capped(errors: list[FieldError]) -> list[FieldError]:
    if len(errors) <= MAX_ERRORS:
        return errors
    rest = len(errors) - MAX_ERRORS
    return [*errors[:MAX_ERRORS], FieldError("rows", f"… and {rest} more faults not shown")]


async def _user_ids(conn: BaseDBAsyncClient, usernames: Iterable[str]) -> dict[str, int]:
    names = list(usernames)
    if not names:
        return {}
    rows = await fetch(
        conn, f"SELECT id, username FROM core_user WHERE username IN ({marks(len(names))})", names
    )
    return {row["username"]: row["id"] for row in rows}


# ---------------------------------------------------------------------------
# Writing checked contacts
# ---------------------------------------------------------------------------


async def insert_contacts(
    kernel: Sampark,
    inputs: Iterable[ContactInput],
    *,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> int:
    """Write already-checked contacts in one transaction; return how many.

    ``inputs`` may be a generator: it is read a batch at a time. Any failure (an unknown
    owner, a database error, an exception from ``progress``) rolls the whole import back.
    """
    ids = await insert_contacts_returning_ids(
        kernel, inputs, batch_size=batch_size, progress=progress
    )
    return len(ids)


async def insert_contacts_returning_ids(
    kernel: Sampark,
    inputs: Iterable[ContactInput],
    *,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> list[int]:
    """Like :func:`insert_contacts`, giving the new ids in input order.

    Plugins hear of the import once, after the commit (``records_imported``): a hook
    call per row would cost more than the import itself.
    """
    ids: list[int] = []
    await _insert(inputs, batch_size, progress, ids.extend)
    await kernel.plugins.notify("records_imported", kernel=kernel, entity="contact", ids=ids)
    return ids


async def _insert(
    inputs: Iterable[ContactInput],
    batch_size: int,
    progress: Progress | None,
    on_batch: Callable[[list[int]], object] | None = None,
) -> int:
    """Write every batch in the active kernel's database; return how many contacts."""
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValidationError.single("batch_size", "must be a whole number >= 1")
    total = len(inputs) if isinstance(inputs, Sized) else None
    done = 0
    async with in_transaction() as conn:
        writer = _SqliteWriter(conn) if dialect(conn) == "sqlite" else _PostgresWriter(conn)
        await writer.start()
        lookups = _Lookups(conn)
        stamp = db_time(conn, now())
        for batch in _batches(inputs, batch_size):
            await lookups.resolve(batch, done)
            ids = await writer.allocate(len(batch))
            rows = _Rows.build(batch, ids, stamp, lookups, writer.convert)
            await writer.write("core_contact", CONTACT_COLUMNS, rows.contacts)
            await writer.write("core_email", EMAIL_COLUMNS, rows.emails)
            await writer.write("core_phone", PHONE_COLUMNS, rows.phones)
            await writer.write("core_address", ADDRESS_COLUMNS, rows.addresses)
            await writer.write("core_contact_tag", TAG_COLUMNS, rows.tags)
            await writer.write("core_contact_search", writer.search_columns, rows.search)
            if on_batch is not None:
                on_batch(ids)
            done += len(batch)
            if progress is not None:
                progress(done, total)
        await writer.finish(done)
    return done


def _batches(inputs: Iterable[ContactInput], size: int) -> Iterator[list[ContactInput]]:
    iterator = iter(inputs)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


class _Lookups:
    """Owner and tag ids, fetched (tags created) once per distinct name for the import."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self._conn = conn
        self.owners: dict[str, int] = {}
        # tag key -> (id, the tag's stored name, which is what the search text shows)
        self.tags: dict[str, tuple[int, str]] = {}

    async def resolve(self, batch: list[ContactInput], offset: int) -> None:
        new_owners: dict[str, int] = {}
        new_tags: dict[str, str] = {}
        for index, contact in enumerate(batch, start=offset):
            if contact.owner and contact.owner not in self.owners:
                new_owners.setdefault(contact.owner, index)
            for tag in contact.tags:
                if tag_key(tag) not in self.tags:
                    new_tags.setdefault(tag_key(tag), tag)
        if new_owners:
            found = await _user_ids(self._conn, new_owners)
            missing = [
                FieldError(f"rows[{index}].owner", f"no user named {name!r}")
                for name, index in new_owners.items()
                if name not in found
            ]
            if missing:
                raise ValidationError(missing)
            self.owners.update(found)
        if new_tags:
            ids = await ensure_tags(self._conn, new_tags.values())
            rows = await fetch(
                self._conn,
                f"SELECT id, key, name FROM core_tag WHERE id IN ({marks(len(ids))})",
                list(ids.values()),
            )
            self.tags.update({row["key"]: (row["id"], row["name"]) for row in rows})


@dataclass
class _Rows:
    """One batch as value tuples, table by table."""

    contacts: list[tuple[Any, ...]] = field(default_factory=list)
    emails: list[tuple[Any, ...]] = field(default_factory=list)
    phones: list[tuple[Any, ...]] = field(default_factory=list)
    addresses: list[tuple[Any, ...]] = field(default_factory=list)
    tags: list[tuple[Any, ...]] = field(default_factory=list)
    search: list[tuple[Any, ...]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        batch: list[ContactInput],
        ids: list[int],
        stamp: Any,
        lookups: _Lookups,
        convert: Callable[[Any], Any],
    ) -> _Rows:
        rows = cls()
        owners, tags = lookups.owners, lookups.tags
        for contact_id, c in zip(ids, batch, strict=True):
            rows.contacts.append(
                (
                    contact_id,
                    c.first_name,
                    c.last_name,
                    c.display_name,
                    c.sort_name,
                    c.language,
                    convert(c.birthday) if c.birthday else None,
                    c.notes,
                    db_json(_without_empty(c.custom)) if c.custom else "{}",
                    owners[c.owner] if c.owner else None,
                    stamp,
                    stamp,
                    1,
                )
            )
            for position, e in enumerate(c.emails):
                rows.emails.append((contact_id, e.email, e.label, e.primary, position))
            for position, p in enumerate(c.phones):
                rows.phones.append((contact_id, p.e164, p.original, p.label, p.primary, position))
            for position, a in enumerate(c.addresses):
                rows.addresses.append(
                    (
                        contact_id,
                        a.label,
                        a.street,
                        a.city,
                        a.region,
                        a.postal_code,
                        a.country,
                        position,
                    )
                )
            tag_names = []
            for tag in c.tags:
                tag_id, name = tags[tag_key(tag)]
                rows.tags.append((contact_id, tag_id))
                tag_names.append(name)
            # The same text contacts.create_contact indexes (search.refresh_search).
            body = search_body(
                dict.fromkeys((c.display_name, c.first_name, c.last_name)),
                [e.email for e in c.emails],
                [p.e164 for p in c.phones],
                tag_names,
            )
            rows.search.append((contact_id, body))
        return rows


class _SqliteWriter:
    """``executemany`` per table; ids taken from the AUTOINCREMENT counter up front."""

    search_columns = ("rowid", "body")

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self._conn = conn
        self._next_id = 0
        self.convert = lambda day: db_date(conn, day)

    async def start(self) -> None:
        # Write first: a transaction that begins with a read can fail with
        # SQLITE_BUSY_SNAPSHOT if another process commits in between (RELIABILITY.md).
        await self._conn.execute_query(
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'core_contact', 0 "
            "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'core_contact')"
        )
        # Past both the counter and the largest id, so no id is ever handed out twice.
        rows = await fetch(
            self._conn,
            "SELECT max((SELECT seq FROM sqlite_sequence WHERE name = 'core_contact'), "
            "(SELECT coalesce(max(id), 0) FROM core_contact)) AS last",
        )
        self._next_id = rows[0]["last"] + 1

    async def allocate(self, count: int) -> list[int]:
        ids = list(range(self._next_id, self._next_id + count))
        self._next_id += count
        return ids

    async def finish(self, count: int) -> None:
        """Nothing to do: SQLite picks the list and search indexes without statistics."""

    async def write(
        self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> None:
        if rows:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks(len(columns))})"
            await self._conn.execute_many(sql, rows)


class _PostgresWriter:
    """COPY per table on the transaction's own connection; ids from the serial sequence."""

    search_columns = ("id", "body")

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self._conn = conn
        self.convert = lambda day: day

    async def start(self) -> None:
        """Nothing to prepare: sequences hand out ids safely to concurrent writers."""

    async def allocate(self, count: int) -> list[int]:
        rows = await fetch(
            self._conn,
            "SELECT nextval(pg_get_serial_sequence('core_contact', 'id')) AS id "
            "FROM generate_series(1, ?::int)",
            [count],
        )
        return [row["id"] for row in rows]

    async def finish(self, count: int) -> None:
        if count >= ANALYZE_AFTER:
            tables = ("core_contact", "core_email", "core_phone", "core_address")
            tables += ("core_contact_tag", "core_contact_search")
            await self._conn.execute_script(f"ANALYZE {', '.join(tables)}")

    async def write(
        self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> None:
        if rows:
            async with self._conn.acquire_connection() as raw:
                await raw.copy_records_to_table(table, records=rows, columns=list(columns))
