"""The tickets pages, mounted under ``/tickets/``: the queue, a ticket, its forms, and the
deleted tickets with their undo."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sampark.core.errors import NotFoundError, StaleRecordError, ValidationError
from sampark.plugins.tickets import services
from sampark.plugins.tickets.facade import Tickets
from sampark.plugins.tickets.records import TicketRecord
from sampark.web.audit_view import audit_context
from sampark.web.forms import Form, form_version
from sampark.web.routes.common import form_values, query_url, see_other
from sampark.web.templating import render

LABELS = {
    "subject": "Subject",
    "description": "Description",
    "requester_id": "Requester (contact id)",
    "account_id": "Account id",
    "channel": "Channel",
    "priority": "Priority",
    "status": "Status",
    "assignee": "Assignee",
    "tags": "Tags",
    "body": "Message",
    "minutes": "Minutes spent",
    "view": "Queue",
    "cursor": "Page",
}
FILTERS = ("view", "status", "priority", "assignee", "tag", "channel", "requester_id", "account_id")
_EDITABLE = ("subject", "description", "requester_id", "account_id", "channel", "priority", "tags")


def _desk(request: Request) -> Tickets:
    return Tickets(request.app.state.kernel, request.state.actor)


def _ticket_id(request: Request) -> int:
    return request.path_params["ticket_id"]


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(value, value) for value in values]


async def queue(request: Request) -> Response:
    """The queue: my tickets, unassigned, breaching soon, or all, with filters."""
    params = request.query_params
    filters = {key: params.get(key, "").strip() for key in FILTERS}
    actor = request.state.actor
    query: dict[str, Any] = {key: value for key, value in filters.items() if value}
    deleted = params.get("deleted") == "1" and actor.can("tickets.delete")
    if deleted:
        query["deleted"] = True
    for key in ("requester_id", "account_id"):
        if key in query:
            query[key] = int(query[key]) if query[key].isdigit() else -1
    errors: dict[str, list[str]] = {}
    page = None
    try:
        page = await _desk(request).list(cursor=params.get("cursor") or None, limit=50, **query)
    except ValidationError as exc:
        for error in exc.errors:
            errors.setdefault(error.field, []).append(error.message)
    counts = await _desk(request).counts()
    return render(
        request,
        "tickets/queue.html",
        {
            "page": page,
            "form": Form(filters, errors, LABELS, prefix="filter-"),
            "filters": filters,
            "deleted": deleted,
            "removed": await _removed(request),
            "counts": counts,
            "signed_in_user": not actor.is_system,
            "statuses": [("active", "active"), *_choices(services.STATUSES)],
            "priorities": _choices(services.PRIORITIES),
            "channels": _choices(services.CHANNELS),
            "views": [
                ("mine", "My tickets"),
                ("unassigned", "Unassigned"),
                ("breaching", "Breaching soon"),
            ],
            "next_url": query_url(
                "/tickets/",
                **filters,
                **({"deleted": "1"} if deleted else {}),
                cursor=page.next_cursor,
            )
            if page is not None and page.next_cursor
            else None,
            "sla": services.sla_status,
        },
        status_code=400 if errors else 200,
    )


async def _removed(request: Request) -> TicketRecord | None:
    """The ticket just deleted (for the "deleted: undo" notice), while it is still deleted."""
    removed = request.query_params.get("removed", "")
    if not removed.isdigit() or len(removed) > 9 or not request.state.actor.can("tickets.delete"):
        return None
    try:
        ticket = await _desk(request).get(int(removed), include_deleted=True)
    except NotFoundError:
        return None
    return ticket if ticket.deleted_at is not None else None


def _form_page(
    request: Request, form: Form, ticket: Any = None, status_code: int = 200
) -> Response:
    return render(
        request,
        "tickets/form.html",
        {
            "form": form,
            "ticket": ticket,
            "channels": _choices(services.CHANNELS),
            "priorities": _choices(services.PRIORITIES),
            "action": f"/tickets/{ticket.id}/edit" if ticket else "/tickets/new",
        },
        status_code=status_code,
    )


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    placed: dict[str, list[str]] = {}
    for error in exc.errors:
        field = error.field.split("[")[0]
        placed.setdefault(field, []).append(error.message)
    return placed


def _input(values: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    data = {key: values.get(key, "") for key in keys if key in values}
    if "tags" in data:
        data["tags"] = [tag for tag in str(data["tags"]).split(",") if tag.strip()]
    for key in ("requester_id", "account_id"):
        if key in data and isinstance(data[key], str):
            data[key] = data[key].strip() or None
    return data


async def new_form(request: Request) -> Response:
    request.state.actor.require("tickets.write")
    values = {
        "requester_id": request.query_params.get("requester_id", ""),
        "account_id": request.query_params.get("account_id", ""),
        "channel": "email",
        "priority": "normal",
    }
    return _form_page(request, Form(values, labels=LABELS))


async def create(request: Request) -> Response:
    values = await form_values(request)
    data = _input(values, (*_EDITABLE, "assignee"))
    if not data.get("assignee"):
        data.pop("assignee", None)
    try:
        ticket = await _desk(request).open(data)
    except ValidationError as exc:
        return _form_page(request, Form(values, _errors(exc), LABELS), status_code=400)
    return see_other(f"/tickets/{ticket.id}")


async def edit_form(request: Request) -> Response:
    request.state.actor.require("tickets.write")
    ticket = await _desk(request).get(_ticket_id(request))
    values = {
        "subject": ticket.subject,
        "description": ticket.description,
        "requester_id": ticket.requester_id or "",
        "account_id": ticket.account_id or "",
        "channel": ticket.channel,
        "priority": ticket.priority,
        "tags": ", ".join(ticket.tags),
        "version": ticket.version,
    }
    return _form_page(request, Form(values, labels=LABELS), ticket)


async def update(request: Request) -> Response:
    desk = _desk(request)
    ticket = await desk.get(_ticket_id(request))
    values = await form_values(request)
    data = _input(values, _EDITABLE)
    version = form_version(values, "ticket")
    try:
        await desk.update(ticket.id, data, version=version)
    except ValidationError as exc:
        return _form_page(request, Form(values, _errors(exc), LABELS), ticket, status_code=400)
    except StaleRecordError as exc:
        fresh = await desk.get(ticket.id)
        form = Form(
            {**values, "version": fresh.version},
            labels=LABELS,
            notice=f"{exc}. Your changes are below: check them and save again.",
        )
        return _form_page(request, form, fresh, status_code=409)
    return see_other(f"/tickets/{ticket.id}")


async def ticket_page(
    request: Request,
    *,
    message_form: Form | None = None,
    change_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    """A ticket: its fields, SLA, conversation, forms, status history and plugins' panels."""
    kernel = request.app.state.kernel
    actor = request.state.actor
    desk = _desk(request)
    ticket = await desk.get(_ticket_id(request))
    with kernel.activate():
        found = await kernel.plugins.acollect(
            "ticket_panels", kernel=kernel, ticket=ticket, actor=actor
        )
    panels = sorted((c.item for c in found), key=lambda panel: (panel.order, panel.title))
    return render(
        request,
        "tickets/ticket.html",
        {
            "ticket": ticket,
            "sla": services.sla_status(ticket),
            "messages": await desk.conversation(ticket.id),
            "history": await desk.history(ticket.id),
            "panels": panels,
            "message_form": message_form or Form({}, {}, LABELS, prefix="msg-"),
            "change_form": change_form
            or Form(
                {
                    "status": ticket.status,
                    "priority": ticket.priority,
                    "assignee": ticket.assignee or "",
                    "version": ticket.version,
                },
                {},
                LABELS,
                prefix="chg-",
            ),
            "statuses": _choices(
                tuple(s for s in services.STATUSES if s != "new" or ticket.status == "new")
            ),
            "reply_statuses": _choices(tuple(s for s in services.STATUSES if s != "new")),
            "priorities": _choices(services.PRIORITIES),
            **await audit_context(request, "ticket", ticket.id, f"/tickets/{ticket.id}"),
        },
        status_code=status_code,
    )


