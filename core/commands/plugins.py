"""``sampark plugins list``: what is installed and what the config switches on;
``sampark plugin new NAME``: the package of a new plugin.

Both read manifests and the config only, so they work before any database exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sampark.core.commands.options import json_option
from sampark.core.commands.output import echo_json, echo_table
from sampark.core.commands.runner import reported_errors, settings_for
from sampark.core.plugins import discover_manifests, resolve_enabled

PLUGIN_HEADERS = ("label", "name", "version", "enabled", "requires", "description")


@click.group("plugins")
def plugins() -> None:
    """Installed plugins."""


def plugin_rows(config_plugins: tuple[str, ...]) -> list[dict[str, Any]]:
    """One dict per installed plugin; ``enabled`` is "yes", "auto" (a glue plugin) or "no"."""
    available = discover_manifests()
    enabled = {manifest.label for manifest in resolve_enabled(config_plugins, available)}
    return [
        {
            "label": manifest.label,
            "name": manifest.name,
            "version": manifest.version,
            "enabled": manifest.label in enabled,
            "auto_enabled": manifest.label in enabled and manifest.label not in config_plugins,
            "requires": list(manifest.requires),
            "description": manifest.description,
        }
        for manifest in sorted(available.values(), key=lambda m: m.label)
    ]


def _enabled_text(row: dict[str, Any]) -> str:
    if row["auto_enabled"]:
        return "auto"
    return "yes" if row["enabled"] else "no"


@plugins.command("list")
@json_option
@click.pass_context
def list_plugins(ctx: click.Context, as_json: bool) -> None:
    """Installed plugins, and which ones this config enables."""
    with reported_errors():
        rows = plugin_rows(settings_for(ctx).plugins)
    if as_json:
        echo_json(rows)
        return
    echo_table(
        PLUGIN_HEADERS,
        (
            (r["label"], r["name"], r["version"], _enabled_text(r), r["requires"], r["description"])
            for r in rows
        ),
        empty="No plugins installed.",
    )


@plugins.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "parent",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to write the plugin's package into.",
)
@click.pass_context
def new_plugin(ctx: click.Context, name: str, parent: Path) -> None:
    """Write a new plugin package NAME (a label such as donations) that passes its tests."""
    from sampark.core.scaffold import ScaffoldError, plugin_names, write_plugin

    try:
        names = plugin_names(name)
        if names.label in discover_manifests():
            raise ScaffoldError(f"a plugin labelled {names.label!r} is already installed")
        if names.command in ctx.find_root().command.commands:
            raise ScaffoldError(f"`sampark {names.command}` is taken: choose another name")
        target = write_plugin(name, parent)
    except ScaffoldError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    click.echo(f"Wrote {target}/. Next:")
    click.echo(f"  cd {target} && pip install -e '.[test]' && pytest")
    click.echo(f'Then add "{names.label}" to plugins in sampark.toml and run `sampark migrate`.')


# `sampark plugin new NAME` reads better than `sampark plugins new NAME`; both work.
plugin = click.Group("plugin", commands=plugins.commands, help=plugins.help, hidden=True)
