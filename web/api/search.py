"""The global search API: contacts, accounts and plugins' sources in one answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sampark.web.api.operations import ApiCall, ApiOperation, Param
from sampark.web.api.schemas import ref

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

QUERY = Param(
    "q",
    "query",
    {"type": "string", "minLength": 1, "maxLength": 200},
    "Any part of a name, email, phone number or tag.",
    required=True,
)
PER_SOURCE = Param(
    "limit",
    "query",
    {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
    "Hits per source at most.",
)


async def search_everything(call: ApiCall) -> Any:
    query = call.query["q"]
    results = await call.crm.search(query, limit_per_source=call.query["limit"])
    return {"query": query, "results": results}


def search_operations(kernel: Sampark) -> list[ApiOperation]:
    return [
        ApiOperation(
            "GET",
            "/search",
            search_everything,
            "Search everything",
            "search",
            response_schema=ref("SearchResults"),
            parameters=(QUERY, PER_SOURCE),
            tags=("search",),
            description="Only records the caller may see are found.",
        )
    ]
