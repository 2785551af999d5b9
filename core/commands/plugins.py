"""``sampark plugins list``: what is installed and what the config switches on.

It reads manifests and the config only, so it works before any database exists.
"""

from __future__ import annotations

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
