"""The hello plugin's hook implementations: thin, the work is in services and commands."""

from __future__ import annotations

from typing import Any

import click

from sampark.plugin import Sampark, hookimpl


@hookimpl
async def record_saved(kernel: Sampark, entity: str, record: Any, created: bool) -> None:
    from sampark_hello import services

    if entity != "contact":
        return
    if created or kernel.plugin_config("hello").greet_on_update:
        await services.greet_contact(kernel, record.id, record.display_name)


@hookimpl
def register_commands(cli: click.Group) -> None:
    from sampark_hello.commands import hello

    cli.add_command(hello)
