"""Fixtures: a fresh, migrated database per test on SQLite and (when configured) PostgreSQL.

Set SAMPARK_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run
every database test on PostgreSQL too; each test gets a database of its own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
import pytest
from tortoise.transactions import in_transaction

from sampark.core.kernel import Sampark
from sampark.core.settings import Settings

POSTGRES_URL = os.environ.get("SAMPARK_TEST_POSTGRES_URL")
_TEMPLATE_DB = f"sampark_tpl_{os.getpid()}"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up the developer's own Sampark settings."""
    for name in ("SAMPARK_CONFIG", "SAMPARK_DATABASE_URL", "SAMPARK_PLUGINS"):
        monkeypatch.delenv(name, raising=False)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _admin_execute(*statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_with_database(POSTGRES_URL, "postgres"))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def _migrated_core(url: str) -> None:
    kernel = Sampark(Settings(database_url=url))
    await kernel.start(migrate=True, create_db=False)
    await kernel.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with core migrated once; each test copies it."""
    path = tmp_path_factory.mktemp("template") / "core.db"
    asyncio.run(_migrated_core(f"sqlite://{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> AsyncIterator[str] | Any:
    """A PostgreSQL database with core migrated once; each test clones it."""
    if not POSTGRES_URL:
        pytest.skip("SAMPARK_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
    asyncio.run(
        _admin_execute(
            f'DROP DATABASE IF EXISTS "{_TEMPLATE_DB}"', f'CREATE DATABASE "{_TEMPLATE_DB}"'
        )
    )
    asyncio.run(_migrated_core(_with_database(POSTGRES_URL, _TEMPLATE_DB)))
    yield _TEMPLATE_DB
    asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{_TEMPLATE_DB}" WITH (FORCE)'))


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
    asyncio.run(_admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _with_database(POSTGRES_URL, name)
    asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for a test CRM: Indian phone numbers by default, no plugins."""
    return Settings(database_url=database_url, phone_region="IN", currency="INR")


KernelFactory = Callable[..., Awaitable[Sampark]]


@pytest.fixture
async def make_kernel(settings: Settings) -> AsyncIterator[KernelFactory]:
    """Start kernels on the test database with settings overridden per call."""
    started: list[Sampark] = []

    async def make(**overrides: Any) -> Sampark:
        kernel = Sampark(dataclasses.replace(settings, **overrides))
        await kernel.start(migrate=True)
        started.append(kernel)
        return kernel

    yield make
    for kernel in started:
        await kernel.close()


@pytest.fixture
async def crm(make_kernel: KernelFactory) -> Sampark:
    """A started kernel with core only, on a fresh database."""
    return await make_kernel()


async def _recorded_selects(
    crm: Sampark, call: Callable[[], Awaitable[Any]]
) -> list[tuple[str, list[Any]]]:
    """The SELECTs ``call`` ran on the kernel's connection, with their parameters."""
    with crm.activate():
        client = crm.connection
    queries: list[tuple[str, list[Any]]] = []

    def spying(name: str) -> Callable[..., Awaitable[Any]]:
        original = getattr(client, name)

        async def spy(sql: str, values: list[Any] | None = None) -> Any:
            queries.append((sql, list(values or [])))
            return await original(sql, values)

        return spy

    names = ("execute_query", "execute_query_dict")
    for name in names:
        setattr(client, name, spying(name))
    try:
        await call()
    finally:
        for name in names:
            delattr(client, name)
    return [(sql, values) for sql, values in queries if sql.lstrip().upper().startswith("SELECT")]


@pytest.fixture
def recorded_selects() -> Callable[..., Awaitable[list[tuple[str, list[Any]]]]]:
    """``await recorded_selects(crm, call)``: the SELECTs a call through the public API ran."""
    return _recorded_selects


# ---------------------------------------------------------------------------
# Schemathesis over the served API (core's operations and plugins')
# ---------------------------------------------------------------------------

# A fixed, bounded run in CI; SAMPARK_API_FUZZ=<examples> explores further, at random.
_DEEPER = os.environ.get("SAMPARK_API_FUZZ", "")
_MAX_EXAMPLES = int(_DEEPER) if _DEEPER.isdigit() else 20
# Schemathesis' default refusals, plus 413: how the server refuses a body over
# [web] max_body_bytes, whatever the body holds.
_REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]


