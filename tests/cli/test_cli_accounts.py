"""``sampark accounts …`` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from click.testing import Result

from sampark.core.kernel import Sampark

RunCli = Callable[..., Result]
WithKernel = Callable[[Callable[[Sampark], Awaitable[Any]]], Any]


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _add(run_cli: RunCli, *args: str) -> dict[str, Any]:
    return _json(run_cli("accounts", "add", *args, "--json"))


def test_add_show_and_list_an_account(run_cli: RunCli, with_kernel: WithKernel) -> None:
    parent = _add(run_cli, "--name", "Sundar Group")
    account = _add(
        run_cli,
        "--name",
        "Sundar Textiles",
        "--kind",
        "customer",
        "--kind",
        "supplier",
        "--website",
        "sundar.example.in",
        "--registration-number",
        "U17110MH2001PTC123456",
        "--vat-number",
        "29ABCDE1234F1Z5",
        "--parent",
        str(parent["id"]),
        "--email",
        "accounts:ap@sundar.example.in",
        "--phone",
        "+91 22 2345 6789",
        "--tag",
        "wholesale",
    )
    stored = with_kernel(lambda crm: crm.accounts.get(account["id"]))
    assert stored.to_dict() == account
    assert stored.kinds == ("customer", "supplier")
    assert stored.website == "https://sundar.example.in"
    assert stored.parent_id == parent["id"]
    assert stored.emails[0].label == "accounts"

    shown = run_cli("accounts", "show", str(account["id"]))
    assert shown.exit_code == 0, shown.output
    assert "customer, supplier" in shown.stdout
    assert "29ABCDE1234F1Z5" in shown.stdout
    assert f"account {parent['id']}" in shown.stdout
    assert "ap@sundar.example.in (accounts, primary)" in shown.stdout

    customers = _json(run_cli("accounts", "list", "--kind", "customer", "--json"))
    assert [item["name"] for item in customers["items"]] == ["Sundar Textiles"]
    table = run_cli("accounts", "list")
    assert [line.split()[0] for line in table.stdout.splitlines()] == [
        "ID",
        str(parent["id"]),
        str(account["id"]),
    ]


def test_edit_delete_restore_and_search(run_cli: RunCli, with_kernel: WithKernel) -> None:
    account = _add(run_cli, "--name", "Konkan Traders", "--kind", "prospect")
    edited = _json(
        run_cli(
            "accounts", "edit", str(account["id"]), "--kind", "customer", "--version", "1", "--json"
        )
    )
    assert edited["kinds"] == ["customer"]
    assert edited["version"] == 2

    stale = run_cli("accounts", "edit", str(account["id"]), "--name", "X", "--version", "1")
    assert stale.exit_code == 1
    assert "was changed by someone else" in stale.stderr

    found = _json(run_cli("accounts", "search", "konkan", "--json"))
    assert [item["id"] for item in found["items"]] == [account["id"]]

    assert run_cli("accounts", "delete", str(account["id"])).exit_code == 0
    assert _json(run_cli("accounts", "list", "--json"))["items"] == []
    assert run_cli("accounts", "restore", str(account["id"])).exit_code == 0
    assert with_kernel(lambda crm: crm.accounts.get(account["id"])).name == "Konkan Traders"


def test_a_bad_kind_and_website_exit_2_and_write_nothing(
    run_cli: RunCli, with_kernel: WithKernel
) -> None:
    result = run_cli("accounts", "add", "--name", "X", "--kind", "friend", "--website", "not a url")
    assert result.exit_code == 2
    fields = [line.split(":", 2)[1].strip() for line in result.stderr.splitlines()]
    assert fields == ["website", "kinds[0]"] or fields == ["kinds[0]", "website"]

    async def count(crm: Sampark) -> int:
        return len(await crm.accounts.list())

    assert with_kernel(count) == 0


def test_an_account_without_a_name_is_refused(run_cli: RunCli) -> None:
    result = run_cli("accounts", "add", "--website", "example.in")
    assert result.exit_code == 2
    assert result.stderr == "error: name: is required\n"
