"""Bulk import: checked like single writes, all or nothing, indistinguishable afterwards."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import sampark
from sampark.core.errors import ValidationError
from sampark.core.kernel import Sampark
from sampark.core.services import bulk, inputs, users
from sampark.core.services.search import refresh_search
from sampark.core.sql import fetch

GIVEN = ["आशा", "Ravi", "సాయి", "Meera", "রিয়া", "Arjun"]
FAMILY = ["शर्मा", "Iyer", "रेड्डी", "Das", "Kulkarni", "वर्मा", "Banerjee"]
TABLES = (
    "core_contact",
    "core_email",
    "core_phone",
    "core_address",
    "core_contact_tag",
    "core_contact_search",
    "core_tag",
)


def row(i: int) -> dict[str, Any]:
    """A varied contact: scripts, several emails and phones, tags in mixed case."""
    data: dict[str, Any] = {
        "first_name": GIVEN[i % len(GIVEN)],
        "last_name": FAMILY[i % len(FAMILY)],
        "emails": [f"person{i}@example.com"],
        "phones": [f"+91 98{i:08d}"],
        "tags": ["VIP" if i % 2 else "vip", f"batch-{i % 3}"] if i % 5 else [],
        "owner": "asha" if i % 4 == 0 else None,
    }
    if i % 7 == 0:
        data["emails"].append({"email": f"home{i}@example.org", "label": "home"})
        data["phones"].append({"number": f"020 2{i:07d}", "label": "work", "primary": True})
        data["addresses"] = [{"city": "पुणे", "country": "in", "postal_code": "411001"}]
        data["birthday"] = "1990-03-04"
        data["language"] = "mr-in"
        data["notes"] = f"met at expo {i}"
    return data


async def counts(crm: Sampark) -> dict[str, int]:
    found = {}
    with crm.activate():
        for table in TABLES:
            rows = await fetch(crm.connection, f"SELECT count(*) AS n FROM {table}")
            found[table] = rows[0]["n"]
    return found


async def search_words(crm: Sampark, contact_id: int) -> list[str]:
    key = "rowid" if crm.dialect == "sqlite" else "id"
    with crm.activate():
        rows = await fetch(
            crm.connection, f"SELECT body FROM core_contact_search WHERE {key} = ?", [contact_id]
        )
    return sorted(rows[0]["body"].split())


async def every_page(crm: Sampark, **filters: Any) -> list[Any]:
    seen: list[Any] = []
    cursor = None
    while True:
        page = await crm.contacts.list(cursor=cursor, limit=100, **filters)
        seen.extend(page)
        cursor = page.next_cursor
        if cursor is None:
            return seen


def comparable(record: Any) -> dict[str, Any]:
    fields = dataclasses.asdict(record)
    for name in ("id", "created_at", "updated_at"):
        fields.pop(name)
    return fields


@pytest.fixture
async def owner(crm: Sampark) -> str:
    with crm.activate():
        await users.create_user(crm, "asha", "Asha Rao")
    return "asha"


async def test_imported_contacts_are_found_like_created_ones(crm: Sampark, owner: str) -> None:
    rows = [row(i) for i in range(1000)]
    assert await crm.contacts.bulk_create(rows, batch_size=300) == 1000

    # The same row written by the single-record service gives the same record and index.
    single = await crm.contacts.create(rows[7])
    found = await crm.contacts.search("person7@example")
    imported = [c for c in found if c.id != single.id]
    assert len(imported) == 1
    assert comparable(imported[0]) == comparable(single)
    assert await search_words(crm, imported[0].id) == await search_words(crm, single.id)
    assert imported[0].created_at is not None and imported[0].created_at.tzinfo is not None

    # ...and the single service's own rebuild of the search row changes nothing.
    before = await search_words(crm, imported[0].id)
    with crm.activate():
        await refresh_search(crm, crm.connection, "contact", [imported[0].id])
    assert await search_words(crm, imported[0].id) == before

    by_email = await crm.contacts.search("person123@")
    assert [c.emails[0].email for c in by_email] == ["person123@example.com"]
    by_phone = await crm.contacts.search("98 0000 0456")
    assert [c.phones[0].e164 for c in by_phone] == ["+919800000456"]
    by_tag = await crm.contacts.search("#batch-2", limit=500)
    assert len(by_tag) == sum(1 for i in range(1000) if i % 5 and i % 3 == 2)
    by_name = await crm.contacts.search("आशा शर्मा", limit=500)
    assert len(by_name) == sum(1 for i in range(1000) if i % 42 == 0)
    assert all(c.first_name == "आशा" and c.last_name == "शर्मा" for c in by_name)


async def test_imported_contacts_list_in_name_order(crm: Sampark, owner: str) -> None:
    await crm.contacts.bulk_create([row(i) for i in range(1000)], batch_size=256)
    seen = await every_page(crm)
    assert len(seen) == 1000
    keys = [(c.display_name.casefold(), c.id) for c in seen]
    assert keys == sorted(keys)

    assert len(await every_page(crm, tag="Vip")) == sum(1 for i in range(1000) if i % 5)
    assert len(await every_page(crm, owner="asha")) == 250
    # Tags differing only in case are one tag, stored with the first spelling seen.
    with crm.activate():
        tags = await crm.connection.execute_query_dict("SELECT name FROM core_tag ORDER BY key")
    assert [t["name"] for t in tags] == ["batch-0", "batch-1", "batch-2", "VIP"]


async def test_ids_follow_on_from_earlier_contacts(crm: Sampark, owner: str) -> None:
    first = await crm.contacts.create(first_name="Before")
    with crm.activate():
        contacts = [inputs.clean_contact(crm, row(i)) for i in range(10)]
        ids = await bulk.insert_contacts_returning_ids(crm, contacts, batch_size=4)
    assert ids == sorted(ids) and len(set(ids)) == 10 and ids[0] > first.id
    after = await crm.contacts.create(first_name="After")
    assert after.id > ids[-1]
    for contact_id, contact in zip(ids, contacts, strict=True):
        assert (await crm.contacts.get(contact_id)).display_name == contact.display_name


async def test_one_bad_row_refuses_the_whole_import(crm: Sampark, owner: str) -> None:
    rows = [row(i) for i in range(600)]
    rows[317]["emails"] = ["not-an-email"]
    rows[450]["owner"] = "nobody"
    rows[520] = "just text"  # type: ignore[call-overload]
    with pytest.raises(ValidationError) as caught:
        await crm.contacts.bulk_create(rows, batch_size=100)
    fields = [error.field for error in caught.value.errors]
    assert fields == ["rows[317].emails[0].email", "rows[450].owner", "rows[520]"]
    assert "no user named 'nobody'" in str(caught.value)
    assert (await counts(crm))["core_contact"] == 0
    assert await counts(crm) == dict.fromkeys(TABLES, 0)


async def test_many_faults_are_capped(crm: Sampark) -> None:
    rows = [{"emails": ["bad"]} for _ in range(bulk.MAX_ERRORS + 30)]
    with pytest.raises(ValidationError) as caught:
        await crm.contacts.bulk_create(rows)
    errors = caught.value.errors
    assert len(errors) == bulk.MAX_ERRORS + 1
    assert errors[0].field == "rows[0].emails[0].email"
    assert errors[-1].field == "rows" and "30 more" in errors[-1].message


async def test_a_failure_after_the_first_batch_leaves_nothing(crm: Sampark, owner: str) -> None:
    calls: list[tuple[int, int | None]] = []

    def progress(done: int, total: int | None) -> None:
        calls.append((done, total))
        if len(calls) == 2:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"), crm.activate():
        await bulk.import_contacts(
            crm, [row(i) for i in range(500)], batch_size=200, progress=progress
        )
    assert calls == [(200, 500), (400, 500)]
    assert await counts(crm) == dict.fromkeys(TABLES, 0)
    # The next write still works and numbering is sane.
    assert (await crm.contacts.create(first_name="Next")).id >= 1


async def test_a_database_error_mid_import_rolls_back(crm: Sampark, owner: str) -> None:
    with crm.activate():
        good = [inputs.clean_contact(crm, row(i)) for i in range(30)]
    broken = dataclasses.replace(good[25], display_name=None)  # NOT NULL in the table
    with pytest.raises(Exception), crm.activate():  # noqa: B017 - engines raise differently
        await bulk.insert_contacts(crm, [*good[:25], broken, *good[26:]], batch_size=10)
    assert await counts(crm) == dict.fromkeys(TABLES, 0)


async def test_an_unknown_owner_of_checked_input_is_refused(crm: Sampark) -> None:
    with crm.activate():
        contacts = [inputs.clean_contact(crm, {"first_name": f"P{i}"}) for i in range(12)]
        contacts[9] = dataclasses.replace(contacts[9], owner="ghost")
        with pytest.raises(ValidationError) as caught:
            await bulk.insert_contacts(crm, contacts, batch_size=5)
    assert [e.field for e in caught.value.errors] == ["rows[9].owner"]
    assert (await counts(crm))["core_contact"] == 0


async def test_progress_is_reported_per_batch(crm: Sampark, owner: str) -> None:
    with crm.activate():
        contacts = [inputs.clean_contact(crm, row(i)) for i in range(1000)]
        sized: list[tuple[int, int | None]] = []
        await bulk.insert_contacts(
            crm, contacts, batch_size=300, progress=lambda *args: sized.append(args)
        )
        streamed: list[tuple[int, int | None]] = []
        written = await bulk.insert_contacts(
            crm, iter(contacts[:5]), batch_size=2, progress=lambda *args: streamed.append(args)
        )
    assert sized == [(300, 1000), (600, 1000), (900, 1000), (1000, 1000)]
    assert streamed == [(2, None), (4, None), (5, None)] and written == 5


async def test_an_empty_import_writes_nothing(crm: Sampark) -> None:
    assert await crm.contacts.bulk_create([]) == 0
    with pytest.raises(ValidationError, match="batch_size"):
        await crm.contacts.bulk_create([row(1)], batch_size=0)
    assert (await counts(crm))["core_contact"] == 0


async def test_a_large_import_leaves_postgres_with_statistics(
    crm: Sampark, owner: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if crm.dialect != "postgres":
        pytest.skip("SQLite plans these queries well without statistics")
    monkeypatch.setattr(bulk, "ANALYZE_AFTER", 200)
    await crm.contacts.bulk_create([row(i) for i in range(300)], batch_size=100)
    with crm.activate():
        rows = await crm.connection.execute_query_dict(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('core_contact', 'core_email', 'core_contact_search')"
        )
    assert {row["relname"]: row["reltuples"] for row in rows} == {
        "core_contact": 300,
        "core_email": 300 + len(range(0, 300, 7)),
        "core_contact_search": 300,
    }


async def test_plugins_hear_of_an_import_once_with_every_new_id(crm: Sampark) -> None:
    heard: list[tuple[str, list[int]]] = []

    class Listener:
        @sampark.hookimpl
        async def records_imported(self, entity: str, ids: list[int]) -> None:
            heard.append((entity, list(ids)))

    crm.plugins.pm.register(Listener(), name="listener")
    rows = [{"first_name": f"Imported {n}"} for n in range(7)]
    assert await crm.contacts.bulk_create(rows, batch_size=3) == 7
    page = await crm.contacts.list(limit=50)
    assert heard == [("contact", sorted(contact.id for contact in page))]
