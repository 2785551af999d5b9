"""The interactions API: log and plan calls, emails, meetings…; complete follow-ups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sampark.web.api.lifecycle import audit_operation
from sampark.web.api.operations import ApiCall, ApiOperation, Param, Reply, page_reply
from sampark.web.api.params import CURSOR, LIMIT, OWNER, record_id
from sampark.web.api.schemas import ref, timestamp

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

_ID = record_id("interaction_id", "interaction")
_TAGS = ("interactions",)
DUE_BEFORE = Param(
    "due_before",
    "query",
    timestamp(),
    "Only follow-ups due before this time (ISO 8601).",
)


async def log_interaction(call: ApiCall) -> Reply:
    record = await call.crm.interactions.log(call.body)
    return Reply(
        record,
        status=201,
        version=record.version,
        location=call.location(f"/v1/interactions/{record.id}"),
    )


async def get_interaction(call: ApiCall) -> Reply:
    record = await call.crm.interactions.get(call.path["interaction_id"])
    return Reply(record, version=record.version)


async def change_interaction(call: ApiCall) -> Reply:
    record = await call.crm.interactions.update(
        call.path["interaction_id"], call.body, version=call.version
    )
    return Reply(record, version=record.version)


async def delete_interaction(call: ApiCall) -> Reply:
    await call.crm.interactions.delete(call.path["interaction_id"], version=call.version)
    return Reply(status=204)


async def complete_interaction(call: ApiCall) -> Reply:
    body = call.body or {}
    record = await call.crm.interactions.complete(
        call.path["interaction_id"],
        outcome=body.get("outcome") or "",
        occurred_at=body.get("occurred_at"),
    )
    return Reply(record, version=record.version)


async def list_followups(call: ApiCall) -> Any:
    query = call.query
    page = await call.crm.interactions.followups(
        due_before=query["due_before"],
        owner=query["owner"],
        cursor=query["cursor"],
        limit=query["limit"],
    )
    return page_reply(page)


def interaction_operations(kernel: Sampark) -> list[ApiOperation]:
    return [
        ApiOperation(
            "POST",
            "/interactions",
            log_interaction,
            "Log an interaction or plan a follow-up",
            "logInteraction",
            "interactions.write",
            request_schema=ref("InteractionInput"),
            response_schema=ref("Interaction"),
            status=201,
            tags=_TAGS,
            etag=True,
            location=True,
            description='`"status": "planned"` with `due_at` plans a follow-up.',
        ),
        ApiOperation(
            "GET",
            "/interactions/{interaction_id}",
            get_interaction,
            "Get an interaction",
            "getInteraction",
            "interactions.read",
            response_schema=ref("Interaction"),
            parameters=(_ID,),
            tags=_TAGS,
            etag=True,
        ),
        ApiOperation(
            "PATCH",
            "/interactions/{interaction_id}",
            change_interaction,
            "Change an interaction",
            "updateInteraction",
            "interactions.write",
            request_schema=ref("InteractionChanges"),
            response_schema=ref("Interaction"),
            parameters=(_ID,),
            tags=_TAGS,
            if_match=True,
            etag=True,
            description="`contacts` and `accounts`, when given, replace the participants.",
        ),
        ApiOperation(
            "DELETE",
            "/interactions/{interaction_id}",
            delete_interaction,
            "Delete an interaction",
            "deleteInteraction",
            "interactions.delete",
            parameters=(_ID,),
            status=204,
            tags=_TAGS,
            if_match=True,
        ),
        ApiOperation(
            "POST",
            "/interactions/{interaction_id}/complete",
            complete_interaction,
            "Mark a planned interaction done",
            "completeInteraction",
            "interactions.write",
            request_schema=ref("Completion"),
            response_schema=ref("Interaction"),
            parameters=(_ID,),
            tags=_TAGS,
            body_required=False,
            etag=True,
            description="Done now unless `occurred_at` says when; an empty body is fine.",
        ),
        audit_operation("interaction", "/interactions/{interaction_id}", tags=_TAGS),
        ApiOperation(
            "GET",
            "/followups",
            list_followups,
            "Planned follow-ups, soonest due first",
            "listFollowups",
            "interactions.read",
            response_schema=ref("InteractionPage"),
            parameters=(DUE_BEFORE, OWNER, CURSOR, LIMIT),
            tags=_TAGS,
            description="Overdue ones included; `owner` is the interaction's author.",
        ),
    ]
