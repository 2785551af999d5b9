"""The pipeline plugin's hook implementations: thin, the logic lives in its modules."""

from __future__ import annotations

from typing import Any

from sampark import hookimpl


@hookimpl
def permissions() -> list[Any]:
    from sampark.core.permissions import Permission

    return [
        Permission("deals.read", "See deals, the board and forecasts"),
        Permission("deals.write", "Open, edit and move deals"),
        Permission("deals.delete", "Delete deals"),
    ]


@hookimpl
def audited_records(kernel: Any) -> list[Any]:
    from sampark.plugins.pipeline.lifecycle import DEALS

    return [DEALS.audited]


@hookimpl
def register_commands(cli: Any) -> None:
    from sampark.plugins.pipeline.commands import deals, forecast

    cli.add_command(deals)
    cli.add_command(forecast)


@hookimpl
def register_routes(kernel: Any) -> list[Any]:
    from sampark.plugins.pipeline.routes import routes

    return routes()


@hookimpl
def api_operations(kernel: Any) -> list[Any]:
    from sampark.plugins.pipeline.api import operations

    return operations(kernel)


@hookimpl
def nav_items(kernel: Any, actor: Any) -> list[Any]:
    from sampark.core.contributions import NavItem

    return [NavItem("Pipeline", "/pipeline/", order=30, permission="deals.read")]


@hookimpl
async def dashboard_numbers(kernel: Any, actor: Any) -> list[Any]:
    if not actor.can("deals.read"):
        return []
    from decimal import Decimal

    from sampark.core.contributions import DashboardNumber
    from sampark.plugins.pipeline.faces import money
    from sampark.plugins.pipeline.forecast import dashboard_figures

    count, month = await dashboard_figures(kernel, actor)
    weighted = "; ".join(money(row.weighted, row.currency) for row in month)
    weighted = weighted or money(Decimal(0), kernel.settings.currency)
    return [
        DashboardNumber("open deals", count, url="/pipeline/deals?status=open", order=30),
        DashboardNumber(
            "weighted pipeline this month", weighted, url="/pipeline/forecast", order=31
        ),
    ]


@hookimpl
async def timeline_entries(
    kernel: Any, subject: Any, before: Any, limit: int, actor: Any
) -> list[Any]:
    from sampark.plugins.pipeline.faces import timeline_entries as entries

    return await entries(kernel, subject, before, limit, actor)


@hookimpl
async def contact_panels(kernel: Any, contact: Any, actor: Any) -> list[Any]:
    from sampark.plugins.pipeline.faces import deals_panel

    return await deals_panel(kernel, "contact", contact.id, actor)


@hookimpl
async def account_panels(kernel: Any, account: Any, actor: Any) -> list[Any]:
    from sampark.plugins.pipeline.faces import deals_panel

    return await deals_panel(kernel, "account", account.id, actor)


@hookimpl
def search_sources() -> list[Any]:
    from sampark.core.contributions import SearchSource
    from sampark.plugins.pipeline.faces import deal_hits

    return [SearchSource("deals", "Deals", deal_hits, permission="deals.read")]


@hookimpl
async def demo_data(kernel: Any, world: Any) -> list[str]:
    from sampark.plugins.pipeline.demo import demo_data as deals

    return await deals(kernel, world)
