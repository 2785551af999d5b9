"""Deleting and restoring deals, and the names their audit trail shows for each field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sampark.core.permissions import SYSTEM, Actor
from sampark.core.services.lifecycle import RecordLifecycle
from sampark.plugins.pipeline.records import DealRecord
from sampark.plugins.pipeline.services import load_deal

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

LABELS = {
    "title": "Title",
    "pipeline": "Pipeline",
    "stage": "Stage",
    "stage_name": "Stage name",
    "status": "Status",
    "amount": "Amount",
    "currency": "Currency",
    "probability": "Probability (%)",
    "expected_close": "Expected close",
    "owner": "Owner",
    "account_id": "Account",
    "account_name": "Account name",
    "contact_ids": "Contacts",
    "source": "Source",
    "lost_reason": "Lost reason",
    "closed_on": "Closed on",
    "notes": "Notes",
    "stage_changed_at": "Stage changed",
    "deleted_at": "Deleted",
}

DEALS: RecordLifecycle[DealRecord] = RecordLifecycle(
    entity="deal",
    table="pipeline_deal",
    read_permission="deals.read",
    delete_permission="deals.delete",
    load=load_deal,
    labels=LABELS,
)


async def delete_deal(
    kernel: Sampark, deal_id: int, *, expected_version: int | None = None, actor: Actor = SYSTEM
) -> DealRecord:
    """Soft-delete a deal: gone from boards, lists, forecasts and timelines until restored."""
    return await DEALS.delete(kernel, deal_id, expected_version=expected_version, actor=actor)


async def restore_deal(
    kernel: Sampark, deal_id: int, *, expected_version: int | None = None, actor: Actor = SYSTEM
) -> DealRecord:
    """Bring a deleted deal back where it was (needs ``deals.delete``, like deleting)."""
    return await DEALS.restore(kernel, deal_id, expected_version=expected_version, actor=actor)
