"""The pipeline's record API for notebooks, the CLI, the web pages and the API.

``deals = Deals(crm)`` acts as the system; ``Deals(crm, actor)`` (or ``Deals.of(view)`` for a
``crm.as_user(actor)`` view) is checked and scoped as that user. Every method makes the
kernel's database current and calls the shared service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sampark.core.facades import PluginFacade
from sampark.core.records import InteractionRecord, Page, TimelineEntry
from sampark.plugins.pipeline import activity, forecast, lifecycle, services
from sampark.plugins.pipeline.records import (
    AccountSalesRow,
    DealRecord,
    ForecastRow,
    StageChangeRecord,
    StageStatsRow,
)

if TYPE_CHECKING:
    pass


class Deals(PluginFacade):
    """``await Deals(crm).create(title="Annual licence", amount="1250.00", account=7)``."""

    async def create(self, data: Mapping[str, Any] | None = None, **fields: Any) -> DealRecord:
        with self.kernel.activate():
            return await services.create_deal(
                self.kernel, {**(data or {}), **fields}, actor=self.actor
            )

    async def get(self, deal_id: int, *, include_deleted: bool = False) -> DealRecord:
        with self.kernel.activate():
            return await services.get_deal(
                self.kernel, deal_id, include_deleted=include_deleted, actor=self.actor
            )

    async def update(
        self,
        deal_id: int,
        data: Mapping[str, Any] | None = None,
        *,
        version: int | None = None,
        **fields: Any,
    ) -> DealRecord:
        with self.kernel.activate():
            return await services.update_deal(
                self.kernel,
                deal_id,
                {**(data or {}), **fields},
                expected_version=version,
                actor=self.actor,
            )

    async def move(
        self,
        deal_id: int,
        stage: str,
        *,
        probability: int | str | None = None,
        reason: str | None = None,
        closed_on: dt.date | str | None = None,
        version: int | None = None,
    ) -> DealRecord:
        with self.kernel.activate():
            return await services.move_deal(
                self.kernel,
                deal_id,
                stage,
                probability=probability,
                reason=reason,
                closed_on=closed_on,
                expected_version=version,
                actor=self.actor,
            )

    async def win(
        self, deal_id: int, *, closed_on: dt.date | str | None = None, version: int | None = None
    ) -> DealRecord:
        with self.kernel.activate():
            return await services.win_deal(
                self.kernel,
                deal_id,
                closed_on=closed_on,
                expected_version=version,
                actor=self.actor,
            )

    async def lose(
        self,
        deal_id: int,
        *,
        reason: str = "",
        closed_on: dt.date | str | None = None,
        version: int | None = None,
    ) -> DealRecord:
        with self.kernel.activate():
            return await services.lose_deal(
                self.kernel,
                deal_id,
                reason=reason,
                closed_on=closed_on,
                expected_version=version,
                actor=self.actor,
            )

    async def delete(self, deal_id: int, *, version: int | None = None) -> DealRecord:
        """Soft-delete a deal; ``restore`` brings it back."""
        with self.kernel.activate():
            return await lifecycle.delete_deal(
                self.kernel, deal_id, expected_version=version, actor=self.actor
            )

    async def restore(self, deal_id: int, *, version: int | None = None) -> DealRecord:
        """Bring a deleted deal back (a live one is returned as it is)."""
        with self.kernel.activate():
            return await lifecycle.restore_deal(
                self.kernel, deal_id, expected_version=version, actor=self.actor
            )

    async def list(self, **filters: Any) -> Page[DealRecord]:
        """Deals newest first; filters: pipeline, stage, owner, status, account, contact.

        ``deleted=True`` lists the deleted ones instead.
        """
        with self.kernel.activate():
            return await services.list_deals(self.kernel, actor=self.actor, **filters)

    async def history(self, deal_id: int) -> list[StageChangeRecord]:
        with self.kernel.activate():
            return await services.stage_history(self.kernel, deal_id, actor=self.actor)

    async def log(
        self, deal_id: int, data: Mapping[str, Any] | None = None, **fields: Any
    ) -> InteractionRecord:
        """Log a call, a note… about the deal (``status="planned"`` plans one), stored as
        a core interaction with the deal's contacts and account."""
        with self.kernel.activate():
            return await activity.log_about_deal(
                self.kernel, deal_id, {**(data or {}), **fields}, actor=self.actor
            )

    async def timeline(
        self, deal_id: int, *, cursor: str | None = None, limit: int = 50
    ) -> Page[TimelineEntry]:
        """The deal's stage changes and the interactions logged about it, newest first."""
        with self.kernel.activate():
            return await activity.deal_timeline(
                self.kernel, deal_id, cursor=cursor, limit=limit, actor=self.actor
            )

    async def forecast(
        self,
        *,
        by: str = "month",
        date_from: Any = None,
        date_to: Any = None,
        pipeline: str | None = None,
    ) -> list[ForecastRow]:
        with self.kernel.activate():
            return await forecast.forecast(
                self.kernel,
                by=by,
                date_from=date_from,
                date_to=date_to,
                pipeline=pipeline,
                actor=self.actor,
            )

    async def stage_stats(
        self, *, pipeline: str | None = None, since: Any = None
    ) -> list[StageStatsRow]:
        with self.kernel.activate():
            return await forecast.stage_stats(
                self.kernel, pipeline=pipeline, since=since, actor=self.actor
            )

    async def sales(
        self, *, date_from: Any, date_to: Any, limit: int = 100
    ) -> list[AccountSalesRow]:
        with self.kernel.activate():
            return await forecast.sales_by_account(
                self.kernel, date_from=date_from, date_to=date_to, limit=limit, actor=self.actor
            )
