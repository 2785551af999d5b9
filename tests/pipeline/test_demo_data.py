"""``sampark demo`` with the pipeline: varied deals with history, the same again for a seed."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from sampark.core.kernel import Sampark
from sampark.core.services.demo import create_demo_data
from sampark.core.settings import Settings
from sampark.plugins.pipeline.facade import Deals


@pytest.fixture
async def fresh_url(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> AsyncIterator[str]:
    """A second empty, core-migrated database on the test's engine, for a repeat run."""
    url = settings.database_url
    if url.startswith("sqlite"):
        path = tmp_path / "again.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite://{path}"
        return
    import asyncpg

    template = request.getfixturevalue("postgres_template")
    name = f"sampark_again_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield url.rsplit("/", 1)[0] + f"/{name}"
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def demo_deals(kernel: Sampark) -> tuple[Any, list[Any]]:
    with kernel.activate():
        summary = await create_demo_data(kernel, contacts=40, seed=5)
    page = await Deals(kernel).list(limit=200)
    return summary, list(page)


def shape(deal: Any) -> tuple[Any, ...]:
    return (deal.title, deal.amount, deal.stage, deal.owner, deal.lost_reason, deal.source)


async def test_demo_deals_are_varied_and_repeat_for_a_seed(
    fresh_url: str, make_kernel: Callable[..., Awaitable[Sampark]]
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

    again = await make_kernel(plugins=("pipeline",), database_url=fresh_url)
    _, repeated = await demo_deals(again)
    assert [shape(deal) for deal in repeated] == [shape(deal) for deal in deals]
