"""``sampark tickets …``: open, list, show, reply to, note, assign, move, delete and restore.

Tickets are named by number: ``T-000123`` or just ``123``. Commands run as the system;
bad input exits 2 with ``error: field: problem`` lines, a missing ticket exits 1.
"""

from __future__ import annotations

from typing import Any

import click

from sampark.core.commands.options import given, json_option, page_options
from sampark.core.commands.output import (
    echo_fields,
    echo_json,
    echo_page,
    echo_table,
    say,
    when,
)
from sampark.core.commands.runner import run_with_kernel
from sampark.plugins.tickets import services
from sampark.plugins.tickets.facade import Tickets
from sampark.plugins.tickets.records import TicketRecord

HEADERS = ("number", "status", "priority", "subject", "requester", "assignee", "due")


def _row(ticket: TicketRecord) -> list[Any]:
    due = ticket.resolution_due_at if ticket.status in ("new", "open") else None
    if ticket.status in ("new", "open") and ticket.first_response_at is None:
        due = ticket.first_response_due_at
    return [
        ticket.number,
        ticket.status,
        ticket.priority,
        ticket.subject,
        ticket.requester_name,
        ticket.assignee or "-",
        when(due),
    ]


def _fields(ticket: TicketRecord) -> list[tuple[str, Any]]:
    sla = services.sla_status(ticket)
    return [
        ("number", ticket.number),
        ("subject", ticket.subject),
        ("status", ticket.status),
        ("priority", ticket.priority),
        ("channel", ticket.channel),
        ("requester", f"{ticket.requester_name} (contact {ticket.requester_id})"),
        (
            "account",
            f"{ticket.account_name} (account {ticket.account_id})" if ticket.account_id else "-",
        ),
        ("assignee", ticket.assignee or "-"),
        ("tags", list(ticket.tags)),
        ("opened", when(ticket.created_at)),
        ("first response", sla["first_response"].label),
        ("resolution", sla["resolution"].label),
        ("description", ticket.description),
    ]


def _show(ticket: TicketRecord, as_json: bool) -> None:
    if as_json:
        echo_json(ticket.to_dict())
    else:
        echo_fields(_fields(ticket))


@click.group("tickets")
def tickets() -> None:
    """Trouble tickets: numbered, with SLA clocks and replies on the requester's timeline."""


