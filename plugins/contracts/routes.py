"""The contract pages, mounted under ``/contracts/``: list, detail, create, edit, delete, restore.

Every read and write goes through the signed-in user's view of the CRM
(``request.state.crm``), so permissions and the "own" scope apply as in the API and CLI.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sampark.core.errors import NotFoundError, StaleRecordError, ValidationError
from sampark.core.records import Page
from sampark.plugins.contracts.facade import Contracts
from sampark.plugins.contracts.lifecycle import LABELS
from sampark.plugins.contracts.records import STATUSES, UNITS, ContractRecord
from sampark.web.audit_view import audit_context
from sampark.web.forms import Form, form_version
from sampark.web.routes.common import form_values, query_url, see_other, signed_in
from sampark.web.templating import render

PAGE_SIZE = 50
FORM_FIELDS = tuple(name for name in LABELS if name != "deleted_at")


def _contract_id(request: Request) -> int:
    return int(request.path_params["contract_id"])


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(error.field, []).append(error.message)
    return errors


@signed_in
async def listing(request: Request) -> Response:
    params = request.query_params
    facade = Contracts.of(request.state.crm)
    filters = {
        "q": params.get("q", "").strip(),
        "account_id": params.get("account_id", "").strip(),
        "status": params.get("status", "").strip(),
        "attention": "1" if params.get("attention") == "1" else "",
    }
    deleted = params.get("deleted") == "1" and request.state.actor.can("contracts.delete")
    errors: dict[str, list[str]] = {}
    page: Page[ContractRecord] = Page([])
    account_id = None
    if filters["account_id"]:
        if filters["account_id"].isdigit():
            account_id = int(filters["account_id"])
        else:
            errors["account_id"] = ["must be an account's id (a number)"]
    if not errors:
        try:
            if filters["q"] and not deleted:
                page = await facade.search(filters["q"], limit=PAGE_SIZE)
            else:
                page = await facade.list(
                    account_id=account_id,
                    status=filters["status"] or None,
                    attention=bool(filters["attention"]),
                    deleted=deleted,
                    cursor=params.get("cursor") or None,
                    limit=PAGE_SIZE,
                )
        except ValidationError as exc:
            errors = _errors(exc)
    more = {"deleted": "1"} if deleted else {}
    next_url = (
        query_url("/contracts/", **filters, **more, cursor=page.next_cursor)
        if page.next_cursor
        else None
    )
    return render(
        request,
        "contracts/list.html",
        {
            "filters": filters,
            "page": page,
            "filter_errors": errors,
            "next_url": next_url,
            "statuses": STATUSES,
            "deleted": deleted,
            "removed": await _removed(request),
        },
        status_code=400 if errors else 200,
    )


async def _removed(request: Request) -> ContractRecord | None:
    """The contract just deleted (for the "deleted: undo" notice), while it is still deleted."""
    removed = request.query_params.get("removed", "")
    if not removed.isdigit() or not request.state.actor.can("contracts.delete"):
        return None
    try:
        contract = await Contracts.of(request.state.crm).get(int(removed), include_deleted=True)
    except NotFoundError:
        return None
    return contract if contract.deleted_at is not None else None


@signed_in
async def detail(request: Request) -> Response:
    facade = Contracts.of(request.state.crm)
    contract = await facade.get(_contract_id(request))
    tickets = await facade.tickets(contract.id)
    url = f"/contracts/{contract.id}"
    return render(
        request,
        "contracts/detail.html",
        {
            "contract": contract,
            "tickets": tickets,
            **await audit_context(request, "contract", contract.id, url),
        },
    )


def _form_page(
    request: Request, form: Form, contract: ContractRecord | None, status_code: int = 200
) -> Response:
    action = f"/contracts/{contract.id}/edit" if contract else "/contracts/new"
    return render(
        request,
        "contracts/form.html",
        {"form": form, "contract": contract, "action": action, "units": UNITS},
        status_code=status_code,
    )


def _input(values: dict[str, Any]) -> dict[str, Any]:
    return {name: str(values.get(name, "")).strip() for name in FORM_FIELDS}


def _values(contract: ContractRecord) -> dict[str, Any]:
    return {
        "account_id": str(contract.account_id),
        "name": contract.name,
        "reference": contract.reference,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat() if contract.end_date else "",
        "unit": contract.unit,
        "units_included": format(contract.units_included.normalize(), "f"),
        "notes": contract.notes,
        "version": str(contract.version),
    }


@signed_in
async def new_form(request: Request) -> Response:
    request.state.actor.require("contracts.write")
    values = {"account_id": request.query_params.get("account_id", ""), "unit": "incidents"}
    return _form_page(request, Form(values, labels=LABELS), None)


@signed_in
async def create(request: Request) -> Response:
    values = await form_values(request)
    try:
        contract = await Contracts.of(request.state.crm).create(_input(values))
    except ValidationError as exc:
        return _form_page(request, Form(values, _errors(exc), LABELS), None, 400)
    return see_other(f"/contracts/{contract.id}")


@signed_in
async def edit_form(request: Request) -> Response:
    request.state.actor.require("contracts.write")
    contract = await Contracts.of(request.state.crm).get(_contract_id(request))
    return _form_page(request, Form(_values(contract), labels=LABELS), contract)


@signed_in
async def update(request: Request) -> Response:
    facade = Contracts.of(request.state.crm)
    contract_id = _contract_id(request)
    values = await form_values(request)
    version = str(values.get("version", ""))
    if not version.isdigit():
        raise HTTPException(400, "The form lost track of the contract's version: reload it.")
    try:
        contract = await facade.update(contract_id, _input(values), version=int(version))
    except ValidationError as exc:
        current = await facade.get(contract_id)
        return _form_page(request, Form(values, _errors(exc), LABELS), current, 400)
    except StaleRecordError:
        current = await facade.get(contract_id)
        notice = (
            "Someone else changed this contract while you were editing it. Your changes "
            "are below but were not saved: compare them with the current contract, then "
            "save again to keep yours."
        )
        form = Form({**values, "version": str(current.version)}, labels=LABELS, notice=notice)
        return _form_page(request, form, current, 409)
    return see_other(f"/contracts/{contract.id}")


@signed_in
async def delete(request: Request) -> Response:
    contract_id = _contract_id(request)
    values = await form_values(request)
    await Contracts.of(request.state.crm).delete(
        contract_id, version=form_version(values, "contract")
    )
    return see_other(query_url("/contracts/", removed=contract_id))


@signed_in
async def restore(request: Request) -> Response:
    values = await form_values(request)
    contract = await Contracts.of(request.state.crm).restore(
        _contract_id(request), version=form_version(values, "contract")
    )
    return see_other(f"/contracts/{contract.id}")


def routes() -> list[Route]:
    one = "/{contract_id:int}"
    return [
        Route("/", listing, methods=["GET"], name="index"),
        Route("/new", new_form, methods=["GET"], name="new"),
        Route("/new", create, methods=["POST"], name="create"),
        Route(one, detail, methods=["GET"], name="contract"),
        Route(f"{one}/edit", edit_form, methods=["GET"], name="edit"),
        Route(f"{one}/edit", update, methods=["POST"], name="update"),
        Route(f"{one}/delete", delete, methods=["POST"], name="delete"),
        Route(f"{one}/restore", restore, methods=["POST"], name="restore"),
    ]
