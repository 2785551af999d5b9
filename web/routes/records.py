"""The pages of contacts and accounts: list, search, detail, create, edit, delete, restore.

Both kinds of record share these handlers; a :class:`Kind` says what differs (the
facade, the form, the filters). Every read and write goes through ``request.state.crm``,
the kernel as the signed-in user sees it, so permissions and record scope apply here
exactly as in the API and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sampark.core.errors import NotFoundError, StaleRecordError, ValidationError
from sampark.core.records import AccountRecord, ContactRecord, Page
from sampark.web import forms
from sampark.web.audit_view import audit_context
from sampark.web.forms import Form, RowMap
from sampark.web.routes.common import form_values, query_url, see_other, signed_in
from sampark.web.templating import render

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

PAGE_SIZE = 50
TIMELINE_SIZE = 20
Record = ContactRecord | AccountRecord


@dataclass(frozen=True)
class Kind:
    """What differs between the contact pages and the account pages."""

    entity: str  # contact
    plural: str  # contacts
    title: str  # Contact
    labels: Mapping[str, str]
    read_input: Callable[[Mapping[str, Any], Mapping[str, Any]], tuple[dict[str, Any], RowMap]]
    record_values: Callable[[Any], dict[str, Any]]
    filters: tuple[str, ...]
    other: str  # the plural of the records this kind links to

    def facade(self, request: Request) -> Any:
        return getattr(request.state.crm, self.plural)

    def specs(self, request: Request) -> Mapping[str, Any]:
        kernel: Sampark = request.app.state.kernel
        return kernel.custom_fields.get(self.entity, {})

    def url(self, record_id: int, action: str = "") -> str:
        return f"/{self.plural}/{record_id}" + (f"/{action}" if action else "")


CONTACTS = Kind(
    entity="contact",
    plural="contacts",
    title="Contact",
    labels=forms.CONTACT_LABELS,
    read_input=forms.contact_input,
    record_values=forms.contact_values,
    filters=("q", "tag", "owner"),
    other="accounts",
)
ACCOUNTS = Kind(
    entity="account",
    plural="accounts",
    title="Account",
    labels=forms.ACCOUNT_LABELS,
    read_input=forms.account_input,
    record_values=forms.account_values,
    filters=("q", "tag", "kind", "owner"),
    other="contacts",
)


def record_id(request: Request) -> int:
    return int(request.path_params["record_id"])


# ---------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------


def _matches(record: Record, tag: str, kind: str, owner: str) -> bool:
    """Whether a search hit also passes the list's filters."""
    tags = {name.casefold() for name in record.tags}
    if tag and tag.casefold() not in tags:
        return False
    if owner and record.owner != owner:
        return False
    return not (kind and kind not in getattr(record, "kinds", ()))


async def _list_page(
    kind: Kind, request: Request
) -> tuple[dict[str, str], Page[Any], dict[str, list[str]]]:
    """The filters asked for, the page of records and any filter errors."""
    params = request.query_params
    filters = {name: params.get(name, "").strip() for name in kind.filters}
    filters["deleted"] = "1" if params.get("deleted") == "1" else ""
    facade = kind.facade(request)
    extra = {"kind": filters["kind"] or None} if "kind" in filters else {}
    try:
        if filters["q"]:
            # Tags are in the search index as #tag: asking for it narrows the search itself.
            query = f"{filters['q']} #{filters['tag']}" if filters["tag"] else filters["q"]
            found = await facade.search(query, limit=PAGE_SIZE)
            items = [
                record
                for record in found
                if _matches(record, filters["tag"], filters.get("kind", ""), filters["owner"])
            ]
            return filters, Page(items), {}
        page = await facade.list(
            tag=filters["tag"] or None,
            owner=filters["owner"] or None,
            deleted=bool(filters["deleted"]),
            cursor=params.get("cursor") or None,
            limit=PAGE_SIZE,
            **extra,
        )
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(error.field, []).append(error.message)
        return filters, Page([]), errors
    return filters, page, {}


