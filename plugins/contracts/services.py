"""Contracts: create, read, change, delete and list them; work out their status and warnings.

A contract belongs to an account and includes a number of incidents or hours. Tickets
of the account use it up (see :mod:`usage`). Every call runs as an actor: reading needs
``contracts.read``, writing ``contracts.write``, deleting ``contracts.delete``, and an
"own"-scoped actor sees only the contracts of accounts they own (any other is not found).
Deleting and restoring are in :mod:`lifecycle`; every read here leaves deleted contracts
out unless asked for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from sampark.core import ids
from sampark.core.errors import (
    ConfigError,
    FieldError,
    NotFoundError,
    StaleRecordError,
    ValidationError,
)
from sampark.core.pagination import check_limit
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import Page
from sampark.core.services.audit import record_change
from sampark.core.services.decimals import parse_decimal
from sampark.core.services.scope import owner_condition, where
from sampark.core.services.search import keyset_page
from sampark.core.sql import (
    db_date,
    db_time,
    fetch,
    like_pattern,
    now,
    read_date,
    read_time,
)
from sampark.core.text import text_problem
from sampark.plugins.contracts.config import ContractsConfig
from sampark.plugins.contracts.records import UNITS, ContractRecord

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

ENTITY = "contract"
FIELDS = ("account_id", "name", "reference", "start_date", "end_date", "unit", "units_included")
FIELDS += ("notes",)
MAX_UNITS = Decimal(1_000_000)
MINUTES = {"incidents": 1, "hours": 60}  # base units (what is counted) per unit

SELECT = (
    "SELECT c.id, c.account_id, a.name AS account_name, c.name, c.sort_name, c.reference, "
    "c.start_date, c.end_date, c.unit, c.included_count, c.used_count, c.notes, "
    "c.created_at, c.updated_at, c.deleted_at, c.version "
    "FROM contracts_contract c JOIN core_account a ON a.id = c.account_id"
)


# ---------------------------------------------------------------------------
# Status and warnings
# ---------------------------------------------------------------------------


def today() -> dt.date:
    """The date contracts are judged by: today in UTC, the time Sampark stores."""
    return now().date()


def settings_of(kernel: Sampark) -> ContractsConfig:
    return kernel.plugin_config("contracts") or ContractsConfig()


def check_config(kernel: Sampark) -> None:
    """Refuse warning thresholds that cannot work, naming the setting."""
    config = settings_of(kernel)
    percent = config.exhaustion_warning_percent
    if not 1 <= percent <= 100:
        raise ConfigError(
            f"plugin.contracts.exhaustion_warning_percent: must be from 1 to 100 (got {percent})"
        )
    if config.expiry_warning_days < 0:
        raise ConfigError(
            "plugin.contracts.expiry_warning_days: must be 0 or more "
            f"(got {config.expiry_warning_days})"
        )


def amount(count: int, unit: str) -> Decimal:
    """A stored count (incidents, or minutes) in the contract's unit."""
    if unit == "hours":
        return (Decimal(count) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Decimal(count)


def status_of(start: dt.date, end: dt.date | None, used: int, included: int, on: dt.date) -> str:
    if end is not None and end < on:
        return "expired"
    if start > on:
        return "upcoming"
    if used >= included:
        return "exhausted"
    return "active"


def record_of(row: Mapping[str, Any], config: ContractsConfig, on: dt.date) -> ContractRecord:
    start, end = read_date(row["start_date"]), read_date(row["end_date"])
    assert start is not None
    used, included = row["used_count"], row["included_count"]
    status = status_of(start, end, used, included, on)
    in_date = status in ("active", "exhausted")
    percent = used * 100 // included if included else 0
    return ContractRecord(
        id=row["id"],
        account_id=row["account_id"],
        account_name=row["account_name"],
        name=row["name"],
        reference=row["reference"],
        start_date=start,
        end_date=end,
        unit=row["unit"],
        units_included=amount(included, row["unit"]),
        units_used=amount(used, row["unit"]),
        status=status,
        percent_used=percent,
        near_exhaustion=in_date and used * 100 >= included * config.exhaustion_warning_percent,
        near_expiry=in_date and end is not None and (end - on).days <= config.expiry_warning_days,
        notes=row["notes"],
        created_at=read_time(row["created_at"]),
        updated_at=read_time(row["updated_at"]),
        deleted_at=read_time(row["deleted_at"]),
        version=row["version"],
    )


def _records(kernel: Sampark, rows: list[dict[str, Any]]) -> list[ContractRecord]:
    config, on = settings_of(kernel), today()
    return [record_of(row, config, on) for row in rows]


def in_date_sql(alias: str = "c") -> str:
    """Started and not ended on the date bound twice after it (``?``, ``?``)."""
    return f"{alias}.start_date <= ? AND ({alias}.end_date IS NULL OR {alias}.end_date >= ?)"


def status_condition(conn: BaseDBAsyncClient, status: str, on: dt.date) -> tuple[str, list[Any]]:
    """SQL keeping the contracts whose derived status is ``status`` on ``on``."""
    day = db_date(conn, on)
    if status == "expired":
        return "c.end_date < ?", [day]
    if status == "upcoming":
        return "c.start_date > ? AND (c.end_date IS NULL OR c.end_date >= ?)", [day, day]
    compare = ">=" if status == "exhausted" else "<"
    return f"{in_date_sql()} AND c.used_count {compare} c.included_count", [day, day]


def attention_condition(
    conn: BaseDBAsyncClient, config: ContractsConfig, on: dt.date, *, expiry: bool, usage: bool
) -> tuple[str, list[Any]]:
    """SQL keeping in-date contracts near exhaustion (``usage``) or expiry (``expiry``)."""
    day = db_date(conn, on)
    parts: list[str] = []
    params: list[Any] = [day, day]
    if usage:
        parts.append("c.used_count * 100 >= c.included_count * ?")
        params.append(config.exhaustion_warning_percent)
    if expiry:
        parts.append("(c.end_date IS NOT NULL AND c.end_date <= ?)")
        params.append(db_date(conn, on + dt.timedelta(days=config.expiry_warning_days)))
    return f"{in_date_sql()} AND ({' OR '.join(parts)})", params


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def check_id(contract_id: Any) -> int:
    return ids.check_id(ENTITY, contract_id)


async def load(
    kernel: Sampark,
    conn: BaseDBAsyncClient,
    contract_id: int,
    actor: Actor = SYSTEM,
    include_deleted: bool = False,
) -> ContractRecord:
    """One contract the actor may see (through ``conn``), else NotFoundError.

    A deleted contract is found only with ``include_deleted``.
    """
    scope, params = owner_condition(actor, "a")
    if not include_deleted:
        scope.append("c.deleted_at IS NULL")
    rows = await fetch(conn, f"{SELECT} WHERE c.id = ?{where(scope)}", [contract_id, *params])
    if not rows:
        raise NotFoundError(ENTITY, contract_id)
    return _records(kernel, rows)[0]


async def get_contract(
    kernel: Sampark, contract_id: int, *, include_deleted: bool = False, actor: Actor = SYSTEM
) -> ContractRecord:
    """One live contract, with its status and warnings as of today (a deleted one if asked)."""
    actor.require("contracts.read")
    return await load(kernel, kernel.connection, check_id(contract_id), actor, include_deleted)


async def list_contracts(
    kernel: Sampark,
    *,
    account_id: int | None = None,
    status: str | None = None,
    attention: bool = False,
    deleted: bool = False,
    cursor: str | None = None,
    limit: int = 50,
    actor: Actor = SYSTEM,
) -> Page[ContractRecord]:
    """Contracts by name, a page at a time: all, one account's, of one status, or flagged.

    ``attention=True`` keeps in-date contracts near exhaustion or expiry (exhausted ones
    included). Contracts of deleted accounts are left out. ``deleted=True`` lists the
    deleted contracts instead, to restore them (needs ``contracts.delete``).
    """
    actor.require("contracts.read")
    if deleted:
        actor.require("contracts.delete")
    limit = check_limit(limit)
    conn = kernel.connection
    conditions, params = owner_condition(actor, "a")
    conditions.append("a.deleted_at IS NULL")
    conditions.append(f"c.deleted_at IS {'NOT ' if deleted else ''}NULL")
    if account_id is not None:
        if isinstance(account_id, bool) or not isinstance(account_id, int):
            raise ValidationError.single("account_id", "must be an account's id (a number)")
        conditions.append("c.account_id = ?")
        params.append(account_id)
    on = today()
    if status:
        from sampark.plugins.contracts.records import STATUSES

        if status not in STATUSES:
            raise ValidationError.single(
                "status", f"must be one of {', '.join(STATUSES)} (got {status!r})"
            )
        condition, values = status_condition(conn, status, on)
        conditions.append(condition)
        params += values
    if attention:
        condition, values = attention_condition(
            conn, settings_of(kernel), on, expiry=True, usage=True
        )
        conditions.append(condition)
        params += values
    rows, next_cursor = await keyset_page(
        conn, SELECT, "c", conditions, params, cursor=cursor, limit=limit
    )
    return Page(_records(kernel, rows), next_cursor)


async def search_contracts(
    kernel: Sampark, query: str, *, limit: int = 20, actor: Actor = SYSTEM
) -> Page[ContractRecord]:
    """Contracts whose name or reference contains ``query`` (any case), by name."""
    actor.require("contracts.read")
    if not isinstance(query, str):
        raise ValidationError.single("query", "must be text")
    limit = check_limit(limit)
    if not query.strip():
        return Page([])
    pattern = like_pattern(query.strip().casefold())
    conditions, params = owner_condition(actor, "a")
    rows = await fetch(
        kernel.connection,
        f"{SELECT} WHERE a.deleted_at IS NULL AND c.deleted_at IS NULL "
        "AND (c.sort_name LIKE ? ESCAPE '\\' "
        f"OR lower(c.reference) LIKE ? ESCAPE '\\'){where(conditions)} "
        "ORDER BY c.sort_name, c.id LIMIT ?",
        [pattern, pattern, *params, limit],
    )
    return Page(_records(kernel, rows))


async def count_flagged(kernel: Sampark, *, actor: Actor = SYSTEM) -> dict[str, int]:
    """How many in-date contracts the actor sees are near exhaustion and near expiry."""
    actor.require("contracts.read")
    conn = kernel.connection
    config, on = settings_of(kernel), today()
    usage, usage_params = attention_condition(conn, config, on, expiry=False, usage=True)
    expiry, expiry_params = attention_condition(conn, config, on, expiry=True, usage=False)
    scope, scope_params = owner_condition(actor, "a")
    rows = await fetch(
        conn,
        "SELECT "
        f"COALESCE(SUM(CASE WHEN {usage} THEN 1 ELSE 0 END), 0) AS usage, "
        f"COALESCE(SUM(CASE WHEN {expiry} THEN 1 ELSE 0 END), 0) AS expiry "
        "FROM contracts_contract c JOIN core_account a ON a.id = c.account_id "
        "WHERE a.deleted_at IS NULL AND c.deleted_at IS NULL "
        f"AND {in_date_sql()}{where(scope)}",
        [*usage_params, *expiry_params, db_date(conn, on), db_date(conn, on), *scope_params],
    )
    return {"near_exhaustion": int(rows[0]["usage"]), "near_expiry": int(rows[0]["expiry"])}


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------


def _text(
    data: Mapping[str, Any],
    name: str,
    limit: int,
    errors: list[FieldError],
    required: bool,
    *,
    multiline: bool = False,
) -> str | None:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.append(FieldError(name, "must be text"))
        return None
    value = value.strip()
    if problem := text_problem(value, multiline=multiline):
        errors.append(FieldError(name, problem))
        return None
    if required and not value:
        errors.append(FieldError(name, "is required"))
        return None
    if len(value) > limit:
        errors.append(FieldError(name, f"must be at most {limit} characters (got {len(value)})"))
        return None
    return value


def _date(data: Mapping[str, Any], name: str, errors: list[FieldError]) -> dt.date | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.append(FieldError(name, f"must be a date such as 2026-04-01 (got {value!r})"))
    return None


def _units(value: Any, unit: str | None, errors: list[FieldError]) -> int | None:
    """Units included as a count of base units (incidents, or minutes for hours)."""
    name = "units_included"
    if value is None or value == "":
        errors.append(FieldError(name, "is required"))
        return None
    try:
        number = parse_decimal(value, name, maximum=MAX_UNITS, example="7.5")
    except ValidationError as exc:
        errors.extend(exc.errors)
        return None
    if number <= 0:
        errors.append(FieldError(name, f"must be more than 0 (got {value})"))
        return None
    if unit not in MINUTES:
        return None
    count = number * MINUTES[unit]
    if count != count.to_integral_value():
        if unit == "incidents":
            errors.append(FieldError(name, f"incidents must be a whole number (got {value})"))
        else:
            errors.append(
                FieldError(
                    name, f"hours must come to whole minutes, e.g. 7.5 or 0.25 (got {value})"
                )
            )
        return None
    return int(count)


def clean_contract(
    data: Mapping[str, Any], existing: ContractRecord | None = None
) -> tuple[dict[str, Any], list[FieldError]]:
    """The columns to write for a new contract or a change, and every problem found.

    A change (``existing`` given) takes only the fields in ``data``.
    """
    errors: list[FieldError] = []
    if not isinstance(data, Mapping):
        return {}, [FieldError("body", "must be an object")]
    for key in data:
        if key not in FIELDS:
            errors.append(FieldError(str(key), f"unknown field (known: {', '.join(FIELDS)})"))
    given = set(data) if existing is not None else set(FIELDS)
    values: dict[str, Any] = {}
    if "account_id" in given:
        account_id = data.get("account_id")
        if isinstance(account_id, str) and account_id.strip().isdigit():
            account_id = int(account_id.strip())
        if isinstance(account_id, bool) or not isinstance(account_id, int) or account_id < 1:
            errors.append(FieldError("account_id", "is required: the account's id (a number)"))
        else:
            values["account_id"] = account_id
    if "name" in given:
        name = _text(data, "name", 200, errors, required=True)
        if name is not None:
            values["name"], values["sort_name"] = name, name.casefold()
    if "reference" in given:
        reference = _text(data, "reference", 100, errors, required=False)
        if reference is not None:
            values["reference"] = reference
    if "notes" in given:
        notes = _text(data, "notes", 20_000, errors, required=False, multiline=True)
        if notes is not None:
            values["notes"] = notes
    if "unit" in given:
        unit = data.get("unit")
        if unit not in UNITS:
            errors.append(FieldError("unit", f"must be one of {', '.join(UNITS)} (got {unit!r})"))
        else:
            values["unit"] = unit
    unit = values.get("unit", existing.unit if existing else None)
    if "units_included" in given or ("unit" in given and existing is not None):
        raw = data.get("units_included", existing.units_included if existing else None)
        count = _units(raw, unit, errors)
        if count is not None:
            values["included_count"] = count
    for name in ("start_date", "end_date"):
        if name in given:
            values[name] = _date(data, name, errors)
    bad_start = any(error.field == "start_date" for error in errors)
    if values.get("start_date") is None and not bad_start:
        if existing is None:
            values["start_date"] = today()  # not given: the contract starts today
        elif "start_date" in given:
            errors.append(FieldError("start_date", "is required"))
    start = values.get("start_date") or (existing.start_date if existing else None)
    end = values.get("end_date", existing.end_date if existing else None)
    if start is not None and end is not None and end < start:
        errors.append(
            FieldError("end_date", f"must be on or after the start date ({start.isoformat()})")
        )
    return values, errors


async def _check_account(kernel: Sampark, account_id: int, actor: Actor) -> None:
    """The account must be live and one the actor may see (for "own" scope: owns)."""
    scope, params = owner_condition(actor, "a")
    rows = await fetch(
        kernel.connection,
        f"SELECT a.id FROM core_account a WHERE a.id = ? AND a.deleted_at IS NULL{where(scope)}",
        [account_id, *params],
    )
    if not rows:
        raise ValidationError.single("account_id", f"no account with id {account_id}")


async def check_reference(kernel: Sampark, reference: str, contract_id: int | None) -> None:
    """A reference must not be a live contract's (a deleted one's may be taken again)."""
    if not reference:
        return
    rows = await fetch(
        kernel.connection,
        "SELECT id FROM contracts_contract "
        "WHERE lower(reference) = ? AND id <> ? AND deleted_at IS NULL",
        [reference.casefold(), contract_id or 0],
    )
    if rows:
        raise ValidationError.single(
            "reference", f"{reference!r} is already the reference of contract {rows[0]['id']}"
        )


def clash(exc: IntegrityError, reference: str) -> Exception:
    """A reference taken meanwhile (the unique index caught it) as a field error."""
    if "reference" in str(exc).lower():
        return ValidationError.single("reference", f"{reference!r} is already in use")
    return exc


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

_COLUMNS = (
    "account_id",
    "name",
    "sort_name",
    "reference",
    "start_date",
    "end_date",
    "unit",
    "included_count",
    "notes",
)


def _column_value(conn: BaseDBAsyncClient, column: str, value: Any) -> Any:
    return db_date(conn, value) if column in ("start_date", "end_date") else value


async def create_contract(
    kernel: Sampark, data: Mapping[str, Any], *, actor: Actor = SYSTEM
) -> ContractRecord:
    """Validate and add a contract; with no start date it starts today."""
    actor.require("contracts.write")
    values, errors = clean_contract(data)
    if errors:
        raise ValidationError(errors)
    await _check_account(kernel, values["account_id"], actor)
    await check_reference(kernel, values["reference"], None)
    try:
        async with in_transaction() as conn:
            stamp = db_time(conn, now())
            rows = await fetch(
                conn,
                f"INSERT INTO contracts_contract ({', '.join(_COLUMNS)}, used_count, "
                "created_at, updated_at, version) "
                f"VALUES ({', '.join('?' * len(_COLUMNS))}, 0, ?, ?, 1) RETURNING id",
                [*(_column_value(conn, c, values[c]) for c in _COLUMNS), stamp, stamp],
            )
            record = await load(kernel, conn, rows[0]["id"])
            await record_change(conn, actor, ENTITY, record.id, "create", None, audited(record))
    except IntegrityError as exc:
        raise clash(exc, values["reference"]) from None
    return record


def audited(record: ContractRecord) -> dict[str, Any]:
    """What the audit trail keeps of a contract: what people set, not usage or status."""
    return {
        "account_id": record.account_id,
        "name": record.name,
        "reference": record.reference,
        "start_date": record.start_date,
        "end_date": record.end_date,
        "unit": record.unit,
        "units_included": record.units_included,
        "notes": record.notes,
    }


async def update_contract(
    kernel: Sampark,
    contract_id: int,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    actor: Actor = SYSTEM,
) -> ContractRecord:
    """Change the given fields; the account and unit stay fixed once units are used.

    With ``expected_version`` the edit is refused (StaleRecordError) unless the contract
    is still at that version. Usage never changes the version, so a busy service desk
    does not make every edit stale.
    """
    actor.require("contracts.write")
    contract_id = check_id(contract_id)
    existing = await load(kernel, kernel.connection, contract_id, actor)
    if expected_version is not None and existing.version != expected_version:
        raise StaleRecordError(ENTITY, contract_id, expected_version, existing.version)
    values, errors = clean_contract(changes, existing)
    used = existing.units_used > 0
    for name in ("account_id", "unit"):
        if used and name in values and values[name] != getattr(existing, name):
            errors.append(FieldError(name, "cannot change once tickets have used the contract"))
    if errors:
        raise ValidationError(errors)
    if "account_id" in values and values["account_id"] != existing.account_id:
        await _check_account(kernel, values["account_id"], actor)
    if "reference" in values:
        await check_reference(kernel, values["reference"], contract_id)
    version = expected_version if expected_version is not None else existing.version
    try:
        async with in_transaction() as conn:
            columns = [column for column in _COLUMNS if column in values]
            assignments = "".join(f"{column} = ?, " for column in columns)
            rows = await fetch(
                conn,
                f"UPDATE contracts_contract SET {assignments}updated_at = ?, "
                "version = version + 1 WHERE id = ? AND version = ? RETURNING id",
                [
                    *(_column_value(conn, c, values[c]) for c in columns),
                    db_time(conn, now()),
                    contract_id,
                    version,
                ],
            )
            if not rows:
                current = await load(kernel, conn, contract_id)
                raise StaleRecordError(ENTITY, contract_id, version, current.version)
            record = await load(kernel, conn, contract_id)
            await record_change(
                conn, actor, ENTITY, contract_id, "update", audited(existing), audited(record)
            )
    except IntegrityError as exc:
        raise clash(exc, values.get("reference", "")) from None
    return record