def _fuzz_api(app: Any, token: str, *, label: str | None = None) -> list[str]:
    """Positive and negative requests for each operation; returns their ``METHOD path``s.

    ``label`` limits the run to one plugin's operations (``/v1/<label>…``). Each response
    must be documented, match its schema and headers, refuse bad input and deny callers
    without a token; every operation runs and all failures are reported together.
    """
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.config import SchemathesisConfig
    from schemathesis.specs.openapi import checks

    config = SchemathesisConfig.from_dict(
        {"checks": {"negative_data_rejection": {"expected-statuses": _REFUSALS}}}
    )
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, config=config)

    @schema.auth()
    class Token:
        """Schemathesis' own auth, so it knows which requests carry valid credentials."""

        def get(self, case: Any, context: Any) -> str:
            return token

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    to_check = [
        not_a_server_error,
        checks.status_code_conformance,
        checks.content_type_conformance,
        checks.response_headers_conformance,
        checks.response_schema_conformance,
        checks.negative_data_rejection,
        checks.ignored_auth,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    if label is not None:
        operations = [op for op in operations if op.path.split("/")[2] == label]
    failures = []
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=_MAX_EXAMPLES,
                deadline=None,
                database=None,
                derandomize=not _DEEPER,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                response = case.call()
                # Starlette's Mount pattern stops at a newline: such a URL never reaches the
                # API, and the app around it answers (its 404 page is the web app's business).
                if "\n" in unquote(urlsplit(response.request.url).path):
                    return
                case.validate_response(response, checks=to_check, transport_kwargs={})

            try:
                run()
            except Exception as exc:
                failures.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"
                )
    assert not failures, "\n\n".join(failures)
    return [f"{op.method.upper()} {op.path}" for op in operations]


@pytest.fixture
def fuzz_api() -> Callable[..., list[str]]:
    """``fuzz_api(app, token, label=None)``: schemathesis over the served document."""
    return _fuzz_api


# ---------------------------------------------------------------------------
# Query plans: a list or a search that reads a whole table is a bug (PERFORMANCE.md)
# ---------------------------------------------------------------------------

_SQLITE_FULL_SCAN = re.compile(r"\bSCAN (\w+)\b(?! USING| VIRTUAL TABLE)")


class QueryPlans:
    """The plan of a query on the kernel's engine, and the tables it reads whole."""

    @staticmethod
    async def plan(crm: Sampark, sql: str, values: list[Any]) -> str:
        with crm.activate():
            if crm.dialect == "sqlite":
                rows = await crm.connection.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}", values)
                return "\n".join(row["detail"] for row in rows)
            async with in_transaction() as conn:
                # Tiny test tables make a sequential scan and a sort cheapest; forbid both to
                # prove the query *can* be answered from an index, in order.
                await conn.execute_script("SET LOCAL enable_seqscan = off")
                await conn.execute_script("SET LOCAL enable_sort = off")
                rows = await conn.execute_query_dict(f"EXPLAIN {sql}", values)
            return "\n".join(row["QUERY PLAN"] for row in rows)

    @staticmethod
    def scans(dialect: str, sql: str, plan: str) -> list[str]:
        """Tables read whole; a LIMITed query that sorts counts too (it reads every match).

        Loading a page's emails or tags may sort those few rows: that is not a scan.
        """
        if dialect == "sqlite":
            scans = _SQLITE_FULL_SCAN.findall(plan)
            if "LIMIT" in sql and "USE TEMP B-TREE FOR ORDER BY" in plan:
                scans.append("sort before LIMIT")
            return scans
        scans = re.findall(r"Seq Scan on (\w+)", plan)
        if "LIMIT" in sql and re.search(r"Limit.*\n.*Sort", plan):
            scans.append("sort before LIMIT")
        return scans

    async def full_scans(self, crm: Sampark, sql: str, values: list[Any]) -> list[str]:
        return self.scans(crm.dialect, sql, await self.plan(crm, sql, values))


@pytest.fixture
def query_plans() -> QueryPlans:
    """``await query_plans.full_scans(crm, sql, values)``: the tables a query reads whole."""
    return QueryPlans()


# ---------------------------------------------------------------------------
# HTTP clients of the web app and the API, in-process
# ---------------------------------------------------------------------------

