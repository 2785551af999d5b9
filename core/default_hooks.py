"""Core's own hook implementations: core is built the way plugins are."""

from __future__ import annotations

from typing import Any

import click

from sampark.core.hookspecs import hookimpl


@hookimpl(tryfirst=True)
def register_commands(cli: click.Group) -> None:
    from sampark.core.commands import register_core_commands

    register_core_commands(cli)


@hookimpl
async def timeline_entries(
    kernel: Any, subject: Any, before: Any, limit: int, actor: Any
) -> list[Any]:
    from sampark.core.services.timeline import interaction_entries

    return await interaction_entries(kernel, subject, before, limit, actor)


@hookimpl(tryfirst=True)
def search_sources() -> list[Any]:
    from sampark.core.services.global_search import core_sources

    return core_sources()
