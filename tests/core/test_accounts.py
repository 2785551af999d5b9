"""Accounts through the public kernel API, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from sampark.core.custom_fields import CustomFieldSpec
from sampark.core.errors import NotFoundError, StaleRecordError, ValidationError
from sampark.core.kernel import Sampark
from sampark.core.services.users import create_user

TABLES = ("core_account", "core_account_kind", "core_email", "core_phone", "core_tag")


async def counts(crm: Sampark) -> dict[str, int]:
    result = {}
    with crm.activate():
        for table in TABLES:
            rows = await crm.connection.execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}")
            result[table] = rows[0]["n"]
    return result


async def test_create_keeps_every_detail(make_kernel: Any) -> None:
    crm = await make_kernel(
        account_kinds=("reseller",),
        custom_fields=(CustomFieldSpec("account", "employees", "number"),),
    )
    with crm.activate():
        await create_user(crm, "meera")
    parent = await crm.accounts.create(name="Tata Group")
    account = await crm.accounts.create(
        name=" Tata Consultancy Services ",
        kinds=["Customer", "reseller", "customer"],
        website="tcs.com/india",
        registration_number="L22210MH1995PLC084781",
        vat_number="27AAACT2727Q1ZW",
        emails=["info@tcs.com"],
        phones=[{"number": "022 6778 9999", "label": "office"}],
        addresses=[{"city": "Mumbai", "country": "IN"}],
        parent_id=parent.id,
        tags=["IT", "it", "Enterprise"],
        notes="Key account.",
        owner="meera",
        custom={"employees": "600000"},
    )
    assert account.name == "Tata Consultancy Services"
    assert account.kinds == ("customer", "reseller")
    assert account.website == "https://tcs.com/india"
    assert account.phones[0].e164 == "+912267789999"
    assert account.phones[0].original == "022 6778 9999"
    assert account.parent_id == parent.id
    assert account.tags == ("Enterprise", "IT")
    assert account.owner == "meera"
    assert account.custom == {"employees": 600000}
    assert await crm.accounts.get(account.id) == account


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"name": "Acme", "kinds": ["customer", "friend"]}, "kinds[1]", "customer, supplier"),
        ({"name": "Acme", "website": "not a website"}, "website", "web address"),
        ({"name": "Acme", "website": "ftp://acme.in"}, "website", "http"),
        ({"name": "Acme", "emails": ["acme"]}, "emails[0].email", "email"),
        ({"name": "Acme", "parent_id": 999}, "parent_id", "no account"),
        ({"name": "Acme", "custom": {"x": 1}}, "custom.x", "unknown custom field"),
        ({"name": "Acme", "colour": "red"}, "colour", "unknown field"),
        ({"kinds": ["customer"]}, "name", "required"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    crm: Sampark, data: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await crm.accounts.create(data)
    errors = {error.field: error.message for error in caught.value.errors}
    assert words in errors[field]
    assert await counts(crm) == dict.fromkeys(TABLES, 0)


async def test_kind_filter_and_unknown_kind(crm: Sampark) -> None:
    acme = await crm.accounts.create(name="Acme", kinds=["customer", "supplier"])
    bolt = await crm.accounts.create(name="Bolt", kinds=["supplier"])
    await crm.accounts.create(name="Crane", kinds=["partner"])
    assert [a.id for a in await crm.accounts.list(kind="supplier")] == [acme.id, bolt.id]
    assert [a.id for a in await crm.accounts.list(kind="customer")] == [acme.id]
    with pytest.raises(ValidationError) as caught:
        await crm.accounts.list(kind="friend")
    assert caught.value.errors[0].field == "kind"
    updated = await crm.accounts.update(bolt.id, kinds=["customer"])
    assert updated.kinds == ("customer",)
    assert [a.id for a in await crm.accounts.list(kind="supplier")] == [acme.id]


async def test_tag_and_owner_filters(crm: Sampark) -> None:
    with crm.activate():
        await create_user(crm, "meera")
    acme = await crm.accounts.create(name="Acme", tags=["Key"], owner="meera")
    await crm.accounts.create(name="Bolt", tags=["other"])
    assert [a.id for a in await crm.accounts.list(tag="key")] == [acme.id]
    assert [a.id for a in await crm.accounts.list(owner="meera")] == [acme.id]
    assert list(await crm.accounts.list(tag="none")) == []


async def test_parent_cycles_are_refused(crm: Sampark) -> None:
    group = await crm.accounts.create(name="Group")
    division = await crm.accounts.create(name="Division", parent_id=group.id)
    unit = await crm.accounts.create(name="Unit", parent_id=division.id)
    for parent_id, words in ((unit.id, "loop"), (division.id, "loop"), (group.id, "own parent")):
        with pytest.raises(ValidationError) as caught:
            await crm.accounts.update(group.id, parent_id=parent_id)
        assert caught.value.errors[0].field == "parent_id"
        assert words in caught.value.errors[0].message
    assert (await crm.accounts.get(group.id)).parent_id is None
    moved = await crm.accounts.update(unit.id, parent_id=group.id)
    assert moved.parent_id == group.id
    cleared = await crm.accounts.update(unit.id, parent_id=None)
    assert cleared.parent_id is None


async def test_list_pages_walk_every_account_once(crm: Sampark) -> None:
    created = [await crm.accounts.create(name=f"Firm {i % 7}") for i in range(23)]
    expected = [a.id for a in sorted(created, key=lambda a: (a.name.casefold(), a.id))]
    seen, cursor = [], None
    while True:
        page = await crm.accounts.list(cursor=cursor, limit=10)
        seen.extend(a.id for a in page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected


async def test_search_soft_delete_and_restore(crm: Sampark) -> None:
    acme = await crm.accounts.create(
        name="Acme Traders", website="www.acme-traders.in", phones=["+91 80 2345 6789"]
    )
    await crm.accounts.create(name="Bolt Industries")
    for query in ("acme", "traders", "acme-traders.in", "080 2345 6789", "23456789", "ac"):
        assert [a.id for a in await crm.accounts.search(query)] == [acme.id], query
    await crm.accounts.delete(acme.id)
    assert list(await crm.accounts.search("acme")) == []
    assert [a.name for a in await crm.accounts.list()] == ["Bolt Industries"]
    assert [a.id for a in await crm.accounts.list(deleted=True)] == [acme.id]
    with pytest.raises(NotFoundError):
        await crm.accounts.get(acme.id)
    await crm.accounts.restore(acme.id)
    assert [a.id for a in await crm.accounts.search("acme")] == [acme.id]


async def test_stale_update_is_refused(crm: Sampark) -> None:
    acme = await crm.accounts.create(name="Acme")
    renamed = await crm.accounts.update(acme.id, name="Acme Ltd", version=1)
    with pytest.raises(StaleRecordError):
        await crm.accounts.update(acme.id, name="Acme Inc", version=1)
    assert await crm.accounts.get(acme.id) == renamed
    assert [a.id for a in await crm.accounts.search("acme ltd")] == [acme.id]
    assert list(await crm.accounts.search("acme inc")) == []
