"""Deals through the plugin's API: amounts, stages, probabilities, history, scope, locking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sampark.core.errors import (
    ConfigError,
    NotFoundError,
    PermissionDenied,
    StaleRecordError,
    ValidationError,
)
from sampark.plugins.pipeline.facade import Deals


def fields_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {error.field: error.message for error in exc.value.errors}


async def test_a_new_deal_takes_the_defaults_of_the_deployment_and_its_first_stage(pipe, deals):
    acme = await pipe.accounts.create(name="Acme")
    asha = await pipe.contacts.create(first_name="Asha")
    deal = await deals.create(
        title="Annual licence", amount="1250.50", account=acme.id, contacts=[asha.id]
    )
    assert deal.amount == Decimal("1250.50") and isinstance(deal.amount, Decimal)
    assert deal.currency == "INR"
    assert (deal.pipeline, deal.stage, deal.stage_name) == (
        "sales",
        "qualification",
        "Qualification",
    )
    assert (deal.status, deal.probability) == ("open", 10)
    assert deal.account_name == "Acme" and deal.contact_ids == (asha.id,)
    assert deal.closed_on is None
    again = await deals.get(deal.id)
    assert again == deal


async def test_amounts_are_exact_decimals_and_bad_input_names_every_field(deals):
    deal = await deals.create(title="Exact", amount="0.1", currency="usd")
    assert deal.amount == Decimal("0.10") and deal.currency == "USD"
    assert (await deals.create(title="Whole", amount=7)).amount == Decimal("7.00")
    with pytest.raises(ValidationError) as refused:
        await deals.create(
            title="",
            amount="12.345",
            currency="rupees",
            stage="nowhere",
            probability=120,
            expected_close="soon",
            account=999,
            contacts=[998],
            owner="nobody",
            colour="red",
        )
    errors = fields_of(refused)
    assert errors["title"] == "is required"
    assert "at most 2 decimal places" in errors["amount"]
    assert "ISO 4217" in errors["currency"]
    assert "nowhere" in errors["stage"]
    assert "0 to 100" in errors["probability"]
    assert "2026-03-31" in errors["expected_close"]
    assert errors["colour"].startswith("unknown field")
    with pytest.raises(ValidationError) as refused:
        await deals.create(title="x", amount="-1", account=999, contacts=[998], owner="nobody")
    errors = fields_of(refused)
    assert errors == {
        "amount": "must not be negative (got -1)",
        "account": "no account with id 999",
        "contacts[0]": "no contact with id 998",
        "owner": "no user named 'nobody'",
    }


async def test_moving_sets_the_stage_probability_and_records_history(pipe, deals):
    deal = await deals.create(title="Move me", amount="100")
    moved = await deals.move(deal.id, "proposal")
    assert (moved.stage, moved.probability, moved.version) == ("proposal", 50, 2)
    kept = await deals.update(deal.id, probability=60)
    assert (kept.stage, kept.probability) == ("proposal", 60)
    edited = await deals.update(deal.id, title="Renamed")
    assert edited.probability == 60, "an edit without a move keeps the override"
    won = await deals.win(deal.id, closed_on="2026-01-15")
    assert (won.status, won.stage, won.probability) == ("won", "won", 100)
    assert won.closed_on == dt.date(2026, 1, 15)
    history = await deals.history(deal.id)
    assert [(h.from_stage, h.to_stage, h.by) for h in history] == [
        (None, "qualification", "system"),
        ("qualification", "proposal", "system"),
        ("proposal", "won", "system"),
    ]
    assert [h.left_at for h in history] == [history[1].at, history[2].at, None]
    reopened = await deals.move(deal.id, "negotiation")
    assert (reopened.status, reopened.closed_on, reopened.probability) == ("open", None, 75)
    lost = await deals.lose(deal.id, reason="Went with a competitor")
    assert (lost.status, lost.lost_reason, lost.probability) == (
        "lost",
        "Went with a competitor",
        0,
    )
    assert lost.closed_on == dt.datetime.now(dt.UTC).date()
    with pytest.raises(ValidationError) as refused:
        await deals.update(deal.id, stage="proposal", lost_reason="still lost")
    assert "lost_reason" in fields_of(refused)


async def test_a_stale_edit_is_refused_and_changes_nothing(deals):
    deal = await deals.create(title="Locked", amount="5")
    await deals.update(deal.id, title="First", version=1)
    with pytest.raises(StaleRecordError):
        await deals.update(deal.id, title="Second", version=1)
    with pytest.raises(StaleRecordError):
        await deals.move(deal.id, "proposal", version=1)
    with pytest.raises(StaleRecordError):
        await deals.delete(deal.id, version=1)
    assert (await deals.get(deal.id)).title == "First"


async def test_deleted_deals_are_gone_but_kept(pipe, deals):
    deal = await deals.create(title="Remove", amount="5")
    await deals.delete(deal.id)
    with pytest.raises(NotFoundError):
        await deals.get(deal.id)
    assert list(await deals.list()) == []
    with pipe.activate():
        rows = await pipe.connection.execute_query_dict("SELECT title FROM pipeline_deal")
    assert rows == [{"title": "Remove"}]


async def test_the_list_pages_by_keyset_and_filters(pipe, deals, people):
    actors = await people()
    for number in range(7):
        await deals.create(title=f"Deal {number}", amount=str(number), owner="ravi")
    await deals.move(1, "proposal")
    await deals.win(2)
    await deals.lose(3)
    page = await deals.list(limit=3)
    assert [d.title for d in page] == ["Deal 6", "Deal 5", "Deal 4"]
    rest = await deals.list(limit=3, cursor=page.next_cursor)
    assert [d.title for d in rest] == ["Deal 3", "Deal 2", "Deal 1"]
    last = await deals.list(limit=3, cursor=rest.next_cursor)
    assert [d.title for d in last] == ["Deal 0"] and last.next_cursor is None
    assert [d.id for d in await deals.list(stage="proposal")] == [1]
    assert [d.id for d in await deals.list(status="won")] == [2]
    assert [d.id for d in await deals.list(status="lost")] == [3]
    assert len(await deals.list(status="open", owner="ravi")) == 5
    assert len(await deals.list(owner="asha")) == 0
    with pytest.raises(ValidationError) as refused:
        await deals.list(status="maybe", owner="nobody", pipeline="other")
    assert set(fields_of(refused)) == {"status", "owner", "pipeline"}
    assert actors


async def test_own_scope_sees_and_changes_only_own_deals(pipe, people):
    actors = await people()
    ravi, gita, mira = (Deals(pipe, actors[name]) for name in ("ravi", "gita", "mira"))
    mine = await ravi.create(title="Ravi's", amount="10")
    assert mine.owner == "ravi", "an agent owns what they open"
    theirs = await gita.create(title="Gita's", amount="20")
    with pytest.raises(NotFoundError):
        await ravi.get(theirs.id)
    with pytest.raises(NotFoundError):
        await ravi.move(theirs.id, "proposal")
    assert [d.id for d in await ravi.list()] == [mine.id]
    with pytest.raises(ValidationError) as refused:
        await ravi.create(title="For Gita", owner="gita")
    assert "owner" in fields_of(refused)
    with pytest.raises(PermissionDenied):
        await ravi.delete(mine.id)  # agents have no *.delete
    with pytest.raises(PermissionDenied):
        await mira.create(title="Reader", amount="1")
    assert len(await mira.list()) == 2
    admin = Deals(pipe, actors["asha"])
    await admin.delete(theirs.id)
    gita_account = await pipe.as_user(actors["gita"]).accounts.create(name="Gita's account")
    with pytest.raises(ValidationError) as refused:
        await ravi.update(mine.id, account=gita_account.id)
    assert fields_of(refused) == {"account": f"no account with id {gita_account.id}"}


async def test_stages_come_from_config_and_bad_config_is_named(make_kernel):
    stages = [
        {"key": "lead", "name": "Lead", "probability": 5},
        {"key": "deal", "name": "Deal", "probability": 60, "commit": True},
        {"key": "signed", "name": "Signed", "won": True},
        {"key": "dropped", "name": "Dropped", "lost": True},
    ]
    kernel = await make_kernel(
        plugins=("pipeline",),
        plugin_tables={
            "pipeline": {
                "pipelines": {"renewals": {"name": "Renewals", "stages": stages}},
                "commit_probability": 90,
            }
        },
    )
    deal = await Deals(kernel).create(title="Renewal", amount="3")
    assert (deal.pipeline, deal.stage, deal.probability) == ("renewals", "lead", 5)
    won = await Deals(kernel).win(deal.id)
    assert (won.stage, won.probability) == ("signed", 100)
    bad = [{"key": "only", "name": "Only", "probability": 10}]
    with pytest.raises(ConfigError, match=r"plugin.pipeline.pipelines.x.stages: needs exactly one"):
        await make_kernel(
            plugins=("pipeline",), plugin_tables={"pipeline": {"pipelines": {"x": {"stages": bad}}}}
        )
    with pytest.raises(ConfigError, match=r"stages\[0\].probability"):
        await make_kernel(
            plugins=("pipeline",),
            plugin_tables={
                "pipeline": {"pipelines": {"x": {"stages": [{"key": "a", "probability": 140}]}}}
            },
        )


async def test_several_pipelines_and_moving_a_deal_between_them(make_kernel):
    renewals = [
        {"key": "due", "name": "Due", "probability": 70},
        {"key": "won", "name": "Renewed", "won": True},
        {"key": "lost", "name": "Churned", "lost": True},
    ]
    kernel = await make_kernel(
        plugins=("pipeline",),
        plugin_tables={
            "pipeline": {
                "pipelines": {"sales": {"name": "Sales"}, "renewals": {"stages": renewals}},
            }
        },
    )
    deals = Deals(kernel)
    fresh = await deals.create(title="New logo", amount="10")
    assert (fresh.pipeline, fresh.stage) == ("sales", "qualification")
    renewal = await deals.create(title="Renewal", amount="20", pipeline="renewals")
    assert (renewal.stage, renewal.stage_name, renewal.probability) == ("due", "Due", 70)
    with pytest.raises(ValidationError) as refused:
        await deals.move(renewal.id, "proposal")
    assert "must be a stage of Renewals: due, won, lost" in fields_of(refused)["stage"]
    switched = await deals.update(fresh.id, pipeline="renewals")
    assert (switched.pipeline, switched.stage, switched.probability) == ("renewals", "due", 70)
    history = await deals.history(fresh.id)
    assert [(h.pipeline, h.from_stage, h.to_stage) for h in history][-1] == (
        "renewals",
        "qualification",
        "due",
    )
    assert [d.id for d in await deals.list(pipeline="renewals")] == [renewal.id, fresh.id]
    won = await deals.win(renewal.id)
    assert (won.stage_name, won.status) == ("Renewed", "won")


async def test_floats_and_ambiguous_amounts_are_refused(deals):
    for amount, problem in [
        (0.1, "never a float"),
        ("12,50", "is ambiguous"),
        (" 5 ", "must be digits"),
        ("1e5", "must be digits"),
    ]:
        with pytest.raises(ValidationError) as refused:
            await deals.create(title="Odd", amount=amount)
        assert problem in fields_of(refused)["amount"]
    assert len(await deals.list()) == 0
