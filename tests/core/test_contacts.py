"""Contacts through the public kernel API, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from sampark.core.custom_fields import CustomFieldSpec
from sampark.core.errors import FieldError, NotFoundError, StaleRecordError, ValidationError
from sampark.core.hookspecs import hookimpl
from sampark.core.kernel import Sampark
from sampark.core.records import AddressRecord, EmailRecord, PhoneRecord
from sampark.core.services.users import create_user, user_id_for

CUSTOM = (
    CustomFieldSpec("contact", "tier", "choice", choices=("gold", "silver")),
    CustomFieldSpec("contact", "score", "number"),
    CustomFieldSpec("contact", "since", "date"),
)
TABLES = ("core_contact", "core_email", "core_phone", "core_address", "core_tag")


async def count(crm: Sampark, table: str) -> int:
    with crm.activate():
        rows = await crm.connection.execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}")
    return rows[0]["n"]


async def counts(crm: Sampark) -> dict[str, int]:
    return {table: await count(crm, table) for table in TABLES}


async def add_user(crm: Sampark, username: str) -> int:
    with crm.activate():
        return await create_user(crm, username, display_name=username.title())


async def test_create_keeps_every_detail(make_kernel: Any) -> None:
    crm = await make_kernel(custom_fields=CUSTOM)
    await add_user(crm, "meera")
    contact = await crm.contacts.create(
        first_name=" Asha ",
        last_name="Rao",
        emails=["asha@Example.IN", {"email": "asha.home@example.in", "label": "home"}],
        phones=[
            "098765 43210",
            {"number": "+91 80 2345 6789", "label": "office", "primary": True},
        ],
        addresses=[
            {"street": "12 MG Road", "city": "Bengaluru", "postal_code": "560001", "country": "in"},
            {"label": "home", "city": "Pune", "country": "IN"},
        ],
        tags=["VIP", "vip", " Mumbai "],
        language="te-in",
        birthday="1990-05-17",
        notes="Met at the expo.",
        owner="meera",
        custom={"tier": "gold", "score": "42", "since": dt.date(2020, 1, 2)},
    )
    assert contact.display_name == "Asha Rao"
    assert contact.first_name == "Asha"
    assert contact.emails == (
        EmailRecord("asha@example.in", "work", True),
        EmailRecord("asha.home@example.in", "home", False),
    )
    assert contact.phones == (
        PhoneRecord("+919876543210", "098765 43210", "mobile", False),
        PhoneRecord("+918023456789", "+91 80 2345 6789", "office", True),
    )
    assert contact.primary_phone == "+918023456789"
    assert contact.addresses[0] == AddressRecord(
        "work", "12 MG Road", "Bengaluru", "", "560001", "IN"
    )
    assert contact.addresses[1].city == "Pune"
    assert contact.tags == ("Mumbai", "VIP")
    assert contact.language == "te-IN"
    assert contact.birthday == dt.date(1990, 5, 17)
    assert contact.owner == "meera"
    assert contact.custom == {"tier": "gold", "score": 42, "since": "2020-01-02"}
    assert contact.version == 1
    assert contact.created_at is not None and contact.created_at.tzinfo is not None
    assert await crm.contacts.get(contact.id) == contact


async def test_email_only_contact_is_named_by_email(crm: Sampark) -> None:
    contact = await crm.contacts.create(emails=["info@example.in"])
    assert contact.display_name == "info@example.in"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"first_name": "A", "emails": ["a@x.in", "not-an-email"]}, "emails[1].email"),
        ({"first_name": "A", "phones": ["12345"]}, "phones[0].number"),
        ({"first_name": "A", "custom": {"score": "many"}}, "custom.score"),
        ({"first_name": "A", "custom": {"tier": "bronze"}}, "custom.tier"),
        ({"first_name": "A", "custom": {"colour": "red"}}, "custom.colour"),
        ({"first_name": "A", "shoe_size": 9}, "shoe_size"),
        (
            {"first_name": "A", "addresses": [{"city": "X", "country": "ZZ"}]},
            "addresses[0].country",
        ),
        ({"first_name": "A", "birthday": "2999-01-01"}, "birthday"),
        ({"first_name": "A", "language": "not a language"}, "language"),
        ({"first_name": "A", "tags": ["x" * 101]}, "tags[0]"),
        ({"first_name": "A", "owner": "nobody"}, "owner"),
        ({"last_name": ""}, "first_name"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    make_kernel: Any, data: dict[str, Any], field: str
) -> None:
    crm = await make_kernel(custom_fields=CUSTOM)
    before = await counts(crm)
    with pytest.raises(ValidationError) as caught:
        await crm.contacts.create(data)
    assert field in [error.field for error in caught.value.errors]
    assert await counts(crm) == before == dict.fromkeys(TABLES, 0)


async def test_every_bad_field_is_reported_at_once(crm: Sampark) -> None:
    with pytest.raises(ValidationError) as caught:
        await crm.contacts.create(
            first_name="A",
            emails=["bad", {"email": "a@x.in", "primary": "yes"}],
            phones=["+91 12"],
            nickname="Ash",
        )
    fields = {error.field for error in caught.value.errors}
    assert fields == {"nickname", "emails[0].email", "emails[1].primary", "phones[0].number"}
    assert "nickname" in str(caught.value)


async def test_number_without_country_code_needs_a_region(make_kernel: Any) -> None:
    crm = await make_kernel(phone_region=None)
    with pytest.raises(ValidationError) as caught:
        await crm.contacts.create(first_name="A", phones=["98765 43210"])
    assert caught.value.errors[0].field == "phones[0].number"
    assert "country code" in caught.value.errors[0].message
    assert "phone_region" in caught.value.errors[0].message
    contact = await crm.contacts.create(first_name="A", phones=["+91 98765 43210"])
    assert contact.phones[0].e164 == "+919876543210"


@pytest.mark.parametrize(
    ("first", "last", "queries"),
    [
        ("आशा", "राव", ["आशा", "राव", "आशा राव", "आश", "आशा र"]),
        ("सुनीता", "श्रीवास्तव", ["वास्त", "नीता", "सुनीता श्री", "सु"]),
        ("రమేష్", "నాయుడు", ["రమేష్", "రమే", "నాయుడు", "యుడ"]),
        ("José", "Ñúñez", ["josé", "ÑÚÑEZ", "ñúñ"]),
    ],
)
async def test_names_in_any_script_round_trip_and_are_found(
    crm: Sampark, first: str, last: str, queries: list[str]
) -> None:
    contact = await crm.contacts.create(first_name=first, last_name=last)
    await crm.contacts.create(first_name="Someone", last_name="Else")
    assert contact.display_name == f"{first} {last}"
    fetched = await crm.contacts.get(contact.id)
    assert (fetched.first_name, fetched.last_name) == (first, last)
    for query in queries:
        found = await crm.contacts.search(query)
        assert [c.id for c in found] == [contact.id], query


async def test_search_by_email_phone_and_tag(crm: Sampark) -> None:
    asha = await crm.contacts.create(
        first_name="Asha",
        emails=["asha.rao@example.in"],
        phones=["+91 98765 43210"],
        tags=["Investor"],
    )
    ravi = await crm.contacts.create(
        first_name="Ravi", emails=["ravi@sample.org"], phones=["+49 30 1234567"], tags=["press"]
    )

    async def ids(query: str) -> list[int]:
        return [c.id for c in await crm.contacts.search(query)]

    assert await ids("rao@exa") == [asha.id]
    assert await ids("sample.org") == [ravi.id]
    for query in ("+91 98765-43210", "98765 43210", "9876543210", "43210", "(987) 654"):
        assert await ids(query) == [asha.id], query
    assert await ids("030 1234567") == [ravi.id]
    assert await ids("investor") == [asha.id]
    assert await ids("#press") == [ravi.id]
    assert await ids("asha investor") == [asha.id]
    assert await ids("asha press") == []
    assert await ids("   ") == []
    assert await ids('"quoted') == []


async def test_list_pages_walk_every_contact_once_in_order(crm: Sampark) -> None:
    created = []
    for i in range(120):
        # Repeated names make the id the tie-breaker inside one name.
        created.append(await crm.contacts.create(first_name=f"Person {i % 45:02d}"))
    expected = [c.id for c in sorted(created, key=lambda c: (c.display_name.casefold(), c.id))]
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        page = await crm.contacts.list(cursor=cursor, limit=50)
        pages += 1
        seen.extend(c.id for c in page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert seen == expected


async def test_a_tampered_cursor_is_a_field_error(crm: Sampark) -> None:
    with pytest.raises(ValidationError) as caught:
        await crm.contacts.list(cursor="nonsense")
    assert caught.value.errors[0].field == "cursor"
    with pytest.raises(ValidationError):
        await crm.contacts.list(limit=0)


async def test_tag_and_owner_filters(crm: Sampark) -> None:
    await add_user(crm, "meera")
    await add_user(crm, "arjun")
    a = await crm.contacts.create(first_name="A", tags=["VIP"], owner="meera")
    b = await crm.contacts.create(first_name="B", tags=["vip", "press"], owner="arjun")
    c = await crm.contacts.create(first_name="C", owner="meera")
    assert [x.id for x in await crm.contacts.list(tag="Vip")] == [a.id, b.id]
    assert [x.id for x in await crm.contacts.list(tag="press")] == [b.id]
    assert list(await crm.contacts.list(tag="nobody-uses-this")) == []
    assert [x.id for x in await crm.contacts.list(owner="meera")] == [a.id, c.id]
    assert [x.id for x in await crm.contacts.list(owner="meera", tag="vip")] == [a.id]
    with pytest.raises(ValidationError) as caught:
        await crm.contacts.list(owner="ghost")
    assert caught.value.errors[0].field == "owner"


async def test_soft_delete_hides_and_restore_brings_back(crm: Sampark) -> None:
    asha = await crm.contacts.create(first_name="Asha", emails=["asha@example.in"])
    ravi = await crm.contacts.create(first_name="Ravi")
    await crm.contacts.delete(asha.id)
    assert [c.id for c in await crm.contacts.list()] == [ravi.id]
    assert list(await crm.contacts.search("asha")) == []
    assert list(await crm.contacts.search("as")) == []
    with pytest.raises(NotFoundError):
        await crm.contacts.get(asha.id)
    deleted = await crm.contacts.get(asha.id, include_deleted=True)
    assert deleted.deleted_at is not None
    assert [c.id for c in await crm.contacts.list(deleted=True)] == [asha.id]
    with pytest.raises(NotFoundError):
        await crm.contacts.delete(asha.id)
    with pytest.raises(NotFoundError):
        await crm.contacts.update(asha.id, first_name="X")

    restored = await crm.contacts.restore(asha.id)
    assert restored.deleted_at is None
    assert [c.id for c in await crm.contacts.list()] == [asha.id, ravi.id]
    assert [c.id for c in await crm.contacts.search("asha@exam")] == [asha.id]
    assert list(await crm.contacts.list(deleted=True)) == []
    with pytest.raises(NotFoundError):
        await crm.contacts.restore(9999)


async def test_stale_update_is_refused_and_changes_nothing(crm: Sampark) -> None:
    contact = await crm.contacts.create(first_name="Asha", emails=["asha@example.in"])
    fresh = await crm.contacts.update(contact.id, last_name="Rao", version=contact.version)
    assert fresh.version == contact.version + 1
    with pytest.raises(StaleRecordError) as caught:
        await crm.contacts.update(
            contact.id, first_name="Usha", emails=["usha@example.in"], version=contact.version
        )
    assert (caught.value.expected, caught.value.actual) == (1, 2)
    assert await crm.contacts.get(contact.id) == fresh
    assert list(await crm.contacts.search("usha")) == []


async def test_update_replaces_lists_and_keeps_the_rest(make_kernel: Any) -> None:
    crm = await make_kernel(custom_fields=CUSTOM)
    contact = await crm.contacts.create(
        first_name="Asha",
        last_name="Rao",
        emails=["old@example.in", "older@example.in"],
        phones=["+91 98765 43210"],
        tags=["a"],
        custom={"tier": "gold", "score": 1},
    )
    updated = await crm.contacts.update(
        contact.id,
        emails=[{"email": "new@example.in", "label": "home"}],
        last_name="Reddy",
        custom={"score": 2, "tier": None},
    )
    assert updated.emails == (EmailRecord("new@example.in", "home", True),)
    assert updated.phones == contact.phones
    assert updated.tags == ("a",)
    assert updated.display_name == "Asha Reddy"  # derived names follow the name fields
    assert updated.custom == {"score": 2}
    assert await count(crm, "core_email") == 1
    assert [c.id for c in await crm.contacts.search("new@exa")] == [contact.id]
    assert list(await crm.contacts.search("old@exa")) == []
    assert list(await crm.contacts.search("rao")) == []

    named = await crm.contacts.update(contact.id, display_name="Dr. Asha")
    renamed = await crm.contacts.update(contact.id, first_name="Ashaa")
    assert (named.display_name, renamed.display_name) == ("Dr. Asha", "Dr. Asha")
    with pytest.raises(ValidationError) as caught:
        await crm.contacts.update(contact.id, emails=["bad"], phones=["1"])
    assert {e.field for e in caught.value.errors} == {"emails[0].email", "phones[0].number"}
    assert (await crm.contacts.get(contact.id)).emails == updated.emails


class _Recorder:
    """A plugin that refuses the name "Forbidden" and remembers every event."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, int, bool]] = []

    @hookimpl
    def validate_record(self, entity: str, data: dict[str, Any], existing: Any) -> list[Any]:
        if data.get("first_name") == "Forbidden":
            return [FieldError("first_name", "is not allowed here")]
        return []

    @hookimpl
    async def record_saved(self, entity: str, record: Any, created: bool) -> None:
        self.events.append(("saved", entity, record.id, created))

    @hookimpl
    def record_deleted(self, entity: str, record: Any, soft: bool) -> None:
        self.events.append(("deleted", entity, record.id, soft))