@tickets.command("open")
@click.option("--subject", required=True, help="What the ticket is about.")
@click.option("--requester", "requester_id", type=int, required=True, help="Contact id who asked.")
@click.option("--account", "account_id", type=int, help="Account id the ticket belongs to.")
@click.option("--description", help="The request in full.")
@click.option("--channel", help=f"How it came in: {', '.join(services.CHANNELS)}.")
@click.option("--priority", help=f"One of {', '.join(services.PRIORITIES)} (default normal).")
@click.option("--assignee", help="Username of the agent who works on it.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@json_option
@click.pass_context
def open_ticket(ctx: click.Context, as_json: bool, tags: tuple[str, ...], **fields: Any) -> None:
    """Open a ticket; it gets the next number (T-000001, …)."""
    data = given(**fields)
    if tags:
        data["tags"] = list(tags)
    ticket = run_with_kernel(ctx, lambda crm: Tickets(crm).open(data))
    if as_json:
        echo_json(ticket.to_dict())
    else:
        say(f"Opened {ticket.number}: {ticket.subject}")


@tickets.command("list")
@click.option("--status", help="new, open, pending, resolved, closed, or active.")
@click.option("--priority", help="low, normal, high or urgent.")
@click.option("--assignee", help="Only this user's tickets.")
@click.option("--requester", "requester_id", type=int, help="Only this contact's tickets.")
@click.option("--account", "account_id", type=int, help="Only this account's tickets.")
@click.option("--tag", help="Only tickets with this tag.")
@click.option("--channel", help="Only tickets that came in this way.")
@click.option("--unassigned", is_flag=True, help="Only active tickets nobody works on.")
@click.option("--breaching", is_flag=True, help="Only tickets due within the breach window.")
@click.option("--deleted", is_flag=True, help="Deleted tickets instead, to restore them.")
@page_options
@json_option
@click.pass_context
def list_tickets(
    ctx: click.Context, unassigned: bool, breaching: bool, as_json: bool, **filters: Any
) -> None:
    """Tickets, newest first (--breaching: soonest due first)."""
    view = "breaching" if breaching else "unassigned" if unassigned else None
    page = run_with_kernel(ctx, lambda crm: Tickets(crm).list(view=view, **filters))
    echo_page(page, as_json=as_json, headers=HEADERS, row=_row, empty="No tickets.")


@tickets.command("queue")
@json_option
@click.pass_context
def queue(ctx: click.Context, as_json: bool) -> None:
    """What needs attention: tickets breaching soon, then unassigned ones."""

    async def both(crm: Any) -> tuple[Any, Any]:
        desk = Tickets(crm)
        return await desk.list(view="breaching"), await desk.list(view="unassigned")

    breaching, unassigned = run_with_kernel(ctx, both)
    if as_json:
        echo_json({"breaching": breaching.to_dicts(), "unassigned": unassigned.to_dicts()})
        return
    click.echo("Breaching soon")
    echo_table(HEADERS, (_row(t) for t in breaching), "  none")
    click.echo("")
    click.echo("Unassigned")
    echo_table(HEADERS, (_row(t) for t in unassigned), "  none")


@tickets.command("show")
@click.argument("number")
@json_option
@click.pass_context
def show(ctx: click.Context, number: str, as_json: bool) -> None:
    """A ticket's fields, SLA and conversation (NUMBER: T-000123 or 123)."""

    async def load(crm: Any) -> tuple[Any, Any]:
        desk = Tickets(crm)
        ticket = await desk.find(number)
        return ticket, await desk.conversation(ticket.id)

    ticket, messages = run_with_kernel(ctx, load)
    if as_json:
        echo_json({**ticket.to_dict(), "conversation": [m.to_dict() for m in messages]})
        return
    echo_fields(_fields(ticket))
    if messages:
        click.echo("")
        echo_table(
            ("when", "kind", "author", "minutes", "text"),
            (
                [
                    when(m.at),
                    "note" if m.internal else "reply",
                    m.author or "-",
                    m.minutes or "",
                    m.body,
                ]
                for m in messages
            ),
            "",
        )


def _message_command(name: str, internal: bool, help_text: str) -> click.Command:
    @click.command(name, help=help_text)
    @click.argument("number")
    @click.argument("body")
    @click.option("--minutes", type=int, help="Time spent, in minutes.")
    @click.option("--status", help="Change the status at once (e.g. pending, resolved).")
    @json_option
    @click.pass_context
    def command(
        ctx: click.Context,
        number: str,
        body: str,
        minutes: int | None,
        status: str | None,
        as_json: bool,
    ) -> None:
        async def write(crm: Any) -> TicketRecord:
            desk = Tickets(crm)
            ticket = await desk.find(number)
            if internal:
                return await desk.note(ticket.id, body, minutes=minutes, status=status)
            return await desk.reply(ticket.id, body, minutes=minutes, status=status)

        ticket = run_with_kernel(ctx, write)
        if as_json:
            echo_json(ticket.to_dict())
        else:
            click.echo(
                f"{'Noted on' if internal else 'Replied to'} {ticket.number} ({ticket.status})"
            )

    return command


tickets.add_command(
    _message_command("reply", False, "Reply to the requester of ticket NUMBER with BODY.")
)
tickets.add_command(_message_command("note", True, "Add an internal note BODY to ticket NUMBER."))


def _change(ctx: click.Context, number: str, data: dict[str, Any]) -> TicketRecord:
    async def write(crm: Any) -> TicketRecord:
        desk = Tickets(crm)
        ticket = await desk.find(number)
        return await desk.update(ticket.id, data)

    return run_with_kernel(ctx, write)


@tickets.command("assign")
@click.argument("number")
@click.argument("username", required=False)
@click.option("--nobody", is_flag=True, help="Unassign the ticket.")
@json_option
@click.pass_context
def assign(
    ctx: click.Context, number: str, username: str | None, nobody: bool, as_json: bool
) -> None:
    """Give ticket NUMBER to USERNAME (or --nobody)."""
    if not nobody and not username:
        raise click.UsageError("name a USERNAME or pass --nobody")
    ticket = _change(ctx, number, {"assignee": None if nobody else username})
    if as_json:
        echo_json(ticket.to_dict())
    else:
        click.echo(f"{ticket.number} is assigned to {ticket.assignee or 'nobody'}")


@tickets.command("status")
@click.argument("number")
@click.argument("status")
@json_option
@click.pass_context
def set_status(ctx: click.Context, number: str, status: str, as_json: bool) -> None:
    """Move ticket NUMBER to STATUS (open, pending, resolved, closed; reopen with open)."""
    ticket = _change(ctx, number, {"status": status})
    _show(ticket, as_json) if as_json else click.echo(f"{ticket.number} is {ticket.status}")


@tickets.command("edit")
@click.argument("number")
@click.option("--subject")
@click.option("--description")
@click.option("--priority")
@click.option("--channel")
@click.option("--account", "account_id", type=int)
@click.option("--tag", "tags", multiple=True, help="Replace the tags (repeat for more).")
@json_option
@click.pass_context
def edit(
    ctx: click.Context, number: str, tags: tuple[str, ...], as_json: bool, **fields: Any
) -> None:
    """Change fields of ticket NUMBER (only those given)."""
    data = given(**fields)
    if tags:
        data["tags"] = list(tags)
    _show(_change(ctx, number, data), as_json)


@tickets.command("delete")
@click.argument("number")
@click.option("--version", "version", type=int, help="Refuse if changed since this version.")
@click.pass_context
def delete(ctx: click.Context, number: str, version: int | None) -> None:
    """Delete ticket NUMBER: out of every list and queue; its number stays taken."""

    async def write(crm: Any) -> TicketRecord:
        desk = Tickets(crm)
        return await desk.delete((await desk.find(number)).id, version=version)

    ticket = run_with_kernel(ctx, write)
    say(f"{ticket.number} deleted (undo: sampark tickets restore {ticket.number})")


@tickets.command("restore")
@click.argument("number")
@click.pass_context
def restore(ctx: click.Context, number: str) -> None:
    """Bring deleted ticket NUMBER back, as it was."""

    async def write(crm: Any) -> TicketRecord:
        desk = Tickets(crm)
        return await desk.restore((await desk.find(number, include_deleted=True)).id)

    ticket = run_with_kernel(ctx, write)
    say(f"{ticket.number} restored: {ticket.subject}")
