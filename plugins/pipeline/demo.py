"""Demo deals for ``sampark demo``: a pipeline with history, wins, losses and a forecast.

Deals go in through ``Deals`` like hand-entered ones and are moved stage by stage, so the
stage history, win rates and forecast have something real to show. Every choice is drawn
from ``world.rng``: the same ``--seed`` gives the same deals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sampark.plugins.pipeline.facade import Deals
from sampark.plugins.pipeline.services import config_of

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark
    from sampark.core.services.demo import DemoWorld

OFFERS = (
    "Annual licence",
    "Support renewal",
    "Pilot project",
    "Additional seats",
    "Data migration",
    "Training workshop",
    "Upgrade to Enterprise",
    "Integration services",
    "Consulting retainer",
    "Hardware refresh",
)
SOURCES = ("Referral", "Website", "Trade show", "Partner", "Existing customer", "Cold call")
LOST_REASONS = (
    "Went with a competitor",
    "No budget this year",
    "Project put on hold",
    "Price too high",
    "No decision made",
)
# Deal sizes are drawn in "units" and scaled so they look right in the deployment currency.
SCALE = {"INR": 80, "JPY": 150, "CNY": 7, "BRL": 5}


def _staff(world: DemoWorld) -> dict[int, list[int]]:
    """Account id -> the contacts who work there."""
    staff: dict[int, list[int]] = {}
    for contact_id, employer in zip(world.contact_ids, world.employers, strict=True):
        if employer is not None:
            staff.setdefault(world.account_ids[employer], []).append(contact_id)
    return staff


# The first deals: won, lost, and open at the first and the last open stage (an index),
# so even a tiny demo has win rates and a board with cards in several columns.
FIRST_DEALS = (("won", None), ("lost", None), ("open", 0), ("open", -1))


async def demo_data(kernel: Sampark, world: DemoWorld) -> list[str]:
    """About one deal per five contacts, spread over the default pipeline's stages."""
    rng, today = world.rng, world.now.date()
    deals = Deals(kernel)
    pipeline = config_of(kernel).pipeline(None)
    assert pipeline is not None
    open_stages = [stage for stage in pipeline.stages if stage.status == "open"]
    staff = _staff(world)
    buyers = sorted(staff) or list(world.account_ids)
    scale = SCALE.get(kernel.settings.currency, 1)
    names: dict[int, str] = {}
    count = max(4, len(world.contact_ids) // 5)
    for position in range(count):
        account_id = rng.choice(buyers)
        if account_id not in names:
            names[account_id] = (await kernel.accounts.get(account_id)).name
        people = staff.get(account_id, [])
        contacts = rng.sample(people, min(len(people), rng.choice((1, 1, 2))))
        roll = rng.random()
        outcome = "won" if roll < 0.2 else "lost" if roll < 0.35 else "open"
        reached = rng.randrange(len(open_stages))  # the furthest open stage it got to
        if position < len(FIRST_DEALS):
            outcome, stage = FIRST_DEALS[position]
            if stage is not None:
                reached = range(len(open_stages))[stage]
        closed_on = today - dt.timedelta(days=rng.randrange(1, 180))
        expected = closed_on if outcome != "open" else today
        deal = await deals.create(
            title=f"{rng.choice(OFFERS)} for {names[account_id]}",
            account=account_id,
            contacts=contacts,
            amount=Decimal(rng.randrange(4, 400) * 250 * scale),
            # The first few are the first admin's: their dashboard is a newcomer's first view.
            owner=world.usernames[0] if position < 4 else rng.choice(world.usernames),
            source=rng.choice(SOURCES),
            expected_close=expected + dt.timedelta(days=rng.randrange(-15, 90)),
        )
        for stage in open_stages[1 : reached + 1]:
            deal = await deals.move(deal.id, stage.key)
        if outcome == "won":
            await deals.win(deal.id, closed_on=closed_on)
        elif outcome == "lost":
            await deals.lose(deal.id, reason=rng.choice(LOST_REASONS), closed_on=closed_on)
        world.report("deals", position + 1, count)
    return [f"{count} deals"]
