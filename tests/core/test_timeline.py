"""Timelines: newest first, paged without gaps or repeats, merged with plugin entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import sampark
from sampark.core.errors import ConfigError, NotFoundError, ValidationError
from sampark.core.kernel import Sampark
from sampark.core.records import ContactRecord, TimelineEntry
from sampark.core.services.timeline import TimelineKey, TimelineSubject

UTC = dt.UTC
BASE = dt.datetime(2025, 1, 1, 9, tzinfo=UTC)


async def new_contact(crm: Sampark, name: str) -> int:
    return (await crm.contacts.create(first_name=name)).id


async def new_account(crm: Sampark, name: str) -> int:
    return (await crm.accounts.create(name=name)).id


async def log_note(crm: Sampark, at: dt.datetime, **fields: Any) -> str:
    note = await crm.interactions.log(kind="note", occurred_at=at, **fields)
    return f"interaction:{note.id}"


async def all_pages(crm: Sampark, subject: Any, limit: int) -> list[list[TimelineEntry]]:
    pages = []
    cursor = None
    while True:
        page = await crm.timeline(subject, cursor=cursor, limit=limit)
        pages.append(list(page))
        cursor = page.next_cursor
        if cursor is None:
            return pages


def newest_first(entries: list[TimelineEntry]) -> bool:
    keys = [(entry.at, entry.source, entry.ref) for entry in entries]
    return keys == sorted(keys, reverse=True)


async def test_contact_timeline_pages_without_gaps_or_repeats(crm: Sampark) -> None:
    asha, ravi = await new_contact(crm, "Asha"), await new_contact(crm, "Ravi")
    refs = set()
    for number in range(70):
        # Three at a time share a minute: pages must break ties the same way every time.
        at = BASE + dt.timedelta(minutes=number // 3)
        refs.add(await log_note(crm, at, subject=f"Note {number}", contacts=[asha]))
    await log_note(crm, BASE, contacts=[ravi])  # someone else's

    pages = await all_pages(crm, ("contact", asha), limit=30)

    assert [len(page) for page in pages] == [30, 30, 10]
    entries = [entry for page in pages for entry in page]
    assert [entry.ref for entry in entries].count(entries[0].ref) == 1
    assert {entry.ref for entry in entries} == refs
    assert newest_first(entries)
    assert entries[0].title == "Note 69" and entries[-1].at == BASE
    assert {(entry.source, entry.kind, entry.status) for entry in entries} == {
        ("core", "note", "done")
    }


async def test_entries_at_one_moment_page_in_reference_order(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    # Ids 1 to 12: as text "interaction:9" sorts after "interaction:12", as the merge does.
    refs = [await log_note(crm, BASE, contacts=[asha]) for _ in range(12)]

    pages = await all_pages(crm, ("contact", asha), limit=5)

    assert [len(page) for page in pages] == [5, 5, 2]
    assert [entry.ref for page in pages for entry in page] == sorted(refs, reverse=True)


async def test_a_page_exactly_full_has_no_next_page(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    for number in range(4):
        await log_note(crm, BASE + dt.timedelta(hours=number), contacts=[asha])

    page = await crm.timeline(("contact", asha), limit=4)

    assert len(page) == 4 and page.next_cursor is None


async def test_account_timeline_includes_linked_contacts(crm: Sampark) -> None:
    acme = await new_account(crm, "Acme")
    asha, ravi = await new_contact(crm, "Asha"), await new_contact(crm, "Ravi")
    former, stranger = await new_contact(crm, "Former"), await new_contact(crm, "Stranger")
    await crm.links.create(asha, acme, role="CTO")
    await crm.links.create(ravi, acme, role="Buyer", start_date="2020-01-01")
    await crm.links.create(former, acme, role="CEO", end_date="2021-12-31")

    own = await log_note(crm, BASE, accounts=[acme])
    both = await log_note(crm, BASE + dt.timedelta(hours=1), contacts=[asha], accounts=[acme])
    linked = await log_note(crm, BASE + dt.timedelta(hours=2), contacts=[ravi])
    await log_note(crm, BASE + dt.timedelta(hours=3), contacts=[former])
    await log_note(crm, BASE + dt.timedelta(hours=4), contacts=[stranger])

    timeline = await crm.timeline(("account", acme))

    assert [entry.ref for entry in timeline] == [linked, both, own]
    assert timeline.next_cursor is None


class Extra:
    """A plugin keeping its own entries in memory and honouring ``before`` as documented."""

    def __init__(self, entries: list[TimelineEntry]) -> None:
        self.entries = entries
        self.subjects: list[Any] = []

    @sampark.hookimpl
    def timeline_entries(
        self, subject: TimelineSubject, before: TimelineKey | None, limit: int
    ) -> list[TimelineEntry]:
        self.subjects.append(subject)
        mine = [entry for entry in self.entries if before is None or before.admits(entry)]
        mine.sort(key=lambda entry: (entry.at, entry.ref), reverse=True)
        return mine[:limit]


async def test_plugin_entries_merge_in_order_with_core(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    core_refs = [
        await log_note(crm, BASE + dt.timedelta(minutes=minute), contacts=[asha])
        for minute in (0, 10, 10, 20, 30, 30, 30)
    ]
    extra = Extra(
        [
            TimelineEntry(
                at=BASE + dt.timedelta(minutes=minute),
                kind="ticket",
                title=f"Ticket {number}",
                ref=f"ticket:{number}",  # no source: the host names the plugin
            )
            for number, minute in enumerate((5, 10, 30, 30, 40, -60))
        ]
    )
    crm.plugins.pm.register(extra, name="extra")

    (entries,) = await all_pages(crm, ("contact", asha), limit=50)

    assert newest_first(entries)
    assert len(entries) == len({(entry.source, entry.ref) for entry in entries}) == 13
    assert {entry.ref for entry in entries if entry.source == "core"} == set(core_refs)
    assert {entry.source for entry in entries} == {"core", "extra"}
    for limit in (1, 2, 3, 5):
        pages = await all_pages(crm, ("contact", asha), limit=limit)
        assert [entry for page in pages for entry in page] == entries
    assert entries[0].title == "Ticket 4"
    assert entries[-1].ref == "ticket:5" and entries[-1].at == BASE - dt.timedelta(hours=1)
    # At equal times the source breaks the tie, newest first: "extra" before "core".
    at_thirty = [entry.source for entry in entries if entry.at == BASE + dt.timedelta(minutes=30)]
    assert at_thirty == ["extra", "extra", "core", "core", "core"]
    assert extra.subjects[0] == TimelineSubject("contact", asha)


async def test_a_plugin_cannot_claim_another_source_or_repeat_entries(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")

    class Careless:
        @sampark.hookimpl
        def timeline_entries(self) -> list[TimelineEntry]:
            # Ignores `before`, pretends to be core and gives a naive time (taken as UTC).
            naive = BASE.replace(tzinfo=None)
            return [TimelineEntry(at=naive, kind="x", title="same", source="core", ref="x:1")]

    crm.plugins.pm.register(Careless(), name="careless")
    await log_note(crm, BASE - dt.timedelta(days=1), contacts=[asha])

    pages = await all_pages(crm, ("contact", asha), limit=1)

    assert [[entry.source for entry in page] for page in pages] == [["careless"], ["core"]]
    assert pages[0][0].at == BASE


async def test_a_plugin_giving_something_else_is_named(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")

    class Broken:
        @sampark.hookimpl
        async def timeline_entries(self) -> list[Any]:
            return [{"at": BASE}]

    crm.plugins.pm.register(Broken(), name="broken")

    with pytest.raises(ConfigError, match="plugin broken"):
        await crm.timeline(("contact", asha))


async def test_subjects_cursor_and_limit_are_checked(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    ref = await log_note(crm, BASE, contacts=[asha])

    by_record = await crm.timeline(ContactRecord(id=asha, display_name="Asha"))
    assert [entry.ref for entry in by_record] == [ref]
    assert [entry.ref for entry in await crm.timeline(await crm.contacts.get(asha))] == [ref]

    with pytest.raises(NotFoundError) as missing:
        await crm.timeline(("contact", asha + 100))
    assert (missing.value.entity, missing.value.key) == ("contact", asha + 100)
    with pytest.raises(NotFoundError):
        await crm.timeline(("account", 12345))
    with pytest.raises(ValidationError) as bad_subject:
        await crm.timeline(("ticket", 1))
    assert bad_subject.value.errors[0].field == "subject"
    with pytest.raises(ValidationError) as bad_cursor:
        await crm.timeline(("contact", asha), cursor="bm9wZQ")
    assert bad_cursor.value.errors[0].field == "cursor"
    with pytest.raises(ValidationError):
        await crm.timeline(("contact", asha), limit=0)


async def test_titles_and_bodies_of_core_entries(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    await crm.interactions.log(
        kind="call", direction="inbound", occurred_at=BASE, outcome="Call back", contacts=[asha]
    )
    await crm.interactions.log(
        kind="email", occurred_at=BASE - dt.timedelta(hours=1), body="Hello", contacts=[asha]
    )

    call, email = await crm.timeline(("contact", asha))

    assert (call.title, call.body) == ("Inbound call", "Call back")
    assert (email.title, email.body) == ("Email", "Hello")
