"""Tickets through the service API, on both engines: numbers, fields, status, replies, scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sampark.core.errors import NotFoundError, PermissionDenied, StaleRecordError, ValidationError
from sampark.core.kernel import Sampark
from sampark.plugins.tickets import services
from sampark.plugins.tickets.facade import Tickets


async def test_a_ticket_gets_the_next_number_and_its_fields(desk: Sampark, people: dict) -> None:
    tickets = Tickets(desk)
    first = await tickets.open(
        subject="Printer on fire",
        description="Smoke everywhere",
        requester_id=people["contact"].id,
        account_id=people["account"].id,
        channel="phone",
        priority="urgent",
        assignee="ravi",
        tags=["Hardware", "#fire", "hardware"],
    )
    second = await tickets.open(subject="Second", requester_id=people["contact"].id)
    assert (first.number, second.number) == ("T-000001", "T-000002")
    assert first.status == "new" and first.priority == "urgent" and first.channel == "phone"
    assert first.assignee == "ravi" and first.tags == ("fire", "hardware")
    assert first.requester_name == "Kiran Rao" and first.account_name == "Acme"
    assert first.first_response_due_at == first.created_at + dt.timedelta(minutes=60)
    assert first.resolution_due_at == first.created_at + dt.timedelta(minutes=240)
    assert second.priority == "normal" and second.channel == "email" and second.assignee is None
    assert (await tickets.find("T-000002")).id == second.id
    assert (await tickets.find("2")).id == second.id
    assert (await tickets.find("t2")).id == second.id
    with pytest.raises(NotFoundError):
        await tickets.find("T-000099")


async def test_bad_input_names_every_field(desk: Sampark, people: dict) -> None:
    with pytest.raises(ValidationError) as refused:
        await Tickets(desk).open(
            subject="",
            requester_id=99999,
            channel="pigeon",
            priority="asap",
            assignee="nobody",
            colour="red",
        )
    fields = {error.field for error in refused.value.errors}
    assert fields == {"subject", "requester_id", "channel", "priority", "assignee", "colour"}
    with pytest.raises(ValidationError) as refused:
        await Tickets(desk).open(subject="x")
    assert [e.field for e in refused.value.errors] == ["requester_id"]


async def test_status_changes_are_timestamped_and_reopen_works(desk: Sampark, people: dict) -> None:
    tickets = Tickets(desk)
    ticket = await tickets.open(subject="Login fails", requester_id=people["contact"].id)
    resolved = await tickets.update(ticket.id, status="resolved")
    assert resolved.resolved_at is not None and resolved.version == 2
    clocks = services.sla_status(resolved)
    assert clocks["first_response"].label == "no reply sent"
    assert clocks["resolution"].state == "met"
    reopened = await tickets.update(ticket.id, status="open")
    assert reopened.resolved_at is None and reopened.status == "open"
    closed = await tickets.update(ticket.id, status="closed")
    assert closed.closed_at is not None and closed.resolved_at is not None
    history = await tickets.history(ticket.id)
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, "new"),
        ("new", "resolved"),
        ("resolved", "open"),
        ("open", "closed"),
    ]
    assert all(h.at is not None for h in history)
    with pytest.raises(ValidationError) as refused:
        await tickets.update(ticket.id, status="new")
    assert refused.value.errors[0].field == "status"


async def test_a_stale_edit_is_refused(desk: Sampark, people: dict) -> None:
    tickets = Tickets(desk)
    ticket = await tickets.open(subject="Slow", requester_id=people["contact"].id)
    await tickets.update(ticket.id, priority="high", version=1)
    with pytest.raises(StaleRecordError):
        await tickets.update(ticket.id, priority="low", version=1)
    assert (await tickets.get(ticket.id)).priority == "high"


async def test_replies_and_notes_are_interactions_on_the_requesters_timeline(
    desk: Sampark, people: dict
) -> None:
    asha = Tickets(desk, people["actors"]["asha"])
    ticket = await asha.open(
        subject="VPN down", requester_id=people["contact"].id, account_id=people["account"].id
    )
    noted = await asha.note(ticket.id, "Checking the logs", minutes=15)
    assert noted.first_response_at is None and noted.status == "new"
    replied = await asha.reply(ticket.id, "We are on it", minutes="10")
    assert replied.first_response_at is not None and replied.status == "open"
    again = await asha.reply(ticket.id, "Fixed?", status="pending")
    assert again.first_response_at == replied.first_response_at and again.status == "pending"
    messages = await asha.conversation(ticket.id)
    assert [(m.internal, m.body, m.minutes, m.author) for m in messages] == [
        (True, "Checking the logs", 15, "asha"),
        (False, "We are on it", 10, "asha"),
        (False, "Fixed?", None, "asha"),
    ]
    interaction = await desk.interactions.get(messages[1].interaction_id)
    assert interaction.kind == "ticket reply" and interaction.duration_minutes == 10
    assert interaction.contact_ids == (people["contact"].id,)
    assert interaction.account_ids == (people["account"].id,)
    timeline = await desk.timeline(("contact", people["contact"].id))
    titles = [entry.title for entry in timeline]
    assert "T-000001: VPN down" in titles
    assert "Ticket T-000001 opened: VPN down" in titles
    await asha.update(ticket.id, status="resolved")
    timeline = await desk.timeline(("account", people["account"].id))
    assert timeline[0].title == "Ticket T-000001 resolved: VPN down"
    assert timeline[0].url == f"/tickets/{ticket.id}"


async def test_an_empty_reply_is_refused_and_writes_nothing(desk: Sampark, people: dict) -> None:
    tickets = Tickets(desk)
    ticket = await tickets.open(subject="Quiet", requester_id=people["contact"].id)
    with pytest.raises(ValidationError) as refused:
        await tickets.reply(ticket.id, "  ", minutes=-3)
    assert {e.field for e in refused.value.errors} == {"body", "minutes"}
    assert await tickets.conversation(ticket.id) == []
    assert (await tickets.get(ticket.id)).version == 1


async def test_permissions_are_checked_before_anything(desk: Sampark, people: dict) -> None:
    mira = Tickets(desk, people["actors"]["mira"])
    ticket = await Tickets(desk).open(subject="Read me", requester_id=people["contact"].id)
    assert (await mira.get(ticket.id)).id == ticket.id
    with pytest.raises(PermissionDenied):
        await mira.open(subject="No", requester_id=people["contact"].id)
    with pytest.raises(PermissionDenied):
        await mira.reply(ticket.id, "No")
    with pytest.raises(PermissionDenied):
        await Tickets(desk, people["actors"]["ravi"]).delete(ticket.id)
    assert len(await mira.conversation(ticket.id)) == 0


async def test_own_scope_sees_assigned_unassigned_and_own_contacts_tickets(
    desk: Sampark, people: dict
) -> None:
    system = Tickets(desk)
    ravi = Tickets(desk, people["actors"]["ravi"])
    other = people["other"].id  # owned by asha
    mine = await system.open(subject="Assigned to ravi", requester_id=other, assignee="ravi")
    nobody = await system.open(subject="Unassigned", requester_id=other)
    contact = await system.open(
        subject="Ravi's contact", requester_id=people["contact"].id, assignee="dev"
    )
    hidden = await system.open(subject="Dev's", requester_id=other, assignee="dev")
    seen = {ticket.id for ticket in await ravi.list()}
    assert seen == {mine.id, nobody.id, contact.id}
    with pytest.raises(NotFoundError):
        await ravi.get(hidden.id)
    with pytest.raises(NotFoundError):
        await ravi.reply(hidden.id, "peek")
    # An agent replies to a ticket whose requester another user owns.
    answered = await ravi.reply(mine.id, "Hello from ravi")
    assert answered.first_response_at is not None
    # An agent may take a ticket, not give it to someone else.
    taken = await ravi.update(nobody.id, assignee="ravi")
    assert taken.assignee == "ravi"
    with pytest.raises(ValidationError) as refused:
        await ravi.update(mine.id, assignee="dev")
    assert refused.value.errors[0].field == "assignee"
    # Opening one: the requester must be a contact the agent sees; it is theirs by default.
    with pytest.raises(ValidationError):
        await ravi.open(subject="x", requester_id=other)
    opened = await ravi.open(subject="Mine now", requester_id=people["contact"].id)
    assert opened.assignee == "ravi"


async def test_lists_filter_and_page(desk: Sampark, people: dict) -> None:
    tickets = Tickets(desk)
    made = []
    for index in range(5):
        made.append(
            await tickets.open(
                subject=f"Ticket {index}",
                requester_id=people["contact"].id,
                priority="high" if index % 2 else "low",
                tags=["vip"] if index < 2 else [],
                assignee="ravi" if index == 4 else None,
            )
        )
    page = await tickets.list(limit=2)
    assert [t.subject for t in page] == ["Ticket 4", "Ticket 3"] and page.next_cursor
    rest = await tickets.list(limit=2, cursor=page.next_cursor)
    assert [t.subject for t in rest] == ["Ticket 2", "Ticket 1"]
    assert [t.subject for t in await tickets.list(priority="high")] == ["Ticket 3", "Ticket 1"]
    assert [t.subject for t in await tickets.list(tag="VIP")] == ["Ticket 1", "Ticket 0"]
    assert [t.subject for t in await tickets.list(assignee="ravi")] == ["Ticket 4"]
    assert len(await tickets.list(view="unassigned")) == 4
    with pytest.raises(ValidationError):
        await tickets.list(view="mine")
    await tickets.update(made[0].id, status="closed")
    assert len(await tickets.list(status="active")) == 4
    ravi = Tickets(desk, people["actors"]["ravi"])
    assert [t.subject for t in await ravi.list(view="mine")] == ["Ticket 4"]
    with pytest.raises(ValidationError) as refused:
        await tickets.list(status="sleeping", view="later")
    assert {e.field for e in refused.value.errors} == {"status", "view"}


async def test_dashboard_search_and_panels(desk: Sampark, people: dict) -> None:
    ravi_actor = people["actors"]["ravi"]
    tickets = Tickets(desk)
    await tickets.open(
        subject="Urgent outage",
        requester_id=people["contact"].id,
        priority="urgent",
        assignee="ravi",
    )
    await tickets.open(subject="Minor typo", requester_id=people["contact"].id, priority="low")
    numbers = {n.label: n for n in await desk.as_user(ravi_actor).dashboard_numbers()}
    assert numbers["my open tickets"].value == 1
    assert numbers["unassigned tickets"].value == 1
    # Urgent: first response due in 60 minutes, inside the 120-minute window.
    assert numbers["tickets breaching soon"].value == 1 and numbers["tickets breaching soon"].alert
    found = await desk.search("T-000001")
    assert [hit.title for hit in found["tickets"]] == ["T-000001 Urgent outage"]
    assert [hit.title for hit in (await desk.search("typo"))["tickets"]] == ["T-000002 Minor typo"]
    assert [hit.ref for hit in (await desk.search("2"))["tickets"]] == ["ticket:2"]
    panels = await desk.panels(people["contact"])
    assert [panel.title for panel in panels] == ["Tickets"]
    assert "T-000001" in panels[0].html and "Minor typo" in panels[0].html
    mira = desk.as_user(people["actors"]["mira"])
    assert "tickets" in await mira.search("typo")
    assert [item.label for item in desk.nav_items()] == ["Tickets"]


async def test_deleting_hides_a_ticket_and_keeps_its_number(desk: Sampark, people: dict) -> None:
    tickets = Tickets(desk)
    ticket = await tickets.open(subject="Spam", requester_id=people["contact"].id)
    await tickets.delete(ticket.id)
    with pytest.raises(NotFoundError):
        await tickets.get(ticket.id)
    assert (await tickets.open(subject="Next", requester_id=people["contact"].id)).number == (
        "T-000002"
    )


async def _rows(kernel: Sampark, sql: str) -> list[dict[str, Any]]:
    with kernel.activate():
        return await kernel.connection.execute_query_dict(sql)


async def test_the_database_refuses_unknown_statuses_and_duplicate_numbers(
    desk: Sampark, people: dict
) -> None:
    from tortoise.exceptions import IntegrityError, OperationalError

    ticket = await Tickets(desk).open(subject="Guarded", requester_id=people["contact"].id)
    with pytest.raises((IntegrityError, OperationalError)):
        await _rows(desk, f"UPDATE tickets_ticket SET status = 'lost' WHERE id = {ticket.id}")
    with pytest.raises((IntegrityError, OperationalError)):
        await _rows(
            desk,
            "INSERT INTO tickets_ticket (seq, number, subject, description, channel, priority, "
            "status, created_at, updated_at, sla_used_seconds, version) VALUES "
            "(99, 'T-000001', 'dup', '', 'email', 'normal', 'new', '2026-01-01', '2026-01-01', "
            "0, 1)",
        )
