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
from sampark.core.commands.output import echo_fields, echo_json, echo_page
from sampark.core.commands.runner import run_with_kernel
from sampark.core.commands.views import CONTACT_HEADERS, contact_fields, contact_row
from sampark.core.kernel import Sampark
from sampark.core.records import ContactRecord


@click.group()
def contacts() -> None:
    """Manage contacts (people).

    Add, list, show, edit, delete, restore and search them.
    """


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


def _echo_saved(contact: ContactRecord, verb: str, as_json: bool) -> None:
    if as_json:
        echo_json(contact.to_dict())
    else:
        name, version = contact.display_name, contact.version
        click.echo(f"{verb} contact {contact.id}: {name} (version {version})")


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
    _echo_saved(contact, "Added", as_json)


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
    echo_page(page, as_json=as_json, headers=CONTACT_HEADERS, row=contact_row, empty="No contacts.")


@contacts.command("show")
@click.argument("contact_id", type=int)
@json_option
@click.pass_context
def show_contact(ctx: click.Context, contact_id: int, as_json: bool) -> None:
    """Every field of a contact, with the accounts it is linked to (deleted ones too)."""

    async def load(crm: Sampark) -> tuple[Any, ...]:
        contact = await crm.contacts.get(contact_id, include_deleted=True)
        return contact, await crm.links.of_contact(contact_id), crm.custom_fields["contact"]

    contact, links, specs = run_with_kernel(ctx, load)
    if as_json:
        echo_json({**contact.to_dict(), "links": links.to_dicts()})
    else:
        echo_fields(contact_fields(contact, links, specs))


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
    _echo_saved(contact, "Updated", as_json)


@contacts.command("delete")
@click.argument("contact_id", type=int)
@click.pass_context
def delete_contact(ctx: click.Context, contact_id: int) -> None:
    """Delete a contact (restorable: it only leaves lists and search)."""
    run_with_kernel(ctx, lambda crm: crm.contacts.delete(contact_id))
    click.echo(f"Deleted contact {contact_id} (undo with: sampark contacts restore {contact_id})")


@contacts.command("restore")
@click.argument("contact_id", type=int)
@json_option
@click.pass_context
def restore_contact(ctx: click.Context, contact_id: int, as_json: bool) -> None:
    """Bring a deleted contact back."""
    contact = run_with_kernel(ctx, lambda crm: crm.contacts.restore(contact_id))
    _echo_saved(contact, "Restored", as_json)


@contacts.command("search")
@click.argument("query")
@click.option(
    "--limit", type=click.IntRange(1, 500), default=20, show_default=True, help="Most results."
)
@json_option
@click.pass_context
def search_contacts(ctx: click.Context, query: str, limit: int, as_json: bool) -> None:
    """Find contacts by any part of a name, email, phone number (any format) or tag."""
    page = run_with_kernel(ctx, lambda crm: crm.contacts.search(query, limit=limit))
    echo_page(
        page, as_json=as_json, headers=CONTACT_HEADERS, row=contact_row, empty="No contacts found."
    )
