"""Deals: open, edit, move through stages, win or lose, list, delete.

Every function takes ``actor`` and checks ``deals.read`` / ``deals.write`` /
``deals.delete`` before reading or writing. An "own"-scoped actor sees only the deals they
own (``owner``); a deal out of scope is not found. Amounts are ``Decimal`` with two
places, never floats; the currency defaults to the deployment's ``currency``. A deal's
``status`` follows its stage (open, won or lost); each change of stage, and the opening
of a deal, writes a row to the stage history in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from sampark.core.errors import FieldError, NotFoundError, StaleRecordError, ValidationError
from sampark.core.ids import check_id, is_record_id
from sampark.core.pagination import check_limit, decode_cursor, encode_cursor
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.records import Page
from sampark.core.services.audit import record_change
from sampark.core.services.decimals import parse_decimal
from sampark.core.services.scope import owner_for_change, owner_for_new, visible_ids, where
from sampark.core.services.users import find_user
from sampark.core.sql import (
    db_date,
    db_time,
    dialect,
    execute,
    execute_many,
    fetch,
    marks,
    now,
    read_date,
    read_time,
)
from sampark.core.text import text_problem
from sampark.plugins.pipeline.config import Pipeline, PipelineConfig, Stage
from sampark.plugins.pipeline.records import DealRecord, StageChangeRecord

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

LABEL = "pipeline"
STATUSES = ("open", "won", "lost")
FIELDS = (
    "title",
    "account",
    "contacts",
    "amount",
    "currency",
    "pipeline",
    "stage",
    "probability",
    "expected_close",
    "owner",
    "source",
    "lost_reason",
    "closed_on",
    "notes",
)
MAX_AMOUNT = Decimal("9999999999999999.99")
CENT = Decimal("0.01")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

SELECT_DEALS = (
    "SELECT d.id, d.title, d.pipeline, d.stage, d.status, d.amount, d.currency, "
    "d.probability, d.expected_close, u.username AS owner, d.account_id, "
    "a.name AS account_name, d.source, d.lost_reason, d.closed_on, d.notes, "
    "d.stage_changed_at, d.created_at, d.updated_at, d.deleted_at, d.version "
    "FROM pipeline_deal d LEFT JOIN core_user u ON u.id = d.owner_id "
    "LEFT JOIN core_account a ON a.id = d.account_id"
)


def config_of(kernel: Sampark) -> PipelineConfig:
    return kernel.plugin_config(LABEL)


def deal_condition(actor: Actor, alias: str = "d") -> tuple[list[str], list[Any]]:
    """SQL keeping the deals ``actor`` may see: all, or for "own" scope those they own."""
    if actor.sees_everything():
        return [], []
    return [f"{alias}.owner_id = ?"], [actor.user_id]


def stage_name(kernel: Sampark, pipeline: str, stage: str) -> str:
    found = config_of(kernel).built.get(pipeline)
    known = found.stage(stage) if found else None
    return known.name if known else stage


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------


def parse_amount(value: Any, where: str = "amount") -> Decimal:
    """A money amount: text, int or Decimal, at most two places, not negative, never a float."""
    return parse_decimal(value, where, places=2, minimum=0, maximum=MAX_AMOUNT)


def parse_date(value: Any, where: str) -> dt.date | None:
    """A date from a date, a datetime or ISO text (``2026-03-31``); blank means none."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError.single(where, f"must be a date such as 2026-03-31 (got {value!r})")