# The password the web, tickets and contracts fixtures give their users.
PASSWORD = "a long enough passphrase"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class Clients:
    """Browser-like and token clients of an app, closed when the test ends.

    The web, API, tickets and contracts tests all speak to the ASGI app the same way;
    with ``--import-mode=importlib`` their conftests cannot import one another's helpers,
    so the one copy lives here, behind the ``clients`` fixture.

    A browser client keeps cookies, does not follow redirects (tests see each 303) and gets
    server errors back as the 500 page, as a real browser would. An API client sends a
    bearer token to ``http://test/api/v1`` and lets server errors raise.
    """

    password = PASSWORD
    csrf_of = staticmethod(_csrf_of)

    def __init__(self) -> None:
        self._opened: list[httpx.AsyncClient] = []

    def _keep(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        self._opened.append(client)
        return client

    def browser(self, app: Any, **options: Any) -> httpx.AsyncClient:
        """A browser that has not signed in (usable in ``async with`` too)."""
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        return self._keep(
            httpx.AsyncClient(transport=transport, base_url="http://localhost", **options)
        )

    @staticmethod
    async def sign_in(
        client: httpx.AsyncClient, username: str, password: str = PASSWORD
    ) -> httpx.Response:
        """Sign in through the login form, as a person would; returns the POST's response."""
        page = await client.get("/login")
        return await client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": _csrf_of(page.text)},
        )

    async def signed_in(self, app: Any, username: str, **options: Any) -> httpx.AsyncClient:
        """A browser signed in as ``username`` (with ``PASSWORD``); the sign-in must succeed."""
        client = self.browser(app, **options)
        response = await self.sign_in(client, username)
        assert response.status_code == 303, response.text
        return client

    def api(self, app: Any, token: str | None, **headers: str) -> httpx.AsyncClient:
        """A client of ``app``'s API sending ``token`` (None: no Authorization header)."""
        if token is not None:
            headers.setdefault("Authorization", f"Bearer {token}")
        transport = httpx.ASGITransport(app=app)
        return self._keep(
            httpx.AsyncClient(transport=transport, base_url="http://test/api/v1", headers=headers)
        )

    async def aclose(self) -> None:
        for client in self._opened:
            await client.aclose()


@pytest.fixture
async def clients() -> AsyncIterator[Clients]:
    """``clients.browser(app)``, ``await clients.signed_in(app, "ravi")``, ``clients.api(app,
    token)``, ``clients.csrf_of(html)``: every client opened is closed after the test."""
    opened = Clients()
    yield opened
    await opened.aclose()


@pytest.fixture
def quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters, for tests that sign in a lot (the strength is tested elsewhere)."""
    from argon2 import PasswordHasher

    from sampark.core.services import users

    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


# ---------------------------------------------------------------------------
# The web app served on a seeded database, for tools with an event loop of their own
# ---------------------------------------------------------------------------

Seed = Callable[[Sampark], Awaitable[Any]]


@pytest.fixture
def serve(settings: Settings) -> Iterator[Callable[..., Any]]:
    """``serve(seed, migrate=False, **changes)``: the web app on a seeded test database.

    The kernel (``settings`` with ``changes``, answering the test clients' host names) is
    started, given to ``seed`` and closed again; the app opens and closes it in its lifespan.
    What ``seed`` returns is in ``app.state.seeded``. For schemathesis, which runs the app
    in an event loop of its own; the API, tickets and contracts suites share this.
    """
    from schemathesis.python.asgi import shutdown_lifespans

    from sampark.web.app import build_app

    def served(seed: Seed, *, migrate: bool = False, **changes: Any) -> Any:
        web = dataclasses.replace(settings.web, allowed_hosts=("test", "testserver"))
        kernel = Sampark(dataclasses.replace(settings, web=web, **changes))

        async def seeded() -> Any:
            await kernel.start(migrate=migrate)
            try:
                return await seed(kernel)
            finally:
                await kernel.close()

        result = asyncio.run(seeded())
        app = build_app(kernel, manage_kernel=True)
        app.state.seeded = result
        return app

    yield served
    # Schemathesis keeps an app's lifespan running between requests: end it (closing the
    # kernel) before the database goes away.
    shutdown_lifespans()
