"""Interactions: logging, refusing bad input whole, follow-ups, completion, versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import sampark
from sampark.core.errors import NotFoundError, StaleRecordError, ValidationError
from sampark.core.kernel import Sampark
from sampark.core.models import Interaction, InteractionParticipant
from sampark.core.services.users import create_user

UTC = dt.UTC
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


async def new_contact(crm: Sampark, name: str) -> int:
    return (await crm.contacts.create(first_name=name)).id


async def new_account(crm: Sampark, name: str) -> int:
    return (await crm.accounts.create(name=name)).id


async def new_user(crm: Sampark, username: str) -> int:
    with crm.activate():
        return await create_user(crm, username)


async def row_counts(crm: Sampark) -> tuple[int, int]:
    with crm.activate():
        return await Interaction.all().count(), await InteractionParticipant.all().count()


def fields_of(error: ValidationError) -> list[str]:
    return [item.field for item in error.errors]


async def test_log_a_call_with_two_participants(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    acme = await new_account(crm, "Acme")
    await new_user(crm, "meera")
    when = dt.datetime(2025, 3, 1, 14, 30, tzinfo=IST)

    call = await crm.interactions.log(
        kind="call",
        direction="outbound",
        occurred_at=when,
        duration_minutes=12,
        subject="  Renewal  ",
        body="Talked about the renewal.",
        outcome="Wants a quote",
        contacts=[asha],
        accounts=[acme],
        author="meera",
    )

    assert call.kind == "call" and call.status == "done" and call.direction == "outbound"
    assert call.occurred_at == when and call.at == when
    assert call.occurred_at.utcoffset() == dt.timedelta(0)
    assert call.due_at is None
    assert (call.subject, call.duration_minutes, call.outcome) == ("Renewal", 12, "Wants a quote")
    assert (call.contact_ids, call.account_ids) == ((asha,), (acme,))
    assert call.author == "meera" and call.version == 1
    assert await crm.interactions.get(call.id) == call
    assert await row_counts(crm) == (1, 2)


async def test_done_defaults_to_now_and_text_dates_are_read(crm: Sampark) -> None:
    asha, ravi = await new_contact(crm, "Asha"), await new_contact(crm, "Ravi")
    before = dt.datetime.now(UTC)

    note = await crm.interactions.log({"kind": "Note", "contacts": [asha, str(ravi), asha]})
    meeting = await crm.interactions.log(
        kind="meeting", occurred_at="2025-01-02T10:00:00", contacts=[asha]
    )
    email = await crm.interactions.log(
        kind="email", occurred_at="2025-01-02T10:00:00+05:30", contacts=[asha]
    )

    assert note.kind == "note" and note.contact_ids == (asha, ravi)
    assert before - dt.timedelta(seconds=1) <= note.at <= dt.datetime.now(UTC)
    assert meeting.at == dt.datetime(2025, 1, 2, 10, tzinfo=UTC)  # naive means UTC
    assert email.at == dt.datetime(2025, 1, 2, 4, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"kind": "fax"}, "kind", "call, email, meeting, note, message"),
        ({"status": "planned"}, "due_at", "required"),
        ({"contacts": ["ASHA", 9999]}, "contacts[1]", "no contact with id 9999"),
        ({"accounts": [9999]}, "accounts[0]", "no account with id 9999"),
        ({"contacts": []}, "contacts", "at least one"),
        ({"author": "nobody"}, "author", "no user named 'nobody'"),
        ({"duration_minutes": -5}, "duration_minutes", ">= 0"),
        ({"direction": "sideways"}, "direction", "inbound, outbound"),
        ({"occurred_at": "yesterday"}, "occurred_at", "date and time"),
        ({"venue": "Pune"}, "venue", "unknown field"),
    ],
)
async def test_bad_input_is_named_and_nothing_is_written(
    crm: Sampark, change: dict[str, Any], field: str, words: str
) -> None:
    asha = await new_contact(crm, "Asha")
    data = {"kind": "call", "contacts": [asha], **change}
    data["contacts"] = [asha if item == "ASHA" else item for item in data["contacts"]]

    with pytest.raises(ValidationError) as refused:
        await crm.interactions.log(data)

    assert fields_of(refused.value) == [field]
    assert words in str(refused.value)
    assert await row_counts(crm) == (0, 0)


async def test_every_bad_field_is_named_at_once(crm: Sampark) -> None:
    future = dt.datetime.now(UTC) + dt.timedelta(hours=2)

    with pytest.raises(ValidationError) as refused:
        await crm.interactions.log(kind="fax", occurred_at=future, contacts=[7], accounts=["x"])

    assert fields_of(refused.value) == ["kind", "occurred_at", "accounts[0]", "contacts[0]"]
    assert await row_counts(crm) == (0, 0)


async def test_a_planned_interaction_has_no_occurred_at(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")

    with pytest.raises(ValidationError) as refused:
        await crm.interactions.log(
            kind="call",
            status="planned",
            due_at="2030-01-01T09:00Z",
            occurred_at="2024-01-01T09:00Z",
            contacts=[asha],
        )

    assert fields_of(refused.value) == ["occurred_at"]


async def test_followups_soonest_first_across_pages(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    await new_user(crm, "meera")
    await new_user(crm, "ravi")
    base = dt.datetime(2030, 5, 1, 9, tzinfo=UTC)
    offsets = [5, 1, 3, 3, 0, 7, -2, 3, 4]  # -2: overdue; three due at the same time
    planned = []
    for number, offset in enumerate(offsets):
        planned.append(
            await crm.interactions.log(
                kind="call",
                status="planned",
                due_at=base + dt.timedelta(days=offset),
                contacts=[asha],
                author="meera" if number % 2 else "ravi",
            )
        )
    await crm.interactions.log(kind="note", contacts=[asha])  # done: never a follow-up

    seen: list[int] = []
    cursor = None
    while True:
        page = await crm.interactions.followups(cursor=cursor, limit=4)
        seen += [item.id for item in page]
        assert all(item.status == "planned" for item in page)
        cursor = page.next_cursor
        if cursor is None:
            break

    expected = sorted(planned, key=lambda item: (item.due_at, item.id))
    assert seen == [item.id for item in expected]

    soon = await crm.interactions.followups(due_before=base + dt.timedelta(days=3))
    assert [item.id for item in soon] == [item.id for item in expected[:3]]
    meera = await crm.interactions.followups(owner="meera")
    assert [item.id for item in meera] == [item.id for item in expected if item.author == "meera"]
    with pytest.raises(ValidationError) as unknown:
        await crm.interactions.followups(owner="nobody")
    assert fields_of(unknown.value) == ["owner"]


async def test_complete_moves_a_followup_onto_the_timeline(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    due = dt.datetime.now(UTC) + dt.timedelta(days=2)
    planned = await crm.interactions.log(
        kind="meeting", status="planned", due_at=due, subject="Demo", contacts=[asha]
    )
    (entry,) = await crm.timeline(("contact", asha))
    assert (entry.status, entry.at, entry.ref) == ("planned", due, f"interaction:{planned.id}")

    done_at = dt.datetime.now(UTC) - dt.timedelta(minutes=5)
    done = await crm.interactions.complete(planned.id, outcome="Signed", occurred_at=done_at)

    assert (done.status, done.occurred_at, done.at, done.due_at) == ("done", done_at, done_at, due)
    assert done.outcome == "Signed" and done.version == planned.version + 1
    assert list(await crm.interactions.followups()) == []
    (entry,) = await crm.timeline(("contact", asha))
    assert (entry.status, entry.at, entry.title) == ("done", done_at, "Demo")

    with pytest.raises(ValidationError) as again:
        await crm.interactions.complete(planned.id)
    assert fields_of(again.value) == ["status"]
    with pytest.raises(NotFoundError):
        await crm.interactions.complete(planned.id + 100)


async def test_update_checks_the_version(crm: Sampark) -> None:
    asha, ravi = await new_contact(crm, "Asha"), await new_contact(crm, "Ravi")
    call = await crm.interactions.log(kind="call", subject="First", contacts=[asha])

    changed = await crm.interactions.update(
        call.id, subject="Second", contacts=[ravi], version=call.version
    )
    assert (changed.subject, changed.contact_ids, changed.version) == ("Second", (ravi,), 2)
    assert changed.kind == "call" and changed.at == call.at

    with pytest.raises(StaleRecordError) as stale:
        await crm.interactions.update(call.id, subject="Third", version=call.version)
    assert (stale.value.expected, stale.value.actual) == (1, 2)
    assert (await crm.interactions.get(call.id)).subject == "Second"

    with pytest.raises(ValidationError) as refused:
        await crm.interactions.update(call.id, {"contacts": [], "kind": "fax"})
    assert fields_of(refused.value) == ["kind", "contacts"]
    assert await crm.interactions.get(call.id) == changed
    assert await row_counts(crm) == (1, 1)


async def test_update_can_plan_and_then_do(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    note = await crm.interactions.log(kind="note", contacts=[asha])
    due = dt.datetime(2031, 1, 1, tzinfo=UTC)

    planned = await crm.interactions.update(note.id, status="planned", due_at=due)
    assert (planned.status, planned.occurred_at, planned.at) == ("planned", None, due)

    done = await crm.interactions.update(note.id, status="done")
    assert done.status == "done" and done.at == done.occurred_at
    assert done.occurred_at is not None and done.occurred_at <= dt.datetime.now(UTC)


async def test_delete_hides_the_interaction(crm: Sampark) -> None:
    asha = await new_contact(crm, "Asha")
    planned = await crm.interactions.log(
        kind="call", status="planned", due_at="2031-01-01", contacts=[asha]
    )

    await crm.interactions.delete(planned.id)

    with pytest.raises(NotFoundError):
        await crm.interactions.get(planned.id)
    with pytest.raises(NotFoundError):
        await crm.interactions.delete(planned.id)
    assert list(await crm.interactions.followups()) == []
    assert list(await crm.timeline(("contact", asha))) == []
    assert await row_counts(crm) == (1, 1)  # soft: still in the database


class Recorder:
    """A plugin that remembers the record events it hears about."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, int, bool]] = []

    @sampark.hookimpl
    def record_saved(self, entity: str, record: Any, created: bool) -> None:
        self.events.append(("saved", entity, record.id, created))

    @sampark.hookimpl
    async def record_deleted(self, entity: str, record: Any, soft: bool) -> None:
        self.events.append(("deleted", entity, record.id, soft))


