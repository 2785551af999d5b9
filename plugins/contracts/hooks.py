"""The contracts plugin's hook implementations: thin, the work is in the modules they import."""

from __future__ import annotations

from typing import Any

from sampark import hookimpl


@hookimpl
def permissions() -> list[Any]:
    from sampark.core.permissions import Permission

    return [
        Permission("contracts.read", "See service contracts and their usage"),
        Permission("contracts.write", "Add and change service contracts"),
        Permission("contracts.delete", "Delete service contracts"),
    ]


@hookimpl
def audited_records(kernel: Any) -> list[Any]:
    from sampark.plugins.contracts.lifecycle import CONTRACTS

    return [CONTRACTS.audited]


@hookimpl
async def ticket_written(kernel: Any, conn: Any, ticket: Any, previous: Any) -> None:
    from sampark.plugins.contracts import usage

    await usage.ticket_written(kernel, conn, ticket, previous)


@hookimpl
async def ticket_time_logged(conn: Any, ticket: Any, minutes: int) -> None:
    from sampark.plugins.contracts import usage

    await usage.time_logged(conn, ticket.id, minutes)


@hookimpl
async def ticket_panels(kernel: Any, ticket: Any, actor: Any) -> list[Any]:
    from sampark.plugins.contracts import faces

    return await faces.ticket_panels(kernel, ticket, actor)


@hookimpl
async def account_panels(kernel: Any, account: Any, actor: Any) -> list[Any]:
    from sampark.plugins.contracts import faces

    return await faces.account_panels(kernel, account, actor)


@hookimpl
async def dashboard_numbers(kernel: Any, actor: Any) -> list[Any]:
    from sampark.plugins.contracts import faces

    return await faces.dashboard_numbers(kernel, actor)


@hookimpl
def nav_items() -> list[Any]:
    from sampark.core.contributions import NavItem

    return [NavItem("Contracts", "/contracts/", order=60, permission="contracts.read")]


@hookimpl
def search_sources() -> list[Any]:
    from sampark.core.contributions import SearchSource
    from sampark.plugins.contracts import faces

    return [SearchSource("contracts", "Contracts", faces.search, permission="contracts.read")]


@hookimpl
def register_commands(cli: Any) -> None:
    from sampark.plugins.contracts.commands import contracts

    cli.add_command(contracts)


@hookimpl
def register_routes() -> list[Any]:
    from sampark.plugins.contracts.routes import routes

    return routes()


@hookimpl
def api_operations() -> list[Any]:
    from sampark.plugins.contracts.api import operations

    return operations()


@hookimpl
def startup(kernel: Any) -> None:
    from sampark.plugins.contracts.services import check_config

    check_config(kernel)


@hookimpl
async def demo_data(kernel: Any, world: Any) -> list[str]:
    from sampark.plugins.contracts.demo import demo_data as contracts

    return await contracts(kernel, world)
