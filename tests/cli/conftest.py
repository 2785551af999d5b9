"""CLI fixtures: a config file on the test database, a runner, and a kernel to check with."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sampark.cli import build_cli
from sampark.core.kernel import Sampark
from sampark.core.settings import load_settings

RunCli = Callable[..., Result]
Invoke = Callable[..., Result]
WithKernel = Callable[[Callable[[Sampark], Awaitable[Any]]], Any]


def _invoke(config: Path, *args: str) -> Result:
    argv = ["--config", str(config), *args]
    return CliRunner().invoke(build_cli(argv), argv)


@pytest.fixture
def invoke() -> Invoke:
    """``invoke(config, "migrate")`` runs ``sampark --config CONFIG migrate`` as a user would."""
    return _invoke


@pytest.fixture
def config_file(database_url: str, tmp_path: Path) -> Path:
    path = tmp_path / "sampark.toml"
    path.write_text(f'database = "{database_url}"\nphone_region = "IN"\n', encoding="utf-8")
    return path


@pytest.fixture
def run_cli(config_file: Path) -> RunCli:
    """``run_cli("contacts", "list")`` runs a command against the test database."""
    return lambda *args: _invoke(config_file, *args)


@pytest.fixture
def with_kernel(config_file: Path) -> WithKernel:
    """Check what a command did through the kernel API, on the same database."""

    def call(action: Callable[[Sampark], Awaitable[Any]]) -> Any:
        async def run() -> Any:
            async with Sampark(load_settings(config_file)) as kernel:
                return await action(kernel)

        return asyncio.run(run())

    return call
