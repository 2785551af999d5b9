"""``sampark deals …`` and ``sampark forecast``: the pipeline from the command line.

Commands run as the system. Values are passed to the services as typed, so the CLI
refuses bad input exactly like the web pages and the API (``error: field: problem``, exit 2).
"""

from __future__ import annotations

from typing import Any

import click

from sampark.core.commands.options import json_option, page_options
from sampark.core.commands.output import echo_fields, echo_json, echo_page, echo_table, say
from sampark.core.commands.runner import reported_errors, run_with_kernel, settings_for
from sampark.core.kernel import Sampark
from sampark.core.records import to_jsonable
from sampark.plugins.pipeline.facade import Deals
from sampark.plugins.pipeline.faces import money
from sampark.plugins.pipeline.records import DealRecord

DEAL_HEADERS = ("id", "title", "stage", "amount", "prob", "close", "owner", "account")


def deal_row(deal: DealRecord) -> list[Any]:
    return [
        deal.id,
        deal.title,
        deal.stage_name,
        money(deal.amount, deal.currency),
        f"{deal.probability}%",
        deal.expected_close.isoformat() if deal.expected_close else "",
        deal.owner or "",
        deal.account_name,
    ]


def _show(deal: DealRecord, as_json: bool, history: list[Any] | None = None) -> None:
    if as_json:
        data = deal.to_dict()
        if history is not None:
            data["history"] = to_jsonable(history)
        echo_json(data)
        return
    echo_fields(
        [
            ("id", deal.id),
            ("title", deal.title),
            ("pipeline", deal.pipeline),
            ("stage", f"{deal.stage_name} ({deal.status})"),
            ("amount", money(deal.amount, deal.currency)),
            ("probability", f"{deal.probability}%"),
            ("weighted", money(deal.weighted, deal.currency)),
            ("expected close", deal.expected_close.isoformat() if deal.expected_close else ""),
            ("closed on", deal.closed_on.isoformat() if deal.closed_on else ""),
            ("lost reason", deal.lost_reason),
            ("owner", deal.owner or ""),
            ("account", f"{deal.account_name} ({deal.account_id})" if deal.account_id else ""),
            ("contacts", [str(c) for c in deal.contact_ids]),
            ("source", deal.source),
            ("notes", deal.notes),
            ("version", deal.version),
        ]
    )
    if history:
        click.echo("")
        echo_table(
            ("when", "from", "to", "by"),
            [[h.at, h.from_stage or "-", h.to_stage, h.by] for h in history],
            "",
        )