class _Checker:
    """Collects every bad field of one input, so the caller hears about all at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(FieldError(where, message))

    def run(self, parse: Any, *args: Any) -> Any:
        try:
            return parse(*args)
        except ValidationError as exc:
            self.errors.extend(exc.errors)
            return None

    def text(self, value: Any, where: str, max_length: int, *, multiline: bool = False) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(where, f"must be text (got {type(value).__name__})")
            return ""
        text = value.strip()
        if problem := text_problem(text, multiline=multiline):
            self.fail(where, problem)
        if len(text) > max_length:
            self.fail(where, f"must be at most {max_length} characters (got {len(text)})")
        return text

    def number(self, value: Any, where: str) -> int | None:
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value.strip())
        else:
            number = None
        if number is None:
            self.fail(where, f"must be a whole number (got {value!r})")
        return number

    def ids(self, value: Any, where: str) -> list[int]:
        if value is None:
            return []
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, list | tuple):
            self.fail(where, "must be a list of ids")
            return []
        ids: list[int] = []
        for index, item in enumerate(value):
            number = item if isinstance(item, int) and not isinstance(item, bool) else None
            if isinstance(item, str) and item.strip().isdigit():
                number = int(item.strip())
            if number is None or not is_record_id(number):
                self.fail(f"{where}[{index}]", f"must be an id (got {item!r})")
            elif number not in ids:
                ids.append(number)
        return ids


def _probability(check: _Checker, value: Any) -> int | None:
    number = check.number(value, "probability")
    if number is not None and not 0 <= number <= 100:
        check.fail("probability", f"must be a percentage from 0 to 100 (got {number})")
        return None
    return number


def _clean(
    kernel: Sampark, data: Mapping[str, Any], existing: DealRecord | None
) -> tuple[dict[str, Any], list[FieldError]]:
    """Checked values for every column from ``data`` over ``existing`` (None when new).

    ``account``/``contacts``/``owner`` come back as given, to be checked against the
    database by the caller; ``stage_moved`` says whether the deal enters another stage.
    """
    check = _Checker()
    if not isinstance(data, Mapping):
        raise ValidationError.single("deal", "must be a table of fields")
    for key in data:
        if key not in FIELDS:
            check.fail(str(key), f"unknown field (known: {', '.join(FIELDS)})")
    given = {key: data[key] for key in FIELDS if key in data}
    config = config_of(kernel)
    values: dict[str, Any] = {}

    if "title" in given or existing is None:
        values["title"] = check.text(given.get("title"), "title", 200)
        if not values["title"] and not any(e.field == "title" for e in check.errors):
            check.fail("title", "is required")
    else:
        values["title"] = existing.title

    if "amount" in given and given["amount"] not in (None, ""):
        values["amount"] = check.run(parse_amount, given["amount"], "amount")
    else:
        values["amount"] = (
            existing.amount if existing and "amount" not in given else Decimal("0.00")
        )

    currency = given.get("currency") or (existing.currency if existing else None)
    currency = currency or kernel.settings.currency
    if not isinstance(currency, str) or not (
        len(currency.strip()) == 3 and currency.strip().isascii() and currency.strip().isalpha()
    ):
        check.fail("currency", f"must be an ISO 4217 code such as EUR (got {currency!r})")
        currency = kernel.settings.currency
    values["currency"] = currency.strip().upper()

    pipeline_key = given.get("pipeline") or (existing.pipeline if existing else None)
    if pipeline_key is None:
        pipeline = config.pipeline(None)
    else:
        pipeline = config.built.get(pipeline_key) if isinstance(pipeline_key, str) else None
    if pipeline is None:
        known = ", ".join(config.built)
        check.fail("pipeline", f"must be one of {known} (got {pipeline_key!r})")
        pipeline = config.pipeline(None)
    assert pipeline is not None
    values["pipeline"] = pipeline.key

    stage = _stage_of(check, pipeline, given, existing)
    values["stage"] = stage.key
    values["status"] = stage.status
    moved = existing is None or stage.key != existing.stage or pipeline.key != existing.pipeline
    values["stage_moved"] = moved

    if "probability" in given and given["probability"] not in (None, ""):
        values["probability"] = _probability(check, given["probability"])
    elif moved or existing is None:
        values["probability"] = stage.probability
    else:
        values["probability"] = existing.probability
    if stage.status != "open" and values["probability"] is not None:
        values["probability"] = stage.probability
    if values["probability"] is None:
        values["probability"] = stage.probability

    if "expected_close" in given:
        values["expected_close"] = check.run(parse_date, given["expected_close"], "expected_close")
    else:
        values["expected_close"] = existing.expected_close if existing else None

    for key, limit in (("source", 100), ("notes", 20_000)):
        values[key] = (
            check.text(given[key], key, limit, multiline=key == "notes")
            if key in given
            else (getattr(existing, key) if existing else "")
        )

    _closing(check, values, given, existing, stage)

    if "account" in given:
        account = given["account"]
        if account in (None, ""):
            values["account"] = None
        else:
            found = check.ids([account], "account")
            values["account"] = found[0] if found else None
            if check.errors and check.errors[-1].field == "account[0]":
                check.errors[-1] = FieldError("account", f"must be an id (got {account!r})")
    if "contacts" in given or existing is None:
        values["contacts"] = check.ids(given.get("contacts"), "contacts")
    if "owner" in given:
        owner = given["owner"]
        values["owner"] = check.text(owner, "owner", 150) or None
    return values, check.errors


def _stage_of(
    check: _Checker, pipeline: Pipeline, given: Mapping[str, Any], existing: DealRecord | None
) -> Stage:
    key = given.get("stage")
    if key in (None, ""):
        if existing is not None and existing.pipeline == pipeline.key:
            found = pipeline.stage(existing.stage)
            if found is not None:
                return found
        return pipeline.first_open
    found = pipeline.stage(key) if isinstance(key, str) else None
    if found is None:
        names = ", ".join(stage.key for stage in pipeline.stages)
        check.fail("stage", f"must be a stage of {pipeline.name}: {names} (got {key!r})")
        return pipeline.first_open
    return found


def _closing(
    check: _Checker,
    values: dict[str, Any],
    given: Mapping[str, Any],
    existing: DealRecord | None,
    stage: Stage,
) -> None:
    """Won and lost deals have a close date (today unless given); open ones have none."""
    if stage.status == "open":
        if given.get("closed_on") not in (None, ""):
            check.fail("closed_on", "an open deal has no close date: move it to won or lost")
        if given.get("lost_reason") not in (None, ""):
            check.fail("lost_reason", "only a lost deal has a reason for losing")
        values["closed_on"] = None
        values["lost_reason"] = ""
        return
    closed_on = None
    if given.get("closed_on") not in (None, ""):
        closed_on = check.run(parse_date, given["closed_on"], "closed_on")
    elif existing is not None and existing.status == stage.status and "closed_on" not in given:
        closed_on = existing.closed_on
    values["closed_on"] = closed_on or now().date()
    if stage.status == "lost":
        if "lost_reason" in given:
            values["lost_reason"] = check.text(given["lost_reason"], "lost_reason", 500)
        else:
            values["lost_reason"] = existing.lost_reason if existing else ""
    else:
        if given.get("lost_reason") not in (None, ""):
            check.fail("lost_reason", "only a lost deal has a reason for losing")
        values["lost_reason"] = ""


async def _missing(
    conn: BaseDBAsyncClient,
    entity: str,
    key: str,
    ids: list[int],
    actor: Actor,
    kept: tuple[int, ...],
) -> list[FieldError]:
    """Ids that name no live record the actor sees (ones kept from before always pass)."""
    wanted = [number for number in ids if number not in kept]
    if not wanted:
        return []
    found = await visible_ids(conn, actor, entity, wanted)
    field = (lambda index: key) if key == "account" else (lambda index: f"{key}[{index}]")
    return [
        FieldError(field(index), f"no {entity} with id {number}")
        for index, number in enumerate(ids)
        if number not in found and number not in kept
    ]


async def _checked(
    kernel: Sampark, data: Mapping[str, Any], existing: DealRecord | None, actor: Actor
) -> tuple[dict[str, Any], int | None]:
    """Values ready to write and the owner's user id (kept, when not given)."""
    values, errors = _clean(kernel, data, existing)
    conn = kernel.connection
    owner_id: int | None = None
    owner_given = "owner" in values
    try:
        if existing is None:
            values["owner"] = owner_for_new(actor, owner_given, values.get("owner"))
        elif owner_given:
            values["owner"] = owner_for_change(actor, values["owner"])
    except ValidationError as exc:
        errors += exc.errors
        values.pop("owner", None)
    if values.get("owner"):
        row = await find_user(conn, values["owner"], "id, username")
        if row is None:
            errors.append(FieldError("owner", f"no user named {values['owner']!r}"))
        else:
            owner_id = row["id"]
    if values.get("account") is not None:
        kept = (existing.account_id,) if existing and existing.account_id else ()
        errors += await _missing(conn, "account", "account", [values["account"]], actor, kept)
    if values.get("contacts"):
        kept = existing.contact_ids if existing else ()
        errors += await _missing(conn, "contact", "contacts", values["contacts"], actor, kept)
    if errors:
        raise ValidationError(errors)
    return values, owner_id


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT) if value is not None else Decimal("0.00")


