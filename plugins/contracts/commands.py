"""``sampark contracts …``: add, list, show, edit, delete and restore service contracts.

Present only while the contracts plugin is enabled. Commands run as the system (like
core's); refused input exits 2 with one ``error: field: problem`` line per problem.
"""

from __future__ import annotations

from typing import Any

import click

from sampark.core.commands.options import F, given, json_option, page_options
from sampark.core.commands.output import echo_fields, echo_json, echo_page, echo_table, say
from sampark.core.commands.runner import run_with_kernel
from sampark.core.kernel import Sampark
from sampark.plugins.contracts.facade import Contracts
from sampark.plugins.contracts.records import STATUSES, UNITS, ContractRecord

HEADERS = ("id", "name", "reference", "account", "used", "status", "warnings")


def contract_row(contract: ContractRecord) -> list[Any]:
    return [
        contract.id,
        contract.name,
        contract.reference,
        contract.account_name,
        contract.usage_text,
        contract.status,
        ", ".join(contract.warnings),
    ]


@click.group()
def contracts() -> None:
    """Service contracts: incidents or hours included for an account, used by its tickets."""


def contract_options(func: F) -> F:
    options = [
        click.option("--account", "account_id", metavar="ACCOUNT_ID", help="The account's id."),
        click.option("--name", help="What the contract is called, e.g. 'Gold support 2026'."),
        click.option("--reference", help="Your reference for it, e.g. AMC-2026-014 (unique)."),
        click.option("--start", "start_date", metavar="DATE", help="First day, e.g. 2026-04-01."),
        click.option(
            "--end", "end_date", metavar="DATE", help="Last day; give '' for no end date."
        ),
        click.option("--unit", type=click.Choice(UNITS), help="What it counts."),
        click.option(
            "--units",
            "units_included",
            metavar="AMOUNT",
            help="Incidents or hours included, e.g. 10 or 7.5.",
        ),
        click.option("--notes", help="Anything worth knowing about it."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _data(values: dict[str, Any]) -> dict[str, Any]:
    return given(**{key: values[key] for key in values})


def _echo_saved(contract: ContractRecord, verb: str, as_json: bool) -> None:
    if as_json:
        echo_json(contract.to_dict())
    else:
        say(
            f"{verb} contract {contract.id}: {contract.name} — {contract.usage_text}, "
            f"{contract.status} (version {contract.version})"
        )


@contracts.command("add")
@contract_options
@json_option
@click.pass_context
def add_contract(ctx: click.Context, as_json: bool, **values: Any) -> None:
    """Add a contract; it needs an account, a name, a unit and the units included.

    \b
    sampark contracts add --account 7 --name "Gold support" --unit incidents --units 10 \\
        --start 2026-04-01 --end 2027-03-31 --reference AMC-2026-014
    """
    data = _data(values)
    contract = run_with_kernel(ctx, lambda crm: Contracts.of(crm).create(data))
    _echo_saved(contract, "Added", as_json)


@contracts.command("list")
@click.option("--account", "account_id", type=int, help="Only this account's contracts.")
@click.option("--status", type=click.Choice(STATUSES), help="Only contracts with this status.")
@click.option("--attention", is_flag=True, help="Only in-date contracts near exhaustion or expiry.")
@click.option("--deleted", is_flag=True, help="Deleted contracts instead, to restore them.")
@page_options
@json_option
@click.pass_context
def list_contracts(
    ctx: click.Context,
    account_id: int | None,
    status: str | None,
    attention: bool,
    deleted: bool,
    limit: int,
    cursor: str | None,
    as_json: bool,
) -> None:
    """Contracts sorted by name, a page at a time, with their usage and warnings."""
    page = run_with_kernel(
        ctx,
        lambda crm: Contracts.of(crm).list(
            account_id=account_id,
            status=status,
            attention=attention,
            deleted=deleted,
            cursor=cursor,
            limit=limit,
        ),
    )
    echo_page(page, as_json=as_json, headers=HEADERS, row=contract_row, empty="No contracts.")


@contracts.command("show")
@click.argument("contract_id", type=int)
@json_option
@click.pass_context
def show_contract(ctx: click.Context, contract_id: int, as_json: bool) -> None:
    """Every field of a contract, with the tickets charged to it."""

    async def load(crm: Sampark) -> tuple[Any, ...]:
        facade = Contracts.of(crm)
        return await facade.get(contract_id), await facade.tickets(contract_id)

    contract, tickets = run_with_kernel(ctx, load)
    if as_json:
        echo_json({**contract.to_dict(), "tickets": [ticket.to_dict() for ticket in tickets]})
        return
    echo_fields(
        [
            ("id", contract.id),
            ("name", contract.name),
            ("reference", contract.reference or "-"),
            ("account", f"{contract.account_name} ({contract.account_id})"),
            ("dates", f"{contract.start_date} to {contract.end_date or 'no end'}"),
            ("used", contract.usage_text),
            ("status", contract.status),
            ("warnings", list(contract.warnings)),
            ("notes", contract.notes),
            ("version", contract.version),
        ]
    )
    click.echo()
    echo_table(
        ("ticket", "subject", "status", "used"),
        (
            [ticket.number or ticket.ticket_id, ticket.title, ticket.status, ticket.units_used]
            for ticket in tickets
        ),
        "No tickets charged to this contract.",
    )


@contracts.command("edit")
@click.argument("contract_id", type=int)
@contract_options
@click.option(
    "--version",
    "version",
    type=int,
    help="Refuse the edit if the contract is no longer at this version (see `show`).",
)
@json_option
@click.pass_context
def edit_contract(
    ctx: click.Context, contract_id: int, version: int | None, as_json: bool, **values: Any
) -> None:
    """Change the given fields (the account and unit only while nothing is used)."""
    data = _data(values)
    if not data:
        raise click.UsageError("nothing to change: give at least one field option")
    contract = run_with_kernel(
        ctx, lambda crm: Contracts.of(crm).update(contract_id, data, version=version)
    )
    _echo_saved(contract, "Updated", as_json)


@contracts.command("delete")
@click.argument("contract_id", type=int)
@click.option("--version", "version", type=int, help="Refuse if changed since this version.")
@click.pass_context
def delete_contract(ctx: click.Context, contract_id: int, version: int | None) -> None:
    """Delete a contract: out of every list and charged no more, until restored."""
    run_with_kernel(ctx, lambda crm: Contracts.of(crm).delete(contract_id, version=version))
    click.echo(f"Deleted contract {contract_id} (undo: sampark contracts restore {contract_id})")


@contracts.command("restore")
@click.argument("contract_id", type=int)
@click.option("--version", "version", type=int, help="Refuse if changed since this version.")
@json_option
@click.pass_context
def restore_contract(
    ctx: click.Context, contract_id: int, version: int | None, as_json: bool
) -> None:
    """Bring a deleted contract back, with its usage and tickets as they were."""
    contract = run_with_kernel(
        ctx, lambda crm: Contracts.of(crm).restore(contract_id, version=version)
    )
    _echo_saved(contract, "Restored", as_json)
