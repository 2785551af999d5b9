"""``sampark accounts …``: add, list, show, edit, delete, restore and search organisations."""

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
from sampark.core.commands.views import ACCOUNT_HEADERS, account_fields, account_row


@click.group()
def accounts() -> None:
    """Manage accounts (organisations).

    Add, list, show, edit, delete, restore and search them.
    """


RECORDS = RecordCommands(
    entity="account",
    headers=ACCOUNT_HEADERS,
    row=account_row,
    fields=account_fields,
    name=lambda account: account.name,
    search_help="Find accounts by any part of a name, email, phone number, website or tag.",
)
RECORDS.add_to(accounts)


def organisation_options(func: F) -> F:
    options = [
        click.option("--name", help="The organisation's name."),
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            help="customer, supplier, partner, competitor, prospect, other or a configured "
            "kind (repeatable; on edit, replaces all).",
        ),
        click.option("--website", help="Web address, e.g. example.in."),
        click.option("--registration-number", help="Company registration number."),
        click.option("--vat-number", help="VAT or GST number."),
        click.option("--parent", "parent_id", metavar="ACCOUNT_ID", help="Parent account's id."),
        channel_options,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _account_data(values: dict[str, Any]) -> dict[str, Any]:
    channel_keys = ("emails", "phones", "tags", "owner", "notes", "fields")
    data = given(
        name=values["name"],
        website=values["website"],
        registration_number=values["registration_number"],
        vat_number=values["vat_number"],
        parent_id=values["parent_id"],
    )
    if values["kinds"]:
        data["kinds"] = list(values["kinds"])
    return {**data, **channel_data(*(values[key] for key in channel_keys))}


@accounts.command("add")
@organisation_options
@json_option
@click.pass_context
def add_account(ctx: click.Context, as_json: bool, **values: Any) -> None:
    """Add an account; it needs a name.

    \b
    sampark accounts add --name "Sundar Textiles" --kind customer --website sundar.example.in
    """
    data = _account_data(values)
    account = run_with_kernel(ctx, lambda crm: crm.accounts.create(data))
    RECORDS.echo_saved(account, "Added", as_json)


@accounts.command("list")
@click.option("--tag", help="Only accounts with this tag.")
@click.option("--kind", help="Only accounts of this kind.")
@click.option("--owner", help="Only accounts owned by this username.")
@click.option("--deleted", is_flag=True, help="List deleted accounts instead.")
@page_options
@json_option
@click.pass_context
def list_accounts(
    ctx: click.Context,
    tag: str | None,
    kind: str | None,
    owner: str | None,
    deleted: bool,
    limit: int,
    cursor: str | None,
    as_json: bool,
) -> None:
    """Accounts sorted by name, a page at a time."""
    page = run_with_kernel(
        ctx,
        lambda crm: crm.accounts.list(
            tag=tag, kind=kind, owner=owner, deleted=deleted, cursor=cursor, limit=limit
        ),
    )
    RECORDS.echo_page(page, as_json, "No accounts.")


@accounts.command("edit")
@click.argument("account_id", type=int)
@organisation_options
@click.option(
    "--version",
    "version",
    type=int,
    help="Refuse the edit if the account is no longer at this version (see `show`).",
)
@json_option
@click.pass_context
def edit_account(
    ctx: click.Context, account_id: int, version: int | None, as_json: bool, **values: Any
) -> None:
    """Change the given fields; --kind, --email, --phone and --tag replace the whole list."""
    data = _account_data(values)
    if not data:
        raise click.UsageError("nothing to change: give at least one field option")
    account = run_with_kernel(
        ctx, lambda crm: crm.accounts.update(account_id, data, version=version)
    )
    RECORDS.echo_saved(account, "Updated", as_json)
