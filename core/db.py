"""Tortoise configuration from the enabled manifests, and migrations with progress."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.executor import MigrationExecutor

from sampark.core.errors import ConfigError
from sampark.core.manifest import PluginManifest

CORE_APP = {"models": ["sampark.core.models"], "migrations": "sampark.core.migrations"}

Progress = Callable[[str, str, str], object]

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
