"""Core's CLI commands, attached through core's own ``register_commands`` hook."""

from __future__ import annotations

import click


def register_core_commands(cli: click.Group) -> None:
    """Attach every core command group to the root ``sampark`` command."""
    from sampark.core.commands import accounts, contacts, interactions, plugins, serve, setup, users

    for command in (
        *setup.COMMANDS,
        plugins.plugins,
        plugins.plugin,
        contacts.contacts,
        accounts.accounts,
        *interactions.COMMANDS,
        *users.COMMANDS,
        serve.serve,
    ):
        cli.add_command(command)
