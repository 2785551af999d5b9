"""Deleted tickets: restored with their number, their audit trail read like a contact's."""

from __future__ import annotations

import dataclasses

import pytest

from sampark.core.errors import NotFoundError, PermissionDenied, StaleRecordError
from sampark.core.kernel import Sampark
from sampark.core.permissions import SYSTEM
from sampark.plugins.tickets.facade import Tickets


async def test_a_restored_ticket_comes_back_with_its_number_and_deadlines(
    desk: Sampark, people: dict
) -> None:
    tickets = Tickets(desk)
    ticket = await tickets.open(subject="Printer", requester_id=people["contact"].id)
    gone = await tickets.delete(ticket.id, version=ticket.version)
    assert gone.deleted_at is not None
    assert list(await tickets.list()) == []
    assert [t.number for t in await tickets.list(deleted=True)] == ["T-000001"]
    assert (await tickets.counts())["breaching"] == 0
    later = await tickets.open(subject="Later", requester_id=people["contact"].id)
    assert later.number == "T-000002", "a deleted ticket's number stays taken"
    with pytest.raises(StaleRecordError):
        await tickets.restore(ticket.id, version=ticket.version)
    back = await tickets.restore(ticket.id)
    assert (back.number, back.deleted_at) == ("T-000001", None)
    assert back.resolution_due_at == ticket.resolution_due_at
    assert {t.number for t in await tickets.list(view="breaching")} <= {"T-000001", "T-000002"}
    assert [t.number for t in await tickets.list()] == ["T-000002", "T-000001"]
    trail = await desk.as_user(SYSTEM).audit("ticket", ticket.id)
    assert [row.action for row in trail] == ["restore", "delete", "create"]


async def test_only_those_who_may_delete_restore_and_only_what_they_see(
    desk: Sampark, people: dict
) -> None:
    actors = people["actors"]
    theirs = await Tickets(desk).open(
        subject="Lata's", requester_id=people["other"].id, assignee="dev"
    )
    await Tickets(desk, actors["asha"]).delete(theirs.id)
    with pytest.raises(PermissionDenied):
        await Tickets(desk, actors["ravi"]).restore(theirs.id)
    ravi = dataclasses.replace(
        actors["ravi"], permissions=actors["ravi"].permissions | {"tickets.delete", "audit.read"}
    )
    with pytest.raises(NotFoundError):
        await Tickets(desk, ravi).restore(theirs.id)
    with pytest.raises(NotFoundError):
        await desk.as_user(ravi).audit("ticket", theirs.id)
    assert len(await desk.as_user(actors["asha"]).audit("ticket", theirs.id)) == 2
