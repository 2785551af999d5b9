"""A deal's activity: notes and calls logged about it (core interactions that also show on
its contacts' and account's timelines) and its stage changes, newest first, paged."""

from __future__ import annotations

import dataclasses

import pytest

from sampark.core.errors import NotFoundError, PermissionDenied, ValidationError
from sampark.plugins.pipeline.facade import Deals


async def test_a_note_about_a_deal_shows_on_its_timeline_and_its_people(pipe, deals):
    asha = await pipe.contacts.create(first_name="Asha")
    acme = await pipe.accounts.create(name="Acme")
    deal = await deals.create(title="Renewal", amount="900", contacts=[asha.id], account=acme.id)
    await deals.move(deal.id, "proposal")
    note = await deals.log(deal.id, kind="note", subject="Sent the proposal", body="By mail")
    assert note.contact_ids == (asha.id,) and note.account_ids == (acme.id,)
    timeline = await deals.timeline(deal.id)
    assert [entry.ref for entry in timeline][:1] == [f"interaction:{note.id}"]
    assert [entry.kind for entry in timeline] == ["note", "deal", "deal"]
    assert timeline.items[1].title == "Deal moved: Renewal (Qualification → Proposal)"
    for subject in (asha, acme):
        refs = [entry.ref for entry in await pipe.timeline(subject)]
        assert f"interaction:{note.id}" in refs
    planned = await deals.log(
        deal.id, kind="call", subject="Follow up", status="planned", due_at="2030-01-01T10:00"
    )
    assert (await deals.timeline(deal.id)).items[0].ref == f"interaction:{planned.id}"


async def test_the_deal_timeline_pages_without_gaps_or_repeats(pipe, deals):
    asha = await pipe.contacts.create(first_name="Asha")
    deal = await deals.create(title="Paged", amount="1", contacts=[asha.id])
    for number in range(5):
        await deals.log(deal.id, kind="note", subject=f"Note {number}")
    await deals.move(deal.id, "proposal")
    seen, cursor = [], None
    while True:
        page = await deals.timeline(deal.id, cursor=cursor, limit=2)
        seen += [entry.ref for entry in page]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert seen == [entry.ref for entry in await deals.timeline(deal.id, limit=50)]
    with pytest.raises(ValidationError):
        await deals.timeline(deal.id, cursor="garbled")


async def test_logging_needs_people_on_the_deal_and_sight_of_it(pipe, deals, people):
    bare = await deals.create(title="Nobody yet", amount="1")
    with pytest.raises(ValidationError) as refused:
        await deals.log(bare.id, kind="note", subject="Hello")
    assert refused.value.errors[0].field == "deal"
    asha = await pipe.contacts.create(first_name="Asha")
    deal = await deals.create(title="Someone", amount="1", contacts=[asha.id])
    with pytest.raises(ValidationError) as bad:
        await deals.log(deal.id, kind="note", subject="x", contacts=[asha.id])
    assert bad.value.errors[0].field == "contacts"
    with pytest.raises(ValidationError):
        await deals.log(deal.id, kind="", subject="no kind")
    assert [e.kind for e in await deals.timeline(deal.id)] == ["deal"], "nothing half-written"
    actors = await people()
    with pytest.raises(NotFoundError):
        await Deals(pipe, actors["ravi"]).log(deal.id, kind="note", subject="Not mine")
    reader = dataclasses.replace(actors["mira"], permissions=frozenset({"deals.read"}))
    with pytest.raises(PermissionDenied):
        await Deals(pipe, reader).log(deal.id, kind="note", subject="Read-only")
    await deals.log(deal.id, kind="note", subject="Private")
    assert [e.kind for e in await Deals(pipe, reader).timeline(deal.id)] == ["deal"]
    await deals.delete(deal.id)
    with pytest.raises(NotFoundError):
        await deals.timeline(deal.id)
