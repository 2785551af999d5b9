"""The pipeline's pages under ``/pipeline/``: the board, the list, a deal, its forms, the forecast.

Every read and write goes through ``Deals.of(request.state.crm)``, the signed-in user's view,
so permissions and scope apply as in the API and the CLI. Moving a card is a plain form
(stage select + Move button) that works without JavaScript; ``board.js`` adds drag and
drop on top of the same form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sampark.core.errors import NotFoundError, StaleRecordError, ValidationError
from sampark.core.services.users import find_user
from sampark.plugins.pipeline.facade import Deals
from sampark.plugins.pipeline.faces import board as board_columns
from sampark.plugins.pipeline.faces import money
from sampark.plugins.pipeline.forecast import totals
from sampark.plugins.pipeline.records import DealRecord
from sampark.web import forms as web_forms
from sampark.web.audit_view import audit_context
from sampark.web.forms import Form, form_version
from sampark.web.routes.common import form_values, query_url, safe_next, see_other
from sampark.web.routes.records import interaction_form
from sampark.web.templating import render

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

PAGE_SIZE = 50
TIMELINE_SIZE = 20
LABELS = {
    "title": "Title",
    "amount": "Amount",
    "currency": "Currency",
    "account": "Account",
    "contacts": "Contacts",
    "pipeline": "Pipeline",
    "stage": "Stage",
    "probability": "Probability",
    "expected_close": "Expected close",
    "owner": "Owner",
    "source": "Source",
    "lost_reason": "Reason lost",
    "closed_on": "Closed on",
    "notes": "Notes",
    "version": "Version",
}
_TEXT_FIELDS = ("title", "amount", "currency", "pipeline", "stage", "probability")
_MORE_FIELDS = ("expected_close", "owner", "source", "lost_reason", "closed_on", "notes")


def _deals(request: Request) -> Deals:
    return Deals.of(request.state.crm)


def _config(request: Request) -> Any:
    kernel: Sampark = request.app.state.kernel
    return kernel.plugin_config("pipeline")


def _deal_id(request: Request) -> int:
    return int(request.path_params["deal_id"])


def _common(request: Request) -> dict[str, Any]:
    return {"config": _config(request), "money": money}


# ---------------------------------------------------------------------------
# Board and list
# ---------------------------------------------------------------------------


async def board(request: Request) -> Response:
    request.state.actor.require("deals.read")
    config = _config(request)
    key = request.query_params.get("pipeline") or config.default_pipeline
    pipeline = config.built.get(key)
    if pipeline is None:
        raise HTTPException(404, f"There is no pipeline {key!r}.")
    owner = request.query_params.get("owner", "").strip()
    owner_id = None
    if owner:
        row = await find_user(request.app.state.kernel.connection, owner, "id")
        owner_id = row["id"] if row else -1
    columns = await board_columns(
        request.app.state.kernel, pipeline, owner_id=owner_id, actor=request.state.actor
    )
    return render(
        request,
        "pipeline/board.html",
        {
            **_common(request),
            "pipeline": pipeline,
            "columns": columns,
            "owner": owner,
            "moved": request.query_params.get("moved", ""),
            "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        },
    )


def _int_param(value: str) -> int | None:
    return int(value) if value.strip().isdigit() and len(value) < 11 else None


async def deal_list(request: Request) -> Response:
    params = request.query_params
    filters = {
        name: params.get(name, "").strip()
        for name in ("pipeline", "stage", "owner", "status", "account", "contact")
    }
    deleted = params.get("deleted") == "1" and request.state.actor.can("deals.delete")
    errors: dict[str, list[str]] = {}
    page = None
    try:
        page = await _deals(request).list(
            deleted=deleted,
            pipeline=filters["pipeline"] or None,
            stage=filters["stage"] or None,
            owner=filters["owner"] or None,
            status=filters["status"] or None,
            account=_int_param(filters["account"]),
            contact=_int_param(filters["contact"]),
            cursor=params.get("cursor") or None,
            limit=PAGE_SIZE,
        )
    except ValidationError as exc:
        for error in exc.errors:
            errors.setdefault(error.field, []).append(error.message)
    next_url = None
    if page is not None and page.next_cursor:
        more = {"deleted": "1"} if deleted else {}
        next_url = query_url("/pipeline/deals", **filters, **more, cursor=page.next_cursor)
    return render(
        request,
        "pipeline/list.html",
        {
            **_common(request),
            "filters": filters,
            "form": Form(filters, errors, LABELS, prefix="filter-"),
            "page": page,
            "next_url": next_url,
            "deleted": deleted,
            "removed": await _removed(request),
        },
        status_code=400 if errors else 200,
    )


# ---------------------------------------------------------------------------
# One deal
# ---------------------------------------------------------------------------


async def _removed(request: Request) -> DealRecord | None:
    """The deal just deleted (for the "deleted: undo" notice), while it is still deleted."""
    removed = _int_param(request.query_params.get("removed", ""))
    if removed is None or not request.state.actor.can("deals.delete"):
        return None
    try:
        deal = await _deals(request).get(removed, include_deleted=True)
    except NotFoundError:
        return None
    return deal if deal.deleted_at is not None else None


async def _contact_names(request: Request, deal: DealRecord) -> dict[int, str]:
    """The names of the deal's contacts the user may see (others show as their number)."""
    crm = request.state.crm
    if not crm.can("contacts.read"):
        return {}
    names = {}
    for contact_id in deal.contact_ids:
        try:
            names[contact_id] = (await crm.contacts.get(contact_id)).display_name
        except NotFoundError:
            continue
    return names


