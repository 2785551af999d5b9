"""The home dashboard: my planned follow-ups with their counts, and recent interactions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sampark.core.errors import NotFoundError
from sampark.core.records import InteractionRecord, Page
from sampark.web.routes.common import signed_in
from sampark.web.templating import render

FOLLOWUPS_SHOWN = 20
RECENT_SHOWN = 10


async def _names(crm: Any, *pages: Page[InteractionRecord] | None) -> dict[str, str]:
    """Names of the contacts and accounts taking part, by ``contact:7`` / ``account:3``.

    At most FOLLOWUPS_SHOWN + RECENT_SHOWN interactions, so a bounded number of lookups;
    one the user may not see keeps its number.
    """
    names: dict[str, str] = {}
    for item in (item for page in pages for item in page or ()):
        for entity, ids, facade in (
            ("contact", item.contact_ids, crm.contacts),
            ("account", item.account_ids, crm.accounts),
        ):
            for record_id in ids:
                key = f"{entity}:{record_id}"
                if key in names:
                    continue
                try:
                    record = await facade.get(record_id)
                except NotFoundError:
                    names[key] = f"{entity} {record_id}"
                else:
                    names[key] = getattr(record, "display_name", None) or record.name
    return names


@signed_in
async def home(request: Request) -> Response:
    actor = request.state.actor
    crm = request.state.crm
    followups = recent = None
    if actor.can("interactions.read"):
        followups = await crm.interactions.followups(owner=actor.username, limit=FOLLOWUPS_SHOWN)
        recent = await crm.interactions.recent(limit=RECENT_SHOWN)
    now = dt.datetime.now(dt.UTC)
    overdue = [item for item in followups or () if item.due_at and item.due_at < now]
    return render(
        request,
        "home.html",
        {
            "followups": followups,
            "recent": recent,
            "overdue_ids": {item.id for item in overdue},
            "names": await _names(crm, followups, recent),
            "numbers": await crm.dashboard_numbers(),
            "counts": {
                "followups": f"{len(followups)}{'+' if followups.next_cursor else ''}"
                if followups is not None
                else None,
                "overdue": len(overdue),
            },
        },
    )


async def health(request: Request) -> JSONResponse:
    """For load balancers: the app is up (it says nothing about who is signed in)."""
    return JSONResponse(
        {"status": "ok", "plugins": request.app.state.kernel.plugins.enabled_labels}
    )


def routes() -> list[Route]:
    return [
        Route("/", home, methods=["GET"], name="home"),
        Route("/health", health, methods=["GET"], name="health"),
    ]
