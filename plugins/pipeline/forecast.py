"""Forecasts and win rates, computed by the database (GROUP BY), never by looping over deals.

* **Weighted pipeline**: Σ amount x probability of the open deals, by expected-close month
  or by owner, with the **best case** (every open amount) and the **worst case** (the
  committed amount: open deals in a stage flagged ``commit`` or at or above
  ``commit_probability``).
* **Stage statistics**: for each stage, how many deals entered it, how many of those were
  won and lost (the win rate), and the average days a deal stayed in it, from the
  deployment's own stage history.
* **Sales per account**: won amounts by account over a period of close dates.

Amounts of different currencies are never added together: every figure is per currency.
Sums run over whole cents as integers (SQLite) or ``numeric`` (PostgreSQL), so they are
exact; the results are ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from tortoise.backends.base.client import BaseDBAsyncClient

from sampark.core.errors import FieldError, ValidationError
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.services.scope import where
from sampark.core.sql import cents, db_date, db_time, dialect, fetch, from_cents
from sampark.plugins.pipeline.records import AccountSalesRow, ForecastRow, StageStatsRow
from sampark.plugins.pipeline.services import config_of, deal_condition, parse_date, stage_name

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

GROUPINGS = ("month", "owner")
NO_MONTH = "none"


def month_of(conn: BaseDBAsyncClient, column: str) -> str:
    if dialect(conn) == "postgres":
        return f"to_char({column}, 'YYYY-MM')"
    return f"substr({column}, 1, 7)"


def _days_between(conn: BaseDBAsyncClient, start: str, end: str) -> str:
    if dialect(conn) == "postgres":
        return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"
    return f"(julianday({end}) - julianday({start}))"


def committed(kernel: Sampark, alias: str = "d") -> tuple[str, list[Any]]:
    """SQL true for a committed deal: in a commit stage or at the commit probability."""
    config = config_of(kernel)
    parts = [f"{alias}.probability >= ?"]
    params: list[Any] = [config.commit_probability]
    for pipeline in config.built.values():
        keys = [stage.key for stage in pipeline.stages if stage.commit]
        if keys:
            parts.append(
                f"({alias}.pipeline = ? AND {alias}.stage IN ({', '.join('?' * len(keys))}))"
            )
            params += [pipeline.key, *keys]
    return f"({' OR '.join(parts)})", params


def period(
    date_from: Any, date_to: Any, *, required: bool = False
) -> tuple[dt.date | None, dt.date | None]:
    """A checked date range (either end may be open unless ``required``)."""
    errors: list[FieldError] = []
    found: list[dt.date | None] = []
    for name, value in (("from", date_from), ("to", date_to)):
        try:
            found.append(parse_date(value, name))
        except ValidationError as exc:
            errors += exc.errors
            found.append(None)
        if required and value in (None, "") and not any(e.field == name for e in errors):
            errors.append(FieldError(name, "is required: a date such as 2026-01-31"))
    start, end = found
    if start and end and start > end:
        errors.append(FieldError("to", f"must not be before from ({start.isoformat()})"))
    if errors:
        raise ValidationError(errors)
    return start, end


async def forecast(
    kernel: Sampark,
    *,
    by: Literal["month", "owner"] | str = "month",
    date_from: Any = None,
    date_to: Any = None,
    pipeline: str | None = None,
    actor: Actor = SYSTEM,
) -> list[ForecastRow]:
    """The open deals the actor may see, grouped by expected-close month or owner, per currency.

    With ``date_from``/``date_to`` only deals expected to close in that range count;
    without, deals with no expected close date form the group ``none``.
    """
    actor.require("deals.read")
    if by not in GROUPINGS:
        raise ValidationError.single("by", f"must be month or owner (got {by!r})")
    start, end = period(date_from, date_to)
    conn = kernel.connection
    config = config_of(kernel)
    if pipeline and pipeline not in config.built:
        raise ValidationError.single("pipeline", f"must be one of {', '.join(config.built)}")
    conditions, params = deal_condition(actor)
    conditions += ["d.status = 'open'", "d.deleted_at IS NULL"]
    if start:
        conditions.append("d.expected_close >= ?")
        params.append(db_date(conn, start))
    if end:
        conditions.append("d.expected_close <= ?")
        params.append(db_date(conn, end))
    if pipeline:
        conditions.append("d.pipeline = ?")
        params.append(pipeline)
    commit, commit_params = committed(kernel)
    money = cents(conn, "d.amount")
    if by == "month":
        group, join = f"COALESCE({month_of(conn, 'd.expected_close')}, '{NO_MONTH}')", ""
    else:
        group, join = "COALESCE(u.username, '')", " LEFT JOIN core_user u ON u.id = d.owner_id"
    rows = await fetch(
        conn,
        f"SELECT {group} AS grp, d.currency AS currency, COUNT(*) AS deals, "
        f"SUM({money}) AS amount, SUM({money} * d.probability) AS weighted, "
        f"SUM(CASE WHEN {commit} THEN {money} ELSE 0 END) AS worst "
        f"FROM pipeline_deal d{join} WHERE {' AND '.join(conditions)} "
        "GROUP BY grp, d.currency ORDER BY grp, d.currency",
        [*commit_params, *params],
    )
    return [
        ForecastRow(
            group=row["grp"],
            currency=row["currency"],
            deals=int(row["deals"]),
            amount=from_cents(row["amount"]),
            weighted=from_cents(row["weighted"], 10_000),
            best=from_cents(row["amount"]),
            worst=from_cents(row["worst"]),
        )
        for row in rows
    ]


def totals(rows: list[ForecastRow]) -> list[ForecastRow]:
    """The groups' figures added up per currency (over a handful of group rows)."""
    by_currency: dict[str, ForecastRow] = {}
    for row in rows:
        seen = by_currency.get(row.currency)
        if seen is None:
            by_currency[row.currency] = ForecastRow(
                "total", row.currency, row.deals, row.amount, row.weighted, row.best, row.worst
            )
        else:
            by_currency[row.currency] = ForecastRow(
                "total",
                row.currency,
                seen.deals + row.deals,
                seen.amount + row.amount,
                seen.weighted + row.weighted,
                seen.best + row.best,
                seen.worst + row.worst,
            )
    return [by_currency[currency] for currency in sorted(by_currency)]


