"""The tickets API, served under ``/api/v1/tickets/`` and documented in ``/api/openapi.json``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sampark.plugins.tickets import services
from sampark.plugins.tickets.facade import Tickets
from sampark.plugins.tickets.lifecycle import TICKETS
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
from sampark.web.api.schemas import MAX_ID, page_of, text, timestamp

_ID = record_id("ticket_id", "ticket")
_TAGS = ("tickets",)
_TIME = timestamp()
_MAYBE_TIME = timestamp(nullable=True)
_MAYBE_ID = {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID}

STATUS = ApiSchema("TicketStatus", {"type": "string", "enum": list(services.STATUSES)})
NEXT_STATUS = ApiSchema(
    "TicketNextStatus",
    {
        "type": "string",
        "enum": [status for status in services.STATUSES if status != "new"],
        "description": "Any status but new; open reopens a resolved or closed ticket.",
    },
)
PRIORITY = ApiSchema("TicketPriority", {"type": "string", "enum": list(services.PRIORITIES)})
CHANNEL = ApiSchema("TicketChannel", {"type": "string", "enum": list(services.CHANNELS)})

TICKET = ApiSchema(
    "Ticket",
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "string", "description": "The human number, e.g. T-000123."},
            "subject": {"type": "string"},
            "description": {"type": "string"},
            "requester_id": {"type": ["integer", "null"]},
            "account_id": {"type": ["integer", "null"]},
            "channel": CHANNEL,
            "priority": PRIORITY,
            "status": STATUS,
            "assignee": {"type": ["string", "null"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "created_at": _TIME,
            "updated_at": _TIME,
            "first_response_at": _MAYBE_TIME,
            "resolved_at": _MAYBE_TIME,
            "closed_at": _MAYBE_TIME,
            "first_response_due_at": {
                **_MAYBE_TIME,
                "description": "The first-response deadline; null while the clock is paused.",
            },
            "resolution_due_at": {
                **_MAYBE_TIME,
                "description": "The resolution deadline; null while the clock is paused.",
            },
            "version": {"type": "integer"},
            "requester_name": {"type": "string"},
            "account_name": {"type": "string"},
            "sla_used_seconds": {"type": "integer"},
            "deleted_at": _MAYBE_TIME,
        },
        "required": ["id", "number", "subject", "status", "priority", "channel", "version"],
    },
)
TICKET_PAGE = ApiSchema("TicketPage", page_of(TICKET))
MESSAGE = ApiSchema(
    "TicketMessage",
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "interaction_id": {"type": "integer"},
            "internal": {"type": "boolean"},
            "at": _TIME,
            "body": {"type": "string"},
            "author": {"type": ["string", "null"]},
            "minutes": {"type": ["integer", "null"]},
        },
        "required": ["id", "interaction_id", "internal", "at", "body"],
    },
)
STATUS_CHANGE = ApiSchema(
    "TicketStatusChange",
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "ticket_id": {"type": "integer"},
            "from_status": {"anyOf": [STATUS, {"type": "null"}]},
            "to_status": STATUS,
            "at": _TIME,
            "actor": {"type": "string"},
        },
        "required": ["id", "ticket_id", "to_status", "at"],
    },
)


def _items(name: str, item: ApiSchema) -> ApiSchema:
    return ApiSchema(
        name,
        {
            "type": "object",
            "properties": {"items": {"type": "array", "items": item}},
            "required": ["items"],
        },
    )


MESSAGES = _items("TicketMessages", MESSAGE)
HISTORY = _items("TicketStatusHistory", STATUS_CHANGE)


def _input(create: bool) -> ApiSchema:
    properties = {
        "subject": text(500, minLength=1),
        "description": text(100_000),
        "requester_id": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_ID,
            "description": "The contact who asked.",
        },
        "account_id": _MAYBE_ID,
        "channel": CHANNEL,
        "priority": PRIORITY,
        "assignee": text(150, nullable=True, description="A username; null for nobody."),
        "tags": {"type": "array", "items": text(100), "maxItems": 50},
    }
    if create:
        return ApiSchema(
            "TicketInput",
            {
                "type": "object",
                "properties": properties,
                "required": ["subject", "requester_id"],
                "additionalProperties": False,
            },
        )
    properties["status"] = NEXT_STATUS
    return ApiSchema(
        "TicketChanges",
        {"type": "object", "properties": properties, "additionalProperties": False},
    )


MESSAGE_INPUT = ApiSchema(
    "TicketMessageInput",
    {
        "type": "object",
        "properties": {
            "body": text(100_000, minLength=1),
            "internal": {"type": "boolean", "description": "An internal note instead of a reply."},
            "minutes": {"type": ["integer", "null"], "minimum": 0, "maximum": 100_000},
            "status": NEXT_STATUS,
        },
        "required": ["body"],
        "additionalProperties": False,
    },
)


def _query(name: str, schema: Mapping[str, Any], description: str) -> Param:
    return Param(name, "query", schema, description)


LIST_PARAMS = (
    _query("view", {"type": "string", "enum": list(services.VIEWS)}, "A queue to list."),
    _query(
        "status",
        {"type": "string", "enum": ["active", *services.STATUSES]},
        "Only this status (active: new, open and pending).",
    ),
    _query("priority", PRIORITY, "Only this priority."),
    _query("channel", CHANNEL, "Only this channel."),
    _query("assignee", {"type": "string", "minLength": 1, "maxLength": 150}, "Only this user's."),
    _query(
        "requester_id",
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "Only this contact's.",
    ),
    _query(
        "account_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "Only this account's."
    ),
    _query("tag", {"type": "string", "minLength": 1, "maxLength": 100}, "Only with this tag."),
    DELETED,
    CURSOR,
    LIMIT,
)


def _desk(call: ApiCall) -> Tickets:
    return Tickets(call.kernel, call.actor)


async def list_tickets(call: ApiCall) -> Any:
    filters = {key: value for key, value in call.query.items() if value is not None}
    page = await _desk(call).list(**filters)
    return page_reply(page)


async def create_ticket(call: ApiCall) -> Reply:
    ticket = await _desk(call).open(call.body)
    return Reply(
        ticket,
        status=201,
        version=ticket.version,
        location=call.location(f"/v1/tickets/{ticket.id}"),
    )


async def get_ticket(call: ApiCall) -> Reply:
    ticket = await _desk(call).get(call.path["ticket_id"])
    return Reply(ticket, version=ticket.version)


async def update_ticket(call: ApiCall) -> Reply:
    ticket = await _desk(call).update(call.path["ticket_id"], call.body, version=call.version)
    return Reply(ticket, version=ticket.version)


async def delete_ticket(call: ApiCall) -> Reply:
    await _desk(call).delete(call.path["ticket_id"], version=call.version)
    return Reply(status=204)


async def list_messages(call: ApiCall) -> Any:
    return {"items": await _desk(call).conversation(call.path["ticket_id"])}


async def add_message(call: ApiCall) -> Reply:
    body = call.body
    desk = _desk(call)
    write = desk.note if body.get("internal") else desk.reply
    ticket = await write(
        call.path["ticket_id"], body["body"], minutes=body.get("minutes"), status=body.get("status")
    )
    return Reply(ticket, version=ticket.version)


async def status_history(call: ApiCall) -> Any:
    return {"items": await _desk(call).history(call.path["ticket_id"])}


def operations(kernel: Any) -> list[ApiOperation]:
    return [
        ApiOperation(
            "GET",
            "",
            list_tickets,
            "List tickets",
            "listTickets",
            "tickets.read",
            response_schema=TICKET_PAGE,
            parameters=LIST_PARAMS,
            tags=_TAGS,
            description="Newest first; `view=breaching` lists the soonest due first.",
        ),
        ApiOperation(
            "POST",
            "",
            create_ticket,
            "Open a ticket",
            "createTicket",
            "tickets.write",
            request_schema=_input(True),
            response_schema=TICKET,
            status=201,
            tags=_TAGS,
            etag=True,
            location=True,
        ),
        ApiOperation(
            "GET",
            "/{ticket_id}",
            get_ticket,
            "Get a ticket",
            "getTicket",
            "tickets.read",
            response_schema=TICKET,
            parameters=(_ID,),
            tags=_TAGS,
            etag=True,
        ),
        ApiOperation(
            "PATCH",
            "/{ticket_id}",
            update_ticket,
            "Change a ticket",
            "updateTicket",
            "tickets.write",
            request_schema=_input(False),
            response_schema=TICKET,
            parameters=(_ID,),
            tags=_TAGS,
            if_match=True,
            etag=True,
            description="Status, priority, assignee and other fields; `tags` replace the tags.",
        ),
        ApiOperation(
            "DELETE",
            "/{ticket_id}",
            delete_ticket,
            "Delete a ticket",
            "deleteTicket",
            "tickets.delete",
            parameters=(_ID,),
            status=204,
            tags=_TAGS,
            if_match=True,
            description="The ticket is kept with its number, out of every list: "
            "`restore` brings it back.",
        ),
        restore_operation(TICKETS, "/{ticket_id}", response_schema=TICKET, tags=_TAGS),
        audit_operation(TICKETS, "/{ticket_id}", tags=_TAGS),
        ApiOperation(
            "GET",
            "/{ticket_id}/messages",
            list_messages,
            "A ticket's replies and internal notes",
            "listTicketMessages",
            "tickets.read",
            response_schema=MESSAGES,
            parameters=(_ID,),
            tags=_TAGS,
        ),
        ApiOperation(
            "POST",
            "/{ticket_id}/messages",
            add_message,
            "Reply to a ticket or add an internal note",
            "addTicketMessage",
            "tickets.write",
            request_schema=MESSAGE_INPUT,
            response_schema=TICKET,
            parameters=(_ID,),
            tags=_TAGS,
            etag=True,
            description="The reply is logged as an interaction with the requester; "
            "`minutes` logs time spent.",
        ),
        ApiOperation(
            "GET",
            "/{ticket_id}/history",
            status_history,
            "A ticket's status history",
            "ticketStatusHistory",
            "tickets.read",
            response_schema=HISTORY,
            parameters=(_ID,),
            tags=_TAGS,
        ),
    ]
