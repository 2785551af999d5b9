"""``sampark contracts add|list|show|edit|delete|restore``: tables for people, JSON for scripts,
``error: field: problem`` (exit 2) for refused input."""

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
from sampark.plugins.contracts.facade import Contracts
from sampark.plugins.tickets.facade import Tickets

from .conftest import days


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Path:
    path = tmp_path / "sampark.toml"
    path.write_text(
        f'database = "{database_url}"\nplugins = ["tickets", "contracts"]\n', encoding="utf-8"
    )
    return path


def run(config: Path, *args: str) -> Result:
    argv = ["--config", str(config), *args]
    return CliRunner().invoke(build_cli(argv), argv)


def with_kernel(config: Path, action: Any) -> Any:
    async def go() -> Any:
        kernel = Sampark(load_settings(config))
        await kernel.start(migrate=True)
        try:
            return await action(kernel)
        finally:
            await kernel.close()

    return asyncio.run(go())


@pytest.fixture
def account_id(config: Path) -> int:
    async def make(kernel: Sampark) -> int:
        return (await kernel.accounts.create(name="Sundar Textiles")).id

    return with_kernel(config, make)


def test_add_list_show_edit_delete(config: Path, account_id: int) -> None:
    added = run(
        config,
        "contracts",
        "add",
        "--account",
        str(account_id),
        "--name",
        "Gold support",
        "--reference",
        "AMC-1",
        "--unit",
        "incidents",
        "--units",
        "10",
        "--end",
        days(20),
    )
    assert added.exit_code == 0, added.output
    assert added.output.startswith("Added contract 1: Gold support — 0 of 10 incidents used")

    async def open_ticket(kernel: Sampark) -> None:
        contact = await kernel.contacts.create(first_name="Asha")
        await Tickets(kernel).open(
            subject="Loom stopped", requester_id=contact.id, account_id=account_id
        )

    with_kernel(config, open_ticket)

    listed = run(config, "contracts", "list")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split() == ["ID", "NAME", "REFERENCE", "ACCOUNT", "USED", "STATUS", "WARNINGS"]
    assert "1 of 10 incidents used" in lines[1] and f"ends {days(20)}" in lines[1]

    as_json = json.loads(run(config, "contracts", "list", "--attention", "--json").output)
    assert [item["name"] for item in as_json["items"]] == ["Gold support"]
    assert as_json["items"][0]["units_used"] == "1"

    shown = run(config, "contracts", "show", "1")
    assert shown.exit_code == 0, shown.output
    assert "1 of 10 incidents used" in shown.output
    assert "T-000001" in shown.output and "Loom stopped" in shown.output
    shown_json = json.loads(run(config, "contracts", "show", "1", "--json").output)
    assert shown_json["tickets"][0]["number"] == "T-000001"

    edited = run(config, "contracts", "edit", "1", "--units", "12", "--version", "1")
    assert edited.exit_code == 0, edited.output
    assert "1 of 12 incidents used" in edited.output
    stale = run(config, "contracts", "edit", "1", "--name", "X", "--version", "1")
    assert stale.exit_code == 1
    assert "was changed by someone else" in stale.output

    deleted = run(config, "contracts", "delete", "1")
    assert deleted.exit_code == 0
    assert run(config, "contracts", "list").output == "No contracts.\n"
    missing = run(config, "contracts", "show", "1")
    assert missing.exit_code == 1
    assert "error: contract 1 not found" in missing.output

    assert "sampark contracts restore 1" in deleted.output
    listed = run(config, "contracts", "list", "--deleted")
    assert listed.exit_code == 0 and "Gold support" in listed.output.replace("\n", " ")
    stale_restore = run(config, "contracts", "restore", "1", "--version", "2")
    assert stale_restore.exit_code == 1 and "was changed by someone else" in stale_restore.output
    restored = run(config, "contracts", "restore", "1")
    assert restored.exit_code == 0, restored.output
    assert restored.output.startswith("Restored contract 1: ")
    assert "1 of 12 incidents used" in restored.output, "usage comes back as it was"
    assert run(config, "contracts", "list", "--deleted").output == "No contracts.\n"
    assert run(config, "contracts", "restore", "99").exit_code == 1


def test_refused_input_prints_each_field_and_exits_2(config: Path, account_id: int) -> None:
    result = run(
        config,
        "contracts",
        "add",
        "--account",
        str(account_id),
        "--name",
        "Gold",
        "--unit",
        "hours",
        "--units",
        "0.01",
        "--start",
        "someday",
    )
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert any(line.startswith("error: units_included: hours must come to") for line in errors)
    assert any(line.startswith("error: start_date: must be a date") for line in errors)
    assert run(config, "contracts", "edit", "1").exit_code == 2  # nothing to change


def test_list_filters_by_account_and_status(config: Path, account_id: int) -> None:
    async def make(kernel: Sampark) -> None:
        contracts = Contracts.of(kernel)
        other = await kernel.accounts.create(name="Other")
        await contracts.create(
            account_id=account_id,
            name="Old",
            unit="incidents",
            units_included=1,
            start_date=days(-30),
            end_date=days(-1),
        )
        await contracts.create(account_id=other.id, name="New", unit="hours", units_included=3)

    with_kernel(config, make)
    expired = run(config, "contracts", "list", "--status", "expired")
    assert "Old" in expired.output and "New" not in expired.output
    by_account = run(config, "contracts", "list", "--account", str(account_id), "--json")
    assert [item["name"] for item in json.loads(by_account.output)["items"]] == ["Old"]
