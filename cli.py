"""The ``sampark`` command. Plugin commands are attached once the config has been read."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from sampark.core.commands.runner import CommandError
from sampark.core.errors import ConfigError, SamparkError
from sampark.core.plugins import PluginSet
from sampark.core.settings import load_settings


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="SAMPARK_CONFIG",
    help="Config file (default: ./sampark.toml, or $SAMPARK_CONFIG).",
)
@click.version_option(package_name="sampark")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Sampark: contacts, accounts and interactions, extended by plugins."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path


class _CommandsOnce(click.Group):
    """A group that refuses a second command of the same name instead of replacing it.

    ``config_error`` is why the config could not be read; a command the group does not
    know is then reported with that error rather than as unknown, since it may be a
    plugin's command that the broken config kept out.
    """

    config_error: str | None = None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if self.config_error and args and self.get_command(ctx, args[0]) is None:
            raise CommandError([f"{self.config_error} (plugins' commands need a working config)"])
        return super().resolve_command(ctx, args)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        if name in self.commands and self.commands[name] is not cmd:
            raise ConfigError(f"two plugins add the command `sampark {name}`")
        super().add_command(cmd, name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for arg in args:
            undecodable = _undecodable(arg)
            if undecodable is not None:
                problem = f"argument {undecodable}: not valid UTF-8 text"
                raise CommandError([f"{problem}; check the terminal's encoding"], exit_code=2)
        return super().parse_args(ctx, args)


def _undecodable(arg: str) -> str | None:
    """The argument as bytes when the OS handed over bytes that are not UTF-8, else None.

    Python keeps such bytes in ``sys.argv`` as lone surrogates (``surrogateescape``);
    they would fail later, deep inside a write, with a traceback.
    """
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = arg.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a surrogate that never was a byte
            raw = arg.encode("utf-8", "backslashreplace")
        return repr(raw)[1:]
    return None


def _config_from_argv(argv: Sequence[str]) -> str | None:
    """Find ``--config`` before Click parses, so plugin commands can be attached first."""
    for index, arg in enumerate(argv):
        if arg == "--config" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--config="):
            return arg.split("=", 1)[1]
    return os.environ.get("SAMPARK_CONFIG")


def build_cli(argv: Sequence[str] | None = None) -> click.Group:
    """The root group with core's commands and those of the enabled plugins.

    A broken config still gives core's commands (so ``sampark init`` can fix it); the
    error is reported by whichever command needs the config.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    group = _CommandsOnce(
        name="sampark",
        commands=dict(cli.commands),
        callback=cli.callback,
        params=list(cli.params),
        help=cli.help,
        context_settings=cli.context_settings,
    )
    try:
        settings = load_settings(_config_from_argv(argv))
        plugins = PluginSet(settings.plugins, settings.plugin_tables)
    except SamparkError as exc:
        from sampark.core import default_hooks

        default_hooks.register_commands(group)
        group.config_error = str(exc)
        return group
    plugins.hook.register_commands(cli=group)
    return group


def main(argv: Sequence[str] | None = None) -> None:
    build_cli(argv).main(args=argv, prog_name="sampark")