def _next_url(kind: Kind, filters: dict[str, str], page: Page[Any]) -> str | None:
    if page.next_cursor is None:
        return None
    return query_url(f"/{kind.plural}", **filters, cursor=page.next_cursor)


async def _removed_notice(kind: Kind, request: Request) -> Record | None:
    """The record just deleted (for the "deleted — restore?" notice), if still deleted."""
    removed = request.query_params.get("removed", "")
    if not removed.isdigit():
        return None
    try:
        record = await kind.facade(request).get(int(removed), include_deleted=True)
    except NotFoundError:
        return None
    return record if record.deleted_at is not None else None


def list_pages(kind: Kind) -> list[Route]:
    @signed_in
    async def listing(request: Request) -> Response:
        filters, page, errors = await _list_page(kind, request)
        kernel: Sampark = request.app.state.kernel
        return render(
            request,
            f"{kind.plural}/list.html",
            {
                "kind": kind,
                "filters": filters,
                "page": page,
                "filter_errors": errors,
                "next_url": _next_url(kind, filters, page),
                "removed": await _removed_notice(kind, request),
                "account_kinds": kernel.account_kinds,
            },
            status_code=400 if errors else 200,
        )

    @signed_in
    async def rows(request: Request) -> Response:
        """Just the table body, for search as you type."""
        filters, page, errors = await _list_page(kind, request)
        return render(
            request,
            f"{kind.plural}/_rows.html",
            {
                "kind": kind,
                "filters": filters,
                "page": page,
                "filter_errors": errors,
                "next_url": _next_url(kind, filters, page),
            },
            status_code=400 if errors else 200,
        )

    return [
        Route(f"/{kind.plural}", listing, methods=["GET"], name=f"{kind.plural}"),
        Route(f"/{kind.plural}/rows", rows, methods=["GET"], name=f"{kind.plural}_rows"),
    ]


# ---------------------------------------------------------------------------
# Detail
# ---------------------------------------------------------------------------


async def _links(kind: Kind, request: Request, rid: int) -> Page[Any] | None:
    """The record's links, or None if the user may not see both sides of links."""
    crm = request.state.crm
    if not (crm.can("contacts.read") and crm.can("accounts.read")):
        return None
    links = crm.links
    return await (links.of_contact(rid) if kind.entity == "contact" else links.of_account(rid))


async def _parent(request: Request, record: Record) -> AccountRecord | None:
    parent_id = getattr(record, "parent_id", None)
    if parent_id is None:
        return None
    try:
        return await request.state.crm.accounts.get(parent_id)
    except NotFoundError:
        return None


