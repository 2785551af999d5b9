"""``sampark users …``, ``sampark tokens …`` and the first admin of ``sampark init``."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from sampark.cli import build_cli
from sampark.core.errors import LoginFailed
from sampark.core.kernel import Sampark
from sampark.core.services import auth

PASSWORD = "correct horse battery"


def _with_input(config: Path, text: str, *args: str) -> Result:
    argv = ["--config", str(config), *args]
    return CliRunner().invoke(build_cli(argv), argv, input=text)


def _signs_in(with_kernel: Any, username: str, password: str) -> bool:
    async def attempt(crm: Sampark) -> bool:
        try:
            await auth.authenticate(crm, username, password, address="")
        except LoginFailed:
            return False
        return True

    return with_kernel(attempt)


def test_add_and_list_users(run_cli: Any, with_kernel: Any) -> None:
    added = run_cli(
        "users", "add", "meera", "--password", PASSWORD, "--role", "manager",
        "--display-name", "मीरा अय्यर", "--email", "meera@example.in",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert added.stdout == "Added user meera (manager).\n"
    assert run_cli("users", "add", "john", "--no-password").exit_code == 0

    listed = run_cli("users", "list")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["USERNAME", "NAME", "EMAIL", "ROLES", "STATUS", "LAST", "SIGN-IN"]
    assert lines[1].split()[:2] == ["john", "agent"]
    assert lines[2].split() == ["meera", "मीरा", "अय्यर", "meera@example.in", "manager", "active"]

    as_json = json.loads(run_cli("users", "list", "--json", "--limit", "1").stdout)
    assert [user["username"] for user in as_json["items"]] == ["john"]
    assert "password_hash" not in as_json["items"][0]
    assert as_json["next_cursor"]
    assert _signs_in(with_kernel, "meera", PASSWORD)
    assert not _signs_in(with_kernel, "john", "")


def test_add_user_asks_for_the_password_twice_without_echo(
    config_file: Path, with_kernel: Any
) -> None:
    result = _with_input(config_file, f"{PASSWORD}\n{PASSWORD}\n", "users", "add", "ravi")
    assert result.exit_code == 0, result.output
    assert "New password for ravi: " in result.output
    assert "Repeat it: " in result.output
    assert PASSWORD not in result.output
    assert _signs_in(with_kernel, "ravi", PASSWORD)


def test_bad_input_names_every_field_and_adds_nobody(run_cli: Any) -> None:
    result = run_cli("users", "add", "meera iyer", "--password", "short", "--role", "boss")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: username: may only use letters a-z, digits and . _ - @",
        "error: password: must be at least 10 characters long",
        "error: roles[0]: unknown role 'boss' (known roles: admin, agent, manager, read-only)",
    ]
    assert run_cli("users", "list").stdout == "No users.\n"
    assert run_cli("users", "add", "meera", "--no-password").exit_code == 0
    taken = run_cli("users", "add", "MEERA", "--no-password")
    assert (taken.exit_code, taken.stderr) == (2, "error: username: 'MEERA' is taken\n")


def test_passwd_changes_the_password(run_cli: Any, config_file: Path, with_kernel: Any) -> None:
    assert run_cli("users", "add", "meera", "--password", PASSWORD).exit_code == 0
    new = "a much better passphrase"
    mismatch = f"{new}\nsomething else\n{new}\n{new}\n"
    result = _with_input(config_file, mismatch, "users", "passwd", "meera")
    assert result.exit_code == 0, result.output
    assert "Error: The two entered values do not match." in result.output
    assert new not in result.output
    assert result.stdout.endswith("Changed the password of meera.\n")
    assert _signs_in(with_kernel, "meera", new)
    assert not _signs_in(with_kernel, "meera", PASSWORD)

    short = run_cli("users", "passwd", "meera", "--password", "tiny")
    assert (short.exit_code, short.stderr) == (
        2,
        "error: password: must be at least 10 characters long\n",
    )
    ghost = run_cli("users", "passwd", "ghost", "--password", new)
    assert (ghost.exit_code, ghost.stderr) == (1, "error: user ghost not found\n")


def test_disable_and_enable(run_cli: Any, with_kernel: Any) -> None:
    run_cli("users", "add", "asha", "--role", "admin", "--no-password")
    run_cli("users", "add", "meera", "--password", PASSWORD)
    disabled = run_cli("users", "disable", "meera")
    assert disabled.exit_code == 0, disabled.output
    assert "Disabled meera" in disabled.stdout
    assert "disabled" in run_cli("users", "list").stdout
    assert not _signs_in(with_kernel, "meera", PASSWORD)
    assert run_cli("users", "enable", "meera").stdout == "Enabled meera.\n"
    assert _signs_in(with_kernel, "meera", PASSWORD)

    last = run_cli("users", "disable", "asha")
    assert last.exit_code == 2
    assert "asha is the last active user who may manage users" in last.stderr


def test_roles_are_shown_and_replaced(run_cli: Any) -> None:
    run_cli("users", "add", "meera", "--no-password")
    shown = run_cli("users", "roles", "meera")
    assert shown.stdout == "meera: agent\nknown roles: admin, agent, manager, read-only\n"
    changed = run_cli("users", "roles", "Meera", "manager", "read-only")
    assert changed.stdout == "meera: manager, read-only\n"
    refused = run_cli("users", "roles", "meera", "boss")
    assert refused.exit_code == 2
    assert "unknown role 'boss'" in refused.stderr
    assert run_cli("users", "roles", "meera").stdout.startswith("meera: manager, read-only\n")


def test_prefs_are_shown_and_changed_one_at_a_time(run_cli: Any, with_kernel: Any) -> None:
    run_cli("users", "add", "meera", "--no-password")
    shown = run_cli("users", "prefs", "meera")
    assert shown.stdout == "meera: language the default, time zone the default\n"
    run_cli("users", "prefs", "meera", "--language", "ta")
    changed = run_cli("users", "prefs", "meera", "--time-zone", "Asia/Kolkata")
    assert changed.stdout == "meera: language ta, time zone Asia/Kolkata\n"
    user = with_kernel(lambda crm: auth.get_user(crm, "meera"))
    assert (user.language, user.time_zone) == ("ta", "Asia/Kolkata")
    refused = run_cli("users", "prefs", "meera", "--language", "xx", "--time-zone", "Mars/Base")
    assert refused.exit_code == 2
    assert "language" in refused.stderr and "time_zone" in refused.stderr
    assert run_cli("users", "prefs", "meera").stdout.endswith("time zone Asia/Kolkata\n")


def test_tokens_are_shown_once_listed_by_prefix_and_revoked(run_cli: Any, with_kernel: Any) -> None:
    run_cli("users", "add", "meera", "--role", "manager", "--no-password")
    created = run_cli("tokens", "create", "meera", "--name", "accounting sync")
    assert created.exit_code == 0, created.output
    header, token = created.stdout.splitlines()
    assert header == "Created token 1 (accounting sync) for meera:"
    assert re.fullmatch(r"smp_[A-Za-z0-9_-]{43}", token)
    assert "cannot be shown again" in created.stderr

    actor = with_kernel(lambda crm: auth.token_actor(crm, token))
    assert actor.username == "meera"

    listed = run_cli("tokens", "list", "meera")
    assert listed.exit_code == 0, listed.output
    assert f"smp_{token[4:12]}…" in listed.stdout
    assert token[12:] not in listed.stdout
    assert listed.stdout.splitlines()[1].split()[-1] == "active"

    as_json = json.loads(
        run_cli(
            "tokens", "create", "meera", "--name", "ci", "--expires", "2099-01-01", "--json"
        ).stdout
    )
    assert as_json["token"].startswith("smp_")
    expires = dt.datetime.fromisoformat(as_json["expires_at"])
    assert expires == dt.datetime(2099, 1, 1).astimezone(), "a date is local midnight"

    revoked = run_cli("tokens", "revoke", "meera", "1")
    assert revoked.stdout == "Revoked token 1 of meera.\n"
    assert with_kernel(lambda crm: auth.token_actor(crm, token)) is None
    assert run_cli("tokens", "list", "meera").stdout.splitlines()[2].split()[-1] == "revoked"

    missing = run_cli("tokens", "revoke", "meera", "99")
    assert (missing.exit_code, missing.stderr) == (1, "error: token 99 not found\n")
    past = run_cli("tokens", "create", "meera", "--name", "old", "--expires", "2001-01-01")
    assert (past.exit_code, past.stderr) == (2, "error: expires_at: must be in the future\n")


def test_init_creates_the_first_admin_and_prints_the_password_once(
    tmp_path: Path, database_url: str, invoke: Any, with_kernel: Any
) -> None:
    config = tmp_path / "fresh" / "sampark.toml"
    config.parent.mkdir()
    result = invoke(config, "init", "--database", database_url)
    assert result.exit_code == 0, result.output
    assert "Created the first admin: admin" in result.stdout
    found = re.search(r"^  password: (\S+)$", result.stdout, re.MULTILINE)
    assert found is not None, result.stdout
    password = found.group(1)
    assert len(password) >= 10
    assert f"sampark --config {config} users passwd admin" in result.stdout
    actor = with_kernel(lambda crm: auth.authenticate(crm, "admin", password, address=""))
    assert actor.can("users.manage")

    again = invoke(config, "init", "--database", database_url, "--force")
    assert again.exit_code == 0, again.output
    assert "no admin added" in again.stdout
    assert "password:" not in again.stdout


def test_init_takes_the_admins_name_and_password(
    tmp_path: Path, database_url: str, invoke: Any
) -> None:
    config = tmp_path / "sampark.toml"
    short = invoke(config, "init", "--database", database_url, "--admin-password", "tiny")
    assert (short.exit_code, short.stderr) == (
        2,
        "error: --admin-password: must be at least 10 characters long\n",
    )
    assert not config.exists(), "nothing is written for a refused admin"

    result = invoke(
        config, "init", "--database", database_url,
        "--admin-username", "asha", "--admin-password", PASSWORD,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created the first admin: asha" in result.stdout
    assert PASSWORD not in result.stdout
    listed = invoke(config, "users", "list").stdout.splitlines()
    assert listed[1].split()[:3] == ["asha", "admin", "active"]
