"""The tickets plugin's hook implementations: thin, the work is in the other modules."""

from __future__ import annotations

from typing import Any

from sampark import hookimpl


@hookimpl
def add_hookspecs(plugin_manager: Any) -> None:
    from sampark.plugins.tickets import hookspecs

    plugin_manager.add_hookspecs(hookspecs)


@hookimpl
def permissions() -> list[Any]:
    from sampark.core.permissions import Permission

    return [
        Permission("tickets.read", "See tickets and their conversations"),
        Permission("tickets.write", "Open tickets, reply, and change status, priority, assignee"),
        Permission("tickets.delete", "Delete tickets"),
    ]


@hookimpl
def audited_records(kernel: Any) -> list[Any]:
    from sampark.plugins.tickets.lifecycle import TICKETS

    return [TICKETS.audited]


@hookimpl
def interaction_kinds() -> list[str]:
    from sampark.plugins.tickets.services import NOTE_KIND, REPLY_KIND

    return [REPLY_KIND, NOTE_KIND]


@hookimpl
def startup(kernel: Any) -> None:
    from sampark.plugins.tickets.services import check_config

    check_config(kernel)


@hookimpl
def register_commands(cli: Any) -> None:
    from sampark.plugins.tickets.commands import tickets

    cli.add_command(tickets)


@hookimpl
def register_routes(kernel: Any) -> list[Any]:
    from sampark.plugins.tickets.routes import routes

    return routes()


@hookimpl
def api_operations(kernel: Any) -> list[Any]:
    from sampark.plugins.tickets.api import operations

    return operations(kernel)


@hookimpl
def nav_items(kernel: Any, actor: Any) -> list[Any]:
    from sampark.core.contributions import NavItem

    return [NavItem("Tickets", "/tickets/", order=30, permission="tickets.read")]


@hookimpl
async def dashboard_numbers(kernel: Any, actor: Any) -> list[Any]:
    from sampark.plugins.tickets.faces import dashboard_numbers

    return await dashboard_numbers(kernel, actor)


@hookimpl
async def contact_panels(kernel: Any, contact: Any, actor: Any) -> list[Any]:
    from sampark.plugins.tickets.faces import tickets_panel

    return await tickets_panel(kernel, actor, requester_id=contact.id)


@hookimpl
async def account_panels(kernel: Any, account: Any, actor: Any) -> list[Any]:
    from sampark.plugins.tickets.faces import tickets_panel

    return await tickets_panel(kernel, actor, account_id=account.id)


@hookimpl
async def timeline_entries(
    kernel: Any, subject: Any, before: Any, limit: int, actor: Any
) -> list[Any]:
    from sampark.plugins.tickets.lookups import timeline_entries

    return await timeline_entries(kernel, subject, before, limit, actor)


@hookimpl
def search_sources(kernel: Any, actor: Any) -> list[Any]:
    from sampark.plugins.tickets.faces import search_source

    return [search_source()]


@hookimpl
async def demo_data(kernel: Any, world: Any) -> list[str]:
    from sampark.plugins.tickets.demo import demo_data as tickets

    return await tickets(kernel, world)