async def test_plugins_validate_and_hear_about_writes(crm: Sampark) -> None:
    recorder = _Recorder()
    crm.plugins.pm.register(recorder, name="recorder")
    with pytest.raises(ValidationError) as caught:
        await crm.contacts.create(first_name="Forbidden")
    assert caught.value.errors == [FieldError("first_name", "is not allowed here")]
    assert await count(crm, "core_contact") == 0
    contact = await crm.contacts.create(first_name="Asha")
    await crm.contacts.update(contact.id, last_name="Rao")
    await crm.contacts.delete(contact.id)
    await crm.contacts.restore(contact.id)
    assert recorder.events == [
        ("saved", "contact", contact.id, True),
        ("saved", "contact", contact.id, False),
        ("deleted", "contact", contact.id, True),
        ("saved", "contact", contact.id, False),
    ]


async def test_tags_are_shared_case_insensitively(crm: Sampark) -> None:
    await crm.contacts.create(first_name="A", tags=["VIP"])
    b = await crm.contacts.create(first_name="B", tags=["vip"])
    assert b.tags == ("VIP",)  # the first spelling names the tag
    assert await count(crm, "core_tag") == 1


async def test_concurrent_writers_create_a_new_tag_once(make_kernel: Any) -> None:
    # One kernel per writer: each holds its own connection, so the writes really overlap.
    kernels = [await make_kernel() for _ in range(6)]
    created = await asyncio.gather(
        *(
            crm.contacts.create(first_name=f"P{i}", tags=["Brand New", f"t{i}"])
            for i, crm in enumerate(kernels)
        )
    )
    crm = kernels[0]
    assert await count(crm, "core_tag") == 7
    tagged = await crm.contacts.list(tag="brand new")
    assert sorted(c.id for c in tagged) == sorted(c.id for c in created)


