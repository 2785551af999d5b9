"""``sampark demo``: demo data with progress, refused on a CRM that already has contacts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from typing import Any

from click.testing import Result

from sampark.core.kernel import Sampark
from sampark.core.services import users

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


def test_the_progress_lines_count_what_the_summary_counts(run_cli: RunCli) -> None:
    result = run_cli("demo", "--contacts", "30", "--seed", "3")
    assert result.exit_code == 0, result.output
    *progress, summary = result.stdout.splitlines()
    finished = {}
    for line in progress:
        stage, counts = line.split()
        done, total = counts.split("/")
        assert done == total, line
        finished[stage] = int(total)
    said = re.match(
        r"Created (\d+) contacts, (\d+) accounts, (\d+) links and (\d+) interactions "
        r"\(\d+ planned follow-ups, \d+ overdue\) for (\d+) users\.$",
        summary,
    )
    assert said, summary
    stages = ("contacts", "accounts", "links", "interactions", "users")
    assert {stage: finished[stage] for stage in stages} == dict(
        zip(stages, map(int, said.groups()), strict=True)
    )


def test_the_first_admin_leads_the_demo_follow_ups(
    run_cli: RunCli, with_kernel: WithKernel
) -> None:
    async def add_admin(crm: Sampark) -> None:
        with crm.activate():
            await users.add_user(crm, "boss", password="a long passphrase", roles=("admin",))

    async def followups_of_boss(crm: Sampark) -> list[Any]:
        return list(await crm.interactions.followups(owner="boss", limit=100))

    with_kernel(add_admin)
    result = run_cli("demo", "--contacts", "10", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].endswith("for 5 users.")
    now = dt.datetime.now(dt.UTC)
    due = sorted(item.due_at - now for item in with_kernel(followups_of_boss))
    assert len(due) >= 3
    assert due[0] < dt.timedelta(0)  # overdue
    assert any(dt.timedelta(0) < left < dt.timedelta(hours=4) for left in due)  # due soon


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
