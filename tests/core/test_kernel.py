"""The kernel: opening, migrations, isolation between kernels, notebook display."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import sampark
from sampark.core.errors import ConfigError
from sampark.core.kernel import Sampark
from sampark.core.settings import Settings, redact_url


async def test_open_with_a_url_and_migrate_creates_a_usable_crm(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/fresh.db"
    async with sampark.open(url, migrate=True) as crm:
        assert crm.dialect == "sqlite"
        assert await crm.pending_migrations() == []
    assert (tmp_path / "fresh.db").exists()


async def test_await_open_returns_a_started_kernel(tmp_path: Path) -> None:
    crm = await sampark.open(f"sqlite://{tmp_path}/x.db", migrate=True)
    try:
        assert await crm.pending_migrations() == []
    finally:
        await crm.close()


async def test_open_with_a_config_file_resolves_the_database_next_to_it(tmp_path: Path) -> None:
    config = tmp_path / "sampark.toml"
    config.write_text('database = "sqlite://crm.db"\nphone_region = "IN"\n', encoding="utf-8")
    async with sampark.open(config, migrate=True) as crm:
        assert crm.settings.database_url == f"sqlite://{tmp_path / 'crm.db'}"
        assert crm.settings.phone_region == "IN"
    assert (tmp_path / "crm.db").exists()


async def test_open_takes_a_plain_path_to_a_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    async with sampark.open("crm.db", migrate=True) as crm:
        assert crm.settings.database_url == f"sqlite://{(tmp_path / 'crm.db').resolve()}"
        await crm.contacts.create(first_name="Asha")
    async with sampark.open(tmp_path / "crm.db") as crm:
        assert [c.first_name for c in await crm.contacts.list()] == ["Asha"]


async def test_open_refuses_a_url_that_means_the_filesystem_root(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"filesystem root .* write sqlite://crm\.db"):
        await sampark.open("sqlite:///crm.db", migrate=True)


async def test_open_says_a_missing_postgres_database_does_not_exist_and_how_to_create_it(
    fresh_postgres_url: str,
) -> None:
    url = urlsplit(fresh_postgres_url)
    name, host = url.path.lstrip("/"), url.hostname
    with pytest.raises(ConfigError) as refused:
        await sampark.open(fresh_postgres_url)
    assert str(refused.value) == (
        f"the PostgreSQL database {name!r} does not exist on {host}: create it with "
        "`sampark migrate`, or in Python with `sampark.open(url, migrate=True)`"
    )
    async with sampark.open(fresh_postgres_url, migrate=True) as crm:  # created, as migrate does
        assert await crm.pending_migrations() == []
        assert crm.dialect == "postgres"


async def test_an_unmigrated_database_is_refused_with_the_command_to_run(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"run `sampark migrate`"):
        await sampark.open(f"sqlite://{tmp_path}/old.db")


async def test_migrate_reports_progress_then_has_nothing_left(database_url: str) -> None:
    kernel = Sampark(Settings(database_url=database_url))
    await kernel.start()
    try:
        events: list[tuple[str, str, str]] = []
        assert await kernel.migrate(progress=lambda *event: events.append(event)) == []
        assert events == []
    finally:
        await kernel.close()


async def test_a_fresh_database_migrates_with_progress_events(tmp_path: Path) -> None:
    events: list[tuple[str, str, str]] = []
    kernel = Sampark(Settings(database_url=f"sqlite://{tmp_path}/p.db"))
    await kernel.start(migrate=True, progress=lambda *event: events.append(event))
    await kernel.close()
    on_disk = sorted(
        path.stem for path in (Path(sampark.__file__).parent / "core" / "migrations").glob("0*.py")
    )
    expected = [(step, "core", name) for name in on_disk for step in ("apply_start", "apply_done")]
    assert events == expected
    assert on_disk[:2] == ["0001_initial", "0002_search_and_indexes"]


async def test_two_kernels_in_one_process_keep_their_own_databases(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite://{tmp_path}/one.db")
    first = Sampark(settings)
    second = Sampark(dataclasses.replace(settings, database_url=f"sqlite://{tmp_path}/two.db"))
    await first.start(migrate=True)
    await second.start(migrate=True)
    try:
        with first.activate():
            await first.connection.execute_query(
                "INSERT INTO core_tag (name, key) VALUES ('first', 'first')"
            )
        with second.activate():
            rows = await second.connection.execute_query_dict("SELECT name FROM core_tag")
        assert rows == []
        with first.activate():
            rows = await first.connection.execute_query_dict("SELECT name FROM core_tag")
        assert [row["name"] for row in rows] == ["first"]
    finally:
        await first.close()
        await second.close()


def test_using_a_kernel_before_it_starts_says_how(tmp_path: Path) -> None:
    kernel = Sampark(Settings(database_url=f"sqlite://{tmp_path}/x.db"))
    with pytest.raises(RuntimeError, match=r"sampark\.open"), kernel.activate():
        pass


def test_the_kernel_shows_its_database_without_the_password() -> None:
    url = "postgres://crm:secret@db.internal:5432/crm"
    kernel = Sampark(Settings(database_url=url))
    assert "secret" not in repr(kernel)
    assert "secret" not in kernel._repr_html_()
    assert redact_url(url) == "postgres://crm:***@db.internal:5432/crm"


def test_importing_sampark_has_no_side_effects(tmp_path: Path) -> None:
    """No files, no database, no plugin code: importing only defines things."""
    import subprocess
    import sys

    code = (
        "import sys, sampark; prefixes = ('sampark_', 'asyncpg', 'aiosqlite'); "
        "print(sorted(m for m in sys.modules if m.startswith(prefixes)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.strip() == "[]"
    assert list(tmp_path.iterdir()) == []


async def test_kernels_of_two_engines_cannot_be_open_at_once(tmp_path: Path) -> None:
    """tortoise-orm keeps per-engine query state on the model classes: say so, don't corrupt."""
    if not os.environ.get("SAMPARK_TEST_POSTGRES_URL"):
        pytest.skip("SAMPARK_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
    async with sampark.open(f"sqlite://{tmp_path}/a.db", migrate=True):
        with pytest.raises(ConfigError, match="one database engine per process"):
            await sampark.open(os.environ["SAMPARK_TEST_POSTGRES_URL"])


async def test_one_kernel_serves_many_tasks_at_once(crm: Sampark) -> None:
    """Concurrent requests share one kernel; each task activates it on its own."""
    import asyncio

    created = await asyncio.gather(*(crm.contacts.create(first_name=f"P{i}") for i in range(8)))
    assert len({contact.id for contact in created}) == 8
    page = await crm.contacts.list(limit=50)
    assert len(page) == 8


async def test_the_kernel_reads_an_audit_trail_as_the_system(crm: Sampark) -> None:
    """A notebook reads audit rows without ``as_user(SYSTEM)``: the kernel acts as the system."""
    asha = await crm.contacts.create(first_name="Asha")
    await crm.contacts.update(asha.id, last_name="Rao")
    trail = await crm.audit("contact", asha.id)
    assert [row.action for row in trail] == ["update", "create"]
    assert "last_name" in trail.items[0].changes
    assert crm.contacts.actor.username == "system"


async def test_demo_data_is_one_await_without_activate(crm: Sampark) -> None:
    summary = await crm.demo(contacts=12, seed=4)
    assert summary.contacts == len(await crm.contacts.list(limit=100)) == 12
