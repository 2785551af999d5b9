"""The pipeline's JSON API, served under ``/api/v1/pipeline/`` and documented in the OpenAPI file.

Handlers act as the caller (``Deals.of(call.crm)``), so permissions and "own" scope hold
exactly as on the pages and in the CLI. Amounts are sent as decimal strings (``"1250.50"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sampark.plugins.pipeline.facade import Deals
from sampark.plugins.pipeline.forecast import totals
from sampark.plugins.pipeline.lifecycle import DEALS
from sampark.plugins.pipeline.services import MAX_AMOUNT
from sampark.web.api import (
    ApiCall,
    ApiOperation,
    ApiSchema,
    Param,
    Reply,
    audit_operation,
    page_reply,
    restore_operation,
)
from sampark.web.api.params import CURSOR, DELETED, LIMIT, record_id
from sampark.web.api.schemas import MAX_ID, date, page_of, ref, timestamp

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

_TAGS = ("pipeline",)
_ID = record_id("deal_id", "deal")


def _text(max_length: int, *, nullable: bool = False, **extra: Any) -> dict[str, Any]:
    return {"type": ["string", "null"] if nullable else "string", "maxLength": max_length, **extra}


_DATE = date()
_MONEY = {**ref("Decimal"), "description": "A decimal amount with two places, e.g. 1250.50."}
_ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
DEAL_STATUS = ApiSchema("DealStatus", {"type": "string", "enum": ["open", "won", "lost"]})

_DEAL_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "title": {"type": "string"},
    "pipeline": {"type": "string"},
    "stage": {"type": "string"},
    "stage_name": {"type": "string"},
    "status": DEAL_STATUS,
    "amount": _MONEY,
    "currency": {"type": "string"},
    "probability": {"type": "integer", "minimum": 0, "maximum": 100},
    "expected_close": _DATE,
    "owner": {"type": ["string", "null"]},
    "account_id": {"type": ["integer", "null"]},
    "account_name": {"type": "string"},
    "contact_ids": {"type": "array", "items": {"type": "integer"}},
    "source": {"type": "string"},
    "lost_reason": {"type": "string"},
    "closed_on": _DATE,
    "notes": {"type": "string"},
    "stage_changed_at": timestamp(nullable=True),
    "created_at": timestamp(nullable=True),
    "updated_at": timestamp(nullable=True),
    "deleted_at": timestamp(nullable=True),
    "version": {"type": "integer"},
}
DEAL = ApiSchema(
    "Deal",
    {"type": "object", "properties": _DEAL_PROPERTIES, "required": list(_DEAL_PROPERTIES)},
)
DEAL_PAGE = ApiSchema("DealPage", page_of(DEAL))


def _deal_input(*, create: bool) -> ApiSchema:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "title": _text(200, minLength=1),
            "amount": {
                "type": ["string", "integer"],
                "maxLength": 40,
                # A whole amount may pass 32 bits: the column holds 16 digits before the point.
                "minimum": 0,
                "maximum": int(MAX_AMOUNT),
                "description": (
                    'Text such as "1250.50" (digits, "." before at most two places, no commas '
                    "or spaces) or a whole number; a fractional JSON number is refused."
                ),
            },
            "currency": _text(3, nullable=True, description="ISO 4217; default the deployment's."),
            "account": {**_ID_SCHEMA, "type": ["integer", "null"]},
            "contacts": {"type": "array", "items": _ID_SCHEMA, "maxItems": 100},
            "pipeline": _text(50, nullable=True),
            "stage": _text(50, nullable=True),
            "probability": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
            "expected_close": _DATE,
            "owner": _text(150, nullable=True, description="A username."),
            "source": _text(100),
            "lost_reason": _text(500),
            "closed_on": _DATE,
            "notes": _text(20_000),
        },
        "additionalProperties": False,
    }
    if create:
        schema["required"] = ["title"]
    return ApiSchema("DealInput" if create else "DealChanges", schema)


MOVE = ApiSchema(
    "DealMove",
    {
        "type": "object",
        "properties": {
            "stage": _text(50, minLength=1),
            "probability": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
            "reason": _text(500),
            "closed_on": _DATE,
        },
        "required": ["stage"],
        "additionalProperties": False,
    },
)


def _rows(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "object", "properties": properties, "required": list(properties)},
    }


_FORECAST_ROW = {
    "group": {"type": "string", "description": "YYYY-MM, none, a username, or '' for nobody."},
    "currency": {"type": "string"},
    "deals": {"type": "integer"},
    "amount": _MONEY,
    "weighted": _MONEY,
    "best": _MONEY,
    "worst": _MONEY,
}
_FORECAST_ROWS = _rows(_FORECAST_ROW)
FORECAST = ApiSchema(
    "Forecast",
    {
        "type": "object",
        "required": ["items", "totals"],
        "properties": {"items": _FORECAST_ROWS, "totals": _FORECAST_ROWS},
    },
)
STATS = ApiSchema(
    "StageStats",
    {
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": _rows(
                {
                    "pipeline": {"type": "string"},
                    "stage": {"type": "string"},
                    "stage_name": {"type": "string"},
                    "entered": {"type": "integer"},
                    "won": {"type": "integer"},
                    "lost": {"type": "integer"},
                    "win_rate": {"type": ["string", "null"], "description": "0 to 1, e.g. 0.425."},
                    "average_days": {"type": ["string", "null"]},
                }
            )
        },
    },
)
SALES = ApiSchema(
    "SalesByAccount",
    {
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": _rows(
                {
                    "account_id": {"type": ["integer", "null"]},
                    "account_name": {"type": "string"},
                    "currency": {"type": "string"},
                    "deals": {"type": "integer"},
                    "amount": _MONEY,
                }
            )
        },
    },
)
HISTORY = ApiSchema(
    "DealHistory",
    {
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": _rows(
                {
                    "id": {"type": "integer"},
                    "deal_id": {"type": "integer"},
                    "pipeline": {"type": "string"},
                    "from_stage": {"type": ["string", "null"]},
                    "to_stage": {"type": "string"},
                    "at": timestamp(),
                    "by": {"type": "string"},
                    "left_at": timestamp(nullable=True),
                }
            )
        },
    },
)
PIPELINES = ApiSchema(
    "Pipelines",
    {
        "type": "object",
        "required": ["items", "default", "commit_probability"],
        "properties": {
            "default": {"type": "string"},
            "commit_probability": {"type": "integer"},
            "items": _rows(
                {
                    "key": {"type": "string"},
                    "name": {"type": "string"},
                    "stages": _rows(
                        {
                            "key": {"type": "string"},
                            "name": {"type": "string"},
                            "position": {"type": "integer"},
                            "probability": {"type": "integer"},
                            "won": {"type": "boolean"},
                            "lost": {"type": "boolean"},
                            "commit": {"type": "boolean"},
                        }
                    ),
                }
            ),
        },
    },
)


def _query(name: str, description: str, **schema: Any) -> Param:
    return Param(name, "query", {"type": "string", "minLength": 1, **schema}, description)


PIPELINE = _query("pipeline", "Only this pipeline (its key).", maxLength=50)
STAGE = _query("stage", "Only this stage (its key).", maxLength=50)
OWNER = _query("owner", "Only deals this user owns.", maxLength=150)
STATUS = Param("status", "query", DEAL_STATUS, "Open, won or lost.")
ACCOUNT = Param("account", "query", _ID_SCHEMA, "Only deals with this account.")
CONTACT = Param("contact", "query", _ID_SCHEMA, "Only deals with this contact.")
BY = Param(
    "by", "query", {"type": "string", "enum": ["month", "owner"], "default": "month"}, "Grouping."
)
FROM = Param("from", "query", date(nullable=False), "From this date (YYYY-MM-DD, inclusive).")
TO = Param("to", "query", date(nullable=False), "To this date (YYYY-MM-DD, inclusive).")


def _deals(call: ApiCall) -> Deals:
    return Deals.of(call.crm)


async def list_deals(call: ApiCall) -> Any:
    q = call.query
    page = await _deals(call).list(
        pipeline=q["pipeline"],
        stage=q["stage"],
        owner=q["owner"],
        status=q["status"],
        account=q["account"],
        contact=q["contact"],
        deleted=q["deleted"],
        cursor=q["cursor"],
        limit=q["limit"],
    )
    return page_reply(page)


async def create_deal(call: ApiCall) -> Reply:
    deal = await _deals(call).create(call.body)
    location = call.location(f"/v1/pipeline/deals/{deal.id}")
    return Reply(deal, status=201, version=deal.version, location=location)


async def get_deal(call: ApiCall) -> Reply:
    deal = await _deals(call).get(call.path["deal_id"])
    return Reply(deal, version=deal.version)


async def update_deal(call: ApiCall) -> Reply:
    deal = await _deals(call).update(call.path["deal_id"], call.body, version=call.version)
    return Reply(deal, version=deal.version)


async def delete_deal(call: ApiCall) -> Reply:
    await _deals(call).delete(call.path["deal_id"], version=call.version)
    return Reply(status=204)


async def deal_timeline(call: ApiCall) -> Any:
    q = call.query
    page = await _deals(call).timeline(call.path["deal_id"], cursor=q["cursor"], limit=q["limit"])
    return page_reply(page)


async def move_deal(call: ApiCall) -> Reply:
    body = call.body
    deal = await _deals(call).move(
        call.path["deal_id"],
        body["stage"],
        probability=body.get("probability"),
        reason=body.get("reason"),
        closed_on=body.get("closed_on"),
        version=call.version,
    )
    return Reply(deal, version=deal.version)


async def deal_history(call: ApiCall) -> Any:
    return {"items": await _deals(call).history(call.path["deal_id"])}


async def forecast(call: ApiCall) -> Any:
    q = call.query
    rows = await _deals(call).forecast(
        by=q["by"], date_from=q["from"], date_to=q["to"], pipeline=q["pipeline"]
    )
    return {"items": rows, "totals": totals(rows)}


async def stage_stats(call: ApiCall) -> Any:
    q = call.query
    return {"items": await _deals(call).stage_stats(pipeline=q["pipeline"], since=q["from"])}


async def sales(call: ApiCall) -> Any:
    q = call.query
    return {"items": await _deals(call).sales(date_from=q["from"], date_to=q["to"])}


def _pipelines(kernel: Sampark) -> Any:
    async def handler(call: ApiCall) -> Any:
        config = kernel.plugin_config("pipeline")
        return {
            "default": config.default_pipeline,
            "commit_probability": config.commit_probability,
            "items": [
                {"key": p.key, "name": p.name, "stages": list(p.stages)}
                for p in config.built.values()
            ],
        }

    return handler


def operations(kernel: Sampark) -> list[ApiOperation]:
    return [
        ApiOperation(
            "GET",
            "/deals",
            list_deals,
            "List deals, newest first",
            "listDeals",
            "deals.read",
            response_schema=DEAL_PAGE,
            parameters=(PIPELINE, STAGE, OWNER, STATUS, ACCOUNT, CONTACT, DELETED, CURSOR, LIMIT),
            tags=_TAGS,
        ),
        ApiOperation(
            "POST",
            "/deals",
            create_deal,
            "Open a deal",
            "createDeal",
            "deals.write",
            request_schema=_deal_input(create=True),
            response_schema=DEAL,
            status=201,
            tags=_TAGS,
            etag=True,
            location=True,
            description="Unless given: the first open stage of the default pipeline, the "
            "stage's probability, the deployment's currency; an agent owns what they open.",
        ),
        ApiOperation(
            "GET",
            "/deals/{deal_id}",
            get_deal,
            "Get a deal",
            "getDeal",
            "deals.read",
            response_schema=DEAL,
            parameters=(_ID,),
            tags=_TAGS,
            etag=True,
        ),
        ApiOperation(
            "PATCH",
            "/deals/{deal_id}",
            update_deal,
            "Change a deal",
            "updateDeal",
            "deals.write",
            request_schema=_deal_input(create=False),
            response_schema=DEAL,
            parameters=(_ID,),
            tags=_TAGS,
            if_match=True,
            etag=True,
            description="A new `stage` moves the deal (recorded in its history).",
        ),
        ApiOperation(
            "DELETE",
            "/deals/{deal_id}",
            delete_deal,
            "Delete a deal",
            "deleteDeal",
            "deals.delete",
            parameters=(_ID,),
            status=204,
            tags=_TAGS,
            if_match=True,
            description="The deal is kept, out of every list: `restore` brings it back.",
        ),
        restore_operation(DEALS, "/deals/{deal_id}", response_schema=DEAL, tags=_TAGS),
        ApiOperation(
            "GET",
            "/deals/{deal_id}/timeline",
            deal_timeline,
            "A deal's stage changes and the interactions logged about it, newest first",
            "dealTimeline",
            "deals.read",
            response_schema=ref("TimelinePage"),
            parameters=(_ID, CURSOR, LIMIT),
            tags=_TAGS,
            description="Interactions are logged about a deal on its page or with "
            "`Deals(crm).log(deal_id, …)`; they also show on its contacts' and account's "
            "timelines.",
        ),
        audit_operation(DEALS, "/deals/{deal_id}", tags=_TAGS),
        ApiOperation(
            "POST",
            "/deals/{deal_id}/move",
            move_deal,
            "Move a deal to another stage",
            "moveDeal",
            "deals.write",
            request_schema=MOVE,
            response_schema=DEAL,
            parameters=(_ID,),
            tags=_TAGS,
            if_match=True,
            etag=True,
            description="Moving to the won or lost stage closes the deal (today unless "
            "`closed_on`); `reason` says why a lost deal was lost.",
        ),
        ApiOperation(
            "GET",
            "/deals/{deal_id}/history",
            deal_history,
            "The stages a deal went through",
            "dealHistory",
            "deals.read",
            response_schema=HISTORY,
            parameters=(_ID,),
            tags=_TAGS,
        ),
        ApiOperation(
            "GET",
            "/forecast",
            forecast,
            "Weighted pipeline by expected-close month or owner, per currency",
            "forecast",
            "deals.read",
            response_schema=FORECAST,
            parameters=(BY, FROM, TO, PIPELINE),
            tags=_TAGS,
            description="`best` is every open amount, `worst` the committed amount only.",
        ),
        ApiOperation(
            "GET",
            "/stage-stats",
            stage_stats,
            "Win rate and average days per stage",
            "stageStats",
            "deals.read",
            response_schema=STATS,
            parameters=(PIPELINE, FROM),
            description="With `from`, only stages entered on or after that day count.",
            tags=_TAGS,
        ),
        ApiOperation(
            "GET",
            "/sales",
            sales,
            "Won amounts per account over a period",
            "salesByAccount",
            "deals.read",
            response_schema=SALES,
            parameters=(
                Param(FROM.name, "query", FROM.schema, FROM.description, required=True),
                Param(TO.name, "query", TO.schema, TO.description, required=True),
            ),
            tags=_TAGS,
        ),
        ApiOperation(
            "GET",
            "/pipelines",
            _pipelines(kernel),
            "The pipelines and their stages",
            "listPipelines",
            "deals.read",
            response_schema=PIPELINES,
            tags=_TAGS,
        ),
    ]
