"""Links between contacts and accounts: roles, the one primary link, dates, lists."""

from __future__ import annotations

import datetime as dt

import pytest

from sampark.core.errors import NotFoundError, ValidationError
from sampark.core.kernel import Sampark
from sampark.core.models import ContactAccountLink


async def new_contact(crm: Sampark, name: str) -> int:
    return (await crm.contacts.create(first_name=name)).id


async def new_account(crm: Sampark, name: str) -> int:
    return (await crm.accounts.create(name=name)).id


async def link_count(crm: Sampark) -> int:
    with crm.activate():
        return await ContactAccountLink.all().count()


async def test_link_and_unlink(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha Rao")
    acme = await new_account(crm, "Acme Traders")

    link = await crm.links.create(
        asha, acme, role=" Director ", start_date="2024-04-01", end_date=dt.date(2025, 3, 31)
    )

    assert (link.contact_id, link.account_id) == (asha, acme)
    assert (link.contact_name, link.account_name) == ("Asha Rao", "Acme Traders")
    assert link.role == "Director"
    assert (link.start_date, link.end_date) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert [item.id for item in await crm.links.of_contact(asha)] == [link.id]
    (of_account,) = await crm.links.of_account(acme)
    assert of_account == link

    await crm.links.delete(link.id)
    assert list(await crm.links.of_contact(asha)) == []
    assert list(await crm.links.of_account(acme)) == []
    with pytest.raises(NotFoundError):
        await crm.links.delete(link.id)


async def test_primary_moves_to_the_newest_primary_link(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    zeta = await new_account(crm, "Zeta Labs")
    acme = await new_account(crm, "Acme")
    bharat = await new_account(crm, "Bharat Steel")

    first = await crm.links.create(asha, zeta, role="Advisor", primary=True)
    await crm.links.create(asha, bharat, role="Engineer")
    second = await crm.links.create(asha, acme, role="CTO", primary=True)

    links = list(await crm.links.of_contact(asha))
    assert [(link.account_name, link.primary) for link in links] == [
        ("Acme", True),
        ("Bharat Steel", False),
        ("Zeta Labs", False),
    ]
    assert links[0].id == second.id
    assert first.id in {link.id for link in links if not link.primary}


async def test_another_contacts_primary_link_is_left_alone(crm: Sampark) -> None:
    asha, ravi = await new_contact(crm, "Asha"), await new_contact(crm, "Ravi")
    acme = await new_account(crm, "Acme")

    await crm.links.create(asha, acme, primary=True)
    await crm.links.create(ravi, acme, primary=True)

    assert [(link.contact_name, link.primary) for link in await crm.links.of_account(acme)] == [
        ("Asha", True),
        ("Ravi", True),
    ]


async def test_same_role_twice_is_refused_another_role_is_not(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    acme = await new_account(crm, "Acme")
    await crm.links.create(asha, acme, role="Director", primary=True)

    with pytest.raises(ValidationError) as refused:
        await crm.links.create(asha, acme, role="director", primary=True)

    assert [error.field for error in refused.value.errors] == ["role"]
    assert "already linked" in str(refused.value)
    assert await link_count(crm) == 1
    # The refused link did not clear the existing primary flag either.
    assert [link.primary for link in await crm.links.of_contact(asha)] == [True]

    await crm.links.create(asha, acme, role="Board member")
    assert await link_count(crm) == 2


async def test_missing_or_deleted_records_cannot_be_linked(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    acme = await new_account(crm, "Acme")

    with pytest.raises(NotFoundError) as missing:
        await crm.links.create(asha + 100, acme)
    assert (missing.value.entity, missing.value.key) == ("contact", asha + 100)

    with pytest.raises(NotFoundError) as missing_account:
        await crm.links.create(asha, acme + 100)
    assert missing_account.value.entity == "account"

    await crm.accounts.delete(acme)
    with pytest.raises(NotFoundError):
        await crm.links.create(asha, acme)
    assert await link_count(crm) == 0

    with pytest.raises(NotFoundError):
        await crm.links.of_contact(asha + 100)
    with pytest.raises(NotFoundError):
        await crm.links.of_account(acme + 100)


async def test_bad_dates_and_values_are_named(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    acme = await new_account(crm, "Acme")

    with pytest.raises(ValidationError) as backwards:
        await crm.links.create(asha, acme, start_date="2025-01-01", end_date="2024-12-31")
    assert [error.field for error in backwards.value.errors] == ["end_date"]

    with pytest.raises(ValidationError) as garbled:
        await crm.links.create(asha, acme, role=7, primary="yes", start_date="1 April")  # type: ignore[arg-type]
    assert [error.field for error in garbled.value.errors] == ["role", "primary", "start_date"]
    assert await link_count(crm) == 0


async def test_links_of_a_deleted_account_are_hidden_from_the_contact(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    acme, bharat = await new_account(crm, "Acme"), await new_account(crm, "Bharat")
    await crm.links.create(asha, acme)
    await crm.links.create(asha, bharat)

    await crm.accounts.delete(bharat)

    assert [link.account_name for link in await crm.links.of_contact(asha)] == ["Acme"]


async def test_link_lists_fill_names_for_many_links(crm: Sampark) -> None:
    acme = await new_account(crm, "Acme")
    names = [f"Person {number:02d}" for number in range(12)]
    for name in reversed(names):
        await crm.links.create(await new_contact(crm, name), acme, role="Staff")

    links = list(await crm.links.of_account(acme))

    assert [link.contact_name for link in links] == names
    assert {link.account_name for link in links} == {"Acme"}