def _utc(value: Any) -> dt.datetime | None:
    moment = read_time(value)
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


async def deal_records(
    kernel: Sampark, conn: BaseDBAsyncClient, rows: list[dict[str, Any]]
) -> list[DealRecord]:
    """Records for rows of ``SELECT_DEALS``, with all their contacts in one query."""
    contacts: dict[int, list[int]] = {row["id"]: [] for row in rows}
    if rows:
        found = await fetch(
            conn,
            "SELECT deal_id, contact_id FROM pipeline_deal_contact "
            f"WHERE deal_id IN ({marks(len(contacts))}) ORDER BY id",
            list(contacts),
        )
        for row in found:
            contacts[row["deal_id"]].append(row["contact_id"])
    return [
        DealRecord(
            id=row["id"],
            title=row["title"],
            pipeline=row["pipeline"],
            stage=row["stage"],
            stage_name=stage_name(kernel, row["pipeline"], row["stage"]),
            status=row["status"],
            amount=_decimal(row["amount"]),
            currency=row["currency"],
            probability=int(row["probability"]),
            expected_close=read_date(row["expected_close"]),
            owner=row["owner"],
            account_id=row["account_id"],
            account_name=row["account_name"] or "",
            contact_ids=tuple(contacts[row["id"]]),
            source=row["source"],
            lost_reason=row["lost_reason"],
            closed_on=read_date(row["closed_on"]),
            notes=row["notes"],
            stage_changed_at=_utc(row["stage_changed_at"]),
            created_at=_utc(row["created_at"]),
            updated_at=_utc(row["updated_at"]),
            deleted_at=_utc(row["deleted_at"]),
            version=row["version"],
        )
        for row in rows
    ]


