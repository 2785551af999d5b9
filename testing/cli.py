"""The ``sampark`` command in-process (click's CliRunner) on the test database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sampark.testing.databases import migrate

if TYPE_CHECKING:
    from click.testing import Result

    from sampark.core.kernel import Sampark

RunCli = Callable[..., "Result"]
Invoke = Callable[..., "Result"]
WithKernel = Callable[[Callable[["Sampark"], Awaitable[Any]]], Any]

# Settings a developer's shell may hold that must not reach the commands under test.
_USER_VARIABLES = ("SAMPARK_CONFIG", "SAMPARK_DATABASE_URL", "SAMPARK_PLUGINS")


def invoke_cli(config: Path, *args: str) -> Result:
    """Run ``sampark --config CONFIG ARGS…`` as a user would (plugin commands included)."""
    from click.testing import CliRunner

    from sampark.cli import build_cli

    argv = ["--config", str(config), *args]
    return CliRunner().invoke(build_cli(argv), argv)


@pytest.fixture
def invoke(monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """``invoke(config, "migrate")`` runs ``sampark --config CONFIG migrate`` as a user would.

    The developer's ``SAMPARK_*`` variables are hidden from it.
    """
    for name in _USER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return invoke_cli


@pytest.fixture
def config_file(database_url: str, sampark_plugins: tuple[str, ...], tmp_path: Path) -> Path:
    """A ``sampark.toml`` on the test database with the ``sampark_plugins`` enabled (and
    their migrations applied, as ``sampark migrate`` would)."""
    if sampark_plugins:
        asyncio.run(migrate(database_url, sampark_plugins))
    path = tmp_path / "sampark.toml"
    text = f'database = "{database_url}"\nphone_region = "IN"\n'
    if sampark_plugins:
        text += f"plugins = [{', '.join(f'{label!r}' for label in sampark_plugins)}]\n"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def run_cli(invoke: Invoke, config_file: Path) -> RunCli:
    """``run_cli("contacts", "list")`` runs a command against the test database."""
    return lambda *args: invoke(config_file, *args)


@pytest.fixture
def with_kernel(config_file: Path) -> WithKernel:
    """Check what a command did through the kernel API, on the same database."""

    def call(action: Callable[[Sampark], Awaitable[Any]]) -> Any:
        from sampark.core.kernel import Sampark
        from sampark.core.settings import load_settings

        async def run() -> Any:
            async with Sampark(load_settings(config_file)) as kernel:
                return await action(kernel)

        return asyncio.run(run())

    return call
