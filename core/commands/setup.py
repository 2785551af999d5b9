"""Getting a CRM going: ``sampark init``, ``sampark migrate`` and ``sampark demo``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import click

from sampark.config import PROFILES, profile_path
from sampark.core.commands.output import StageCounter
from sampark.core.commands.runner import (
    CommandError,
    config_path,
    open_kernel,
    reported_errors,
    run_with_kernel,
    settings_for,
)
from sampark.core.kernel import Sampark
from sampark.core.services import users
from sampark.core.settings import (
    CONFIG_FILENAME,
    DEFAULT_DATABASE_FILENAME,
    load_settings,
    redact_url,
)

MINIMAL_CONFIG = f"""\
# sampark.toml: written by `sampark init`. Every setting is described in
# docs/configuration.md; the annotated example is config/sampark.example.toml.

database = "sqlite://{DEFAULT_DATABASE_FILENAME}"

# Plugins to enable, by label (see `sampark plugins list`).
plugins = []

# Phone numbers typed without +country code are read as this country's numbers.
# phone_region = "IN"
"""

_DATABASE_LINE = re.compile(r"^database\s*=.*$", re.MULTILINE)


def config_text(profile: str | None, database: str | None) -> str:
    """The new config file: a profile (or a minimal config) with ``database`` set if given."""
    text = profile_path(profile).read_text(encoding="utf-8") if profile else MINIMAL_CONFIG
    if database is None:
        return text
    # A JSON string is a valid TOML basic string, escapes and all.
    line = f"database = {json.dumps(database)}"
    top_level, table, tables = text.partition("\n[")
    if _DATABASE_LINE.search(top_level):
        top_level = _DATABASE_LINE.sub(lambda _: line, top_level, count=1)
    else:
        top_level = f"{line}\n{top_level}"
    return top_level + table + tables


def with_secret_key(text: str) -> str:
    """Append a ``[web]`` table with a fresh random secret key, unless the text has one."""
    if re.search(r"^\[web\]", text, re.MULTILINE):
        return text
    return (
        f"{text.rstrip()}\n\n"
        "# Signs the web UI's cookies: keep it secret, and the same for every worker and\n"
        "# machine serving this CRM. More web settings: docs/admin.md.\n"
        f'[web]\nsecret_key = "{secrets.token_urlsafe(48)}"\n'
    )


@contextlib.contextmanager
def _staged(path: Path, text: str) -> Generator[Path, None, None]:
    """Write ``text`` next to ``path``; replace ``path`` with it only if the block succeeds.

    The file is readable by its owner only (mkstemp's mode), as a file that may hold a
    database password should be.
    """
    handle, staged = tempfile.mkstemp(prefix=".sampark-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        yield Path(staged)
        os.replace(staged, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(staged)


def _migration_printer() -> tuple[Callable[[str, str, str], None], list[str]]:
    """A progress callback printing one line per migration, and the list of those applied."""
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "create_database":
            click.echo(f"Creating the database {name} …")
        elif event == "apply_start":
            click.echo(f"  applying {app_label}.{name} …", nl=False)
        elif event == "apply_done":
            click.echo(" done")
            applied.append(f"{app_label}.{name}")

    return progress, applied


def _migrate(kernel: Sampark) -> list[str]:
    """Bring the database up to date, printing each migration; return those applied."""
    progress, applied = _migration_printer()

    async def run() -> None:
        await open_kernel(kernel, migrate=True, progress=progress)
        await kernel.close()

    click.echo(f"Database: {redact_url(kernel.settings.database_url)}")
    with reported_errors():
        asyncio.run(run())
    return applied


def _echo_summary(applied: list[str]) -> None:
    if applied:
        noun = "migration" if len(applied) == 1 else "migrations"
        click.echo(f"Applied {len(applied)} {noun}; the database is up to date.")
    else:
        click.echo("Nothing to migrate: the database is up to date.")


@click.command("init")
@click.option(
    "--profile",
    type=click.Choice(PROFILES),
    help="Start from an industry profile (default: a minimal config).",
)
@click.option(
    "--database",
    metavar="URL",
    help="Database URL (default: sqlite://sampark.db next to the config file).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@click.option(
    "--admin-username",
    default="admin",
    show_default=True,
    help="Username of the first admin (added unless someone may already manage users).",
)
@click.option(
    "--admin-password",
    help="The first admin's password (default: a random one, printed once).",
)
@click.pass_context
def init(
    ctx: click.Context,
    profile: str | None,
    database: str | None,
    force: bool,
    admin_username: str,
    admin_password: str | None,
) -> None:
    """Write sampark.toml, create the database and its first admin.

    The config goes in the current folder (or at --config); the database is
    migrated right away, and a missing PostgreSQL database is created.
    """
    with reported_errors():  # refuse a bad admin before anything is written
        users.check_username(admin_username, "--admin-username")
        if admin_password is not None:
            users.check_password(admin_password, "--admin-password")
    path = Path(config_path(ctx) or CONFIG_FILENAME)
    if path.exists() and not force:
        raise CommandError([f"{path} already exists (use --force to overwrite it)"])
    if not path.parent.is_dir():
        raise CommandError([f"{path.parent} is not a folder"])
    text = with_secret_key(config_text(profile, database))
    with reported_errors(), _staged(path, text) as staged:
        # Check the new file (settings and plugins) before it replaces anything.
        Sampark(load_settings(staged))
    click.echo(f"Wrote {path}" + (f" from the {profile} profile" if profile else ""))
    kernel = Sampark(load_settings(path))
    _echo_summary(_migrate(kernel))
    prefix = "sampark" if config_path(ctx) is None else f"sampark --config {path}"
    _first_admin(kernel, admin_username, admin_password, prefix)
    click.echo("\nNext steps:")
    activate = _activate_script()
    if activate is not None:
        click.echo(f"  . {activate}          # puts sampark on this shell's PATH")
    click.echo(f"  {prefix} demo                     # fill the CRM with demo data")
    click.echo(f"  {prefix} contacts add --first Asha --email asha@example.in")
    click.echo(f"  {prefix} contacts list")
    click.echo(f"  {prefix} plugins list             # what you can switch on in {path.name}")


def _activate_script() -> str | None:
    """The venv's activate script, when ``sampark`` is not on PATH (a fresh shell)."""
    if shutil.which("sampark"):
        return None
    script = Path(sys.executable).parent / "activate"
    return os.path.relpath(script) if script.is_file() else None


def _first_admin(kernel: Sampark, username: str, password: str | None, prefix: str) -> None:
    """Add the first admin, unless someone may already manage users; print how to sign in."""
    generated = password is None
    if generated:
        password = secrets.token_urlsafe(12)

    async def run() -> list[str]:
        await open_kernel(kernel)
        try:
            existing = await users.managers(kernel)
            if not existing:
                await users.add_user(kernel, username, password=password, roles=("admin",))
            return existing
        finally:
            await kernel.close()

    with reported_errors():
        existing = asyncio.run(run())
    if existing:
        click.echo(
            f"Users who may manage users already exist ({', '.join(existing)}): no admin added."
        )
        return
    click.echo(f"\nCreated the first admin: {username}")
    if generated:
        click.echo(f"  password: {password}")
        click.echo(f"  (shown only now: change it with `{prefix} users passwd {username}`)")


@click.command("migrate")
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Apply pending database migrations.

    Runs those of core and of every enabled plugin, and creates a missing
    PostgreSQL database first.
    """
    with reported_errors():
        kernel = Sampark(settings_for(ctx))
    _echo_summary(_migrate(kernel))


@click.command("demo")
@click.option(
    "--contacts",
    "count",
    type=click.IntRange(1, 1_000_000),
    default=300,
    show_default=True,
    help="How many demo contacts (accounts: a third as many).",
)
@click.option("--seed", type=int, help="Random seed, for the same demo data every time.")
@click.option("--force", is_flag=True, help="Add demo data even though the CRM has contacts.")
@click.pass_context
def demo(ctx: click.Context, count: int, seed: int | None, force: bool) -> None:
    """Fill the CRM with realistic demo data.

    Users, accounts, contacts, the links between them and a year of interactions
    with planned (and overdue) follow-ups; the first admin gets a share of them.
    """

    async def fill(crm: Sampark) -> Any:
        if not force and len(await crm.contacts.list(limit=1)):
            raise CommandError(["the CRM already has contacts (use --force to add demo data too)"])
        counter = StageCounter()
        summary = await crm.demo(contacts=count, seed=seed, progress=counter)
        counter.finish()
        return summary

    summary = run_with_kernel(ctx, fill)
    click.echo(
        f"Created {summary.contacts} contacts, {summary.accounts} accounts, "
        f"{summary.links} links and {summary.interactions} interactions "
        f"({summary.followups} planned follow-ups, {summary.overdue} overdue) "
        f"for {summary.users} users."
    )
    if summary.plugins:
        click.echo(f"Plugins added {', '.join(summary.plugins)}.")


COMMANDS = (init, migrate, demo)
