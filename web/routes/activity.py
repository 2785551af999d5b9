"""Things done from a record's page: log an interaction, plan a follow-up, mark one done,
link a contact to an account and unlink them."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sampark.core.errors import ValidationError
from sampark.web import forms
from sampark.web.forms import Form
from sampark.web.routes.common import form_values, safe_next, see_other, signed_in
from sampark.web.routes.records import (
    ACCOUNTS,
    CONTACTS,
    Kind,
    detail_page,
    interaction_form,
    record_id,
)
from sampark.web.templating import render

LINK_SEARCH_SIZE = 20


def _interaction_routes(kind: Kind) -> list[Route]:
    @signed_in
    async def log(request: Request) -> Response:
        """Log what happened (status done) or plan a follow-up (status planned)."""
        rid = record_id(request)
        values = await form_values(request)
        status = "planned" if values.get("status") == "planned" else "done"
        data = forms.interaction_input(values, status)
        data[kind.plural] = [rid]
        try:
            await request.state.crm.interactions.log(data)
        except ValidationError as exc:
            errors: dict[str, list[str]] = {}
            for error in exc.errors:
                errors.setdefault(error.field, []).append(error.message)
            form = interaction_form(values, errors, status)
            chosen = {"plan_form": form} if status == "planned" else {"log_form": form}
            return await detail_page(kind, request, status_code=400, **chosen)
        return see_other(kind.url(rid) + "#timeline")

    return [
        Route(
            f"/{kind.plural}/{{record_id:int}}/interactions",
            log,
            methods=["POST"],
            name=f"{kind.entity}_log",
        )
    ]


@signed_in
async def complete(request: Request) -> Response:
    """Mark a planned follow-up done, then go back where the button was."""
    values = await form_values(request)
    await request.state.crm.interactions.complete(
        int(request.path_params["interaction_id"]), outcome=str(values.get("outcome", ""))
    )
    return see_other(safe_next(values.get("next")))


# ---------------------------------------------------------------------------
# Links between contacts and accounts
# ---------------------------------------------------------------------------


def _link_routes(kind: Kind) -> list[Route]:
    other = ACCOUNTS if kind is CONTACTS else CONTACTS

    async def page(request: Request, form: Form, status_code: int = 200) -> Response:
        rid = record_id(request)
        record = await kind.facade(request).get(rid)
        query = request.query_params.get("q", "").strip() or str(form.value("q"))
        found: Any = []
        if query:
            found = await other.facade(request).search(query, limit=LINK_SEARCH_SIZE)
        return render(
            request,
            "records/link.html",
            {
                "kind": kind,
                "other": other,
                "record": record,
                "q": query,
                "found": found,
                "form": form,
            },
            status_code=status_code,
        )

    @signed_in
    async def link_form(request: Request) -> Response:
        request.state.actor.require("accounts.write")  # links are part of accounts
        return await page(request, Form(labels={"role": "Role"}))

    @signed_in
    async def link(request: Request) -> Response:
        rid = record_id(request)
        values = await form_values(request)
        other_id = str(values.get("other_id", ""))
        ids = (rid, int(other_id)) if other_id.isdigit() else None
        try:
            if ids is None:
                raise ValidationError.single("other_id", f"choose the {other.entity} to link")
            contact_id, account_id = ids if kind is CONTACTS else ids[::-1]
            await request.state.crm.links.create(
                contact_id,
                account_id,
                role=str(values.get("role", "")).strip(),
                primary=values.get("primary") == "on",
            )
        except ValidationError as exc:
            errors: dict[str, list[str]] = {}
            for error in exc.errors:
                errors.setdefault(error.field, []).append(error.message)
            return await page(request, Form(values, errors, {"role": "Role"}), 400)
        return see_other(kind.url(rid) + "#links")

    one = f"/{kind.plural}/{{record_id:int}}/link"
    return [
        Route(one, link_form, methods=["GET"], name=f"{kind.entity}_link"),
        Route(one, link, methods=["POST"], name=f"{kind.entity}_link_submit"),
    ]


@signed_in
async def unlink(request: Request) -> Response:
    values = await form_values(request)
    await request.state.crm.links.delete(int(request.path_params["link_id"]))
    return see_other(safe_next(values.get("next")))


def routes() -> list[Route]:
    return [
        *_interaction_routes(CONTACTS),
        *_interaction_routes(ACCOUNTS),
        *_link_routes(CONTACTS),
        *_link_routes(ACCOUNTS),
        Route(
            "/interactions/{interaction_id:int}/complete",
            complete,
            methods=["POST"],
            name="interaction_complete",
        ),
        Route("/links/{link_id:int}/delete", unlink, methods=["POST"], name="link_delete"),
    ]
