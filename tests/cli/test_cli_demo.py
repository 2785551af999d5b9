"""``sampark demo``: demo data with progress, refused on a CRM that already has contacts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from click.testing import Result

from sampark.core.kernel import Sampark

RunCli = Callable[..., Result]
WithKernel = Callable[[Callable[[Sampark], Awaitable[Any]]], Any]


async def _counts(crm: Sampark) -> tuple[int, int, int]:
    contacts = await crm.contacts.list(limit=500)
    accounts = await crm.accounts.list(limit=500)
    followups = await crm.interactions.followups(limit=500)
    return len(contacts), len(accounts), len(followups)


def test_demo_fills_an_empty_crm_showing_each_stage(
    run_cli: RunCli, with_kernel: WithKernel
) -> None:
    result = run_cli("demo", "--contacts", "12", "--seed", "7")
    assert result.exit_code == 0, result.output
    stages = [line.split()[0] for line in result.stdout.splitlines()[:-1]]
    assert stages == ["users", "accounts", "contacts", "links", "interactions"]
    assert result.stdout.splitlines()[2].split() == ["contacts", "12/12"]
    assert result.stdout.splitlines()[-1].startswith("Created 12 contacts, 4 accounts, ")

    contacts, accounts, followups = with_kernel(_counts)
    assert (contacts, accounts) == (12, 4)
    assert followups > 0


def test_demo_refuses_a_crm_with_contacts_unless_forced(
    run_cli: RunCli, with_kernel: WithKernel
) -> None:
    assert run_cli("contacts", "add", "--first", "Asha").exit_code == 0
    refused = run_cli("demo", "--contacts", "5")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: the CRM already has contacts (use --force to add demo data too)\n"
    )
    assert with_kernel(_counts)[0] == 1

    forced = run_cli("demo", "--contacts", "5", "--force")
    assert forced.exit_code == 0, forced.output
    assert with_kernel(_counts)[0] == 6


def test_demo_needs_at_least_one_contact(run_cli: RunCli) -> None:
    result = run_cli("demo", "--contacts", "0")
    assert result.exit_code == 2
    assert "0 is not in the range" in result.stderr
