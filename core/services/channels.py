"""Emails, phones and addresses of a contact or an account: written as whole lists,
read for a page of records in one query per kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from sampark.core.records import AddressRecord, EmailRecord, PhoneRecord
from sampark.core.services.search import OWNER_COLUMNS
from sampark.core.sql import execute, execute_many, fetch, marks


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


async def load_channels(
    conn: BaseDBAsyncClient, entity: str, ids: list[int]
) -> dict[int, Channels]:
    """The channels of every record in ``ids``: three queries, whatever the page size."""
    if not ids:
        return {}
    owner = OWNER_COLUMNS[entity]
    where = f"WHERE {owner} IN ({marks(len(ids))}) ORDER BY {owner}, position, id"
    emails = await _grouped(
        conn, f"SELECT {owner} AS owner, email, label, is_primary FROM core_email {where}", ids
    )
    phones = await _grouped(
        conn,
        f"SELECT {owner} AS owner, e164, original, label, is_primary FROM core_phone {where}",
        ids,
    )
    addresses = await _grouped(
        conn,
        f"SELECT {owner} AS owner, label, street, city, region, postal_code, country "
        f"FROM core_address {where}",
        ids,
    )
    return {
        record_id: Channels(
            emails=tuple(
                EmailRecord(row["email"], row["label"], bool(row["is_primary"]))
                for row in emails.get(record_id, ())
            ),
            phones=tuple(
                PhoneRecord(row["e164"], row["original"], row["label"], bool(row["is_primary"]))
                for row in phones.get(record_id, ())
            ),
            addresses=tuple(
                AddressRecord(
                    label=row["label"],
                    street=row["street"],
                    city=row["city"],
                    region=row["region"],
                    postal_code=row["postal_code"],
                    country=row["country"],
                )
                for row in addresses.get(record_id, ())
            ),
        )
        for record_id in ids
    }


def channels_of(loaded: dict[int, Channels], record_id: int) -> Channels:
    return loaded.get(record_id, _NONE)


async def _grouped(
    conn: BaseDBAsyncClient, sql: str, ids: list[int]
) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in await fetch(conn, sql, ids):
        grouped.setdefault(row["owner"], []).append(row)
    return grouped
