"""Who works where and what happened: ``link``, ``unlink``, ``log``, ``followups``, ``timeline``.

Date-times typed without a time zone are the user's local time; they are stored in UTC
and shown in local time again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from sampark.core.commands.options import (
    LOCAL_DATETIME,
    given,
    json_option,
    page_options,
    subject_ref,
)
from sampark.core.commands.output import echo_fields, echo_json, echo_page, say
from sampark.core.commands.runner import run_with_kernel
from sampark.core.commands.views import (
    INTERACTION_HEADERS,
    TIMELINE_HEADERS,
    followup_row,
    interaction_fields,
    link_line,
    timeline_row,
)
from sampark.core.records import InteractionRecord


@click.command("link")
@click.argument("contact_id", type=int)
@click.argument("account_id", type=int)
@click.option("--role", default="", help="Role or title at the account, e.g. Buyer.")
@click.option("--primary", is_flag=True, help="Make this the contact's main account.")
@click.option("--start", "start_date", metavar="YYYY-MM-DD", help="Since when.")
@click.option("--end", "end_date", metavar="YYYY-MM-DD", help="Until when.")
@json_option
@click.pass_context
def link(
    ctx: click.Context,
    contact_id: int,
    account_id: int,
    role: str,
    primary: bool,
    start_date: str | None,
    end_date: str | None,
    as_json: bool,
) -> None:
    """Link a contact to an account (where they work).

    A contact may hold several roles at one account; --primary marks their main one.
    """
    record = run_with_kernel(
        ctx,
        lambda crm: crm.links.create(
            contact_id,
            account_id,
            role=role,
            primary=primary,
            start_date=start_date,
            end_date=end_date,
        ),
    )
    if as_json:
        echo_json(record.to_dict())
    else:
        say(f"Linked {record.contact_name} to {link_line(record, from_contact=True)}")


@click.command("unlink")
@click.argument("link_id", type=int)
@click.pass_context
def unlink(ctx: click.Context, link_id: int) -> None:
    """Remove a contact-account link.

    LINK_ID is shown by `link` and by `contacts show`.
    """
    run_with_kernel(ctx, lambda crm: crm.links.delete(link_id))
    click.echo(f"Removed link {link_id}")


def _echo_interaction(record: InteractionRecord, verb: str, as_json: bool) -> None:
    if as_json:
        echo_json(record.to_dict())
        return
    click.echo(f"{verb} {record.kind} {record.id}")
    echo_fields(interaction_fields(record))


@click.command("log")
@click.argument("kind")
@click.option("--contact", "contacts", type=int, multiple=True, help="Contact id (repeatable).")
@click.option("--account", "accounts", type=int, multiple=True, help="Account id (repeatable).")
@click.option("--subject", help="One line saying what it was about.")
@click.option("--body", help="The full text or notes.")
@click.option("--outcome", help="What came of it.")
@click.option("--direction", help="inbound or outbound.")
@click.option("--at", "occurred_at", type=LOCAL_DATETIME, help="When it happened (default: now).")
@click.option("--duration", "duration_minutes", type=int, help="How long, in minutes.")
@click.option("--planned", is_flag=True, help="Plan it as a follow-up instead (needs --due).")
@click.option("--due", "due_at", type=LOCAL_DATETIME, help="When a planned follow-up is due.")
@click.option("--author", help="Username of who logged it (the follow-up's owner).")
@json_option
@click.pass_context
def log(
    ctx: click.Context,
    kind: str,
    contacts: tuple[int, ...],
    accounts: tuple[int, ...],
    planned: bool,
    as_json: bool,
    **values: Any,
) -> None:
    """Log an interaction of KIND, or plan a follow-up.

    KIND is call, email, meeting, note, message or a configured kind; --planned
    (or --due) plans it instead of recording it as done.

    \b
    sampark log call --contact 1 --subject "Discussed the order" --outcome "Sends PO Friday"
    sampark log call --contact 1 --planned --due 2026-12-01T10:00 --subject "Chase the PO"
    """
    data = {"kind": kind, "contacts": list(contacts), "accounts": list(accounts), **given(**values)}
    if planned or values["due_at"] is not None:
        data["status"] = "planned"
    record = run_with_kernel(ctx, lambda crm: crm.interactions.log(data))
    _echo_interaction(record, "Planned" if record.status == "planned" else "Logged", as_json)


@click.group("followups", invoke_without_command=True)
@click.option("--due-before", type=LOCAL_DATETIME, help="Only those due before this moment.")
@click.option("--owner", help="Only those logged by this username.")
@page_options
@json_option
@click.pass_context
def followups(
    ctx: click.Context,
    due_before: dt.datetime | None,
    owner: str | None,
    limit: int,
    cursor: str | None,
    as_json: bool,
) -> None:
    """List planned follow-ups; `followups done ID` completes one.

    Soonest due first, overdue ones included.
    """
    if ctx.invoked_subcommand is not None:
        return
    page = run_with_kernel(
        ctx,
        lambda crm: crm.interactions.followups(
            due_before=due_before, owner=owner, cursor=cursor, limit=limit
        ),
    )
    echo_page(
        page,
        as_json=as_json,
        headers=INTERACTION_HEADERS,
        row=followup_row,
        empty="No follow-ups planned.",
    )


@followups.command("done")
@click.argument("interaction_id", type=int)
@click.option("--outcome", default="", help="What came of it.")
@click.option("--at", "occurred_at", type=LOCAL_DATETIME, help="When it was done (default: now).")
@json_option
@click.pass_context
def done(
    ctx: click.Context,
    interaction_id: int,
    outcome: str,
    occurred_at: dt.datetime | None,
    as_json: bool,
) -> None:
    """Mark the planned interaction ID done."""
    record = run_with_kernel(
        ctx,
        lambda crm: crm.interactions.complete(
            interaction_id, outcome=outcome, occurred_at=occurred_at
        ),
    )
    _echo_interaction(record, "Done:", as_json)


@click.command("timeline")
@click.argument("subject", metavar="SUBJECT")
@page_options
@json_option
@click.pass_context
def timeline(
    ctx: click.Context, subject: str, limit: int, cursor: str | None, as_json: bool
) -> None:
    """A contact's or account's history, newest first.

    SUBJECT is contact:ID or account:ID (also c:ID, a:ID, or a bare contact ID).
    """
    ref = subject_ref(subject)
    page = run_with_kernel(ctx, lambda crm: crm.timeline(ref, cursor=cursor, limit=limit))
    echo_page(
        page, as_json=as_json, headers=TIMELINE_HEADERS, row=timeline_row, empty="Nothing yet."
    )


COMMANDS = (link, unlink, log, followups, timeline)
