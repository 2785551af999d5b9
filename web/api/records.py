"""Contacts and accounts share one shape of API: list, create, read, change, delete, restore.

:func:`record_operations` builds those operations (and the record's timeline, audit trail
and links) for one kind of record; ``contacts.py`` and ``accounts.py`` say which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sampark.core.errors import FieldError
from sampark.web.api.lifecycle import audit_operation
from sampark.web.api.operations import ApiCall, ApiOperation, Param, Reply, page_reply
from sampark.web.api.params import CURSOR, DELETED, LIMIT, SEARCH, record_id
from sampark.web.api.problems import invalid
from sampark.web.api.schemas import ref


@dataclass(frozen=True)
class RecordKind:
    """What differs between contacts and accounts in their API."""

    entity: str  # "contact"
    plural: str  # "contacts": the facade's name and the path
    schema: str  # "Contact": its component schema, and the stem of operationIds
    create_schema: str
    change_schema: str
    filters: tuple[Param, ...]  # list filters besides q, deleted, cursor, limit
    links_of: str  # the Links facade method: "of_contact"

    @property
    def id_param(self) -> Param:
        return record_id(f"{self.entity}_id", self.entity)


def _matches(record: Any, filters: dict[str, Any]) -> bool:
    """Whether a search hit passes the list filters (tag, owner, kind)."""
    for name, wanted in filters.items():
        if name == "tag":
            if wanted.casefold() not in {tag.casefold() for tag in record.tags}:
                return False
        elif name == "kind":
            if wanted.casefold() not in {kind.casefold() for kind in record.kinds}:
                return False
        elif getattr(record, name) != wanted:
            return False
    return True


def record_operations(kind: RecordKind) -> list[ApiOperation]:
    """The operations of one kind of record, under ``/<plural>``."""
    base = f"/{kind.plural}"
    one = f"{base}/{{{kind.entity}_id}}"
    key = f"{kind.entity}_id"
    filter_names = [param.name for param in kind.filters]

    def facade(call: ApiCall) -> Any:
        return getattr(call.crm, kind.plural)

    def location(call: ApiCall, record: Any) -> str:
        return call.location(f"/v1/{kind.plural}/{record.id}")

    async def list_records(call: ApiCall) -> Any:
        query = call.query
        filters = {name: query[name] for name in filter_names if query[name] is not None}
        if query["q"] is not None:
            refused = [
                FieldError(name, "cannot be combined with q (search answers in one page)")
                for name in ("cursor", "deleted")
                if query[name]
            ]
            if refused:
                raise invalid(refused, status=400)
            page = await facade(call).search(query["q"], limit=query["limit"])
            return {"items": [r for r in page if _matches(r, filters)], "next_cursor": None}
        page = await facade(call).list(
            **filters, deleted=query["deleted"], cursor=query["cursor"], limit=query["limit"]
        )
        return page_reply(page)

    async def create_record(call: ApiCall) -> Reply:
        record = await facade(call).create(call.body)
        return Reply(record, status=201, version=record.version, location=location(call, record))

    async def get_record(call: ApiCall) -> Reply:
        record = await facade(call).get(call.path[key])
        return Reply(record, version=record.version)

    async def change_record(call: ApiCall) -> Reply:
        record = await facade(call).update(call.path[key], call.body, version=call.version)
        return Reply(record, version=record.version)

    async def delete_record(call: ApiCall) -> Reply:
        await facade(call).delete(call.path[key], version=call.version)
        return Reply(status=204)

    async def restore_record(call: ApiCall) -> Reply:
        record = await facade(call).restore(call.path[key])
        return Reply(record, version=record.version)

    async def timeline(call: ApiCall) -> Any:
        page = await call.crm.timeline(
            (kind.entity, call.path[key]), cursor=call.query["cursor"], limit=call.query["limit"]
        )
        return page_reply(page)

    async def links(call: ApiCall) -> Any:
        page = await getattr(call.crm.links, kind.links_of)(call.path[key])
        return page_reply(page)

    read, write, delete = (f"{kind.plural}.{verb}" for verb in ("read", "write", "delete"))
    tags = (kind.plural,)
    name = kind.schema
    one_params = (kind.id_param,)
    return [
        ApiOperation(
            "GET",
            base,
            list_records,
            f"List {kind.plural}",
            f"list{name}s",
            read,
            response_schema=ref(f"{name}Page"),
            parameters=(SEARCH, *kind.filters, DELETED, CURSOR, LIMIT),
            tags=tags,
            description=(
                f"{name}s by name, a page at a time (keyset pagination: follow `next_cursor`). "
                f"With `q`, the best matches of a search, filtered the same way."
            ),
        ),
        ApiOperation(
            "POST",
            base,
            create_record,
            f"Create a {kind.entity}",
            f"create{name}",
            write,
            request_schema=ref(kind.create_schema),
            response_schema=ref(name),
            status=201,
            tags=tags,
            etag=True,
            location=True,
        ),
        ApiOperation(
            "GET",
            one,
            get_record,
            f"Get a {kind.entity}",
            f"get{name}",
            read,
            response_schema=ref(name),
            parameters=one_params,
            tags=tags,
            etag=True,
        ),
        ApiOperation(
            "PATCH",
            one,
            change_record,
            f"Change a {kind.entity}",
            f"update{name}",
            write,
            request_schema=ref(kind.change_schema),
            response_schema=ref(name),
            parameters=one_params,
            tags=tags,
            if_match=True,
            etag=True,
            description="Only the fields given change; lists given replace the current ones.",
        ),
        ApiOperation(
            "DELETE",
            one,
            delete_record,
            f"Delete a {kind.entity} (restorable)",
            f"delete{name}",
            delete,
            parameters=one_params,
            status=204,
            tags=tags,
            if_match=True,
        ),
        ApiOperation(
            "POST",
            f"{one}/restore",
            restore_record,
            f"Restore a deleted {kind.entity}",
            f"restore{name}",
            delete,
            response_schema=ref(name),
            parameters=one_params,
            tags=tags,
            etag=True,
        ),
        ApiOperation(
            "GET",
            f"{one}/timeline",
            timeline,
            f"A {kind.entity}'s timeline",
            f"{kind.entity}Timeline",
            "interactions.read",
            response_schema=ref("TimelinePage"),
            parameters=(*one_params, CURSOR, LIMIT),
            tags=tags,
            description="Interactions and plugins' entries, newest first.",
        ),
        audit_operation(kind.entity, one, tags=tags, description="Who changed what and when."),
        ApiOperation(
            "GET",
            f"{one}/links",
            links,
            f"A {kind.entity}'s links",
            f"{kind.entity}Links",
            read,
            response_schema=ref("LinkPage"),
            parameters=one_params,
            tags=tags,
            description="Primary links first; all of them in one page.",
        ),
    ]
