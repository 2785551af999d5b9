"""``sampark hello …``: present only while the hello plugin is enabled."""

from __future__ import annotations

import asyncio

import click

import sampark
from sampark.core.settings import load_settings
from sampark_hello import services


def _config_path(ctx: click.Context) -> str | None:
    return (ctx.find_root().obj or {}).get("config_path")


@click.group()
def hello() -> None:
    """Greetings for new contacts (sample plugin)."""


@hello.command()
@click.argument("name")
@click.pass_context
def greet(ctx: click.Context, name: str) -> None:
    """Print the greeting NAME would get, using [plugin.hello] greeting."""
    kernel = sampark.Sampark(load_settings(_config_path(ctx)))
    click.echo(services.greeting_for(kernel.plugin_config("hello"), name))


@hello.command("list")
@click.option("--limit", default=20, show_default=True, help="How many greetings to show.")
@click.pass_context
def list_greetings(ctx: click.Context, limit: int) -> None:
    """Show the newest greetings written for contacts."""

    async def run() -> list[dict[str, object]]:
        async with sampark.open(_config_path(ctx)) as crm:
            return await services.list_greetings(crm, limit=limit)

    for row in asyncio.run(run()):
        click.echo(f"{row['contact_id']}\t{row['text']}")
