"""``sampark contacts …`` end to end, on SQLite and PostgreSQL, checked through the kernel."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from click.testing import Result

from sampark.core.commands.output import display_width
from sampark.core.kernel import Sampark

RunCli = Callable[..., Result]
WithKernel = Callable[[Callable[[Sampark], Awaitable[Any]]], Any]


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _add(run_cli: RunCli, *args: str) -> dict[str, Any]:
    return _json(run_cli("contacts", "add", *args, "--json"))


def _count(with_kernel: WithKernel, *, deleted: bool = False) -> int:
    async def count(crm: Sampark) -> int:
        return len(await crm.contacts.list(deleted=deleted, limit=500))

    return with_kernel(count)


def test_add_then_show_round_trips_every_option(run_cli: RunCli, with_kernel: WithKernel) -> None:
    added = run_cli(
        "contacts",
        "add",
        "--first",
        "आशा",
        "--last",
        "राव",
        "--email",
        "home:asha@example.in",
        "--email",
        "asha.rao@work.example.com",
        "--phone",
        "mobile:98765 43210",
        "--tag",
        "donor",
        "--tag",
        "volunteer",
        "--language",
        "hi-in",
        "--birthday",
        "1990-04-02",
        "--notes",
        "Met at the Pune fair",
    )
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("Added contact ")
    contact_id = int(added.stdout.split()[2].rstrip(":"))

    stored = with_kernel(lambda crm: crm.contacts.get(contact_id))
    assert stored.display_name == "आशा राव"
    assert [(e.label, e.email) for e in stored.emails] == [
        ("home", "asha@example.in"),
        ("work", "asha.rao@work.example.com"),
    ]
    assert [(p.label, p.e164) for p in stored.phones] == [("mobile", "+919876543210")]
    assert stored.tags == ("donor", "volunteer")
    assert stored.language == "hi-IN"

    shown = run_cli("contacts", "show", str(contact_id))
    assert shown.exit_code == 0, shown.output
    fields = {
        line.split("  ", 1)[0]: line.split("  ", 1)[1].strip()
        for line in shown.stdout.splitlines()
        if not line.startswith(" ")
    }
    assert fields["name"] == "आशा राव"
    assert fields["emails"] == "asha@example.in (home, primary)"
    assert "asha.rao@work.example.com (work)" in shown.stdout
    assert fields["phones"] == "+919876543210 (mobile, primary, typed '98765 43210')"
    assert fields["tags"] == "donor, volunteer"
    assert fields["birthday"] == "1990-04-02"
    assert fields["notes"] == "Met at the Pune fair"
    assert fields["version"] == "1"

    as_json = _json(run_cli("contacts", "show", str(contact_id), "--json"))
    assert as_json == {**stored.to_dict(), "links": []}


def test_list_pages_with_a_cursor_and_json(run_cli: RunCli) -> None:
    for first in ("Chandra", "Anil", "Bela"):
        _add(run_cli, "--first", first, "--tag", "lead")
    _add(run_cli, "--first", "Dev")

    first_page = run_cli("contacts", "list", "--tag", "lead", "--limit", "2")
    assert first_page.exit_code == 0, first_page.output
    lines = first_page.stdout.splitlines()
    assert [line.split()[1] for line in lines[1:3]] == ["Anil", "Bela"]
    assert lines[-1].startswith("more: --cursor ")
    cursor = lines[-1].split()[-1]

    rest = _json(
        run_cli("contacts", "list", "--tag", "lead", "--limit", "2", "--cursor", cursor, "--json")
    )
    assert [item["first_name"] for item in rest["items"]] == ["Chandra"]
    assert rest["next_cursor"] is None

    everyone = _json(run_cli("contacts", "list", "--json"))
    assert [item["display_name"] for item in everyone["items"]] == [
        "Anil",
        "Bela",
        "Chandra",
        "Dev",
    ]


def test_edit_changes_only_the_given_fields_and_merges_custom_ones(
    run_cli: RunCli, with_kernel: WithKernel
) -> None:
    contact = _add(run_cli, "--first", "Ravi", "--email", "ravi@example.in", "--tag", "a")
    edited = _json(
        run_cli(
            "contacts",
            "edit",
            str(contact["id"]),
            "--last",
            "Kumar",
            "--tag",
            "b",
            "--tag",
            "c",
            "--version",
            "1",
            "--json",
        )
    )
    assert edited["display_name"] == "Ravi Kumar"
    assert edited["tags"] == ["b", "c"]
    assert [e["email"] for e in edited["emails"]] == ["ravi@example.in"]
    assert edited["version"] == 2
    stored = with_kernel(lambda crm: crm.contacts.get(contact["id"]))
    assert stored.to_dict() == edited


def test_edit_with_nothing_to_change_is_a_usage_error(run_cli: RunCli) -> None:
    contact = _add(run_cli, "--first", "Ravi")
    result = run_cli("contacts", "edit", str(contact["id"]))
    assert result.exit_code == 2
    assert "nothing to change" in result.stderr


def test_a_stale_version_is_refused_with_exit_1(run_cli: RunCli, with_kernel: WithKernel) -> None:
    contact = _add(run_cli, "--first", "Meera")
    assert run_cli("contacts", "edit", str(contact["id"]), "--notes", "first").exit_code == 0
    stale = run_cli("contacts", "edit", str(contact["id"]), "--notes", "second", "--version", "1")
    assert stale.exit_code == 1
    assert stale.stderr == (
        f"error: contact {contact['id']} was changed by someone else "
        "(you edited version 1, it is now version 2)\n"
    )
    assert with_kernel(lambda crm: crm.contacts.get(contact["id"])).notes == "first"


def test_a_bad_email_exits_2_naming_the_field_and_writes_nothing(
    run_cli: RunCli, with_kernel: WithKernel
) -> None:
    result = run_cli("contacts", "add", "--first", "Asha", "--email", "asha@")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: emails[0].email: not a valid email address")
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert _count(with_kernel) == 0


def test_every_bad_field_gets_its_own_line(run_cli: RunCli, with_kernel: WithKernel) -> None:
    result = run_cli(
        "contacts",
        "add",
        "--first",
        "A",
        "--email",
        "ok@example.in",
        "--email",
        "bad@",
        "--phone",
        "123",
        "--birthday",
        "02/04/1990",
        "--field",
        "colour=red",
    )
    assert result.exit_code == 2
    fields = [line.split(":", 2)[1].strip() for line in result.stderr.splitlines()]
    assert fields == ["emails[1].email", "phones[0].number", "birthday", "custom.colour"]
    assert _count(with_kernel) == 0


def test_a_missing_contact_exits_1_with_one_line(run_cli: RunCli) -> None:
    for command in (("show", "99"), ("edit", "99", "--notes", "x"), ("delete", "99")):
        result = run_cli("contacts", *command)
        assert result.exit_code == 1, command
        assert result.stderr == "error: contact 99 not found\n"


def test_a_malformed_field_option_is_a_usage_error(run_cli: RunCli) -> None:
    result = run_cli("contacts", "add", "--first", "A", "--field", "tier")
    assert result.exit_code == 2
    assert "'tier' is not NAME=VALUE" in result.stderr


def test_delete_hides_and_restore_brings_back(run_cli: RunCli, with_kernel: WithKernel) -> None:
    contact = _add(run_cli, "--first", "Kiran")
    deleted = run_cli("contacts", "delete", str(contact["id"]))
    assert deleted.exit_code == 0, deleted.output
    assert f"sampark contacts restore {contact['id']}" in deleted.stdout
    assert _count(with_kernel) == 0
    trash = _json(run_cli("contacts", "list", "--deleted", "--json"))
    assert [item["id"] for item in trash["items"]] == [contact["id"]]
    shown = run_cli("contacts", "show", str(contact["id"]))
    assert "deleted" in shown.stdout and "restore with" in shown.stdout

    restored = run_cli("contacts", "restore", str(contact["id"]))
    assert restored.exit_code == 0, restored.output
    assert restored.stdout.startswith(f"Restored contact {contact['id']}: Kiran")
    assert _count(with_kernel) == 1


def test_search_finds_by_phone_in_any_format(run_cli: RunCli) -> None:
    _add(run_cli, "--first", "आशा", "--phone", "+91 98765 43210")
    _add(run_cli, "--first", "Bob", "--phone", "+91 91234 56789")
    found = _json(run_cli("contacts", "search", "98765", "--json"))
    assert [item["first_name"] for item in found["items"]] == ["आशा"]
    table = run_cli("contacts", "search", "आशा")
    assert table.exit_code == 0, table.output
    assert "आशा" in table.stdout and "Bob" not in table.stdout
    none = run_cli("contacts", "search", "zzzz")
    assert none.stdout == "No contacts found.\n"


def test_devanagari_names_line_up_in_the_list(run_cli: RunCli) -> None:
    _add(run_cli, "--first", "आशा", "--last", "राव", "--email", "asha@example.in")
    _add(run_cli, "--first", "Bob", "--last", "Smith", "--email", "bob@example.com")
    result = run_cli("contacts", "list")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert "आशा राव" in result.stdout
    email_column = display_width(header[: header.index("EMAIL")])
    for row in rows:
        start = row.index("@") - row[: row.index("@")][::-1].index(" ")
        assert display_width(row[:start]) == email_column, row


def test_text_the_api_refuses_is_refused_naming_the_field(
    run_cli: RunCli, with_kernel: WithKernel
) -> None:
    result = run_cli("contacts", "add", "--first", "As\x00ha", "--last", "Rao\x1b[31m")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: first_name: must not contain the NUL character (U+0000)",
        "error: last_name: must not contain control characters (found U+001B)",
    ]
    assert _count(with_kernel) == 0