async def stage_stats(
    kernel: Sampark,
    *,
    pipeline: str | None = None,
    since: Any = None,
    actor: Actor = SYSTEM,
) -> list[StageStatsRow]:
    """Win rate and average days in stage for each stage, from the stage history, in stage order.

    With ``since`` (a date), only stages entered on or after that day count.
    """
    actor.require("deals.read")
    start, _ = period(since, None)
    conn = kernel.connection
    config = config_of(kernel)
    if pipeline and pipeline not in config.built:
        raise ValidationError.single("pipeline", f"must be one of {', '.join(config.built)}")
    conditions, params = deal_condition(actor)
    conditions.append("d.deleted_at IS NULL")
    if pipeline:
        conditions.append("h.pipeline = ?")
        params.append(pipeline)
    if start:
        conditions.append("h.at >= ?")
        params.append(db_time(conn, dt.datetime.combine(start, dt.time(), dt.UTC)))
    days = _days_between(conn, "h.at", "h.left_at")
    # Each history row knows when the deal left the stage (left_at), so this is one pass
    # over the history, grouped, with no window over every deal's rows.
    rows = await fetch(
        conn,
        "SELECT h.pipeline, h.to_stage AS stage, COUNT(DISTINCT h.deal_id) AS entered, "
        "COUNT(DISTINCT CASE WHEN d.status = 'won' THEN h.deal_id END) AS won, "
        "COUNT(DISTINCT CASE WHEN d.status = 'lost' THEN h.deal_id END) AS lost, "
        f"AVG(CASE WHEN h.left_at IS NOT NULL THEN {days} END) AS average_days "
        "FROM pipeline_stage_change h JOIN pipeline_deal d ON d.id = h.deal_id "
        f"WHERE {' AND '.join(conditions)} GROUP BY h.pipeline, h.to_stage",
        params,
    )

    def position(row: Mapping[str, Any]) -> tuple[int, int, str]:
        keys = list(config.built)
        found = config.built.get(row["pipeline"])
        stage = found.stage(row["stage"]) if found else None
        pipeline_rank = keys.index(row["pipeline"]) if row["pipeline"] in keys else len(keys)
        return (pipeline_rank, stage.position if stage else 999, row["stage"])

    result = []
    for row in sorted(rows, key=position):
        won, lost = int(row["won"]), int(row["lost"])
        rate = (Decimal(won) / (won + lost)).quantize(Decimal("0.001")) if won + lost else None
        average = row["average_days"]
        result.append(
            StageStatsRow(
                pipeline=row["pipeline"],
                stage=row["stage"],
                stage_name=stage_name(kernel, row["pipeline"], row["stage"]),
                entered=int(row["entered"]),
                won=won,
                lost=lost,
                win_rate=rate,
                average_days=(
                    None if average is None else Decimal(str(average)).quantize(Decimal("0.1"))
                ),
            )
        )
    return result


async def sales_by_account(
    kernel: Sampark,
    *,
    date_from: Any,
    date_to: Any,
    limit: int = 100,
    actor: Actor = SYSTEM,
) -> list[AccountSalesRow]:
    """Won deals closed in the period, summed per account and currency, biggest first."""
    actor.require("deals.read")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise ValidationError.single("limit", "must be a whole number from 1 to 1000")
    start, end = period(date_from, date_to, required=True)
    conn = kernel.connection
    conditions, params = deal_condition(actor)
    conditions += ["d.status = 'won'", "d.deleted_at IS NULL"]
    conditions += ["d.closed_on >= ?", "d.closed_on <= ?"]
    params += [db_date(conn, start), db_date(conn, end)]
    money = cents(conn, "d.amount")
    rows = await fetch(
        conn,
        f"SELECT d.account_id, MIN(a.name) AS account_name, d.currency, COUNT(*) AS deals, "
        f"SUM({money}) AS amount FROM pipeline_deal d "
        "LEFT JOIN core_account a ON a.id = d.account_id "
        f"WHERE {' AND '.join(conditions)} GROUP BY d.account_id, d.currency "
        f"ORDER BY SUM({money}) DESC, d.currency, d.account_id LIMIT ?",
        [*params, limit],
    )
    return [
        AccountSalesRow(
            account_id=row["account_id"],
            account_name=row["account_name"] or "",
            currency=row["currency"],
            deals=int(row["deals"]),
            amount=from_cents(row["amount"]),
        )
        for row in rows
    ]


async def dashboard_figures(kernel: Sampark, actor: Actor) -> tuple[int, list[ForecastRow]]:
    """Open deals the actor sees, and this month's weighted pipeline per currency."""
    conn = kernel.connection
    conditions, params = deal_condition(actor)
    rows = await fetch(
        conn,
        "SELECT COUNT(*) AS n FROM pipeline_deal d "
        f"WHERE d.status = 'open' AND d.deleted_at IS NULL{where(conditions)}",
        params,
    )
    today = dt.datetime.now(dt.UTC).date()
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    month = await forecast(kernel, by="month", date_from=first, date_to=last, actor=actor)
    return int(rows[0]["n"]), totals(month)
