"""``sampark init`` and ``sampark migrate``: config written once, migrations shown as they run."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import sampark
from sampark.cli import build_cli
from sampark.core.kernel import Sampark
from sampark.core.settings import load_settings

RunCli = Invoke = Callable[..., Result]

# Core's migrations as they are on disk, in the order they apply.
CORE_MIGRATIONS = sorted(
    path.stem for path in (Path(sampark.__file__).parent / "core" / "migrations").glob("0*.py")
)


def _in_cwd(*args: str) -> Result:
    """Run a command the way a user does in a folder, with no --config."""
    return CliRunner().invoke(build_cli(list(args)), list(args))


def _pending(config: Path) -> list[str]:
    async def check() -> list[str]:
        kernel = Sampark(load_settings(config))
        await kernel.start(migrate=False, create_db=False)  # refuses if anything is pending
        try:
            return await kernel.pending_migrations()
        finally:
            await kernel.close()

    return asyncio.run(check())


def test_init_writes_a_config_next_to_a_new_database_and_migrates_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _in_cwd("init")
    assert result.exit_code == 0, result.output
    assert "applying core.0001_initial … done" in result.stdout
    assert f"Applied {len(CORE_MIGRATIONS)} migrations" in result.stdout
    assert "Next steps:" in result.stdout
    assert load_settings(tmp_path / "sampark.toml").database_url == (
        f"sqlite://{tmp_path / 'sampark.db'}"
    )
    assert _pending(tmp_path / "sampark.toml") == []
    assert not list(tmp_path.glob(".sampark-*")), "the staging file is left behind"


def test_init_says_how_to_put_sampark_on_path_in_a_fresh_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # a shell where the venv is not active
    activate = Path(sys.executable).parent / "activate"
    result = _in_cwd("init")
    assert result.exit_code == 0, result.output
    steps = result.stdout.split("Next steps:\n")[1].splitlines()
    assert steps[0].split("#")[0].split() == [".", os.path.relpath(activate)]
    assert (tmp_path / os.path.relpath(activate)).resolve() == activate.resolve()

    monkeypatch.setenv("PATH", str(activate.parent))  # activated: nothing to say
    again = _in_cwd("init", "--force")
    assert "activate" not in again.stdout


def test_init_refuses_to_overwrite_a_config_unless_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sampark.toml").write_text('phone_region = "DE"\n', encoding="utf-8")
    refused = _in_cwd("init")
    assert refused.exit_code == 1
    assert refused.stderr == "error: sampark.toml already exists (use --force to overwrite it)\n"
    assert (tmp_path / "sampark.toml").read_text(encoding="utf-8") == 'phone_region = "DE"\n'
    assert not (tmp_path / "sampark.db").exists()

    forced = _in_cwd("init", "--force")
    assert forced.exit_code == 0, forced.output
    assert 'phone_region = "DE"' not in (tmp_path / "sampark.toml").read_text(encoding="utf-8")


def test_init_from_a_profile_at_the_config_path_with_a_chosen_database(
    tmp_path: Path, invoke: Invoke
) -> None:
    config = tmp_path / "office" / "crm.toml"
    config.parent.mkdir()
    result = invoke(config, "init", "--profile", "shop", "--database", "sqlite://books.db")
    assert result.exit_code == 0, result.output
    assert f"sampark --config {config} demo" in result.stdout
    settings = load_settings(config)
    assert settings.database_url == f"sqlite://{config.parent / 'books.db'}"
    assert "wholesale" in settings.account_kinds
    assert "loyalty_tier" in {spec.name for spec in settings.custom_fields}
    assert config.read_text(encoding="utf-8").count("database =") == 1
    assert _pending(config) == []


def test_init_with_an_unusable_database_url_writes_nothing(tmp_path: Path, invoke: Invoke) -> None:
    config = tmp_path / "sampark.toml"
    result = invoke(config, "init", "--database", "mysql://db/crm")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "unsupported database URL 'mysql://db/crm'" in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_init_refuses_an_unknown_profile_as_a_usage_error(tmp_path: Path, invoke: Invoke) -> None:
    result = invoke(tmp_path / "sampark.toml", "init", "--profile", "zoo")
    assert result.exit_code == 2
    assert "'zoo' is not one of" in result.stderr


def test_migrate_prints_each_migration_then_has_nothing_to_do(
    tmp_path: Path, invoke: Invoke
) -> None:
    config = tmp_path / "sampark.toml"
    config.write_text('database = "sqlite://fresh.db"\n', encoding="utf-8")
    first = invoke(config, "migrate")
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[1:] == [
        *(f"  applying core.{name} … done" for name in CORE_MIGRATIONS),
        f"Applied {len(CORE_MIGRATIONS)} migrations; the database is up to date.",
    ]
    again = invoke(config, "migrate")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == "Nothing to migrate: the database is up to date."


def test_migrate_on_an_up_to_date_database_changes_nothing(run_cli: RunCli) -> None:
    result = run_cli("migrate")
    assert result.exit_code == 0, result.output
    assert "Nothing to migrate" in result.stdout
    assert "applying" not in result.stdout


def test_migrate_applies_the_migrations_of_an_enabled_plugin(
    database_url: str, tmp_path: Path, invoke: Invoke
) -> None:
    pytest.importorskip("sampark_hello", reason="the sample plugin is not installed")
    config = tmp_path / "sampark.toml"
    config.write_text(f'database = "{database_url}"\nplugins = ["hello"]\n', encoding="utf-8")
    result = invoke(config, "migrate")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "  applying hello.0001_initial … done",
        "Applied 1 migration; the database is up to date.",
    ]
    assert _pending(config) == []


def test_a_command_on_an_unmigrated_database_says_what_to_run(
    tmp_path: Path, invoke: Invoke
) -> None:
    config = tmp_path / "sampark.toml"
    config.write_text('database = "sqlite://empty.db"\n', encoding="utf-8")
    result = invoke(config, "contacts", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: the database needs {len(CORE_MIGRATIONS)} migration(s)"
    )
    assert result.stderr.rstrip().endswith("run `sampark migrate`")
    assert result.stdout == ""


def test_a_bad_config_is_one_error_line_not_a_traceback(tmp_path: Path, invoke: Invoke) -> None:
    config = tmp_path / "sampark.toml"
    config.write_text('colour = "red"\n', encoding="utf-8")
    result = invoke(config, "contacts", "list")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert "unknown setting 'colour'" in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_config_file_names_the_command_that_creates_it(
    tmp_path: Path, invoke: Invoke
) -> None:
    result = invoke(tmp_path / "nowhere.toml", "migrate")
    assert result.exit_code == 1
    assert "does not exist (create it with: sampark init)" in result.stderr


@pytest.mark.parametrize(
    ("database", "reason"),
    [
        ("sqlite:///no/such/folder/crm.db", "folder /no/such/folder does not exist"),
        ("postgres://nobody@127.0.0.1:1/crm", "Connect call failed"),
    ],
)
def test_an_unreachable_database_is_one_error_line(
    tmp_path: Path, invoke: Invoke, database: str, reason: str
) -> None:
    config = tmp_path / "sampark.toml"
    config.write_text(f'database = "{database}"\n', encoding="utf-8")
    for command in (("migrate",), ("contacts", "list")):
        result = invoke(config, *command)
        assert result.exit_code == 1, command
        assert result.stderr.startswith(f"error: cannot open the database {database}: ")
        assert reason in result.stderr
        assert len(result.stderr.splitlines()) == 1


# -- PostgreSQL: the database itself is created when missing ------------------------------


def test_migrate_creates_a_missing_postgres_database(
    tmp_path: Path, fresh_postgres_url: str, invoke: Invoke
) -> None:
    config = tmp_path / "sampark.toml"
    config.write_text(f'database = "{fresh_postgres_url}"\n', encoding="utf-8")
    refused = invoke(config, "contacts", "list")
    assert refused.exit_code == 1
    assert "does not exist on" in refused.stderr
    assert "create it with `sampark migrate`" in refused.stderr

    created = invoke(config, "migrate")
    assert created.exit_code == 0, created.output
    assert "Creating the database" in created.stdout
    assert f"Applied {len(CORE_MIGRATIONS)} migrations" in created.stdout
    assert invoke(config, "migrate").stdout.splitlines()[-1].startswith("Nothing to migrate")


def test_init_creates_a_missing_postgres_database(
    tmp_path: Path, fresh_postgres_url: str, invoke: Invoke
) -> None:
    config = tmp_path / "sampark.toml"
    result = invoke(config, "init", "--database", fresh_postgres_url)
    assert result.exit_code == 0, result.output
    assert "Creating the database" in result.stdout
    assert _pending(config) == []
