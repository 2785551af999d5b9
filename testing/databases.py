"""Fixtures: a fresh, migrated database per test on SQLite and (when configured) PostgreSQL.

Set ``SAMPARK_TEST_POSTGRES_URL`` (e.g. ``postgres://postgres@127.0.0.1:5432/postgres``) to run
every database test on PostgreSQL too; each test then gets a database of its own, cloned from
a template migrated once per session. Without it the PostgreSQL half is skipped, saying why.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from sampark.testing._async import async_fixture

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark
    from sampark.core.settings import Settings

POSTGRES_VARIABLE = "SAMPARK_TEST_POSTGRES_URL"
POSTGRES_SKIPPED = f"{POSTGRES_VARIABLE} is not set: PostgreSQL tests skipped"

KernelFactory = Callable[..., Awaitable["Sampark"]]


def postgres_url() -> str | None:
    """The PostgreSQL server the tests may create databases on, if one is configured."""
    return os.environ.get(POSTGRES_VARIABLE) or None


def with_database(url: str, name: str) -> str:
    """``url`` pointing at the database ``name`` on the same server."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def postgres_admin(*statements: str) -> None:
    """Run statements (CREATE/DROP DATABASE) on the test server's ``postgres`` database."""
    import asyncpg

    server = postgres_url()
    assert server is not None, POSTGRES_SKIPPED
    connection = await asyncpg.connect(with_database(server, "postgres"))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def migrate(url: str, plugins: tuple[str, ...] = (), *, create_db: bool = False) -> None:
    """Apply core's migrations (and ``plugins``') to the database at ``url``."""
    from sampark.core.kernel import Sampark
    from sampark.core.settings import Settings

    kernel = Sampark(Settings(database_url=url, plugins=plugins))
    await kernel.start(migrate=True, create_db=create_db)
    await kernel.close()


async def migrate_back_to(kernel: Sampark, app: str, name: str) -> None:
    """Unapply ``app``'s migrations after ``name``, to test a migration on existing rows."""
    from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

    with kernel.activate():
        apps = kernel.tortoise_config["apps"].items()
        config = {label: value for label, value in apps if value.get("migrations")}
        executor = MigrationExecutor(kernel.connection, config)
        await executor.migrate([MigrationTarget(app_label=app, name=name)])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with core migrated once; each test copies it."""
    path = tmp_path_factory.mktemp("template") / "core.db"
    asyncio.run(migrate(f"sqlite://{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database with core migrated once; each test clones it."""
    server = postgres_url()
    if server is None:
        pytest.skip(POSTGRES_SKIPPED)
    name = f"sampark_tpl_{os.getpid()}"
    asyncio.run(postgres_admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'))
    asyncio.run(migrate(with_database(server, name)))
    yield name
    asyncio.run(postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _fresh_database(request: pytest.FixtureRequest, engine: str, folder: Path) -> Iterator[str]:
    """A copy of the core-migrated template on ``engine``, dropped after the test."""
    if engine == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "crm.db"
        shutil.copy(template, path)
        yield f"sqlite://{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"sampark_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(postgres_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield with_database(postgres_url() or "", name)
    asyncio.run(postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database with core's migrations applied, on each engine."""
    yield from _fresh_database(request, request.param, tmp_path)


@pytest.fixture
def second_database_url(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[str]:
    """Another fresh database on ``database_url``'s engine: to run something again from scratch."""
    engine = "sqlite" if database_url.startswith("sqlite") else "postgres"
    yield from _fresh_database(request, engine, tmp_path / "second")


@pytest.fixture(scope="module")
def sampark_plugins() -> tuple[str, ...]:
    """The plugin labels every test kernel, CLI config and served app runs with.

    None by default (core only). A plugin's test suite overrides it in its conftest.py, at
    module or session scope so the browser tests' server can use it too.
    """
    return ()


@pytest.fixture
def settings(database_url: str, sampark_plugins: tuple[str, ...]) -> Settings:
    """Settings for a test CRM: Indian phone numbers and rupees, ``sampark_plugins`` enabled."""
    from sampark.core.settings import Settings

    return Settings(
        database_url=database_url, phone_region="IN", currency="INR", plugins=sampark_plugins
    )


@async_fixture
async def make_kernel(settings: Settings) -> AsyncIterator[KernelFactory]:
    """``await make_kernel(**overrides)``: a started kernel on the test database.

    ``overrides`` replace fields of ``settings`` (``plugins=…``, ``plugin_tables=…``,
    ``web=…``); migrations run at start, so plugins' tables are there. Every kernel made
    is closed when the test ends.
    """
    from sampark.core.kernel import Sampark

    started: list[Sampark] = []

    async def make(**overrides: Any) -> Sampark:
        kernel = Sampark(dataclasses.replace(settings, **overrides))
        await kernel.start(migrate=True)
        started.append(kernel)
        return kernel

    yield make
    for kernel in started:
        await kernel.close()


@async_fixture
async def crm(make_kernel: KernelFactory) -> Sampark:
    """A started kernel with the ``sampark_plugins`` on a fresh database."""
    return await make_kernel()