async def test_plugins_hear_about_saves_and_deletes(crm: Sampark) -> None:
    recorder = Recorder()
    crm.plugins.pm.register(recorder, name="recorder")
    asha = await new_contact(crm, "Asha")

    planned = await crm.interactions.log(
        kind="call", status="planned", due_at="2031-01-01", contacts=[asha]
    )
    await crm.interactions.update(planned.id, subject="Renewal")
    await crm.interactions.complete(planned.id)
    await crm.interactions.delete(planned.id)
    with pytest.raises(ValidationError):
        await crm.interactions.log(kind="fax", contacts=[asha])

    number = planned.id
    assert [event for event in recorder.events if event[1] == "interaction"] == [
        ("saved", "interaction", number, True),
        ("saved", "interaction", number, False),
        ("saved", "interaction", number, False),
        ("deleted", "interaction", number, True),
    ]


async def test_interaction_kinds_from_settings(make_kernel: Any) -> None:
    crm = await make_kernel(interaction_kinds=("site visit",))
    asha = await new_contact(crm, "Asha")

    visit = await crm.interactions.log(kind="Site Visit", contacts=[asha])

    assert visit.kind == "site visit"


async def test_recent_interactions_newest_first_across_pages(crm: Sampark) -> None:
    contact = await crm.contacts.create(first_name="Ira")
    base = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    for n in range(7):
        at = base + dt.timedelta(hours=n // 2)  # pairs share a time: the id breaks the tie
        await crm.interactions.log(
            kind="call", contacts=[contact.id], occurred_at=at, subject=f"c{n}"
        )
    await crm.interactions.log(
        kind="call", contacts=[contact.id], status="planned", due_at=base, subject="later"
    )
    seen, cursor = [], None
    while True:
        page = await crm.interactions.recent(cursor=cursor, limit=3)
        seen += [item.subject for item in page]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == ["c6", "c5", "c4", "c3", "c2", "c1", "c0"]
