"""Demo contracts for ``sampark demo``: support for about one account in six, the busiest.

Contracts go in through ``Contracts`` like real ones. This hook runs before the tickets
plugin's (contracts requires tickets, so it registers later and pluggy calls it first), so
the demo tickets of these accounts are charged to them. One contract is nearly used up and
one nearly expired, so the warnings show. Usage only ever comes from tickets: for the
nearly used-up one, the demo opens its account's tickets itself. Every choice is drawn
from ``world.rng``: the same ``--seed`` gives the same contracts.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from sampark.plugins.contracts.facade import Contracts
from sampark.plugins.contracts.services import settings_of
from sampark.plugins.tickets.demo import PROBLEMS
from sampark.plugins.tickets.facade import Tickets

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark
    from sampark.core.services.demo import DemoWorld

PLANS = ("Standard support", "Premium support", "Managed service", "Incident pack")
INCIDENTS = (10, 20, 25, 50)
HOURS = (20, 40, 80, 120)
YEAR = dt.timedelta(days=365)


def _contract(world: DemoWorld, account_id: int, kind: str) -> dict[str, Any]:
    """Fields of one contract; ``kind`` is "exhaustion", "expiry" or "" (an ordinary one)."""
    rng, today = world.rng, world.now.date()
    unit = "incidents" if kind == "exhaustion" else rng.choice(("incidents", "hours"))
    start = today - dt.timedelta(days=rng.randrange(20, 300))
    end: dt.date | None = start + YEAR
    if kind == "expiry":
        end = today + dt.timedelta(days=rng.randrange(5, 25))
        start = end - YEAR
    elif not kind and rng.random() < 0.2:
        end = None  # open-ended
    sizes = INCIDENTS if unit == "incidents" else HOURS
    included = 5 if kind == "exhaustion" else rng.choice(sizes)
    return {
        "account_id": account_id,
        "name": f"{rng.choice(PLANS)} {start.year}",
        "reference": f"SC-{account_id:05d}",
        "start_date": start,
        "end_date": end,
        "unit": unit,
        "units_included": included,
        "notes": f"Covers {included} {unit} of support.",
    }


async def demo_data(kernel: Sampark, world: DemoWorld) -> list[str]:
    """Contracts for about one account in six, one nearly used up and one nearly expired."""
    rng = world.rng
    staff: dict[int, list[int]] = {}
    for contact_id, employer in zip(world.contact_ids, world.employers, strict=True):
        if employer is not None:
            staff.setdefault(world.account_ids[employer], []).append(contact_id)
    count = min(len(world.account_ids), max(3, len(world.account_ids) // 6))
    # The accounts with the most people raise the most tickets: they have the contracts.
    ranked = sorted(staff, key=lambda account: (-len(staff[account]), account))
    chosen = (ranked + [a for a in world.account_ids if a not in staff])[:count]
    busy = chosen[0] if staff else None  # nearly used up: needs people to open tickets
    contracts = Contracts(kernel)
    for position, account_id in enumerate(chosen):
        kind = "exhaustion" if account_id == busy else "expiry" if position == 1 else ""
        await contracts.create(_contract(world, account_id, kind))
        world.report("contracts", position + 1, count)
    opened = 0
    if busy is not None:
        percent = settings_of(kernel).exhaustion_warning_percent
        tickets = Tickets(kernel)
        for _ in range(min(5, math.ceil(5 * percent / 100))):
            subject, description, tag = rng.choice(PROBLEMS)
            await tickets.open(
                subject=subject,
                description=description,
                requester_id=rng.choice(staff[busy]),
                account_id=busy,
                tags=[tag],
            )
            opened += 1
    return [f"{count} contracts ({opened} tickets using one up)"]
