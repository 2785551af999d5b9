"""``sampark hello …``: present only while the hello plugin is enabled."""

from __future__ import annotations

import click

from sampark.plugin import Sampark, reported_errors, run_with_kernel, settings_for
from sampark_hello import services


@click.group()
def hello() -> None:
    """Greetings for new contacts (sample plugin)."""


@hello.command()
@click.argument("name")
@click.pass_context
def greet(ctx: click.Context, name: str) -> None:
    """Print the greeting NAME would get, using [plugin.hello] greeting."""
    with reported_errors():
        # Reading the config is enough: no database is opened.
        config = Sampark(settings_for(ctx)).plugin_config("hello")
    click.echo(services.greeting_for(config, name))


@hello.command("list")
@click.option("--limit", default=20, show_default=True, help="How many greetings to show.")
@click.pass_context
def list_greetings(ctx: click.Context, limit: int) -> None:
    """Show the newest greetings written for contacts."""
    rows = run_with_kernel(ctx, lambda crm: services.list_greetings(crm, limit=limit))
    for row in rows:
        click.echo(f"{row['contact_id']}\t{row['text']}")
