"""The restore and audit-trail operations every soft-deletable, audited record shares.

A plugin that describes its records as a :class:`RecordLifecycle` gets both operations
from one line each, documented like core's, instead of copying a handler and its
``ApiOperation`` for every kind of record::

    restore_operation(DEALS, "/deals/{deal_id}", response_schema=ref("Deal"))
    audit_operation(DEALS, "/deals/{deal_id}")
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from sampark.web.api.operations import ApiCall, ApiOperation, Param, Reply, page_reply
from sampark.web.api.params import CURSOR, LIMIT, record_id
from sampark.web.api.schemas import ref

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark
    from sampark.core.permissions import Actor
    from sampark.core.services.lifecycle import RecordLifecycle

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class Restore(Protocol):
    """Brings one deleted record back: ``RecordLifecycle.restore`` or a plugin's own."""

    def __call__(
        self, kernel: Sampark, record_id: int, /, *, expected_version: int | None, actor: Actor
    ) -> Awaitable[Any]: ...


def restore_operation(
    records: RecordLifecycle[Any],
    path: str,
    *,
    response_schema: Mapping[str, Any],
    tags: tuple[str, ...] = (),
    restore: Restore | None = None,
    description: str | None = None,
) -> ApiOperation:
    """``POST {path}/restore``: bring a deleted record back, version-checked by ``If-Match``.

    ``path`` is the record's own (``"/deals/{deal_id}"``; its last ``{…}`` is the id);
    ``response_schema`` is the record's schema, answered with its version as the ``ETag``.
    The permission is the lifecycle's ``delete_permission``. ``restore`` replaces
    ``records.restore`` when restoring checks more (a reference taken meanwhile).
    """
    noun = records.entity
    id_param = _id_param(path, noun)
    bring_back = restore or records.restore

    async def restore_record(call: ApiCall) -> Reply:
        with call.kernel.activate():
            record = await bring_back(
                call.kernel,
                call.path[id_param.name],
                expected_version=call.version,
                actor=call.actor,
            )
        return Reply(record, version=record.version)

    return ApiOperation(
        "POST",
        f"{path}/restore",
        restore_record,
        f"Restore a deleted {_spoken(noun)}",
        f"restore{_camel(noun, upper=True)}",
        records.delete_permission,
        response_schema=response_schema,
        parameters=(id_param,),
        tags=tags,
        if_match=True,
        etag=True,
        description=description
        if description is not None
        else f"`If-Match` carries the deleted {_spoken(noun)}'s version (list it with "
        f"`deleted=true`); a live {_spoken(noun)} is answered as it is.",
    )


def audit_operation(
    records: RecordLifecycle[Any] | str,
    path: str,
    *,
    tags: tuple[str, ...] = (),
    description: str = "",
) -> ApiOperation:
    """``GET {path}/audit``: a record's audit trail, newest first, a page at a time.

    ``records`` is the lifecycle or the entity its audit rows name (``"deal"``), which
    ``crm.audit`` must know (the ``audited_records`` hook); ``path`` is the record's own.
    Needs ``audit.read`` and leave to read the record.
    """
    noun = records if isinstance(records, str) else records.entity
    id_param = _id_param(path, noun)

    async def record_audit(call: ApiCall) -> Any:
        query = call.query
        page = await call.crm.audit(
            noun, call.path[id_param.name], cursor=query["cursor"], limit=query["limit"]
        )
        return page_reply(page)

    spoken = _spoken(noun)
    article = "An" if spoken[0] in "aeiou" else "A"
    return ApiOperation(
        "GET",
        f"{path}/audit",
        record_audit,
        f"{article} {spoken}'s audit trail, newest first",
        f"{_camel(noun, upper=False)}Audit",
        "audit.read",
        response_schema=ref("AuditPage"),
        parameters=(id_param, CURSOR, LIMIT),
        tags=tags,
        description=description,
    )


def _id_param(path: str, noun: str) -> Param:
    """The path's last ``{…}``, read as the record's id."""
    names = _PLACEHOLDER.findall(path)
    if not names:
        raise ValueError(f"{path!r} must end with the {noun}'s id, as in /{noun}s/{{{noun}_id}}")
    return record_id(names[-1], _spoken(noun))


def _spoken(noun: str) -> str:
    return noun.replace("_", " ")


def _camel(noun: str, *, upper: bool) -> str:
    words = noun.split("_")
    first = words[0].capitalize() if upper else words[0]
    return first + "".join(word.capitalize() for word in words[1:])
