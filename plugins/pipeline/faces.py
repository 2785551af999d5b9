"""What the pipeline shows elsewhere: timeline entries, panels, search hits, the board's columns."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sampark.core.contributions import Panel, SearchHit
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import TimelineEntry
from sampark.core.services.scope import where
from sampark.core.services.timeline import TimelineKey, TimelineSubject, older_than
from sampark.core.sql import cents, fetch, from_cents, read_time
from sampark.plugins.pipeline import services
from sampark.plugins.pipeline.config import Pipeline, Stage
from sampark.plugins.pipeline.records import DealRecord
from sampark.plugins.pipeline.services import LABEL, deal_condition, stage_name

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

PANEL_SIZE = 10


def money(amount: Decimal, currency: str) -> str:
    """``INR 1,250.50``: an amount as people read it, with its currency."""
    return f"{currency} {amount:,.2f}"


def deal_url(deal_id: int) -> str:
    return f"/{LABEL}/deals/{deal_id}"


# ---------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------

_REF = "('deal_stage:' || CAST(h.id AS TEXT))"
_OF_CONTACT = "SELECT dc.deal_id FROM pipeline_deal_contact dc WHERE dc.contact_id = ?"
_OF_ACCOUNT = "SELECT d2.id FROM pipeline_deal d2 WHERE d2.account_id = ?"


async def timeline_entries(
    kernel: Sampark,
    subject: TimelineSubject,
    before: TimelineKey | None,
    limit: int,
    actor: Actor = SYSTEM,
) -> list[TimelineEntry]:
    """Stage changes of the subject's live deals (a contact's, or an account's) the actor sees."""
    if not actor.can("deals.read"):
        return []
    deals = _OF_CONTACT if subject.entity == "contact" else _OF_ACCOUNT
    older, older_params = older_than(kernel.connection, before, LABEL, "h.at", _REF)
    visible, visible_params = deal_condition(actor)
    rows = await fetch(
        kernel.connection,
        "SELECT h.id, h.deal_id, h.pipeline, h.from_stage, h.to_stage, h.at, h.by_name, "
        "d.title, d.amount, d.currency FROM pipeline_stage_change h "
        "JOIN pipeline_deal d ON d.id = h.deal_id "
        f"WHERE d.deleted_at IS NULL AND h.deal_id IN ({deals}){older}{where(visible)} "
        f"ORDER BY h.at DESC, {_REF} DESC LIMIT ?",
        [subject.id, *older_params, *visible_params, limit],
    )
    return [stage_entry(kernel, row) for row in rows]


def stage_entry(kernel: Sampark, row: dict[str, Any]) -> TimelineEntry:
    """A stage change as a timeline line: "Deal moved: Renewal (Proposal → Won)"."""
    to_name = stage_name(kernel, row["pipeline"], row["to_stage"])
    if row["from_stage"] is None:
        title = f"Deal opened: {row['title']} ({to_name})"
    else:
        from_name = stage_name(kernel, row["pipeline"], row["from_stage"])
        title = f"Deal moved: {row['title']} ({from_name} → {to_name})"
    amount = Decimal(str(row["amount"]))
    moment = read_time(row["at"])
    assert moment is not None
    return TimelineEntry(
        at=moment,
        kind="deal",
        title=title,
        ref=f"deal_stage:{row['id']}",
        body=f"{money(amount, row['currency'])}, by {row['by_name']}",
        url=deal_url(row["deal_id"]),
    )


# ---------------------------------------------------------------------------
# Panels and search
# ---------------------------------------------------------------------------


