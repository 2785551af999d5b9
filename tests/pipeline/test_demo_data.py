"""``sampark demo`` with the pipeline: varied deals with history, the same again for a seed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sampark.core.kernel import Sampark
from sampark.core.services.demo import create_demo_data
from sampark.plugins.pipeline.facade import Deals


async def demo_deals(kernel: Sampark) -> tuple[Any, list[Any]]:
    with kernel.activate():
        summary = await create_demo_data(kernel, contacts=40, seed=5)
    page = await Deals(kernel).list(limit=200)
    return summary, list(page)


def shape(deal: Any) -> tuple[Any, ...]:
    return (deal.title, deal.amount, deal.stage, deal.owner, deal.lost_reason, deal.source)


async def test_demo_deals_are_varied_and_repeat_for_a_seed(
    second_database_url: str, make_kernel: Callable[..., Awaitable[Sampark]]
) -> None:
    kernel = await make_kernel(plugins=("pipeline",))
    summary, deals = await demo_deals(kernel)
    assert len(deals) == 8 and "8 deals" in summary.plugins
    assert {deal.status for deal in deals} == {"open", "won", "lost"}
    assert len({deal.stage for deal in deals if deal.status == "open"}) >= 2
    assert all(deal.account_id and deal.amount > 0 and deal.currency == "INR" for deal in deals)
    assert all(deal.lost_reason for deal in deals if deal.status == "lost")
    assert any(deal.contact_ids for deal in deals)
    assert len({deal.owner for deal in deals}) >= 2
    # Deals walk the stages: the furthest-moved one has a history of several steps.
    histories = [await Deals(kernel).history(deal.id) for deal in deals]
    assert max(len(steps) for steps in histories) >= 3
    assert await Deals(kernel).stage_stats()
    assert await Deals(kernel).forecast()

    again = await make_kernel(plugins=("pipeline",), database_url=second_database_url)
    _, repeated = await demo_deals(again)
    assert [shape(deal) for deal in repeated] == [shape(deal) for deal in deals]
