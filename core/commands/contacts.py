"""``sampark contacts …``: add, list, show, edit, delete, restore and search people."""

from __future__ import annotations

from typing import Any

import click

from sampark.core.commands.options import (
    F,
    channel_data,
    channel_options,
    given,
    json_option,
    page_options,
)
from sampark.core.commands.records import RecordCommands
from sampark.core.commands.runner import run_with_kernel
from sampark.core.commands.views import CONTACT_HEADERS, contact_fields, contact_row


@click.group()
def contacts() -> None:
    """Manage contacts (people).

    Add, list, show, edit, delete, restore and search them.
    """


RECORDS = RecordCommands(
    entity="contact",
    headers=CONTACT_HEADERS,
    row=contact_row,
    fields=contact_fields,
    name=lambda contact: contact.display_name,
    search_help="Find contacts by any part of a name, email, phone number (any format) or tag.",
)
RECORDS.add_to(contacts)


def person_options(func: F) -> F:
    options = [
        click.option("--first", "first_name", help="First (given) name."),
        click.option("--last", "last_name", help="Last (family) name."),
        click.option(
            "--display-name", help='Name to show (default: "First Last", else the email).'
        ),
        channel_options,
        click.option("--language", help="Preferred language as a tag, e.g. hi, te-IN, en."),
        click.option("--birthday", metavar="YYYY-MM-DD", help="Date of birth."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _contact_data(values: dict[str, Any]) -> dict[str, Any]:
    channel_keys = ("emails", "phones", "tags", "owner", "notes", "fields")
    data = given(
        first_name=values["first_name"],
        last_name=values["last_name"],
        display_name=values["display_name"],
        language=values["language"],
        birthday=values["birthday"],
    )
    return {**data, **channel_data(*(values[key] for key in channel_keys))}


@contacts.command("add")
@person_options
@json_option
@click.pass_context
def add_contact(ctx: click.Context, as_json: bool, **values: Any) -> None:
    """Add a contact; it needs a name or an email.

    \b
    sampark contacts add --first आशा --last राव --email asha@example.in --tag donor
    """
    data = _contact_data(values)
    contact = run_with_kernel(ctx, lambda crm: crm.contacts.create(data))
    RECORDS.echo_saved(contact, "Added", as_json)


@contacts.command("list")
@click.option("--tag", help="Only contacts with this tag.")
@click.option("--owner", help="Only contacts owned by this username.")
@click.option("--deleted", is_flag=True, help="List deleted contacts instead.")
@page_options
@json_option
@click.pass_context
def list_contacts(
    ctx: click.Context,
    tag: str | None,
    owner: str | None,
    deleted: bool,
    limit: int,
    cursor: str | None,
    as_json: bool,
) -> None:
    """Contacts sorted by name, a page at a time."""
    page = run_with_kernel(
        ctx,
        lambda crm: crm.contacts.list(
            tag=tag, owner=owner, deleted=deleted, cursor=cursor, limit=limit
        ),
    )
    RECORDS.echo_page(page, as_json, "No contacts.")


@contacts.command("edit")
@click.argument("contact_id", type=int)
@person_options
@click.option(
    "--version",
    "version",
    type=int,
    help="Refuse the edit if the contact is no longer at this version (see `show`).",
)
@json_option
@click.pass_context
def edit_contact(
    ctx: click.Context, contact_id: int, version: int | None, as_json: bool, **values: Any
) -> None:
    """Change the given fields; --email, --phone and --tag replace the whole list."""
    data = _contact_data(values)
    if not data:
        raise click.UsageError("nothing to change: give at least one field option")
    contact = run_with_kernel(
        ctx, lambda crm: crm.contacts.update(contact_id, data, version=version)
    )
    RECORDS.echo_saved(contact, "Updated", as_json)
