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
from sampark.core.commands.output import echo_fields, echo_json, echo_page
from sampark.core.commands.runner import run_with_kernel
from sampark.core.commands.views import ACCOUNT_HEADERS, account_fields, account_row
from sampark.core.kernel import Sampark
from sampark.core.records import AccountRecord


@click.group()
def accounts() -> None:
    """Manage accounts (organisations).

    Add, list, show, edit, delete, restore and search them.
    """


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


def _echo_saved(account: AccountRecord, verb: str, as_json: bool) -> None:
    if as_json:
        echo_json(account.to_dict())
    else:
        click.echo(f"{verb} account {account.id}: {account.name} (version {account.version})")


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
    _echo_saved(account, "Added", as_json)


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
    echo_page(page, as_json=as_json, headers=ACCOUNT_HEADERS, row=account_row, empty="No accounts.")


@accounts.command("show")
@click.argument("account_id", type=int)
@json_option
@click.pass_context
def show_account(ctx: click.Context, account_id: int, as_json: bool) -> None:
    """Every field of an account, with the contacts linked to it (deleted ones too)."""

    async def load(crm: Sampark) -> tuple[Any, ...]:
        account = await crm.accounts.get(account_id, include_deleted=True)
        return account, await crm.links.of_account(account_id), crm.custom_fields["account"]

    account, links, specs = run_with_kernel(ctx, load)
    if as_json:
        echo_json({**account.to_dict(), "links": links.to_dicts()})
    else:
        echo_fields(account_fields(account, links, specs))


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
    _echo_saved(account, "Updated", as_json)


@accounts.command("delete")
@click.argument("account_id", type=int)
@click.pass_context
def delete_account(ctx: click.Context, account_id: int) -> None:
    """Delete an account (restorable: it only leaves lists and search)."""
    run_with_kernel(ctx, lambda crm: crm.accounts.delete(account_id))
    click.echo(f"Deleted account {account_id} (undo with: sampark accounts restore {account_id})")


@accounts.command("restore")
@click.argument("account_id", type=int)
@json_option
@click.pass_context
def restore_account(ctx: click.Context, account_id: int, as_json: bool) -> None:
    """Bring a deleted account back."""
    account = run_with_kernel(ctx, lambda crm: crm.accounts.restore(account_id))
    _echo_saved(account, "Restored", as_json)


@accounts.command("search")
@click.argument("query")
@click.option(
    "--limit", type=click.IntRange(1, 500), default=20, show_default=True, help="Most results."
)
@json_option
@click.pass_context
def search_accounts(ctx: click.Context, query: str, limit: int, as_json: bool) -> None:
    """Find accounts by any part of a name, email, phone number, website or tag."""
    page = run_with_kernel(ctx, lambda crm: crm.accounts.search(query, limit=limit))
    echo_page(
        page, as_json=as_json, headers=ACCOUNT_HEADERS, row=account_row, empty="No accounts found."
    )