async def load_deal(
    kernel: Sampark,
    conn: BaseDBAsyncClient,
    deal_id: int,
    actor: Actor = SYSTEM,
    include_deleted: bool = False,
) -> DealRecord:
    """One deal the actor may see (a deleted one only with ``include_deleted``)."""
    check_id("deal", deal_id)
    conditions, params = deal_condition(actor)
    if not include_deleted:
        conditions.append("d.deleted_at IS NULL")
    rows = await fetch(
        conn,
        f"{SELECT_DEALS} WHERE d.id = ?{where(conditions)}",
        [deal_id, *params],
    )
    if not rows:
        raise NotFoundError("deal", deal_id)
    return (await deal_records(kernel, conn, rows))[0]


async def get_deal(
    kernel: Sampark, deal_id: int, *, include_deleted: bool = False, actor: Actor = SYSTEM
) -> DealRecord:
    """One live deal the actor may see, with its contacts (or a deleted one, if asked)."""
    actor.require("deals.read")
    return await load_deal(kernel, kernel.connection, deal_id, actor, include_deleted)


async def list_deals(
    kernel: Sampark,
    *,
    pipeline: str | None = None,
    stage: str | None = None,
    owner: str | None = None,
    status: str | None = None,
    account: int | None = None,
    contact: int | None = None,
    deleted: bool = False,
    cursor: str | None = None,
    limit: int = 50,
    actor: Actor = SYSTEM,
) -> Page[DealRecord]:
    """Live deals the actor may see, newest first, a keyset page at a time.

    With ``deleted``, the deleted ones instead (for restoring them: needs ``deals.delete``).
    """
    actor.require("deals.read")
    if deleted:
        actor.require("deals.delete")
    check_limit(limit)
    conn = kernel.connection
    config = config_of(kernel)
    conditions, params = deal_condition(actor)
    conditions.append(f"d.deleted_at IS {'NOT ' if deleted else ''}NULL")
    errors: list[FieldError] = []
    if pipeline:
        if pipeline not in config.built:
            errors.append(FieldError("pipeline", f"must be one of {', '.join(config.built)}"))
        conditions.append("d.pipeline = ?")
        params.append(pipeline)
    if stage:
        if pipeline and pipeline in config.built and config.built[pipeline].stage(stage) is None:
            errors.append(FieldError("stage", f"is not a stage of {pipeline} (got {stage!r})"))
        conditions.append("d.stage = ?")
        params.append(stage)
    if status:
        if status not in STATUSES:
            errors.append(FieldError("status", f"must be open, won or lost (got {status!r})"))
        conditions.append("d.status = ?")
        params.append(status)
    if owner:
        row = await find_user(conn, owner, "id")
        if row is None:
            errors.append(FieldError("owner", f"no user named {owner!r}"))
        else:
            conditions.append("d.owner_id = ?")
            params.append(row["id"])
    if account is not None:
        conditions.append("d.account_id = ?")
        params.append(account)
    if contact is not None:
        conditions.append(
            "d.id IN (SELECT dc.deal_id FROM pipeline_deal_contact dc WHERE dc.contact_id = ?)"
        )
        params.append(contact)
    if cursor:
        (last_id,) = decode_cursor(cursor, 1)
        if not is_record_id(last_id):
            errors.append(FieldError("cursor", "is not a cursor this server gave out"))
        else:
            conditions.append("d.id < ?")
            params.append(last_id)
    if errors:
        raise ValidationError(errors)
    rows = await fetch(
        conn,
        f"{SELECT_DEALS} WHERE {' AND '.join(conditions)} ORDER BY d.id DESC LIMIT ?",
        [*params, limit + 1],
    )
    items = await deal_records(kernel, conn, rows[:limit])
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    return Page(items, next_cursor)


