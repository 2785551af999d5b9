"""Parameters several operations share: ids in the path, pagination and filters."""

from __future__ import annotations

from sampark.web.api.operations import Param
from sampark.web.api.schemas import MAX_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

LIMIT = Param(
    "limit",
    "query",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    "How many items a page holds.",
)
CURSOR = Param(
    "cursor",
    "query",
    {"type": "string", "minLength": 1, "maxLength": 2000},
    "The `next_cursor` of the previous page.",
)
TAG = Param(
    "tag",
    "query",
    {"type": "string", "minLength": 1, "maxLength": 100},
    "Only those with this tag.",
)
OWNER = Param(
    "owner",
    "query",
    {"type": "string", "minLength": 1, "maxLength": 150},
    "Only those owned by this username.",
)
DELETED = Param(
    "deleted",
    "query",
    {"type": "boolean", "default": False},
    "List the soft-deleted ones instead (most recently deleted first).",
)
SEARCH = Param(
    "q",
    "query",
    {"type": "string", "minLength": 1, "maxLength": 200},
    "Search by any part of a name, email, phone number or tag; answers in one page.",
)


def record_id(name: str, entity: str) -> Param:
    return Param(
        name,
        "path",
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        f"The {entity}'s id.",
        required=True,
    )
