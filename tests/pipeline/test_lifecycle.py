"""Deleted deals: restored through the shared lifecycle, their audit trail read like a contact's."""

from __future__ import annotations

import dataclasses

import pytest

from sampark.core.errors import NotFoundError, PermissionDenied, StaleRecordError, ValidationError
from sampark.core.permissions import SYSTEM
from sampark.plugins.pipeline.facade import Deals


async def test_a_deleted_deal_is_restored_with_its_stage_and_contacts(pipe, deals):
    asha = await pipe.contacts.create(first_name="Asha")
    deal = await deals.create(title="Renewal", amount="900", contacts=[asha.id])
    deal = await deals.move(deal.id, "proposal")
    gone = await deals.delete(deal.id, version=deal.version)
    assert gone.deleted_at is not None and gone.version == deal.version + 1
    assert list(await deals.list()) == []
    assert [d.id for d in await deals.list(deleted=True)] == [deal.id]
    with pytest.raises(StaleRecordError):
        await deals.restore(deal.id, version=deal.version)
    back = await deals.restore(deal.id, version=gone.version)
    assert back.deleted_at is None and back.version == gone.version + 1
    assert (back.stage, back.contact_ids) == ("proposal", (asha.id,))
    assert [d.id for d in await deals.list()] == [deal.id]
    assert await deals.restore(deal.id) == back, "restoring a live deal leaves it as it is"


async def test_deleting_twice_or_restoring_what_never_was_is_not_found(deals):
    deal = await deals.create(title="Once", amount="1")
    await deals.delete(deal.id)
    with pytest.raises(NotFoundError):
        await deals.delete(deal.id)
    for missing in (999, "1", True):
        with pytest.raises(NotFoundError):
            await deals.restore(missing)


async def test_restoring_needs_the_delete_permission_and_keeps_own_scope(pipe, people):
    actors = await people()
    admin, ravi = Deals(pipe, actors["asha"]), Deals(pipe, actors["ravi"])
    mine = await ravi.create(title="Ravi's", amount="10")
    await admin.delete(mine.id)
    with pytest.raises(PermissionDenied):
        await ravi.restore(mine.id)
    with pytest.raises(PermissionDenied):
        await ravi.list(deleted=True)
    # An own-scoped actor who may delete still cannot touch someone else's deal.
    gita = dataclasses.replace(
        actors["gita"], permissions=actors["gita"].permissions | {"deals.delete"}
    )
    with pytest.raises(NotFoundError):
        await Deals(pipe, gita).restore(mine.id)
    assert list(await Deals(pipe, gita).list(deleted=True)) == []
    assert (await admin.restore(mine.id)).deleted_at is None


async def test_the_audit_trail_of_a_deal_reads_like_a_contacts(pipe, deals):
    deal = await deals.create(title="Audited", amount="5")
    await deals.update(deal.id, title="Audited deal")
    await deals.delete(deal.id)
    await deals.restore(deal.id)
    trail = await pipe.as_user(SYSTEM).audit("deal", deal.id)
    assert [row.action for row in trail] == ["restore", "delete", "update", "create"]
    assert trail.items[2].changes["title"] == ["Audited", "Audited deal"]
    assert trail.items[1].changes["title"] == ["Audited deal", None]
    with pytest.raises(ValidationError) as refused:
        await pipe.as_user(SYSTEM).audit("invoice", 1)
    assert "deal" in refused.value.errors[0].message


async def test_the_audit_of_a_deal_needs_sight_of_the_deal(pipe, people):
    actors = await people()
    theirs = await Deals(pipe, actors["gita"]).create(title="Gita's", amount="3")
    await Deals(pipe, actors["asha"]).delete(theirs.id)
    admin = pipe.as_user(actors["asha"])
    assert len(await admin.audit("deal", theirs.id)) == 2, "a deleted deal's trail stays readable"
    auditor = dataclasses.replace(
        actors["ravi"], permissions=actors["ravi"].permissions | {"audit.read"}
    )
    with pytest.raises(NotFoundError):
        await pipe.as_user(auditor).audit("deal", theirs.id)
    no_deals = dataclasses.replace(actors["mira"], permissions=frozenset({"audit.read"}))
    with pytest.raises(PermissionDenied):
        await pipe.as_user(no_deals).audit("deal", theirs.id)