async def detail_page(
    kind: Kind,
    request: Request,
    *,
    log_form: Form | None = None,
    plan_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    """A record's page: fields, links, timeline, plugin panels and (if allowed) audit trail."""
    crm = request.state.crm
    kernel: Sampark = request.app.state.kernel
    rid = record_id(request)
    record = await kind.facade(request).get(rid)
    params = request.query_params
    timeline = None
    if crm.can("interactions.read"):
        timeline = await crm.timeline(
            record, cursor=params.get("timeline") or None, limit=TIMELINE_SIZE
        )
    return render(
        request,
        f"{kind.plural}/detail.html",
        {
            "kind": kind,
            "record": record,
            "links": await _links(kind, request, rid),
            "parent": await _parent(request, record),
            "timeline": timeline,
            "older_url": query_url(kind.url(rid), timeline=timeline.next_cursor)
            if timeline is not None and timeline.next_cursor
            else None,
            **await audit_context(request, kind.entity, rid, kind.url(rid)),
            "panels": await crm.panels(record),
            "specs": kind.specs(request),
            "interaction_kinds": kernel.interaction_kinds,
            "log_form": log_form or interaction_form({}, {}, "done"),
            "plan_form": plan_form or interaction_form({}, {}, "planned"),
        },
        status_code=status_code,
    )


# ---------------------------------------------------------------------------
# Create, edit, delete, restore
# ---------------------------------------------------------------------------


def interaction_form(values: dict[str, Any], errors: dict[str, list[str]], status: str) -> Form:
    """The "log an interaction" (done) or "plan a follow-up" (planned) form of a record page."""
    prefix = "plan-" if status == "planned" else "log-"
    return Form(values, errors, forms.INTERACTION_LABELS, prefix=prefix)


def _form_page(
    kind: Kind, request: Request, form: Form, record: Record | None, status_code: int = 200
) -> Response:
    kernel: Sampark = request.app.state.kernel
    return render(
        request,
        f"{kind.plural}/form.html",
        {
            "kind": kind,
            "form": form,
            "record": record,
            "specs": kind.specs(request),
            "account_kinds": kernel.account_kinds,
            "action": kind.url(record.id, "edit") if record else f"/{kind.plural}/new",
        },
        status_code=status_code,
    )


def _refused(kind: Kind, values: dict[str, Any], rows: RowMap, exc: ValidationError) -> Form:
    return Form(values, rows.errors(exc.errors), kind.labels)


def edit_pages(kind: Kind) -> list[Route]:
    @signed_in
    async def detail(request: Request) -> Response:
        return await detail_page(kind, request)

    @signed_in
    async def new_form(request: Request) -> Response:
        request.state.actor.require(f"{kind.plural}.write")
        values = {"owner": request.state.actor.username}
        return _form_page(kind, request, Form(values, labels=kind.labels), None)

    @signed_in
    async def create(request: Request) -> Response:
        values = await form_values(request)
        data, rows = kind.read_input(values, kind.specs(request))
        try:
            record = await kind.facade(request).create(data)
        except ValidationError as exc:
            return _form_page(kind, request, _refused(kind, values, rows, exc), None, 400)
        return see_other(kind.url(record.id))

    @signed_in
    async def edit_form(request: Request) -> Response:
        request.state.actor.require(f"{kind.plural}.write")
        record = await kind.facade(request).get(record_id(request))
        form = Form(kind.record_values(record), labels=kind.labels)
        return _form_page(kind, request, form, record)

    @signed_in
    async def update(request: Request) -> Response:
        facade = kind.facade(request)
        rid = record_id(request)
        values = await form_values(request)
        version = forms.form_version(values)
        data, rows = kind.read_input(values, kind.specs(request))
        data.setdefault("owner", None)
        try:
            record = await facade.update(rid, data, version=version)
        except ValidationError as exc:
            current = await facade.get(rid)
            return _form_page(kind, request, _refused(kind, values, rows, exc), current, 400)
        except StaleRecordError:
            current = await facade.get(rid)
            notice = (
                f"Someone else changed this {kind.entity} while you were editing it. "
                "Your changes are below but were not saved: compare them with the "
                f"current {kind.entity} (open it in another tab), then save again to keep yours."
            )
            form = Form(
                {**values, "version": str(current.version)}, labels=kind.labels, notice=notice
            )
            return _form_page(kind, request, form, current, 409)
        return see_other(kind.url(record.id))

    @signed_in
    async def delete(request: Request) -> Response:
        rid = record_id(request)
        await kind.facade(request).delete(rid)
        return see_other(query_url(f"/{kind.plural}", removed=rid))

    @signed_in
    async def restore(request: Request) -> Response:
        record = await kind.facade(request).restore(record_id(request))
        return see_other(kind.url(record.id))

    base = f"/{kind.plural}"
    one = f"{base}/{{record_id:int}}"
    return [
        Route(f"{base}/new", new_form, methods=["GET"], name=f"{kind.entity}_new"),
        Route(f"{base}/new", create, methods=["POST"], name=f"{kind.entity}_create"),
        Route(one, detail, methods=["GET"], name=kind.entity),
        Route(f"{one}/edit", edit_form, methods=["GET"], name=f"{kind.entity}_edit"),
        Route(f"{one}/edit", update, methods=["POST"], name=f"{kind.entity}_update"),
        Route(f"{one}/delete", delete, methods=["POST"], name=f"{kind.entity}_delete"),
        Route(f"{one}/restore", restore, methods=["POST"], name=f"{kind.entity}_restore"),
    ]
