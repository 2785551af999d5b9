"""``sampark tickets …`` against a config file, on both engines."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sampark.cli import build_cli
from sampark.core.kernel import Sampark
from sampark.core.settings import load_settings


def _config(path: Path, database_url: str, plugins: str = '["tickets"]') -> Path:
    path.write_text(
        f'database = "{database_url}"\nphone_region = "IN"\nplugins = {plugins}\n', encoding="utf-8"
    )
    return path


def _invoke(config: Path, *args: str) -> Result:
    argv = ["--config", str(config), *args]
    return CliRunner().invoke(build_cli(argv), argv)


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Path:
    path = _config(tmp_path / "sampark.toml", database_url)
    assert _invoke(path, "migrate").exit_code == 0
    return path


def _with_kernel(config: Path, action: Any) -> Any:
    async def run() -> Any:
        async with Sampark(load_settings(config)) as kernel:
            return await action(kernel)

    return asyncio.run(run())


@pytest.fixture
def contact_id(config: Path) -> int:
    async def make(kernel: Sampark) -> int:
        from sampark.core.services.auth import add_user

        await add_user(kernel, "ravi", roles=("agent",))
        return (await kernel.contacts.create(first_name="Kiran", last_name="Rao")).id

    return _with_kernel(config, make)


def test_open_list_show_reply_note_assign_status(config: Path, contact_id: int) -> None:
    opened = _invoke(
        config,
        "tickets",
        "open",
        "--subject",
        "Printer jam",
        "--requester",
        str(contact_id),
        "--priority",
        "high",
        "--tag",
        "hardware",
    )
    assert opened.exit_code == 0, opened.output
    assert opened.output == "Opened T-000001: Printer jam\n"
    listed = _invoke(config, "tickets", "list")
    assert listed.output.splitlines()[0].split() == [
        "NUMBER",
        "STATUS",
        "PRIORITY",
        "SUBJECT",
        "REQUESTER",
        "ASSIGNEE",
        "DUE",
    ]
    assert "T-000001  new" in listed.output and "Kiran Rao" in listed.output
    replied = _invoke(config, "tickets", "reply", "1", "On our way", "--minutes", "20")
    assert replied.output == "Replied to T-000001 (open)\n", replied.output
    assert _invoke(config, "tickets", "note", "T-000001", "Toner low").exit_code == 0
    assert _invoke(config, "tickets", "assign", "T-1", "ravi").output == (
        "T-000001 is assigned to ravi\n"
    )
    assert _invoke(config, "tickets", "status", "1", "resolved").output == "T-000001 is resolved\n"
    shown = _invoke(config, "tickets", "show", "1")
    assert "resolution" in shown.output and "On our way" in shown.output
    assert "Toner low" in shown.output and "note" in shown.output
    data = json.loads(_invoke(config, "tickets", "show", "1", "--json").output)
    assert data["status"] == "resolved" and data["assignee"] == "ravi"
    assert [m["body"] for m in data["conversation"]] == ["On our way", "Toner low"]
    as_json = json.loads(
        _invoke(config, "tickets", "list", "--json", "--status", "resolved").output
    )
    assert [item["number"] for item in as_json["items"]] == ["T-000001"]
    queue = _invoke(config, "tickets", "queue")
    assert queue.exit_code == 0 and "Breaching soon" in queue.output


def test_errors_name_the_field_and_exit_2(config: Path, contact_id: int) -> None:
    refused = _invoke(
        config, "tickets", "open", "--subject", " ", "--requester", "999", "--priority", "asap"
    )
    assert refused.exit_code == 2
    assert "error: subject: is required" in refused.output
    assert "error: requester_id: no contact with id 999" in refused.output
    assert "error: priority: must be one of low, normal, high, urgent (got 'asap')" in (
        refused.output
    )
    missing = _invoke(config, "tickets", "show", "T-000042")
    assert missing.exit_code == 1 and "error: ticket T-000042 not found" in missing.output
    _invoke(config, "tickets", "open", "--subject", "x", "--requester", str(contact_id))
    bad = _invoke(config, "tickets", "status", "1", "sleeping")
    assert bad.exit_code == 2 and "error: status: must be one of" in bad.output


def test_the_command_exists_only_while_tickets_is_enabled(
    config: Path, contact_id: int, tmp_path: Path, database_url: str
) -> None:
    _invoke(config, "tickets", "open", "--subject", "Kept", "--requester", str(contact_id))
    without = _config(tmp_path / "without.toml", database_url, "[]")
    gone = _invoke(without, "tickets", "list")
    assert gone.exit_code == 2 and "No such command 'tickets'" in gone.output
    assert "tickets" not in _invoke(without, "--help").output
    again = _invoke(config, "tickets", "list")
    assert "T-000001" in again.output and "Kept" in again.output


def test_delete_and_restore_by_number(config: Path, contact_id: int) -> None:
    _invoke(config, "tickets", "open", "--subject", "Spam", "--requester", str(contact_id))
    stale = _invoke(config, "tickets", "delete", "T-1", "--version", "9")
    assert stale.exit_code == 1 and "changed by someone else" in stale.output
    deleted = _invoke(config, "tickets", "delete", "T-1")
    assert deleted.output == "T-000001 deleted (undo: sampark tickets restore T-000001)\n"
    assert "No tickets." in _invoke(config, "tickets", "list").output
    assert "Spam" in _invoke(config, "tickets", "list", "--deleted").output
    assert _invoke(config, "tickets", "show", "1").exit_code == 1
    restored = _invoke(config, "tickets", "restore", "1")
    assert restored.output == "T-000001 restored: Spam\n", restored.output
    assert "Spam" in _invoke(config, "tickets", "list").output
    assert _invoke(config, "tickets", "restore", "T-9").exit_code == 1


def test_control_characters_in_an_argument_are_refused_naming_the_field(
    config: Path, contact_id: int
) -> None:
    refused = _invoke(
        config, "tickets", "open", "--subject", "Wifi\x1b[2J", "--requester", str(contact_id)
    )
    assert refused.exit_code == 2
    assert "error: subject: must not contain control characters (found U+001B)" in (refused.output)
    assert "\x1b" not in refused.output  # the message names the character, not sends it

    async def count(kernel: Sampark) -> int:
        from sampark.plugins.tickets.facade import Tickets

        return len((await Tickets(kernel).list()).items)

    assert _with_kernel(config, count) == 0