def _deal_options(func: Any) -> Any:
    """The fields of a deal, as options of ``add`` and ``edit``."""
    options = [
        click.option("--amount", help="The amount, e.g. 1250.50 (never rounded)."),
        click.option("--currency", help="ISO 4217 code; default: the deployment's currency."),
        click.option("--account", help="The id of the account the deal is with."),
        click.option("--contact", "contacts", multiple=True, help="A contact's id (repeatable)."),
        click.option("--pipeline", help="The pipeline's key (see `sampark deals stages`)."),
        click.option("--stage", help="The stage's key (see `sampark deals stages`)."),
        click.option("--probability", help="Percent; default: the stage's."),
        click.option("--close", "expected_close", metavar="YYYY-MM-DD", help="Expected close."),
        click.option("--owner", help="Username of who owns the deal."),
        click.option("--source", help="Where the deal came from, e.g. referral."),
        click.option("--notes", help="Free text."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _data(**values: Any) -> dict[str, Any]:
    data = {key: value for key, value in values.items() if value not in (None, ())}
    if "contacts" in data:
        data["contacts"] = list(data["contacts"])
    return data


@click.group()
def deals() -> None:
    """Deals in the sales pipeline: add, list, show, edit, move, win, lose, delete, restore."""


@deals.command("add")
@click.argument("title")
@_deal_options
@json_option
@click.pass_context
def add(ctx: click.Context, title: str, as_json: bool, **values: Any) -> None:
    """Open a deal called TITLE (in the first stage unless --stage)."""
    deal = run_with_kernel(ctx, lambda crm: Deals(crm).create(_data(title=title, **values)))
    if as_json:
        _show(deal, True)
    else:
        say(f"deal {deal.id} opened: {deal.title} ({deal.stage_name})")


@deals.command("list")
@click.option("--pipeline", help="Only this pipeline.")
@click.option("--stage", help="Only this stage.")
@click.option("--owner", help="Only deals this user owns.")
@click.option("--status", help="open, won or lost.")
@click.option("--account", type=int, help="Only deals with this account.")
@click.option("--contact", type=int, help="Only deals with this contact.")
@click.option("--deleted", is_flag=True, help="Deleted deals instead, to restore them.")
@page_options
@json_option
@click.pass_context
def list_deals(ctx: click.Context, as_json: bool, **filters: Any) -> None:
    """Deals, newest first."""
    page = run_with_kernel(ctx, lambda crm: Deals(crm).list(**filters))
    echo_page(page, as_json=as_json, headers=DEAL_HEADERS, row=deal_row, empty="no deals")


@deals.command("show")
@click.argument("deal_id", type=int)
@json_option
@click.pass_context
def show(ctx: click.Context, deal_id: int, as_json: bool) -> None:
    """A deal and every stage it went through."""

    async def load(crm: Sampark) -> tuple[DealRecord, list[Any]]:
        api = Deals(crm)
        return await api.get(deal_id), await api.history(deal_id)

    deal, history = run_with_kernel(ctx, load)
    _show(deal, as_json, history)


@deals.command("edit")
@click.argument("deal_id", type=int)
@click.option("--title", help="A new title.")
@click.option("--reason", "lost_reason", help="Why a lost deal was lost.")
@_deal_options
@click.option("--version", type=int, help="Refuse if the deal changed since this version.")
@json_option
@click.pass_context
def edit(
    ctx: click.Context, deal_id: int, version: int | None, as_json: bool, **values: Any
) -> None:
    """Change a deal's fields (only those given); --contact replaces the contacts."""
    data = _data(**values)
    deal = run_with_kernel(ctx, lambda crm: Deals(crm).update(deal_id, data, version=version))
    _show(deal, as_json) if as_json else click.echo(
        f"deal {deal.id} saved (version {deal.version})"
    )


@deals.command("move")
@click.argument("deal_id", type=int)
@click.argument("stage")
@click.option("--probability", help="Percent; default: the new stage's.")
@click.option("--reason", help="Why, when moving to the lost stage.")
@json_option
@click.pass_context
def move(
    ctx: click.Context,
    deal_id: int,
    stage: str,
    probability: str | None,
    reason: str | None,
    as_json: bool,
) -> None:
    """Move a deal to STAGE (a stage key of its pipeline)."""
    deal = run_with_kernel(
        ctx,
        lambda crm: Deals(crm).move(deal_id, stage, probability=probability, reason=reason),
    )
    if as_json:
        _show(deal, True)
    else:
        click.echo(f"deal {deal.id} moved to {deal.stage_name} ({deal.probability}%)")


@deals.command("won")
@click.argument("deal_id", type=int)
@click.option("--on", "closed_on", metavar="YYYY-MM-DD", help="When it was won; default today.")
@json_option
@click.pass_context
def won(ctx: click.Context, deal_id: int, closed_on: str | None, as_json: bool) -> None:
    """Mark a deal won."""
    deal = run_with_kernel(ctx, lambda crm: Deals(crm).win(deal_id, closed_on=closed_on))
    _show(deal, True) if as_json else click.echo(f"deal {deal.id} won on {deal.closed_on}")


@deals.command("lost")
@click.argument("deal_id", type=int)
@click.option("--reason", default="", help="Why it was lost.")
@click.option("--on", "closed_on", metavar="YYYY-MM-DD", help="When it was lost; default today.")
@json_option
@click.pass_context
def lost(
    ctx: click.Context, deal_id: int, reason: str, closed_on: str | None, as_json: bool
) -> None:
    """Mark a deal lost, with the reason."""
    deal = run_with_kernel(
        ctx, lambda crm: Deals(crm).lose(deal_id, reason=reason, closed_on=closed_on)
    )
    _show(deal, True) if as_json else click.echo(f"deal {deal.id} lost on {deal.closed_on}")


@deals.command("delete")
@click.argument("deal_id", type=int)
@click.pass_context
def delete(ctx: click.Context, deal_id: int) -> None:
    """Delete a deal (it stays in the database, out of every list and forecast)."""
    run_with_kernel(ctx, lambda crm: Deals(crm).delete(deal_id))
    click.echo(f"deal {deal_id} deleted (undo: sampark deals restore {deal_id})")


@deals.command("restore")
@click.argument("deal_id", type=int)
@click.pass_context
def restore(ctx: click.Context, deal_id: int) -> None:
    """Bring a deleted deal back into lists, the board and forecasts."""
    deal = run_with_kernel(ctx, lambda crm: Deals(crm).restore(deal_id))
    say(f"deal {deal.id} restored: {deal.title}")


@deals.command("stages")
@json_option
@click.pass_context
def stages(ctx: click.Context, as_json: bool) -> None:
    """The configured pipelines and their stages."""
    with reported_errors():
        config = Sampark(settings_for(ctx)).plugin_config("pipeline")
    rows = [
        [pipeline.key, stage.key, stage.name, f"{stage.probability}%", stage.status, stage.commit]
        for pipeline in config.built.values()
        for stage in pipeline.stages
    ]
    if as_json:
        keys = ("pipeline", "stage", "name", "probability", "status", "commit")
        echo_json([dict(zip(keys, row, strict=True)) for row in rows])
        return
    echo_table(("pipeline", "stage", "name", "prob", "status", "commit"), rows, "no stages")


@click.command("forecast")
@click.option(
    "--by",
    type=click.Choice(["month", "owner", "stage", "account"]),
    default="month",
    show_default=True,
    help="month/owner: weighted pipeline; stage: win rate and days in stage (of stages "
    "entered since --from); "
    "account: won amounts per account (needs --from and --to).",
)
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="From this date (inclusive).")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="To this date (inclusive).")
@click.option("--pipeline", help="Only this pipeline (month, owner, stage).")
@json_option
@click.pass_context
def forecast(
    ctx: click.Context,
    by: str,
    date_from: str | None,
    date_to: str | None,
    pipeline: str | None,
    as_json: bool,
) -> None:
    """The weighted pipeline, win rates, or sales per account; each currency on its own rows."""
    from sampark.plugins.pipeline.forecast import totals

    async def compute(crm: Sampark) -> list[Any]:
        api = Deals(crm)
        if by == "stage":
            return await api.stage_stats(pipeline=pipeline, since=date_from)
        if by == "account":
            return await api.sales(date_from=date_from, date_to=date_to)
        rows = await api.forecast(by=by, date_from=date_from, date_to=date_to, pipeline=pipeline)
        return [*rows, *totals(rows)]

    rows = run_with_kernel(ctx, compute)
    if as_json:
        echo_json(to_jsonable(rows))
        return
    if by == "stage":
        echo_table(
            ("pipeline", "stage", "entered", "won", "lost", "win rate", "avg days"),
            [
                [
                    r.pipeline,
                    r.stage_name,
                    r.entered,
                    r.won,
                    r.lost,
                    "" if r.win_rate is None else f"{r.win_rate * 100:.1f}%",
                    "" if r.average_days is None else r.average_days,
                ]
                for r in rows
            ],
            "no stage history yet",
        )
    elif by == "account":
        echo_table(
            ("account", "deals", "won"),
            [[r.account_name or "(none)", r.deals, money(r.amount, r.currency)] for r in rows],
            "no deals won in that period",
        )
    else:
        echo_table(
            (by, "deals", "weighted", "best case", "worst case"),
            [
                [
                    r.group or "(nobody)",
                    r.deals,
                    money(r.weighted, r.currency),
                    money(r.best, r.currency),
                    money(r.worst, r.currency),
                ]
                for r in rows
            ],
            "no open deals",
        )
