"""``sampark deals`` and ``sampark forecast``, run as a user would, on both engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sampark.cli import build_cli


@pytest.fixture
def config_file(database_url: str, tmp_path: Path) -> Path:
    path = tmp_path / "sampark.toml"
    path.write_text(
        f'database = "{database_url}"\ncurrency = "INR"\nplugins = ["pipeline"]\n',
        encoding="utf-8",
    )
    return path


def run(config: Path, *args: str) -> Result:
    argv = ["--config", str(config), *args]
    return CliRunner().invoke(build_cli(argv), argv)


def test_deals_from_add_to_forecast(config_file: Path) -> None:
    assert run(config_file, "migrate").exit_code == 0
    added = run(
        config_file,
        "deals",
        "add",
        "Annual licence",
        "--amount",
        "1200.50",
        "--close",
        "2026-03-10",
    )
    assert added.exit_code == 0, added.output
    assert added.output == "deal 1 opened: Annual licence (Qualification)\n"
    run(
        config_file,
        "deals",
        "add",
        "Support",
        "--amount",
        "300",
        "--currency",
        "USD",
        "--stage",
        "proposal",
    )
    listed = run(config_file, "deals", "list")
    lines = listed.output.splitlines()
    assert lines[0].split() == [
        "ID",
        "TITLE",
        "STAGE",
        "AMOUNT",
        "PROB",
        "CLOSE",
        "OWNER",
        "ACCOUNT",
    ]
    assert "USD 300.00" in lines[1] and "INR 1,200.50" in lines[2]
    moved = run(config_file, "deals", "move", "1", "negotiation")
    assert moved.output == "deal 1 moved to Negotiation (75%)\n"
    shown = json.loads(run(config_file, "deals", "show", "1", "--json").output)
    assert shown["amount"] == "1200.50" and shown["stage"] == "negotiation"
    assert [h["to_stage"] for h in shown["history"]] == ["qualification", "negotiation"]
    table = run(config_file, "deals", "show", "1").output
    assert "weighted" in table and "INR 900.38" in table
    forecast = json.loads(run(config_file, "forecast", "--json").output)
    assert {(r["group"], r["currency"], r["weighted"]) for r in forecast} == {
        ("2026-03", "INR", "900.38"),
        ("none", "USD", "150.00"),
        ("total", "INR", "900.38"),
        ("total", "USD", "150.00"),
    }
    by_owner = run(config_file, "forecast", "--by", "owner")
    assert by_owner.exit_code == 0 and "(nobody)" in by_owner.output
    assert run(config_file, "deals", "won", "1", "--on", "2026-03-01").output == (
        "deal 1 won on 2026-03-01\n"
    )
    sales = run(
        config_file, "forecast", "--by", "account", "--from", "2026-03-01", "--to", "2026-03-31"
    )
    assert "INR 1,200.50" in sales.output
    stats = run(config_file, "forecast", "--by", "stage")
    assert "Qualification" in stats.output and "100.0%" in stats.output
    lost = run(config_file, "deals", "lost", "2", "--reason", "Budget")
    assert lost.exit_code == 0
    edited = run(config_file, "deals", "edit", "2", "--title", "Support renewal", "--version", "2")
    assert edited.exit_code == 0, edited.output
    stale = run(config_file, "deals", "edit", "2", "--title", "x", "--version", "2")
    assert stale.exit_code == 1 and "changed by someone else" in stale.output
    deleted = run(config_file, "deals", "delete", "2")
    assert deleted.output == "deal 2 deleted (undo: sampark deals restore 2)\n"
    assert "no deals" not in run(config_file, "deals", "list").output
    assert "Support renewal" in run(config_file, "deals", "list", "--deleted").output
    restored = run(config_file, "deals", "restore", "2")
    assert restored.output == "deal 2 restored: Support renewal\n"
    assert "no deals" in run(config_file, "deals", "list", "--deleted").output
    assert run(config_file, "deals", "restore", "99").exit_code == 1
    stages = run(config_file, "deals", "stages").output
    assert "needs_analysis" in stages


def test_a_comma_in_an_amount_is_refused_not_read_as_thousands(config_file: Path) -> None:
    run(config_file, "migrate")
    result = run(config_file, "deals", "add", "Licence", "--amount", "12,50")
    assert result.exit_code == 2
    assert result.output == (
        "error: amount: '12,50' is ambiguous: write digits with '.' as the decimal point "
        "and no thousands separators, e.g. 1250.50\n"
    )
    assert "no deals" in run(config_file, "deals", "list").output.lower()


def test_bad_input_is_one_line_per_field_and_exit_2(config_file: Path) -> None:
    run(config_file, "migrate")
    result = run(config_file, "deals", "add", "", "--amount", "ten", "--probability", "300")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "error: title: is required",
        "error: amount: must be digits with an optional '.' and decimal part, e.g. 1250.50 "
        "(got 'ten')",
        "error: probability: must be a percentage from 0 to 100 (got 300)",
    ]
    missing = run(config_file, "deals", "show", "42")
    assert missing.exit_code == 1 and missing.output == "error: deal 42 not found\n"
    bad_range = run(config_file, "forecast", "--from", "2026-02-30")
    assert bad_range.exit_code == 2 and bad_range.output.startswith("error: from: ")