@dataclass(frozen=True)
class DealPages:
    """Where a deal's page and its actions live, for the shared activity templates."""

    def url(self, deal_id: int, action: str = "") -> str:
        return f"/pipeline/deals/{deal_id}" + (f"/{action}" if action else "")


DEAL_PAGES = DealPages()


async def _activity_context(
    request: Request,
    deal: DealRecord,
    log_form: Form | None = None,
    plan_form: Form | None = None,
) -> dict[str, Any]:
    """The deal's timeline and the log / plan forms, as a contact's page has them."""
    actor = request.state.actor
    timeline = await _deals(request).timeline(
        deal.id, cursor=request.query_params.get("timeline") or None, limit=TIMELINE_SIZE
    )
    older = (
        query_url(DEAL_PAGES.url(deal.id), timeline=timeline.next_cursor)
        if timeline.next_cursor
        else None
    )
    can_log = actor.can("interactions.write") and bool(deal.contact_ids or deal.account_id)
    return {
        "kind": DEAL_PAGES,
        "record": deal,
        "timeline": timeline,
        "older_url": older,
        "can_log": can_log,
        "interaction_kinds": request.app.state.kernel.interaction_kinds,
        "log_form": log_form or interaction_form({}, {}, "done"),
        "plan_form": plan_form or interaction_form({}, {}, "planned"),
    }


async def _deal_context(
    request: Request, deal: DealRecord, **activity_forms: Form
) -> dict[str, Any]:
    return {
        **_common(request),
        **await _activity_context(request, deal, **activity_forms),
        "deal": deal,
        "history": await _deals(request).history(deal.id),
        "pipeline": _config(request).built.get(deal.pipeline),
        "stage_names": _stage_names(request, deal),
        "contact_names": await _contact_names(request, deal),
        **await audit_context(request, "deal", deal.id, f"/pipeline/deals/{deal.id}"),
    }


async def deal_page(request: Request) -> Response:
    deal = await _deals(request).get(_deal_id(request))
    return render(request, "pipeline/deal.html", await _deal_context(request, deal))


async def log_activity(request: Request) -> Response:
    """Log a call or a note about the deal (status done), or plan a follow-up (planned)."""
    deal_id = _deal_id(request)
    values = await form_values(request)
    status = "planned" if values.get("status") == "planned" else "done"
    try:
        await _deals(request).log(deal_id, web_forms.interaction_input(values, status))
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(error.field, []).append(error.message)
        form = interaction_form(values, errors, status)
        chosen = {"plan_form": form} if status == "planned" else {"log_form": form}
        deal = await _deals(request).get(deal_id)
        context = await _deal_context(request, deal, **chosen)
        return render(request, "pipeline/deal.html", context, status_code=400)
    return see_other(DEAL_PAGES.url(deal_id) + "#timeline")


def _stage_names(request: Request, deal: DealRecord) -> dict[str | None, str]:
    pipeline = _config(request).built.get(deal.pipeline)
    names: dict[str | None, str] = {None: "—"}
    if pipeline:
        names.update({stage.key: stage.name for stage in pipeline.stages})
    return names


