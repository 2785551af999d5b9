"""Tortoise configuration from the enabled manifests, and migrations with progress."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext
from tortoise.exceptions import DBConnectionError
from tortoise.migrations.executor import MigrationExecutor

from sampark.core import sqlite_engine
from sampark.core.errors import ConfigError
from sampark.core.manifest import PluginManifest

CORE_APP = {"models": ["sampark.core.models"], "migrations": "sampark.core.migrations"}

Progress = Callable[[str, str, str], object]

# PostgreSQL's SQLSTATE for "database does not exist".
_MISSING_DATABASE = "3D000"

# tortoise-orm keeps per-class query state (Model._meta.basequery, its executor cache) for
# the engine that was initialised last, so one process can run kernels of one engine at a
# time. Several kernels of the same engine (with different plugins or databases) are fine.
_running_engines: Counter[str] = Counter()
_last_engine: str | None = None


def claim_engine(dialect: str) -> None:
    """Reserve the process's models for ``dialect``; refuse while another engine is open."""
    global _last_engine
    others = [engine for engine, count in _running_engines.items() if count and engine != dialect]
    if others:
        raise ConfigError(
            f"a {others[0]} kernel is open in this process: close it before opening a "
            f"{dialect} one (tortoise-orm serves one database engine per process at a time)"
        )
    if _last_engine != dialect:
        EXECUTOR_CACHE.clear()
        _last_engine = dialect
    _running_engines[dialect] += 1


def release_engine(dialect: str) -> None:
    _running_engines[dialect] -= 1


def tortoise_config(database_url: str, manifests: Iterable[PluginManifest]) -> dict[str, Any]:
    """One tortoise app for core and one per enabled plugin that has models."""
    apps: dict[str, dict[str, Any]] = {"core": {**CORE_APP, "default_connection": "default"}}
    for manifest in manifests:
        if manifest.models:
            apps[manifest.label] = {
                "models": [manifest.models],
                "migrations": manifest.migrations,
                "default_connection": "default",
            }
    return {
        "connections": {"default": database_url},
        "apps": apps,
        "use_tz": True,
        "timezone": "UTC",
    }


async def open_context(
    config: dict[str, Any], *, create_db: bool = False, progress: Progress | None = None
) -> TortoiseContext:
    """A tortoise context connected to the configured database.

    ``create_db`` creates a missing PostgreSQL database (tortoise's own flag fails when the
    database exists, so it is only passed once the server has said the database is missing);
    without it, a missing database is a ConfigError saying how to create it.
    """
    url = config["connections"]["default"]
    _check_sqlite_folder(url)
    context = TortoiseContext()
    with context:
        await context.init(config=_engine_config(config))
        try:
            await context.db().execute_query("SELECT 1")
            return context
        except DBConnectionError as exc:
            await context.close_connections()
            if not is_missing_database(exc):
                raise
            if not create_db:
                raise ConfigError(missing_database_message(url)) from None
    if progress is not None:
        progress("create_database", "", database_name(url))
    context = TortoiseContext()
    with context:
        await context.init(config=config, _create_db=True)
    return context


def _engine_config(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with a SQLite URL served by Sampark's engine (see :mod:`.sqlite_engine`)."""
    url = config["connections"]["default"]
    if not url.startswith("sqlite://"):
        return config
    return {**config, "connections": {"default": sqlite_engine.connection_config(url)}}


def database_name(url: str) -> str:
    """The database a PostgreSQL URL names (``crm`` in ``postgres://u@host/crm``)."""
    return urlsplit(url).path.lstrip("/")


def missing_database_message(url: str) -> str:
    """What to do about a PostgreSQL database that does not exist yet."""
    server = urlsplit(url).hostname or "localhost"
    return (
        f"the PostgreSQL database {database_name(url)!r} does not exist on {server}: "
        "create it with `sampark migrate`, or in Python with "
        "`sampark.open(url, migrate=True)`"
    )


def is_missing_database(exc: BaseException) -> bool:
    """True when connecting failed only because the PostgreSQL database does not exist yet."""
    cause = exc.__cause__ or exc.__context__
    return isinstance(exc, DBConnectionError) and (
        getattr(cause, "sqlstate", None) == _MISSING_DATABASE
    )


# PostgreSQL's connection-exception class, and the server shutting down or starting up.
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", _MISSING_DATABASE)
_UNAVAILABLE_DRIVER_ERRORS = ("ConnectionDoesNotExistError", "InterfaceError")
_SQLITE_UNAVAILABLE = ("unable to open database file", "disk I/O error")


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the database cannot be reached right now.

    Such a fault is the server's or the network's, not the request's: the web answers 503
    and the next request tries again on a fresh connection.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError | DBConnectionError):
            return True
        state = getattr(current, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_UNAVAILABLE_STATES):
            return True
        if type(current).__name__ in _UNAVAILABLE_DRIVER_ERRORS and "connection" in str(current):
            return True
        if any(text in str(current) for text in _SQLITE_UNAVAILABLE):
            return True
        current = current.__cause__ or current.__context__
    return False


def _check_sqlite_folder(url: str) -> None:
    """Refuse a SQLite file in a missing folder before aiosqlite tries (and fails noisily)."""
    if url.startswith("sqlite://") and not url.startswith("sqlite://:memory:"):
        folder = Path(url.removeprefix("sqlite://").partition("?")[0]).parent
        if not folder.is_dir():
            raise ConfigError(f"cannot open the database {url}: folder {folder} does not exist")


def _apps_with_migrations(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {label: app for label, app in config["apps"].items() if app.get("migrations")}


async def pending_migrations(connection: BaseDBAsyncClient, config: dict[str, Any]) -> list[str]:
    """Names (``app.migration``) of the migrations not yet applied, in the order they would run."""
    executor = MigrationExecutor(connection, _apps_with_migrations(config))
    await executor.recorder.ensure_schema(executor._schema_editor(atomic=False))
    steps = await executor.plan()
    return [f"{s.migration.app_label}.{s.migration.name}" for s in steps if not s.backward]


async def apply_migrations(
    connection: BaseDBAsyncClient, config: dict[str, Any], progress: Progress | None = None
) -> list[str]:
    """Apply every pending migration of core and the enabled plugins; return their names."""
    pending = await pending_migrations(connection, config)
    if pending:
        executor = MigrationExecutor(connection, _apps_with_migrations(config))
        await executor.migrate(progress=progress)
    return pending