async def test_users_are_unique_by_username(crm: Sampark) -> None:
    user_id = await add_user(crm, "meera")
    with crm.activate():
        assert await user_id_for(crm, "meera") == user_id
        with pytest.raises(ValidationError) as caught:
            await create_user(crm, "meera")
        assert caught.value.errors[0].field == "username"
        with pytest.raises(ValidationError) as caught:
            await create_user(crm, "ravi", email="not-an-email")
        assert caught.value.errors[0].field == "email"
        with pytest.raises(ValidationError) as caught:
            await user_id_for(crm, "ghost")
    assert str(caught.value) == "owner: no user named 'ghost'"


async def test_deleted_list_pages_newest_deletion_first(crm: Sampark) -> None:
    contacts = [await crm.contacts.create(first_name=f"P{i}") for i in range(5)]
    for contact in (contacts[3], contacts[0], contacts[4], contacts[1]):
        await crm.contacts.delete(contact.id)
    seen, cursor = [], None
    while True:
        page = await crm.contacts.list(deleted=True, cursor=cursor, limit=3)
        seen.extend(c.id for c in page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [contacts[i].id for i in (1, 4, 0, 3)]
    assert [c.id for c in await crm.contacts.list()] == [contacts[2].id]


async def test_a_delete_with_a_stale_version_is_refused_and_changes_nothing(crm) -> None:
    contact = await crm.contacts.create(first_name="Kavya")
    await crm.contacts.update(contact.id, notes="met at the fair")
    with pytest.raises(StaleRecordError):
        await crm.contacts.delete(contact.id, version=contact.version)
    still = await crm.contacts.get(contact.id)
    assert still.deleted_at is None
    await crm.contacts.delete(contact.id, version=still.version)
    assert (await crm.contacts.get(contact.id, include_deleted=True)).deleted_at is not None