async def show(request: Request) -> Response:
    return await ticket_page(request)


async def add_message(request: Request) -> Response:
    values = await form_values(request)
    internal = values.get("internal") == "on" or values.get("kind") == "note"
    desk = _desk(request)
    ticket_id = _ticket_id(request)
    write = desk.note if internal else desk.reply
    try:
        await write(
            ticket_id,
            values.get("body", ""),
            minutes=values.get("minutes", ""),
            status=values.get("status", ""),
        )
    except ValidationError as exc:
        form = Form(values, _errors(exc), LABELS, prefix="msg-")
        return await ticket_page(request, message_form=form, status_code=400)
    return see_other(f"/tickets/{ticket_id}#conversation")


async def change(request: Request) -> Response:
    values = await form_values(request)
    desk = _desk(request)
    ticket_id = _ticket_id(request)
    data = {key: values[key] for key in ("status", "priority", "assignee") if key in values}
    if "assignee" in data:
        data["assignee"] = data["assignee"].strip() or None
    version = form_version(values, "ticket")
    try:
        await desk.update(ticket_id, data, version=version)
    except ValidationError as exc:
        form = Form(values, _errors(exc), LABELS, prefix="chg-")
        return await ticket_page(request, change_form=form, status_code=400)
    except StaleRecordError as exc:
        fresh = await desk.get(ticket_id)
        form = Form(
            {**values, "version": fresh.version},
            {},
            LABELS,
            notice=f"{exc}. Check the ticket and apply your change again.",
            prefix="chg-",
        )
        return await ticket_page(request, change_form=form, status_code=409)
    return see_other(f"/tickets/{ticket_id}")


async def delete(request: Request) -> Response:
    ticket_id = _ticket_id(request)
    values = await form_values(request)
    await _desk(request).delete(ticket_id, version=form_version(values, "ticket"))
    return see_other(query_url("/tickets/", removed=ticket_id))


async def restore(request: Request) -> Response:
    values = await form_values(request)
    ticket = await _desk(request).restore(
        _ticket_id(request), version=form_version(values, "ticket")
    )
    return see_other(f"/tickets/{ticket.id}")


def routes() -> list[Route]:
    return [
        Route("/", queue, name="index"),
        Route("/new", new_form, name="new"),
        Route("/new", create, methods=["POST"], name="create"),
        Route("/{ticket_id:int}", show, name="ticket"),
        Route("/{ticket_id:int}/edit", edit_form, name="edit"),
        Route("/{ticket_id:int}/edit", update, methods=["POST"], name="update"),
        Route("/{ticket_id:int}/messages", add_message, methods=["POST"], name="messages"),
        Route("/{ticket_id:int}/change", change, methods=["POST"], name="change"),
        Route("/{ticket_id:int}/delete", delete, methods=["POST"], name="delete"),
        Route("/{ticket_id:int}/restore", restore, methods=["POST"], name="restore"),
    ]
