"""The audit trail as a record's page shows it: field labels, linked records, before → after.

Core pages and plugin pages (deals, tickets) call :func:`audit_context` and include
``records/_audit.html``; both read the same rows the API serves.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sampark.core.services.scope import owner_condition, where
from sampark.core.sql import fetch, marks
from sampark.web.routes.common import query_url
from sampark.web.templating import display

if TYPE_CHECKING:
    from starlette.requests import Request

    from sampark.core.kernel import Sampark

PAGE_SIZE = 20
# Foreign keys shown as a link to the record they name.
LINKED = {
    "contact_id": "contacts",
    "requester_id": "contacts",
    "account_id": "accounts",
    "parent_id": "accounts",
}
# How a linked record is named: its table and the column that names it.
_NAMES = {"contacts": ("core_contact", "display_name"), "accounts": ("core_account", "name")}
CORE_LABELS = {
    "display_name": "Name",
    "first_name": "First name",
    "last_name": "Last name",
    "name": "Name",
    "title": "Title",
    "owner": "Owner",
    "tags": "Tags",
    "kinds": "Kinds",
    "emails": "Emails",
    "phones": "Phones",
    "addresses": "Addresses",
    "website": "Website",
    "industry": "Industry",
    "parent_id": "Parent account",
    "contact_id": "Contact",
    "account_id": "Account",
    "deleted_at": "Deleted",
    "merged_into": "Merged into",
}


@dataclass(frozen=True)
class FieldChange:
    """One changed field, ready to show: its label, and what it was and became."""

    label: str
    before: str
    after: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    link: str | None = None  # "/contacts/" for a foreign key, to prefix the ids
    before_name: str = ""  # the linked records' names, where the reader may see them
    after_name: str = ""

    @property
    def is_list(self) -> bool:
        return bool(self.added or self.removed)


def describe(field: str, change: list[Any], labels: dict[str, str]) -> FieldChange:
    """A change ``[before, after]`` of ``field`` as people read it (lists as added/removed)."""
    before, after = change
    label = labels.get(field) or labels.get(field.split(".")[0]) or field.replace("_", " ")
    if isinstance(before, list | None) and isinstance(after, list | None) and (before or after):
        old = [display(item) for item in before or []]
        new = [display(item) for item in after or []]
        added = tuple(item for item in new if item not in old)
        removed = tuple(item for item in old if item not in new)
        if added or removed:
            return FieldChange(label, display(before), display(after), added, removed)
    link = f"/{LINKED[field]}/" if field in LINKED else None
    return FieldChange(label, display(before), display(after), link=link)


def field_labels(kernel: Sampark, entity: str) -> dict[str, str]:
    """Labels for an entity's fields: core's, then those its plugin gives."""
    from sampark.core.services.audit import audited_records

    kinds = audited_records(kernel)
    return {**CORE_LABELS, **(dict(kinds[entity].labels) if entity in kinds else {})}


async def linked_names(
    kernel: Sampark, actor: Any, changes: list[FieldChange]
) -> dict[tuple[str, str], str]:
    """``{("/contacts/", "82"): "Asha Rao"}`` for the linked ids shown that the actor may see.

    One query per kind of record, whatever the number of rows: a page never asks per row.
    """
    wanted: dict[str, set[int]] = {}
    for change in changes:
        if change.link is None:
            continue
        for value in (change.before, change.after):
            if value.isdigit():
                wanted.setdefault(change.link, set()).add(int(value))
    names: dict[tuple[str, str], str] = {}
    for link, ids in wanted.items():
        table, column = _NAMES[link.strip("/")]
        scope, params = owner_condition(actor, "r")
        rows = await fetch(
            kernel.connection,
            f"SELECT r.id, r.{column} AS name FROM {table} r "
            f"WHERE r.id IN ({marks(len(ids))}){where(scope)}",
            [*sorted(ids), *params],
        )
        names.update({(link, str(row["id"])): row["name"] for row in rows})
    return names


def _named(change: FieldChange, names: dict[tuple[str, str], str]) -> FieldChange:
    if change.link is None:
        return change
    return dataclasses.replace(
        change,
        before_name=names.get((change.link, change.before), ""),
        after_name=names.get((change.link, change.after), ""),
    )


async def audit_context(request: Request, entity: str, record_id: int, url: str) -> dict[str, Any]:
    """What ``records/_audit.html`` needs, or no trail for actors without ``audit.read``."""
    crm = request.state.crm
    if not crm.can("audit.read"):
        return {"audit": None, "older_audit_url": None, "audit_rows": []}
    page = await crm.audit(
        entity, record_id, cursor=request.query_params.get("audit") or None, limit=PAGE_SIZE
    )
    labels = field_labels(request.app.state.kernel, entity)
    described = [
        (row, [describe(name, change, labels) for name, change in row.changes.items()])
        for row in page
    ]
    kernel = request.app.state.kernel
    with kernel.activate():
        names = await linked_names(
            kernel, request.state.actor, [c for _, changes in described for c in changes]
        )
    rows = [(row, [_named(change, names) for change in changes]) for row, changes in described]
    older = query_url(url, audit=page.next_cursor) if page.next_cursor else None
    return {"audit": page, "older_audit_url": older, "audit_rows": rows}
