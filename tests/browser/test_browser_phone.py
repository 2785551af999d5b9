"""Every page of the app, core's and the built-in plugins', fits a 375 px phone screen.

The pages are found from the app's own routes, so a new page is checked without being
listed here. Wide things (a pipeline board, a table) may scroll inside their own box; the
page itself never scrolls sideways.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from starlette.routing import Mount, Route

from sampark.core.kernel import Sampark
from sampark.core.settings import Settings, WebSettings
from sampark.testing.browser import USERNAME
from sampark.testing.clients import SECRET
from sampark.web.app import build_app

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}
# GET routes that answer something other than a page (JSON, a fragment of rows).
NOT_PAGES = {"/health", "/contacts/rows", "/accounts/rows"}
LONG = "Venkatalakshminarayanan Subrahmanyam-Chakravarthy"
LONG_EMAIL = "venkatalakshminarayanan.subrahmanyam@kanyakumari-handlooms.example.in"

# How far the page scrolls sideways, and the innermost elements sticking out (or null).
SIDEWAYS = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const out = [...document.body.querySelectorAll('*')].filter(
    e => e.getBoundingClientRect().right > root.clientWidth + 1);
  const innermost = out.filter(e => !out.some(o => o !== e && e.contains(o)));
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.classList.length ? '.' + [...e.classList].join('.') : '');
  return {scroll: root.scrollWidth, client: root.clientWidth,
          sticking_out: innermost.slice(0, 6).map(name)};
}"""


@pytest.fixture(scope="module")
def served_plugins() -> tuple[str, ...]:
    return ("pipeline", "tickets", "contracts")


async def _seed(kernel: Sampark) -> dict[str, Any]:
    """The demo CRM, plus one record of each kind with the longest names and words."""
    from sampark.plugins.contracts.facade import Contracts
    from sampark.plugins.pipeline.facade import Deals
    from sampark.plugins.tickets.facade import Tickets

    await kernel.demo(contacts=24, seed=3)
    first, last = LONG.split()
    person = await kernel.contacts.create(
        first_name=first,
        last_name=last,
        emails=[LONG_EMAIL],
        phones=["+91 80 4112 9876"],
        tags=["wholesale-south-zone-priority", "दिवाली"],
    )
    account = await kernel.accounts.create(
        name="Kanyakumari Handlooms and Textiles Manufacturing Private Limited",
        kinds=["customer", "supplier"],
        website="https://www.kanyakumari-handlooms-and-textiles.example.in/about-us",
    )
    await kernel.links.create(person.id, account.id, role="Purchase Manager", primary=True)
    await kernel.interactions.log(
        kind="call",
        subject="Send the revised price list for the complete handloom catalogue",
        status="planned",
        due_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3),
        contacts=[person.id],
        accounts=[account.id],
        author=USERNAME,
    )
    deal = await Deals(kernel).create(
        title=f"Annual maintenance contract for {account.name}",
        amount="1250000",
        account=account.id,
        contacts=[person.id],
        owner=USERNAME,
    )
    ticket = await Tickets(kernel).open(
        subject="Importing the supplier catalogue stops at 80% with a timeout every time",
        description=f"Reported by {LONG} ({LONG_EMAIL}).",
        requester_id=person.id,
        account_id=account.id,
        assignee=USERNAME,
    )
    contract = await Contracts(kernel).create(
        account_id=account.id,
        name="Premium support and managed service agreement 2026",
        reference="SC-KANYAKUMARI-2026",
        start_date=dt.date.today() - dt.timedelta(days=30),
        end_date=dt.date.today() + dt.timedelta(days=335),
        unit="incidents",
        units_included=25,
    )
    return {
        "contacts": person.id,
        "accounts": account.id,
        "pipeline": deal.id,
        "tickets": ticket.id,
        "contracts": contract.id,
        "users": USERNAME,
    }


def _page_paths(server: Any) -> list[str]:
    """The path of every page the served app has (GET routes, path parameters unfilled)."""
    settings = Settings(
        database_url=server.database_url,
        plugins=server.plugins,
        web=WebSettings(secret_key=SECRET),
    )

    def walk(routes: list[Any], prefix: str = "") -> list[str]:
        found = []
        for route in routes:
            if isinstance(route, Mount) and route.routes:
                found += walk(route.routes, prefix + route.path)
            elif isinstance(route, Route) and "GET" in (route.methods or ()):
                found.append(prefix + route.path)
        return found

    return [path for path in walk(build_app(Sampark(settings)).routes) if path not in NOT_PAGES]


def _filled(path: str, ids: dict[str, Any]) -> str:
    """``/tickets/{ticket_id:int}`` -> ``/tickets/7``: the seeded record of the path's kind."""
    kind = path.strip("/").split("/")[0]
    return re.sub(r"\{[^}]+\}", lambda _: str(ids[kind]), path)


def test_every_page_fits_a_phone_screen(server: Any, open_browser: Any) -> None:
    ids = server.kernel_do(_seed)
    paths = [_filled(path, ids) for path in _page_paths(server)]
    # The walk really found the plugins' pages, not only core's.
    assert {"/pipeline/", "/pipeline/forecast", "/tickets/", "/contracts/"} <= set(paths)
    phone = open_browser(**PHONE)
    phone.sign_in()
    too_wide = {}
    for path in paths:
        response = phone.page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response}"
        overflow = phone.page.evaluate(SIDEWAYS)
        if overflow:
            too_wide[path] = overflow
    assert not too_wide, f"pages that scroll sideways at 375 px: {too_wide}"
    phone.assert_clean()
