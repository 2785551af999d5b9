"""The hooks tickets publish: other plugins join the ticket's transaction, or refuse it."""

from __future__ import annotations

from typing import Any

import pytest

from sampark import hookimpl
from sampark.core.errors import ValidationError
from sampark.core.kernel import Sampark
from sampark.core.sql import fetch
from sampark.plugins.tickets.facade import Tickets
from sampark.plugins.tickets.records import TicketRecord


class Probe:
    """A plugin that writes an audit-like row through ``conn`` and may refuse writes."""

    def __init__(self) -> None:
        self.written: list[tuple[str | None, str, str | None]] = []
        self.logged: list[tuple[str, int]] = []
        self.refuse: str | None = None

    @hookimpl
    async def ticket_written(
        self, kernel: Any, conn: Any, ticket: Any, previous: Any, actor: Any
    ) -> None:
        assert isinstance(ticket, TicketRecord)
        assert previous is None or isinstance(previous, TicketRecord)
        # The ticket row is already written in this transaction.
        rows = await fetch(conn, "SELECT version FROM tickets_ticket WHERE id = ?", [ticket.id])
        assert rows[0]["version"] == ticket.version
        self.written.append((previous and previous.status, ticket.status, actor.username))
        if self.refuse and self.refuse in ticket.subject:
            raise ValidationError.single("subject", "refused by probe")

    @hookimpl
    def ticket_time_logged(self, ticket: Any, minutes: int) -> None:
        self.logged.append((ticket.number, minutes))

    @hookimpl
    def ticket_panels(self, ticket: Any, actor: Any) -> list[Any]:
        from sampark.core.contributions import Panel

        return [Panel("Probe", f"<p>{ticket.number}</p>")]


@pytest.fixture
def probe(desk: Sampark) -> Probe:
    plugin = Probe()
    desk.plugins.pm.register(plugin, name="probe")
    return plugin


async def test_ticket_written_hears_creates_and_changes(
    desk: Sampark, people: dict, probe: Probe
) -> None:
    tickets = Tickets(desk)
    ticket = await tickets.open(subject="Hello", requester_id=people["contact"].id)
    await tickets.update(ticket.id, status="pending")
    await tickets.reply(ticket.id, "Answer", minutes=25)
    await tickets.note(ticket.id, "No time")
    assert probe.written == [
        (None, "new", "system"),
        ("new", "pending", "system"),
        ("pending", "pending", "system"),
        ("pending", "pending", "system"),
    ]
    assert probe.logged == [("T-000001", 25)]
    panels = await desk.plugins.acollect("ticket_panels", kernel=desk, ticket=ticket, actor=None)
    assert [c.item.title for c in panels] == ["Probe"]


async def test_a_refusing_plugin_rolls_back_the_whole_write(
    desk: Sampark, people: dict, probe: Probe
) -> None:
    tickets = Tickets(desk)
    probe.refuse = "Forbidden"
    with pytest.raises(ValidationError):
        await tickets.open(subject="Forbidden", requester_id=people["contact"].id)
    # The number was not used up: the counter rolled back with the ticket.
    assert (await tickets.open(subject="Fine", requester_id=people["contact"].id)).number == (
        "T-000001"
    )
    probe.refuse = None
    ticket = await tickets.open(subject="Later Forbidden", requester_id=people["contact"].id)
    probe.refuse = "Forbidden"
    with pytest.raises(ValidationError):
        await tickets.reply(ticket.id, "This reply must vanish", minutes=5)
    # Core's interaction (a savepoint inside our transaction) rolled back with it.
    with desk.activate():
        found = await fetch(desk.connection, "SELECT COUNT(*) AS n FROM core_interaction")
        links = await fetch(desk.connection, "SELECT COUNT(*) AS n FROM tickets_ticket_interaction")
    assert (found[0]["n"], links[0]["n"]) == (0, 0)
    current = await tickets.get(ticket.id)
    assert current.first_response_at is None and current.version == ticket.version
    assert probe.logged == []
