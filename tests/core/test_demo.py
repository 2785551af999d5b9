"""Demo data: believable, valid, in many scripts, searchable, and repeatable with a seed."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections import Counter
from typing import Any

import email_validator
import phonenumbers
import pytest

from sampark.core.errors import ValidationError
from sampark.core.kernel import Sampark
from sampark.core.services import demo

SCRIPTS = {
    "LATIN": "Latin",
    "DEVANAGARI": "Devanagari",
    "TELUGU": "Telugu",
    "TAMIL": "Tamil",
    "BENGALI": "Bengali",
    "ARABIC": "Arabic",
    "CJK": "Han",
    "HIRAGANA": "Japanese",
}


def scripts_of(text: str) -> set[str]:
    found = set()
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            found.update(script for key, script in SCRIPTS.items() if name.startswith(key))
    return found


async def everything(crm: Sampark) -> list[Any]:
    contacts: list[Any] = []
    cursor = None
    while True:
        page = await crm.contacts.list(cursor=cursor, limit=200)
        contacts.extend(page)
        if page.next_cursor is None:
            return contacts
        cursor = page.next_cursor


def signature(contact: Any) -> tuple[Any, ...]:
    return (
        contact.display_name,
        tuple(e.email for e in contact.emails),
        tuple(p.e164 for p in contact.phones),
        contact.tags,
        contact.language,
    )


async def make_demo(crm: Sampark, **options: Any) -> demo.DemoSummary:
    with crm.activate():
        return await demo.create_demo_data(crm, **options)


async def test_demo_data_is_varied_and_valid(crm: Sampark) -> None:
    stages: Counter[str] = Counter()
    summary = await make_demo(
        crm, contacts=60, seed=11, progress=lambda stage, done, total: stages.update([stage])
    )
    assert (summary.users, summary.accounts, summary.contacts) == (4, 20, 60)
    assert summary.links >= 30 and summary.interactions > 60
    assert set(stages) == {"users", "accounts", "contacts", "links", "interactions"}

    contacts = await everything(crm)
    assert len(contacts) == 60
    scripts = set().union(*(scripts_of(c.display_name) for c in contacts))
    assert scripts >= {"Latin", "Devanagari", "Telugu", "Tamil", "Bengali", "Arabic", "Han"}
    assert len({c.language for c in contacts}) >= 10
    for contact in contacts:
        assert contact.emails, contact
        for email in contact.emails:
            assert email.email.isascii()
            domain = email.email.split("@")[1]
            assert domain in demo.PERSONAL_DOMAINS or domain.endswith(".example")
            email_validator.validate_email(email.email, check_deliverability=False)
        for phone in contact.phones:
            assert phonenumbers.is_valid_number(phonenumbers.parse(phone.e164))
    emails = [e.email for c in contacts for e in c.emails]
    assert len(emails) == len(set(emails))

    accounts = (await crm.accounts.list(limit=100)).items
    assert len(accounts) == 20
    assert any(a.parent_id for a in accounts)
    assert any(a.vat_number for a in accounts)
    assert all(a.website.startswith("https://www.") for a in accounts)
    assert any(len(a.kinds) == 2 for a in accounts)


def test_tax_numbers_and_phones_are_well_formed() -> None:
    # Published examples: a GSTIN and a German VAT id with their real check characters.
    assert demo.gstin_check("27AAPFU0939F1Z") == "V"
    assert demo.german_vat_check("13669597") == "6"
    rng = random.Random(1)
    for _ in range(50):
        number = demo.gstin(rng, "36")
        assert (
            number[:2] == "36" and number[5] == "C" and number[-1] == demo.gstin_check(number[:14])
        )
        vat = demo.german_vat(rng)
        assert vat[-1] == demo.german_vat_check(vat[2:10]) and len(vat) == 11
        for region in ("IN", "GB", "AE", "JP", "BR"):
            phone = phonenumbers.parse(demo.phone_number(rng, region))
            assert phonenumbers.is_valid_number(phone)
            assert phonenumbers.region_code_for_number(phone) == region


async def test_the_demo_crm_is_searchable(crm: Sampark) -> None:
    await make_demo(crm, contacts=60, seed=5)
    contacts = await everything(crm)
    hindi = next(c for c in contacts if "Devanagari" in scripts_of(c.display_name))
    found = await crm.contacts.search(hindi.first_name, limit=100)
    assert hindi.id in [c.id for c in found]

    someone = next(c for c in contacts if c.phones)
    local_part = someone.emails[0].email.split("@")[0]
    assert someone.id in [c.id for c in await crm.contacts.search(local_part, limit=100)]
    digits = someone.phones[0].e164[-8:]
    assert someone.id in [c.id for c in await crm.contacts.search(digits, limit=100)]

    account = (await crm.accounts.list(limit=1)).items[0]
    assert account.id in [a.id for a in await crm.accounts.search(account.name.split()[0])]
    staff = await crm.links.of_account(account.id)
    assert all(link.role for link in staff)


async def test_followups_are_planned_and_some_are_overdue(crm: Sampark) -> None:
    summary = await make_demo(crm, contacts=40, seed=2)
    assert summary.followups >= 2 and 1 <= summary.overdue < summary.followups
    planned = await crm.interactions.followups(limit=500)
    assert len(planned) == summary.followups
    assert all(item.status == "planned" and item.due_at for item in planned)
    now = dt.datetime.now(dt.UTC)
    overdue = await crm.interactions.followups(due_before=now, limit=500)
    assert len(overdue) == summary.overdue
    assert any(item.due_at > now for item in planned)


async def test_a_seed_gives_the_same_data_again(crm: Sampark) -> None:
    first = await make_demo(crm, contacts=30, seed=42)
    second = await make_demo(crm, contacts=30, seed=42)
    assert first == second
    counts = Counter(signature(c) for c in await everything(crm))
    assert len(counts) == 30 and set(counts.values()) == {2}

    rows = list(demo.contact_rows(50, seed=9))
    assert rows == list(demo.contact_rows(50, seed=9))
    assert rows != list(demo.contact_rows(50, seed=10))


async def test_the_demo_needs_at_least_one_contact(crm: Sampark) -> None:
    with pytest.raises(ValidationError, match="contacts"):
        await make_demo(crm, contacts=0)


async def test_plugins_add_their_demo_records_to_the_demo_world(crm: Sampark) -> None:
    import sampark

    seen: list[demo.DemoWorld] = []

    class Catalogue:
        @sampark.hookimpl
        async def demo_data(self, kernel: Sampark, world: demo.DemoWorld) -> list[str]:
            seen.append(world)
            # A plugin's demo rows refer to core's demo records and draw from world.rng.
            buyer = world.rng.choice(world.contact_ids)
            await kernel.interactions.log(kind="note", contacts=[buyer], subject="Catalogue sent")
            world.report("catalogues", 1, 1)
            return ["1 catalogue"]

    crm.plugins.pm.register(Catalogue(), name="catalogue")
    stages: list[str] = []
    with crm.activate():
        summary = await demo.create_demo_data(
            crm, contacts=12, seed=3, progress=lambda stage, done, total: stages.append(stage)
        )
    [world] = seen
    assert summary.plugins == ("1 catalogue",)
    assert len(world.contact_ids) == len(world.employers) == summary.contacts == 12
    assert len(world.account_ids) == summary.accounts and set(world.usernames) >= {"asha", "ravi"}
    assert all(e is None or 0 <= e < len(world.account_ids) for e in world.employers)
    assert stages[-1] == "catalogues"
    notes = await crm.interactions.recent(limit=1)
    assert notes.items[0].subject == "Catalogue sent"
