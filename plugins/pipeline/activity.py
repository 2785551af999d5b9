"""A deal's activity: its stage changes and the interactions logged about it, newest first.

An interaction logged about a deal is core's own (``crm.interactions``), with the deal's
contacts and account taking part, so it shows on their timelines too; a
``pipeline_deal_interaction`` row remembers which deal it was about. The deal's timeline
pages like a contact's, by ``(at, source, ref)``, with core's cursors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tortoise.transactions import in_transaction

from sampark.core.errors import ValidationError
from sampark.core.pagination import check_limit, encode_cursor
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import InteractionRecord, Page, TimelineEntry
from sampark.core.services.interactions import log_interaction
from sampark.core.services.timeline import (
    TimelineKey,
    interactions_among,
    key_from_cursor,
    older_than,
)
from sampark.core.sql import execute, fetch
from sampark.plugins.pipeline.faces import stage_entry
from sampark.plugins.pipeline.services import LABEL, get_deal

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

_OF_DEAL = "SELECT di.interaction_id FROM pipeline_deal_interaction di WHERE di.deal_id = ?"
_STAGE_REF = "('deal_stage:' || CAST(h.id AS TEXT))"


async def log_about_deal(
    kernel: Sampark, deal_id: int, data: Mapping[str, Any], *, actor: Actor = SYSTEM
) -> InteractionRecord:
    """Log a call, a note… about a deal (or plan one), with the deal's contacts and account.

    Takes what ``crm.interactions.log`` takes, except ``contacts`` and ``accounts``: they
    come from the deal. Needs ``interactions.write`` and sight of the deal.
    """
    actor.require("interactions.write")
    deal = await get_deal(kernel, deal_id, actor=actor)
    for name in ("contacts", "accounts"):
        if name in data:
            raise ValidationError.single(name, "comes from the deal: leave it out")
    if not deal.contact_ids and deal.account_id is None:
        raise ValidationError.single(
            "deal", f"deal {deal.id} has no contact or account to log this with: add one first"
        )
    participants = {
        "contacts": list(deal.contact_ids),
        "accounts": [deal.account_id] if deal.account_id is not None else [],
    }
    async with in_transaction() as conn:
        record = await log_interaction(kernel, {**data, **participants}, actor=actor)
        await execute(
            conn,
            "INSERT INTO pipeline_deal_interaction (deal_id, interaction_id) VALUES (?, ?)",
            [deal.id, record.id],
        )
    return record


async def _stage_entries(
    kernel: Sampark, deal_id: int, before: TimelineKey | None, limit: int
) -> list[TimelineEntry]:
    conn = kernel.connection
    older, params = older_than(conn, before, LABEL, "h.at", _STAGE_REF)
    rows = await fetch(
        conn,
        "SELECT h.id, h.deal_id, h.pipeline, h.from_stage, h.to_stage, h.at, h.by_name, "
        "d.title, d.amount, d.currency FROM pipeline_stage_change h "
        f"JOIN pipeline_deal d ON d.id = h.deal_id WHERE h.deal_id = ?{older} "
        f"ORDER BY h.at DESC, {_STAGE_REF} DESC LIMIT ?",
        [deal_id, *params, limit],
    )
    return [dataclasses.replace(stage_entry(kernel, row), source=LABEL) for row in rows]


def newest_page(entries: list[TimelineEntry], limit: int) -> Page[TimelineEntry]:
    """The first ``limit`` of entries from several sources, newest first, with a cursor."""
    entries = sorted(entries, key=lambda e: (e.at, e.source, e.ref), reverse=True)
    page = entries[:limit]
    if len(entries) <= limit:
        return Page(page)
    last = page[-1]
    return Page(page, encode_cursor(last.at.isoformat(), last.source, last.ref))


async def deal_timeline(
    kernel: Sampark,
    deal_id: int,
    *,
    cursor: str | None = None,
    limit: int = 50,
    actor: Actor = SYSTEM,
) -> Page[TimelineEntry]:
    """A deal's stage changes and the interactions logged about it, newest first.

    Needs ``deals.read`` and sight of the deal; interactions show if the actor may read
    them (``interactions.read`` and their scope).
    """
    check_limit(limit)
    deal = await get_deal(kernel, deal_id, actor=actor)
    before = key_from_cursor(cursor) if cursor else None
    entries = await _stage_entries(kernel, deal.id, before, limit + 1)
    if actor.can("interactions.read"):
        entries += await interactions_among(kernel, _OF_DEAL, [deal.id], before, limit + 1, actor)
    return newest_page(entries, limit)
