"""Emails, phones and addresses of a contact or an account: written as whole lists,
read for a page of records in one query."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from sampark.core.records import AddressRecord, EmailRecord, PhoneRecord
from sampark.core.services.search import OWNER_COLUMNS
from sampark.core.sql import execute, execute_many, fetch_rows, marks


@dataclass(frozen=True)
class Channels:
    """Everything that reaches one record, in the order it was given."""

    emails: tuple[EmailRecord, ...] = ()
    phones: tuple[PhoneRecord, ...] = ()
    addresses: tuple[AddressRecord, ...] = ()


_NONE = Channels()


async def replace_channels(
    conn: BaseDBAsyncClient,
    entity: str,
    record_id: int,
    *,
    emails: tuple[EmailRecord, ...] | None = None,
    phones: tuple[PhoneRecord, ...] | None = None,
    addresses: tuple[AddressRecord, ...] | None = None,
) -> None:
    """Replace each list that is given (None leaves that list as it is)."""
    owner = OWNER_COLUMNS[entity]
    if emails is not None:
        await execute(conn, f"DELETE FROM core_email WHERE {owner} = ?", [record_id])
        await execute_many(
            conn,
            f"INSERT INTO core_email ({owner}, email, label, is_primary, position) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                [record_id, item.email, item.label, item.primary, position]
                for position, item in enumerate(emails)
            ],
        )
    if phones is not None:
        await execute(conn, f"DELETE FROM core_phone WHERE {owner} = ?", [record_id])
        await execute_many(
            conn,
            f"INSERT INTO core_phone ({owner}, e164, original, label, is_primary, position) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                [record_id, item.e164, item.original, item.label, item.primary, position]
                for position, item in enumerate(phones)
            ],
        )
    if addresses is not None:
        await execute(conn, f"DELETE FROM core_address WHERE {owner} = ?", [record_id])
        await execute_many(
            conn,
            f"INSERT INTO core_address ({owner}, label, street, city, region, postal_code, "
            "country, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    record_id,
                    item.label,
                    item.street,
                    item.city,
                    item.region,
                    item.postal_code,
                    item.country,
                    position,
                ]
                for position, item in enumerate(addresses)
            ],
        )


# One statement for the three kinds: each row says its kind, and the columns a kind lacks
# are NULL. One round trip instead of three is most of what a page's channels cost.
_CHANNELS_SQL = (
    "SELECT 'e' AS kind, {owner} AS owner, position, id, email AS address, NULL AS original, "
    "label, is_primary, NULL AS street, NULL AS city, NULL AS region, NULL AS postal_code, "
    "NULL AS country FROM core_email WHERE {owner} IN ({marks}) "
    "UNION ALL SELECT 'p', {owner}, position, id, e164, original, label, is_primary, "
    "NULL, NULL, NULL, NULL, NULL FROM core_phone WHERE {owner} IN ({marks}) "
    "UNION ALL SELECT 'a', {owner}, position, id, NULL, NULL, label, NULL, street, city, region, "
    "postal_code, country FROM core_address WHERE {owner} IN ({marks}) "
    "ORDER BY owner, kind, position, id"
)


async def load_channels(
    conn: BaseDBAsyncClient, entity: str, ids: list[int]
) -> dict[int, Channels]:
    """The channels of every record in ``ids``: one query, whatever the page size."""
    if not ids:
        return {}
    sql = _CHANNELS_SQL.format(owner=OWNER_COLUMNS[entity], marks=marks(len(ids)))
    found: dict[int, tuple[list[EmailRecord], list[PhoneRecord], list[AddressRecord]]] = {}
    for row in await fetch_rows(conn, sql, ids * 3):
        emails, phones, addresses = found.setdefault(row["owner"], ([], [], []))
        kind = row["kind"]
        if kind == "e":
            emails.append(EmailRecord(row["address"], row["label"], bool(row["is_primary"])))
        elif kind == "p":
            phones.append(
                PhoneRecord(row["address"], row["original"], row["label"], bool(row["is_primary"]))
            )
        else:
            addresses.append(
                AddressRecord(
                    label=row["label"],
                    street=row["street"],
                    city=row["city"],
                    region=row["region"],
                    postal_code=row["postal_code"],
                    country=row["country"],
                )
            )
    return {
        record_id: Channels(tuple(emails), tuple(phones), tuple(addresses))
        for record_id, (emails, phones, addresses) in found.items()
    }


def channels_of(loaded: dict[int, Channels], record_id: int) -> Channels:
    return loaded.get(record_id, _NONE)
