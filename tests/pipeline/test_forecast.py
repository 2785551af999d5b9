"""Forecasts, stage statistics and sales per account: computed in SQL, per currency, exact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sampark.core.errors import ValidationError
from sampark.core.sql import db_time, execute
from sampark.plugins.pipeline.facade import Deals


def figures(rows):
    return {(r.group, r.currency): (r.deals, r.amount, r.weighted, r.best, r.worst) for r in rows}


async def test_the_weighted_forecast_by_month_keeps_currencies_apart(deals):
    await deals.create(title="A", amount="1000.10", expected_close="2026-03-05")  # 10%
    await deals.create(title="B", amount="0.10", expected_close="2026-03-30", stage="negotiation")
    await deals.create(title="C", amount="500", currency="USD", expected_close="2026-03-01")
    await deals.create(title="D", amount="200", expected_close="2026-04-01", stage="proposal")
    await deals.create(title="E", amount="70", probability=80)  # no date, committed by probability
    won = await deals.create(title="F", amount="999", expected_close="2026-03-02")
    await deals.win(won.id)
    rows = await deals.forecast(by="month")
    assert figures(rows) == {
        ("2026-03", "INR"): (
            2,
            Decimal("1000.20"),
            Decimal("100.09"),
            Decimal("1000.20"),
            Decimal("0.10"),
        ),
        ("2026-03", "USD"): (
            1,
            Decimal("500.00"),
            Decimal("50.00"),
            Decimal("500.00"),
            Decimal("0.00"),
        ),
        ("2026-04", "INR"): (
            1,
            Decimal("200.00"),
            Decimal("100.00"),
            Decimal("200.00"),
            Decimal("0.00"),
        ),
        ("none", "INR"): (
            1,
            Decimal("70.00"),
            Decimal("56.00"),
            Decimal("70.00"),
            Decimal("70.00"),
        ),
    }
    march = await deals.forecast(by="month", date_from="2026-03-01", date_to="2026-03-31")
    assert {(r.group, r.currency) for r in march} == {("2026-03", "INR"), ("2026-03", "USD")}
    assert all(isinstance(r.weighted, Decimal) for r in rows)


async def test_the_forecast_by_owner_and_its_refusals(pipe, deals, people):
    await people()
    await deals.create(title="A", amount="100", owner="ravi")
    await deals.create(title="B", amount="300", owner="ravi", stage="negotiation")
    await deals.create(title="C", amount="50")
    rows = await deals.forecast(by="owner")
    assert figures(rows) == {
        ("", "INR"): (1, Decimal("50.00"), Decimal("5.00"), Decimal("50.00"), Decimal("0.00")),
        ("ravi", "INR"): (
            2,
            Decimal("400.00"),
            Decimal("235.00"),
            Decimal("400.00"),
            Decimal("300.00"),
        ),
    }
    with pytest.raises(ValidationError) as refused:
        await deals.forecast(by="week", date_from="2026-13-01")
    with pytest.raises(ValidationError) as refused:
        await deals.forecast(date_from="2026-03-01", date_to="2026-02-01")
    assert refused.value.errors[0].field == "to"


async def test_the_forecast_respects_own_scope(pipe, people):
    actors = await people()
    await Deals(pipe, actors["ravi"]).create(title="Mine", amount="10")
    await Deals(pipe, actors["gita"]).create(title="Hers", amount="20")
    rows = await Deals(pipe, actors["ravi"]).forecast(by="owner")
    assert [(r.group, r.amount) for r in rows] == [("ravi", Decimal("10.00"))]


async def test_stage_statistics_come_from_the_stage_history(pipe, deals):
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    a = await deals.create(title="A", amount="1")
    await deals.move(a.id, "proposal")
    await deals.win(a.id)
    b = await deals.create(title="B", amount="1")
    await deals.lose(b.id)
    c = await deals.create(title="C", amount="1")
    await deals.move(c.id, "proposal")
    # Spread the history over known days: A qualification 2 days, proposal 4 days.
    days = {1: 0, 2: 2, 3: 6, 4: 0, 5: 1, 6: 0, 7: 10}
    with pipe.activate():
        for change_id, offset in days.items():
            await execute(
                pipe.connection,
                "UPDATE pipeline_stage_change SET at = ? WHERE id = ?",
                [db_time(pipe.connection, start + dt.timedelta(days=offset)), change_id],
            )
        # ...and each stay ends when the deal's next stage began, as moves record it.
        await execute(
            pipe.connection,
            "UPDATE pipeline_stage_change SET left_at = (SELECT n.at FROM "
            "pipeline_stage_change n WHERE n.deal_id = pipeline_stage_change.deal_id "
            "AND n.id > pipeline_stage_change.id ORDER BY n.id LIMIT 1)",
        )
    stats = {row.stage: row for row in await deals.stage_stats()}
    assert list(stats) == ["qualification", "proposal", "won", "lost"]
    qualification = stats["qualification"]
    assert (qualification.entered, qualification.won, qualification.lost) == (3, 1, 1)
    assert qualification.win_rate == Decimal("0.500")
    # A stayed 2 days, B 1 day, C 10 days.
    assert qualification.average_days == Decimal("4.3")
    proposal = stats["proposal"]
    assert (proposal.entered, proposal.won, proposal.lost, proposal.win_rate) == (
        2,
        1,
        0,
        Decimal("1.000"),
    )
    assert proposal.average_days == Decimal("4.0")
    assert stats["won"].average_days is None
    recent = {row.stage: row.entered for row in await deals.stage_stats(since="2026-01-03")}
    # Entered on or after 3 January: A's proposal and won, C's proposal.
    assert recent == {"proposal": 2, "won": 1}


async def test_sales_per_account_over_a_period(pipe, deals):
    acme = await pipe.accounts.create(name="Acme")
    beta = await pipe.accounts.create(name="Beta")
    for title, account, amount, currency, closed in (
        ("A1", acme.id, "100.25", "INR", "2026-02-01"),
        ("A2", acme.id, "50.50", "INR", "2026-02-20"),
        ("A3", acme.id, "10", "USD", "2026-02-10"),
        ("B1", beta.id, "500", "INR", "2026-02-11"),
        ("B2", beta.id, "700", "INR", "2026-03-11"),  # outside the period
    ):
        deal = await deals.create(title=title, account=account, amount=amount, currency=currency)
        await deals.win(deal.id, closed_on=closed)
    lost = await deals.create(title="L", account=acme.id, amount="900")
    await deals.lose(lost.id, closed_on="2026-02-05")
    rows = await deals.sales(date_from="2026-02-01", date_to="2026-02-28")
    assert [(r.account_name, r.currency, r.deals, r.amount) for r in rows] == [
        ("Beta", "INR", 1, Decimal("500.00")),
        ("Acme", "INR", 2, Decimal("150.75")),
        ("Acme", "USD", 1, Decimal("10.00")),
    ]
    with pytest.raises(ValidationError) as refused:
        await deals.sales(date_from="", date_to="2026-01-01")
    assert refused.value.errors[0].field == "from"