def _deals_table(kernel: Sampark, deals: list[DealRecord], more_url: str, more: bool) -> str:
    if not deals:
        return '<p class="empty">No deals yet.</p>'
    rows = "".join(
        "<tr>"
        f'<td><a href="{deal_url(d.id)}">{html.escape(d.title)}</a></td>'
        f"<td>{html.escape(d.stage_name)}</td>"
        f'<td class="number">{html.escape(money(d.amount, d.currency))}</td>'
        f"<td>{html.escape(d.expected_close.isoformat() if d.expected_close else '')}</td>"
        "</tr>"
        for d in deals
    )
    table = (
        '<table class="deals"><thead><tr><th scope="col">Deal</th><th scope="col">Stage</th>'
        '<th scope="col">Amount</th><th scope="col">Expected close</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    if more:
        table += f'<p><a href="{html.escape(more_url)}">All deals</a></p>'
    return table


async def deals_panel(kernel: Sampark, entity: str, record_id: int, actor: Actor) -> list[Panel]:
    """A "Deals" box on a contact's or account's page, if the actor may read deals."""
    if not actor.can("deals.read"):
        return []
    filters = {entity: record_id}
    page = await services.list_deals(kernel, limit=PANEL_SIZE, actor=actor, **filters)
    more_url = f"/{LABEL}/deals?{entity}={record_id}"
    body = _deals_table(kernel, page.items, more_url, page.next_cursor is not None)
    if actor.can("deals.write"):
        body += f'<p><a href="/{LABEL}/deals/new?{entity}={record_id}">New deal</a></p>'
    return [Panel("Deals", body, order=40)]


async def deal_hits(
    kernel: Sampark, query: str, limit: int, actor: Actor = SYSTEM
) -> list[SearchHit]:
    """Live deals the actor may see whose title holds every word of the query.

    Index-backed (see ``services.title_search_sql``): words of three or more characters
    match anywhere in the title, newest deal first; a query of shorter words only matches
    the start of titles, in title order.
    """
    if not actor.can("deals.read"):
        return []
    rows = await services.search_deals(kernel, query, limit=limit, actor=actor)
    return [
        SearchHit(
            "deals",
            f"deal:{row['id']}",
            row["title"],
            f"{stage_name(kernel, row['pipeline'], row['stage'])}, "
            f"{money(Decimal(str(row['amount'])), row['currency'])}",
            deal_url(row["id"]),
        )
        for row in rows
    ]


# ---------------------------------------------------------------------------
# The board
# ---------------------------------------------------------------------------


@dataclass
class Column:
    """One stage on the board: its newest cards, how many deals it holds, its totals."""

    stage: Stage
    cards: list[DealRecord] = field(default_factory=list)
    count: int = 0
    totals: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


async def board(
    kernel: Sampark, pipeline: Pipeline, *, owner_id: int | None = None, actor: Actor = SYSTEM
) -> list[Column]:
    """The board of a pipeline as the actor sees it: counts and totals in SQL, some cards each."""
    actor.require("deals.read")
    conn = kernel.connection
    config = services.config_of(kernel)
    conditions, params = deal_condition(actor)
    conditions += ["d.pipeline = ?", "d.deleted_at IS NULL"]
    params.append(pipeline.key)
    if owner_id is not None:
        conditions.append("d.owner_id = ?")
        params.append(owner_id)
    summary = await fetch(
        conn,
        f"SELECT d.stage, d.currency, COUNT(*) AS n, SUM({cents(conn, 'd.amount')}) AS amount "
        f"FROM pipeline_deal d WHERE {' AND '.join(conditions)} "
        "GROUP BY d.stage, d.currency ORDER BY d.stage, d.currency",
        params,
    )
    columns = {stage.key: Column(stage) for stage in pipeline.stages}
    for row in summary:
        column = columns.get(row["stage"])
        if column is None:
            continue
        column.count += int(row["n"])
        column.totals.append((row["currency"], from_cents(row["amount"])))
    for column in columns.values():
        if not column.count:
            continue
        rows = await fetch(
            conn,
            f"{services.SELECT_DEALS} WHERE {' AND '.join(conditions)} AND d.stage = ? "
            "ORDER BY d.id DESC LIMIT ?",
            [*params, column.stage.key, config.board_cards],
        )
        column.cards = await services.deal_records(kernel, conn, rows)
    return list(columns.values())
