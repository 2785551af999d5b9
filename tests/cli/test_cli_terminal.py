"""What reaches the terminal: undecodable bytes are refused, stored text cannot drive it.

Names are measured in display columns (Bengali, Tamil and Telugu conjuncts included) so
tables line up; on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from click.testing import Result

from sampark.core.commands.output import display_width
from sampark.core.kernel import Sampark
from sampark.core.sql import execute

RunCli = Callable[..., Result]
Invoke = Callable[..., Result]
WithKernel = Callable[[Callable[[Sampark], Awaitable[Any]]], Any]

HOSTILE = "E\x1b]0;x\x07\x1b[2J\x9b1m\u202eve"


def _added_id(run_cli: RunCli, *args: str) -> int:
    result = run_cli("contacts", "add", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["id"]


def _store_raw_name(with_kernel: WithKernel, contact_id: int, name: str) -> None:
    """Write a name as an older version (or another program) could have stored it."""

    async def write(crm: Sampark) -> None:
        await execute(
            crm.connection,
            "UPDATE core_contact SET display_name = ?, first_name = ? WHERE id = ?",
            [name, name, contact_id],
        )

    with_kernel(write)


def test_an_argument_that_is_not_utf8_is_one_error_line(
    run_cli: RunCli, with_kernel: WithKernel
) -> None:
    # What Python makes of the byte 0xff in argv (surrogateescape).
    result = run_cli("contacts", "add", "--first", "Asha\udcff")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: argument 'Asha\\xff': not valid UTF-8 text; check the terminal's encoding"
    ]
    assert "Traceback" not in result.output

    async def count(crm: Sampark) -> int:
        return len(await crm.contacts.list(limit=10))

    assert with_kernel(count) == 0


def test_a_config_file_that_is_not_utf8_is_one_error_line(
    invoke: Invoke, config_file: Path
) -> None:
    config_file.write_bytes(config_file.read_bytes() + b'currency = "\xffINR"\n')
    result = invoke(config_file, "contacts", "list")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {config_file}: line 3: not valid UTF-8 text (byte 0xff); save the file as UTF-8"
    ]


def test_stored_escape_sequences_are_shown_not_obeyed(
    run_cli: RunCli, with_kernel: WithKernel
) -> None:
    contact_id = _added_id(run_cli, "--first", "Placeholder")
    _store_raw_name(with_kernel, contact_id, HOSTILE)
    spelled = "E\\x1b]0;x\\x07\\x1b[2J\\x9b1m\\u202eve"

    for args in (("contacts", "list"), ("contacts", "show", str(contact_id))):
        result = run_cli(*args)
        assert result.exit_code == 0, result.output
        assert spelled in result.stdout
        assert not any(char in result.stdout for char in "\x1b\x07\x9b\u202e")

    listed = run_cli("contacts", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert "\x9b" not in listed.stdout and "\u202e" not in listed.stdout
    assert json.loads(listed.stdout)["items"][0]["display_name"] == HOSTILE, "JSON stays exact"


def test_indic_names_line_up_by_display_width(run_cli: RunCli) -> None:
    names = [
        ("সৌমিত্র", "চট্টোপাধ্যায়", "soumitra@example.in"),
        ("சுப்ரமணியம்", "", "subramaniam@example.in"),
        ("వెంకటేశ్వర్లు", "", "venkat@example.in"),
        ("Bob", "", "bob@example.com"),
    ]
    for first, last, email in names:
        _added_id(run_cli, "--first", first, *(("--last", last) if last else ()), "--email", email)
    result = run_cli("contacts", "list")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    email_column = display_width(header[: header.index("EMAIL")])
    assert len(rows) == len(names)
    for row in rows:
        assert display_width(row[: row.index("@") - row[: row.index("@")][::-1].index(" ")]) == (
            email_column
        ), row
