"""``link``, ``unlink``, ``log``, ``followups`` (and ``followups done``) and ``timeline``."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from click.testing import Result

from sampark.core.kernel import Sampark

RunCli = Callable[..., Result]
WithKernel = Callable[[Callable[[Sampark], Awaitable[Any]]], Any]


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def people(run_cli: RunCli) -> tuple[int, int]:
    """A contact and an account: (contact id, account id)."""
    contact = _json(run_cli("contacts", "add", "--first", "आशा", "--last", "राव", "--json"))
    account = _json(run_cli("accounts", "add", "--name", "Sundar Textiles", "--json"))
    return contact["id"], account["id"]


def test_link_shows_on_both_sides_and_unlink_removes_it(
    run_cli: RunCli, people: tuple[int, int]
) -> None:
    contact_id, account_id = people
    linked = run_cli(
        "link",
        str(contact_id),
        str(account_id),
        "--role",
        "Buyer",
        "--primary",
        "--start",
        "2020-01-01",
    )
    assert linked.exit_code == 0, linked.output
    assert linked.stdout.startswith(
        f"Linked आशा राव to Sundar Textiles (account {account_id}): Buyer, primary, "
        "2020-01-01 to now  [link "
    )
    link_id = int(linked.stdout.rstrip().rstrip("]").split()[-1])

    contact = _json(run_cli("contacts", "show", str(contact_id), "--json"))
    assert [(link["id"], link["role"], link["primary"]) for link in contact["links"]] == [
        (link_id, "Buyer", True)
    ]
    account = run_cli("accounts", "show", str(account_id))
    assert f"आशा राव (contact {contact_id}): Buyer, primary" in account.stdout

    removed = run_cli("unlink", str(link_id))
    assert removed.exit_code == 0, removed.output
    assert _json(run_cli("contacts", "show", str(contact_id), "--json"))["links"] == []
    again = run_cli("unlink", str(link_id))
    assert again.exit_code == 1
    assert again.stderr == f"error: link {link_id} not found\n"


def test_link_to_a_missing_account_exits_1(run_cli: RunCli, people: tuple[int, int]) -> None:
    result = run_cli("link", str(people[0]), "999")
    assert result.exit_code == 1
    assert result.stderr == "error: account 999 not found\n"


def test_log_a_call_and_see_it_on_both_timelines(
    run_cli: RunCli, people: tuple[int, int], with_kernel: WithKernel
) -> None:
    contact_id, account_id = people
    logged = _json(
        run_cli(
            "log",
            "call",
            "--contact",
            str(contact_id),
            "--account",
            str(account_id),
            "--subject",
            "Discussed the order",
            "--outcome",
            "Sends PO Friday",
            "--direction",
            "outbound",
            "--duration",
            "15",
            "--at",
            "2025-03-01T14:30+05:30",
            "--json",
        )
    )
    assert logged["status"] == "done"
    assert logged["occurred_at"] == "2025-03-01T09:00:00+00:00"
    assert logged["contact_ids"] == [contact_id]
    assert logged["account_ids"] == [account_id]
    stored = with_kernel(lambda crm: crm.interactions.get(logged["id"]))
    assert stored.to_dict() == logged

    for subject in (str(contact_id), f"c:{contact_id}", f"contact:{contact_id}"):
        page = _json(run_cli("timeline", subject, "--json"))
        assert [item["title"] for item in page["items"]] == ["Discussed the order"], subject
    table = run_cli("timeline", f"a:{account_id}")
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[0].split() == ["WHEN", "KIND", "STATUS", "TITLE", "REF"]
    assert "Discussed the order" in table.stdout


def test_timeline_pages_with_a_cursor(run_cli: RunCli, people: tuple[int, int]) -> None:
    contact_id = people[0]
    for day in ("01", "02", "03"):
        result = run_cli(
            "log",
            "note",
            "--contact",
            str(contact_id),
            "--subject",
            f"Note {day}",
            "--at",
            f"2025-01-{day}T10:00",
        )
        assert result.exit_code == 0, result.output
    first = run_cli("timeline", str(contact_id), "--limit", "2")
    lines = first.stdout.splitlines()
    assert [line.split("  ")[-2].strip() for line in lines[1:3]] == ["Note 03", "Note 02"]
    cursor = lines[-1].split()[-1]
    rest = _json(run_cli("timeline", str(contact_id), "--limit", "2", "--cursor", cursor, "--json"))
    assert [item["title"] for item in rest["items"]] == ["Note 01"]
    assert rest["next_cursor"] is None


def test_plan_list_and_complete_a_followup(run_cli: RunCli, people: tuple[int, int]) -> None:
    contact_id = people[0]
    planned = _json(
        run_cli(
            "log",
            "call",
            "--contact",
            str(contact_id),
            "--due",
            "2030-12-01T10:00",
            "--subject",
            "Chase the PO",
            "--json",
        )
    )
    assert planned["status"] == "planned"

    table = run_cli("followups")
    assert table.exit_code == 0, table.output
    header, row = table.stdout.splitlines()
    assert header.split() == ["ID", "DUE", "KIND", "SUBJECT", "WITH", "OWNER"]
    assert row.split()[0] == str(planned["id"])
    assert "Chase the PO" in row and f"contact {contact_id}" in row
    assert _json(run_cli("followups", "--due-before", "2030-01-01", "--json"))["items"] == []

    done = _json(run_cli("followups", "done", str(planned["id"]), "--outcome", "PO in", "--json"))
    assert done["status"] == "done"
    assert done["outcome"] == "PO in"
    assert run_cli("followups").stdout == "No follow-ups planned.\n"

    twice = run_cli("followups", "done", str(planned["id"]))
    assert twice.exit_code == 2
    assert twice.stderr == f"error: status: interaction {planned['id']} is already done\n"


def test_planned_needs_a_due_time(run_cli: RunCli, people: tuple[int, int]) -> None:
    result = run_cli("log", "call", "--contact", str(people[0]), "--planned")
    assert result.exit_code == 2
    assert result.stderr == "error: due_at: is required for a planned interaction\n"


def test_bad_log_input_names_every_field_and_writes_nothing(
    run_cli: RunCli, people: tuple[int, int], with_kernel: WithKernel
) -> None:
    result = run_cli(
        "log",
        "carrier-pigeon",
        "--contact",
        "999",
        "--direction",
        "sideways",
        "--at",
        "2999-01-01T00:00",
    )
    assert result.exit_code == 2
    fields = {line.split(":", 2)[1].strip() for line in result.stderr.splitlines()}
    assert {"kind", "direction", "occurred_at"} <= fields
    page = with_kernel(lambda crm: crm.timeline(("contact", people[0])))
    assert page.items == []


def test_bad_subjects_and_datetimes_are_usage_errors(run_cli: RunCli) -> None:
    assert run_cli("timeline", "deal:4").exit_code == 2
    bad_time = run_cli("log", "call", "--contact", "1", "--at", "yesterday")
    assert bad_time.exit_code == 2
    assert "is not a date-time" in bad_time.stderr


def test_timeline_of_a_missing_contact_exits_1(run_cli: RunCli) -> None:
    result = run_cli("timeline", "c:999")
    assert result.exit_code == 1
    assert result.stderr == "error: contact 999 not found\n"
