"""What the contracts services return: frozen records, JSON-ready, tables in Jupyter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sampark.core.records import Record

UNITS = ("incidents", "hours")
STATUSES = ("upcoming", "active", "exhausted", "expired")


def plain(amount: Decimal) -> str:
    """``7.5`` for 7.50, ``10`` for 10.00: a decimal without trailing zeros."""
    return format(amount.normalize(), "f")


def units_text(amount: Decimal, unit: str) -> str:
    """``7 incidents``, ``1 incident``, ``12.5 hours``: an amount as people read it."""
    text = plain(amount)
    if amount == 1:
        return f"{text} {unit[:-1]}"
    return f"{text} {unit}"


@dataclass(frozen=True)
class ContractRecord(Record):
    """A contract as its account's people see it, with its status and warnings worked out.

    ``status`` is derived, never stored: ``upcoming`` before the start date, ``expired``
    after the end date, ``exhausted`` once every included unit is used, else ``active``.
    ``near_exhaustion`` and ``near_expiry`` follow ``[plugin.contracts]``.
    """

    id: int
    account_id: int
    name: str
    unit: str
    units_included: Decimal
    units_used: Decimal
    start_date: dt.date
    end_date: dt.date | None = None
    reference: str = ""
    account_name: str = ""
    status: str = "active"
    percent_used: int = 0
    near_exhaustion: bool = False
    near_expiry: bool = False
    notes: str = ""
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    version: int = 1

    @property
    def units_left(self) -> Decimal:
        """Units still to use (negative once usage has gone over)."""
        return self.units_included - self.units_used

    @property
    def usage_text(self) -> str:
        """``7 of 10 incidents used``."""
        return f"{plain(self.units_used)} of {units_text(self.units_included, self.unit)} used"

    @property
    def warnings(self) -> tuple[str, ...]:
        """What needs attention, in words: ``("exhausted",)``, ``("ends in 12 days",)``…"""
        found = []
        if self.status == "exhausted":
            over = self.units_used - self.units_included
            found.append(f"{units_text(over, self.unit)} over" if over > 0 else "all units used")
        elif self.near_exhaustion:
            found.append(f"{self.percent_used}% used")
        if self.near_expiry and self.end_date is not None:
            found.append(f"ends {self.end_date.isoformat()}")
        return tuple(found)


@dataclass(frozen=True)
class TicketLinkRecord(Record):
    """A ticket charged to a contract and what it has used of it."""

    ticket_id: int
    contract_id: int
    units_used: Decimal
    linked_at: dt.datetime | None = None
    number: str = ""
    title: str = ""
    status: str = ""