# ---------------------------------------------------------------------------
# Search by title
# ---------------------------------------------------------------------------

TRIGRAM = 3  # the shortest word the trigram index answers
SEARCH_COLUMNS = "d.id, d.title, d.pipeline, d.stage, d.amount, d.currency"


def _lower_like(conn: BaseDBAsyncClient, text: str) -> str:
    """``text`` folded the way the engine's ``lower()`` folds (SQLite's: ASCII only)."""
    if dialect(conn) == "sqlite":
        return "".join(char.lower() if char.isascii() else char for char in text)
    return text.lower()


def _after_prefix(prefix: str) -> str:
    """The least string greater than every string starting with ``prefix`` (code point order)."""
    last = ord(prefix[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # surrogates are not characters: skip them
        last = 0xE000
    return prefix[:-1] + chr(min(last, 0x10FFFF))


def title_search_sql(
    conn: BaseDBAsyncClient, query: str, actor: Actor, columns: str = SEARCH_COLUMNS
) -> tuple[str, list[Any]] | None:
    """SQL (ending in ``LIMIT ?``) for live deals the actor sees whose title matches ``query``.

    The rule: every word of the query must occur in the title, case-insensitively.
    Words of three or more characters are answered by the trigram index (FTS5 on SQLite,
    pg_trgm on PostgreSQL), newest deal first; shorter words only narrow those matches. A
    query made only of words shorter than three characters finds titles *starting* with
    it, through a range on the ``(lower(title), id)`` index, in title order. None for an
    empty query. ``columns`` are what to select (the deals table is ``d``).
    """
    text = unicodedata.normalize("NFC", query).replace("\x00", "").strip()
    words = [word for word in text.split() if word]
    if not words:
        return None
    visible, params = deal_condition(actor)
    scoped = "".join(f" AND {condition}" for condition in visible)
    sqlite = dialect(conn) == "sqlite"
    long_words = [word for word in words if len(word) >= TRIGRAM]
    short_words = [word for word in words if len(word) < TRIGRAM]
    if not long_words:
        key = "lower(d.title)" if sqlite else 'lower(d.title) COLLATE "C"'
        prefix = _lower_like(conn, " ".join(words))
        return (
            f"SELECT {columns} FROM pipeline_deal d WHERE d.deleted_at IS NULL "
            f"AND {key} >= ? AND {key} < ?{scoped} ORDER BY {key}, d.id LIMIT ?",
            [prefix, _after_prefix(prefix), *params],
        )
    if sqlite:
        # FTS5 matches on the table's own name (an alias is not a column). The index walks
        # its rowids (deal ids) newest first, so LIMIT stops it early; no sort.
        phrase = " AND ".join('"' + word.replace('"', '""') + '"' for word in long_words)
        narrow = "".join(" AND instr(lower(d.title), lower(?)) > 0" for _ in short_words)
        return (
            f"SELECT {columns} FROM pipeline_deal_search "
            "JOIN pipeline_deal d ON d.id = pipeline_deal_search.rowid "
            f"WHERE pipeline_deal_search MATCH ? AND d.deleted_at IS NULL{narrow}{scoped} "
            "ORDER BY pipeline_deal_search.rowid DESC LIMIT ?",
            [phrase, *short_words, *params],
        )
    # Long words as LIKE on lower(title) use the GIN index; short ones (strpos) only filter,
    # as a pattern without trigrams would make GIN read its whole index.
    patterns = [
        "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for word in long_words
    ]
    match = " AND ".join("lower(d.title) LIKE lower(?) ESCAPE '\\'" for _ in long_words)
    narrow = "".join(" AND strpos(lower(d.title), lower(?)) > 0" for _ in short_words)
    return (
        f"SELECT {columns} FROM pipeline_deal d WHERE {match} AND d.deleted_at IS NULL"
        f"{narrow}{scoped} ORDER BY d.id DESC LIMIT ?",
        [*patterns, *short_words, *params],
    )


async def search_deals(
    kernel: Sampark, query: str, *, limit: int = 10, actor: Actor = SYSTEM
) -> list[dict[str, Any]]:
    """Rows (``SEARCH_COLUMNS``) of at most ``limit`` live deals matching ``query``.

    See ``title_search_sql`` for the rule; an "own"-scoped actor finds only their deals.
    """
    actor.require("deals.read")
    conn = kernel.connection
    built = title_search_sql(conn, query, actor)
    if built is None or limit < 1:
        return []
    sql, params = built
    return await fetch(conn, sql, [*params, limit])


async def stage_history(
    kernel: Sampark, deal_id: int, *, actor: Actor = SYSTEM
) -> list[StageChangeRecord]:
    """Every stage a deal entered, oldest first."""
    actor.require("deals.read")
    conn = kernel.connection
    await load_deal(kernel, conn, deal_id, actor)
    rows = await fetch(
        conn,
        "SELECT id, deal_id, pipeline, from_stage, to_stage, at, left_at, by_name "
        "FROM pipeline_stage_change WHERE deal_id = ? ORDER BY at, id",
        [deal_id],
    )
    return [
        StageChangeRecord(
            id=row["id"],
            deal_id=row["deal_id"],
            pipeline=row["pipeline"],
            from_stage=row["from_stage"],
            to_stage=row["to_stage"],
            at=_utc(row["at"]),  # type: ignore[arg-type]
            by=row["by_name"],
            left_at=_utc(row["left_at"]),
        )
        for row in rows
    ]


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

_COLUMNS = (
    "title",
    "amount",
    "currency",
    "pipeline",
    "stage",
    "status",
    "probability",
    "expected_close",
    "source",
    "lost_reason",
    "closed_on",
    "notes",
)


def _row(conn: BaseDBAsyncClient, values: Mapping[str, Any]) -> list[Any]:
    row = []
    for name in _COLUMNS:
        value = values[name]
        if name in ("expected_close", "closed_on"):
            value = db_date(conn, value)
        row.append(value)
    return row


async def _record_stage(
    conn: BaseDBAsyncClient,
    actor: Actor,
    deal_id: int,
    pipeline: str,
    from_stage: str | None,
    to_stage: str,
    at: dt.datetime,
) -> None:
    """The deal enters ``to_stage`` now, leaving the stage it was in (its open history row)."""
    if from_stage is not None:
        await execute(
            conn,
            "UPDATE pipeline_stage_change SET left_at = ? WHERE deal_id = ? AND left_at IS NULL",
            [db_time(conn, at), deal_id],
        )
    await execute(
        conn,
        "INSERT INTO pipeline_stage_change (deal_id, pipeline, from_stage, to_stage, at, "
        "by_id, by_name) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [deal_id, pipeline, from_stage, to_stage, db_time(conn, at), actor.user_id, actor.username],
    )


async def _set_contacts(conn: BaseDBAsyncClient, deal_id: int, contacts: list[int]) -> None:
    await execute(conn, "DELETE FROM pipeline_deal_contact WHERE deal_id = ?", [deal_id])
    await execute_many(
        conn,
        "INSERT INTO pipeline_deal_contact (deal_id, contact_id) VALUES (?, ?)",
        [[deal_id, contact] for contact in contacts],
    )


async def create_deal(
    kernel: Sampark, data: Mapping[str, Any], *, actor: Actor = SYSTEM
) -> DealRecord:
    """Open a deal (in the pipeline's first open stage unless ``stage`` says otherwise)."""
    actor.require("deals.write")
    values, owner_id = await _checked(kernel, data, None, actor)
    moment = now()
    async with in_transaction() as conn:
        stamp = db_time(conn, moment)
        inserted = await fetch(
            conn,
            f"INSERT INTO pipeline_deal ({', '.join(_COLUMNS)}, account_id, owner_id, "
            "stage_changed_at, created_at, updated_at, version) "
            f"VALUES ({marks(len(_COLUMNS) + 6)}) RETURNING id",
            [*_row(conn, values), values.get("account"), owner_id, stamp, stamp, stamp, 1],
        )
        deal_id = inserted[0]["id"]
        await _set_contacts(conn, deal_id, values["contacts"])
        await _record_stage(conn, actor, deal_id, values["pipeline"], None, values["stage"], moment)
        record = await load_deal(kernel, conn, deal_id)
        await record_change(conn, actor, "deal", deal_id, "create", None, record)
    return record


async def update_deal(
    kernel: Sampark,
    deal_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    actor: Actor = SYSTEM,
) -> DealRecord:
    """Change the given fields; a new ``stage`` is a move, recorded in the stage history.

    ``contacts``, when given, replaces the deal's contacts. With ``expected_version`` a deal
    changed by someone else since is refused (StaleRecordError).
    """
    actor.require("deals.write")
    existing = await load_deal(kernel, kernel.connection, deal_id, actor)
    if expected_version is not None and expected_version != existing.version:
        raise StaleRecordError("deal", deal_id, expected_version, existing.version)
    values, owner_id = await _checked(kernel, data, existing, actor)
    moment = now()
    sets = [f"{name} = ?" for name in _COLUMNS]
    async with in_transaction() as conn:
        params = _row(conn, values)
        if "account" in values:
            sets.append("account_id = ?")
            params.append(values["account"])
        if "owner" in values:
            sets.append("owner_id = ?")
            params.append(owner_id)
        if values["stage_moved"]:
            sets.append("stage_changed_at = ?")
            params.append(db_time(conn, moment))
        sets += ["updated_at = ?", "version = version + 1"]
        params.append(db_time(conn, moment))
        # The version read above guards the write (and the actor's scope); the UPDATE
        # comes first, as SQLite write transactions should.
        updated = await fetch(
            conn,
            f"UPDATE pipeline_deal SET {', '.join(sets)} "
            "WHERE id = ? AND version = ? AND deleted_at IS NULL RETURNING id",
            [*params, deal_id, existing.version],
        )
        if not updated:
            await _refuse_stale(kernel, conn, deal_id, existing.version)
        if "contacts" in values:
            await _set_contacts(conn, deal_id, values["contacts"])
        if values["stage_moved"]:
            await _record_stage(
                conn, actor, deal_id, values["pipeline"], existing.stage, values["stage"], moment
            )
        record = await load_deal(kernel, conn, deal_id)
        await record_change(conn, actor, "deal", deal_id, "update", existing, record)
    return record


async def _refuse_stale(
    kernel: Sampark, conn: BaseDBAsyncClient, deal_id: int, expected: int
) -> None:
    current = await load_deal(kernel, conn, deal_id)
    raise StaleRecordError("deal", deal_id, expected, current.version)


async def move_deal(
    kernel: Sampark,
    deal_id: int,
    stage: str,
    *,
    probability: int | str | None = None,
    reason: str | None = None,
    closed_on: dt.date | str | None = None,
    expected_version: int | None = None,
    actor: Actor = SYSTEM,
) -> DealRecord:
    """Move a deal to another stage of its pipeline (its probability follows the stage)."""
    data: dict[str, Any] = {"stage": stage}
    if probability not in (None, ""):
        data["probability"] = probability
    if reason not in (None, ""):
        data["lost_reason"] = reason
    if closed_on not in (None, ""):
        data["closed_on"] = closed_on
    return await update_deal(kernel, deal_id, data, expected_version=expected_version, actor=actor)


async def win_deal(
    kernel: Sampark,
    deal_id: int,
    *,
    closed_on: dt.date | str | None = None,
    expected_version: int | None = None,
    actor: Actor = SYSTEM,
) -> DealRecord:
    """Mark a deal won (its pipeline's won stage), closed today unless ``closed_on``."""
    actor.require("deals.write")
    deal = await load_deal(kernel, kernel.connection, deal_id, actor)
    pipeline = config_of(kernel).built.get(deal.pipeline) or config_of(kernel).pipeline(None)
    assert pipeline is not None
    return await move_deal(
        kernel,
        deal_id,
        pipeline.won_stage.key,
        closed_on=closed_on,
        expected_version=expected_version,
        actor=actor,
    )


async def lose_deal(
    kernel: Sampark,
    deal_id: int,
    *,
    reason: str = "",
    closed_on: dt.date | str | None = None,
    expected_version: int | None = None,
    actor: Actor = SYSTEM,
) -> DealRecord:
    """Mark a deal lost, with the reason why."""
    actor.require("deals.write")
    deal = await load_deal(kernel, kernel.connection, deal_id, actor)
    pipeline = config_of(kernel).built.get(deal.pipeline) or config_of(kernel).pipeline(None)
    assert pipeline is not None
    return await move_deal(
        kernel,
        deal_id,
        pipeline.lost_stage.key,
        reason=reason,
        closed_on=closed_on,
        expected_version=expected_version,
        actor=actor,
    )