def _values_of(deal: DealRecord) -> dict[str, Any]:
    return {
        "title": deal.title,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "account": str(deal.account_id or ""),
        "contacts": ", ".join(str(c) for c in deal.contact_ids),
        "pipeline": deal.pipeline,
        "stage": deal.stage,
        "probability": str(deal.probability),
        "expected_close": deal.expected_close.isoformat() if deal.expected_close else "",
        "owner": deal.owner or "",
        "source": deal.source,
        "lost_reason": deal.lost_reason,
        "closed_on": deal.closed_on.isoformat() if deal.closed_on else "",
        "notes": deal.notes,
        "version": str(deal.version),
    }


def _input(values: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The service's input from the form: text as typed, blanks as "not given" or "none"."""
    data: dict[str, Any] = {}
    for name in (*_TEXT_FIELDS, *_MORE_FIELDS):
        value = values.get(name, "")
        value = value.strip() if isinstance(value, str) else ""
        if name in ("currency", "probability", "pipeline", "stage") and not value:
            continue
        if name == "owner":
            data[name] = value or None
        elif name in ("expected_close", "closed_on"):
            if value or not creating:
                data[name] = value or None
        else:
            data[name] = value
    account = str(values.get("account", "")).strip()
    data["account"] = account or None
    contacts = str(values.get("contacts", ""))
    data["contacts"] = [
        part.strip() for part in contacts.replace(";", ",").split(",") if part.strip()
    ]
    return data


def _form_errors(exc: ValidationError) -> dict[str, list[str]]:
    placed: dict[str, list[str]] = {}
    for error in exc.errors:
        name = "contacts" if error.field.startswith("contacts[") else error.field
        placed.setdefault(name, []).append(error.message)
    return placed


def _form_page(
    request: Request, form: Form, deal: DealRecord | None, status_code: int = 200
) -> Response:
    return render(
        request,
        "pipeline/form.html",
        {
            **_common(request),
            "form": form,
            "deal": deal,
            "action": f"/pipeline/deals/{deal.id}/edit" if deal else "/pipeline/deals/new",
        },
        status_code=status_code,
    )


async def new_form(request: Request) -> Response:
    request.state.actor.require("deals.write")
    params = request.query_params
    config = _config(request)
    pipeline = config.built[config.default_pipeline]
    values = {
        "owner": request.state.actor.username,
        "currency": request.app.state.kernel.settings.currency,
        "pipeline": pipeline.key,
        "stage": pipeline.first_open.key,
        "account": params.get("account", ""),
        "contacts": params.get("contact", ""),
    }
    return _form_page(request, Form(values, labels=LABELS), None)


async def create(request: Request) -> Response:
    values = await form_values(request)
    try:
        deal = await _deals(request).create(_input(values, creating=True))
    except ValidationError as exc:
        return _form_page(request, Form(values, _form_errors(exc), LABELS), None, 400)
    return see_other(f"/pipeline/deals/{deal.id}")


async def edit_form(request: Request) -> Response:
    request.state.actor.require("deals.write")
    deal = await _deals(request).get(_deal_id(request))
    return _form_page(request, Form(_values_of(deal), labels=LABELS), deal)


def _version(values: dict[str, Any]) -> int:
    return form_version(values, "deal")


async def update(request: Request) -> Response:
    api = _deals(request)
    deal_id = _deal_id(request)
    values = await form_values(request)
    version = _version(values)
    data = _input(values, creating=False)
    current = await api.get(deal_id)
    if data.get("stage") != current.stage and data.get("probability") == str(current.probability):
        # Moved in the form without touching the probability: the new stage's applies.
        data.pop("probability")
    try:
        deal = await api.update(deal_id, data, version=version)
    except ValidationError as exc:
        current = await api.get(deal_id)
        return _form_page(request, Form(values, _form_errors(exc), LABELS), current, 400)
    except StaleRecordError:
        current = await api.get(deal_id)
        notice = (
            "Someone else changed this deal while you were editing it. Your changes are "
            "below but were not saved: compare them with the current deal (open it in "
            "another tab), then save again to keep yours."
        )
        form = Form({**values, "version": str(current.version)}, labels=LABELS, notice=notice)
        return _form_page(request, form, current, 409)
    return see_other(f"/pipeline/deals/{deal.id}")


async def move(request: Request) -> Response:
    """The board's and the deal page's Move form: stage, version, and where to go back."""
    deal_id = _deal_id(request)
    values = await form_values(request)
    back = safe_next(values.get("next"), f"/pipeline/deals/{deal_id}")
    version = _version(values)
    stage = str(values.get("stage", "")).strip()
    try:
        deal = await _deals(request).move(
            deal_id,
            stage,
            reason=str(values.get("reason", "")).strip() or None,
            version=version,
        )
    except (ValidationError, StaleRecordError) as exc:
        deal = await _deals(request).get(deal_id)
        message = (
            "; ".join(str(e) for e in exc.errors)
            if isinstance(exc, ValidationError)
            else "Someone else changed this deal meanwhile: here it is as it is now."
        )
        return render(
            request,
            "pipeline/deal.html",
            {**await _deal_context(request, deal), "move_error": message},
            status_code=409 if isinstance(exc, StaleRecordError) else 400,
        )
    if (
        back.startswith("/pipeline/")
        and "moved=" not in back
        and not back.startswith("/pipeline/deals/")
    ):
        back = f"{back}{'&' if '?' in back else '?'}moved={deal.id}"
    return see_other(back)


async def delete(request: Request) -> Response:
    deal_id = _deal_id(request)
    values = await form_values(request)
    await _deals(request).delete(deal_id, version=_version(values))
    return see_other(query_url("/pipeline/deals", removed=deal_id))


async def restore(request: Request) -> Response:
    deal_id = _deal_id(request)
    values = await form_values(request)
    deal = await _deals(request).restore(deal_id, version=_version(values))
    return see_other(f"/pipeline/deals/{deal.id}")


# ---------------------------------------------------------------------------
# Forecast
# ---------------------------------------------------------------------------


async def forecast_page(request: Request) -> Response:
    params = request.query_params
    by = params.get("by", "month")
    by = by if by in ("month", "owner") else "month"
    today = dt.datetime.now(dt.UTC).date()
    date_from = params.get("from", "").strip()
    date_to = params.get("to", "").strip()
    sales_from = params.get("sales_from", "").strip() or today.replace(month=1, day=1).isoformat()
    sales_to = params.get("sales_to", "").strip() or today.isoformat()
    values = {
        "by": by,
        "from": date_from,
        "to": date_to,
        "sales_from": sales_from,
        "sales_to": sales_to,
    }
    errors: dict[str, list[str]] = {}
    api = _deals(request)
    rows: list[Any] = []
    sales: list[Any] = []
    try:
        rows = await api.forecast(by=by, date_from=date_from or None, date_to=date_to or None)
    except ValidationError as exc:
        for error in exc.errors:
            errors.setdefault(error.field, []).append(error.message)
    try:
        sales = await api.sales(date_from=sales_from, date_to=sales_to)
    except ValidationError as exc:
        for error in exc.errors:
            errors.setdefault(f"sales_{error.field}", []).append(error.message)
    stats_from = params.get("stats_from", "").strip()
    stats_from = stats_from or (today - dt.timedelta(days=365)).isoformat()
    values["stats_from"] = stats_from
    stats: list[Any] = []
    try:
        stats = await api.stage_stats(since=stats_from)
    except ValidationError as exc:
        for error in exc.errors:
            errors.setdefault("stats_from", []).append(error.message)
    labels = {
        "from": "Expected close from",
        "to": "Expected close to",
        "sales_from": "Won from",
        "sales_to": "Won to",
        "stats_from": "Stages entered since",
    }
    return render(
        request,
        "pipeline/forecast.html",
        {
            **_common(request),
            "by": by,
            "rows": rows,
            "totals": totals(rows),
            "stats": stats,
            "sales": sales,
            "form": Form(values, errors, labels),
        },
        status_code=400 if errors else 200,
    )


def routes() -> list[Route]:
    one = "/deals/{deal_id:int}"
    return [
        Route("/", board, methods=["GET"], name="board"),
        Route("/deals", deal_list, methods=["GET"], name="deals"),
        Route("/deals/new", new_form, methods=["GET"], name="deal_new"),
        Route("/deals/new", create, methods=["POST"], name="deal_create"),
        Route(one, deal_page, methods=["GET"], name="deal"),
        Route(f"{one}/edit", edit_form, methods=["GET"], name="deal_edit"),
        Route(f"{one}/edit", update, methods=["POST"], name="deal_update"),
        Route(f"{one}/move", move, methods=["POST"], name="deal_move"),
        Route(f"{one}/delete", delete, methods=["POST"], name="deal_delete"),
        Route(f"{one}/restore", restore, methods=["POST"], name="deal_restore"),
        Route(f"{one}/interactions", log_activity, methods=["POST"], name="deal_log"),
        Route("/forecast", forecast_page, methods=["GET"], name="forecast"),
    ]
