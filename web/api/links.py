"""The links API: who works where. Links have no versions: they are made and removed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sampark.web.api.operations import ApiCall, ApiOperation, Reply
from sampark.web.api.params import record_id
from sampark.web.api.schemas import ref

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark


async def create_link(call: ApiCall) -> Reply:
    body = call.body
    link = await call.crm.links.create(
        body["contact_id"],
        body["account_id"],
        role=body.get("role") or "",
        primary=body.get("primary", False),
        start_date=body.get("start_date"),
        end_date=body.get("end_date"),
    )
    return Reply(link, status=201)


async def delete_link(call: ApiCall) -> Reply:
    await call.crm.links.delete(call.path["link_id"])
    return Reply(status=204)


def link_operations(kernel: Sampark) -> list[ApiOperation]:
    return [
        ApiOperation(
            "POST",
            "/links",
            create_link,
            "Link a contact to an account",
            "createLink",
            "accounts.write",
            request_schema=ref("LinkInput"),
            response_schema=ref("Link"),
            status=201,
            tags=("links",),
            description=(
                "A contact may be linked to one account several times with different roles; "
                "marking a link primary clears the contact's other primary link."
            ),
        ),
        ApiOperation(
            "DELETE",
            "/links/{link_id}",
            delete_link,
            "Remove a link",
            "deleteLink",
            "accounts.write",
            parameters=(record_id("link_id", "link"),),
            status=204,
            tags=("links",),
        ),
    ]
