"""What the pipeline's services return: plain frozen records, JSON-ready, tables in Jupyter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sampark.core.records import Record


@dataclass(frozen=True)
class DealRecord(Record):
    """A deal as people see it; ``stage_name`` is the stage's name in today's config."""

    id: int
    title: str
    pipeline: str
    stage: str
    stage_name: str
    status: str
    amount: Decimal
    currency: str
    probability: int
    expected_close: dt.date | None = None
    owner: str | None = None
    account_id: int | None = None
    account_name: str = ""
    contact_ids: tuple[int, ...] = ()
    source: str = ""
    lost_reason: str = ""
    closed_on: dt.date | None = None
    notes: str = ""
    stage_changed_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    version: int = 1

    @property
    def weighted(self) -> Decimal:
        """The amount times the probability: what the deal adds to the weighted pipeline."""
        return (self.amount * self.probability / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class StageChangeRecord(Record):
    """A deal entering a stage; ``from_stage`` is None when the deal was opened.

    ``left_at`` is when it moved on (None while the deal is still in that stage).
    """

    id: int
    deal_id: int
    pipeline: str
    from_stage: str | None
    to_stage: str
    at: dt.datetime
    by: str = ""
    left_at: dt.datetime | None = None


@dataclass(frozen=True)
class ForecastRow(Record):
    """One group of open deals (a month or an owner) in one currency.

    ``weighted`` is the sum of amount x probability; ``best`` every open amount; ``worst`` the
    committed amount only (deals in a commit stage or at the commit probability).
    """

    group: str
    currency: str
    deals: int
    amount: Decimal
    weighted: Decimal
    best: Decimal
    worst: Decimal


@dataclass(frozen=True)
class StageStatsRow(Record):
    """How deals fared after entering a stage, from the deployment's own stage history.

    ``win_rate`` is won / (won + lost) of the closed deals that passed through the stage
    (None before any closed); ``average_days`` the mean time a deal stayed in it before
    moving on (None until one has).
    """

    pipeline: str
    stage: str
    stage_name: str
    entered: int
    won: int
    lost: int
    win_rate: Decimal | None
    average_days: Decimal | None


@dataclass(frozen=True)
class AccountSalesRow(Record):
    """What one account bought in a period: its won deals in one currency."""

    account_id: int | None
    account_name: str
    currency: str
    deals: int
    amount: Decimal
