"""The pipeline's pages: board, moving a card without JavaScript, forms, list, forecast, panels."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from argon2 import PasswordHasher

from sampark.core.kernel import Sampark
from sampark.core.services import auth, users
from sampark.core.settings import WebSettings
from sampark.plugins.pipeline.facade import Deals
from sampark.web.app import build_app

PASSWORD = "a long enough passphrase"
SECRET = "pipeline-test-secret-" + "x" * 32
USERS = {"asha": ("admin",), "ravi": ("agent",), "mira": ("read-only",)}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

Browser = Callable[[str], Awaitable[httpx.AsyncClient]]


@pytest.fixture(autouse=True)
def _quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
async def web_pipe(make_kernel) -> Sampark:
    kernel = await make_kernel(plugins=("pipeline",), web=WebSettings(secret_key=SECRET))
    for username, roles in USERS.items():
        await auth.add_user(kernel, username, password=PASSWORD, roles=roles)
    return kernel


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found
    return found.group(1)


@pytest.fixture
async def browser(web_pipe: Sampark) -> AsyncIterator[Browser]:
    app = build_app(web_pipe)
    clients: list[httpx.AsyncClient] = []

    async def open_as(username: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url="http://localhost")
        clients.append(client)
        page = await client.get("/login")
        signed = await client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert signed.status_code == 303
        return client

    yield open_as
    for client in clients:
        await client.aclose()


async def test_moving_a_card_with_its_form_puts_it_in_the_new_column(web_pipe, browser):
    acme = await web_pipe.accounts.create(name="Acme")
    deal = await Deals(web_pipe).create(title="Licence", amount="1250.50", account=acme.id)
    asha = await browser("asha")
    board = await asha.get("/pipeline/")
    assert board.status_code == 200
    column = board.text.split('id="column-qualification"')[1].split("</section>")[0]
    assert f'id="deal-{deal.id}"' in column and "INR 1,250.50" in column
    assert 'aria-current="page"' in board.text.split('href="/pipeline/"')[1][:30]
    assert "<script>" not in board.text and "style=" not in board.text
    moved = await asha.post(
        f"/pipeline/deals/{deal.id}/move",
        data={
            "stage": "proposal",
            "version": "1",
            "next": "/pipeline/",
            "csrf_token": csrf_of(board.text),
        },
    )
    assert moved.status_code == 303 and moved.headers["location"] == f"/pipeline/?moved={deal.id}"
    board = await asha.get(moved.headers["location"])
    proposal = board.text.split('id="column-proposal"')[1].split("</section>")[0]
    assert f'id="deal-{deal.id}"' in proposal
    assert (
        f'id="deal-{deal.id}"'
        not in board.text.split('id="column-qualification"')[1].split("</section>")[0]
    )
    account_page = await asha.get(f"/accounts/{acme.id}")
    assert "Deal moved: Licence (Qualification → Proposal)" in account_page.text
    assert "Deals" in account_page.text and f"/pipeline/deals/{deal.id}" in account_page.text
    stale = await asha.post(
        f"/pipeline/deals/{deal.id}/move",
        data={"stage": "won", "version": "1", "csrf_token": csrf_of(board.text)},
    )
    assert stale.status_code == 409 and "Someone else changed this deal" in stale.text
    assert (await Deals(web_pipe).get(deal.id)).stage == "proposal"


async def test_the_form_shows_errors_beside_fields_and_keeps_input(web_pipe, browser):
    asha = await browser("asha")
    form = await asha.get("/pipeline/deals/new")
    assert form.status_code == 200 and 'value="INR"' in form.text
    refused = await asha.post(
        "/pipeline/deals/new",
        data={
            "title": "Big one",
            "amount": "12.345",
            "currency": "INR",
            "stage": "proposal",
            "probability": "",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert refused.status_code == 400
    assert 'id="f-amount-error"' in refused.text and "2 decimal places" in refused.text
    assert 'value="Big one"' in refused.text and 'value="12.345"' in refused.text
    created = await asha.post(
        "/pipeline/deals/new",
        data={
            "title": "Big one",
            "amount": "12.34",
            "currency": "INR",
            "stage": "proposal",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert created.status_code == 303
    url = created.headers["location"]
    page = await asha.get(url)
    assert "INR 12.34" in page.text and "Proposal (open)" in page.text
    edit = await asha.get(f"{url}/edit")
    assert 'name="version" value="1"' in edit.text
    data = {
        "title": "Bigger",
        "amount": "20",
        "currency": "INR",
        "pipeline": "sales",
        "stage": "negotiation",
        "probability": "50",
        "owner": "asha",
        "version": "1",
        "csrf_token": csrf_of(edit.text),
    }
    saved = await asha.post(f"{url}/edit", data=data)
    assert saved.status_code == 303
    deal = (await Deals(web_pipe).list()).items[0]
    assert (deal.title, deal.stage, deal.probability) == ("Bigger", "negotiation", 75)
    stale = await asha.post(f"{url}/edit", data={**data, "title": "Stale"})
    assert stale.status_code == 409 and 'value="Stale"' in stale.text
    assert 'name="version" value="2"' in stale.text


async def test_list_forecast_and_deal_pages(web_pipe, browser):
    for number in range(55):
        await Deals(web_pipe).create(
            title=f"Deal {number}", amount="10", expected_close="2026-05-02"
        )
    mira = await browser("mira")
    first = await mira.get("/pipeline/deals")
    assert first.status_code == 200 and "Deal 54" in first.text and 'id="next-page"' in first.text
    next_url = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = await mira.get(next_url)
    assert "Deal 0" in second.text and "Deal 54" not in second.text
    bad = await mira.get("/pipeline/deals?status=maybe")
    assert bad.status_code == 400 and "must be open, won or lost" in bad.text
    forecast = await mira.get("/pipeline/forecast")
    assert (
        forecast.status_code == 200 and "2026-05" in forecast.text and "INR 55.00" in forecast.text
    )
    bad_dates = await mira.get("/pipeline/forecast?from=2026-02-30")
    assert bad_dates.status_code == 400 and 'id="f-from-error"' in bad_dates.text
    board = await mira.get("/pipeline/")
    assert "move-form" not in board.text and "5 more in Qualification" in board.text
    assert (await mira.get("/pipeline/deals/new")).status_code == 403


async def test_agents_see_only_their_deals_on_the_pages(web_pipe, browser):
    theirs = await Deals(web_pipe).create(title="Asha's", amount="1", owner="asha")
    ravi = await browser("ravi")
    assert (await ravi.get(f"/pipeline/deals/{theirs.id}")).status_code == 404
    assert "Asha&#39;s" not in (await ravi.get("/pipeline/")).text
    home = await ravi.get("/")
    assert "open deals" in home.text


async def test_deleting_from_the_deal_page(web_pipe, browser):
    deal = await Deals(web_pipe).create(title="Gone", amount="1")
    asha = await browser("asha")
    page = await asha.get(f"/pipeline/deals/{deal.id}")
    deleted = await asha.post(
        f"/pipeline/deals/{deal.id}/delete",
        data={"version": "1", "csrf_token": csrf_of(page.text)},
    )
    assert deleted.status_code == 303
    assert (await asha.get(f"/pipeline/deals/{deal.id}")).status_code == 404
    assert (await asha.get("/pipeline/static/board.js")).status_code == 200


async def test_the_bare_prefix_leads_to_the_board_and_visitors_sign_in_first(web_pipe, browser):
    asha = await browser("asha")
    bare = await asha.get("/pipeline")
    assert bare.status_code in (307, 308) and bare.headers["location"].endswith("/pipeline/")
    app = build_app(web_pipe)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as visitor:
        page = await visitor.get("/pipeline/forecast")
        assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
        posted = await visitor.post("/pipeline/deals/new", data={"title": "x"})
        assert posted.status_code in (303, 403)
    assert list(await Deals(web_pipe).list()) == []


async def test_the_deal_page_names_its_contacts(web_pipe, browser):
    asha_contact = await web_pipe.contacts.create(first_name="Priya", last_name="Raman")
    deal = await Deals(web_pipe).create(title="With people", contacts=[asha_contact.id])
    page = await (await browser("asha")).get(f"/pipeline/deals/{deal.id}")
    assert f'<a href="/contacts/{asha_contact.id}" dir="auto">Priya Raman</a>' in page.text


async def test_a_deleted_deal_is_undone_found_and_restored_with_its_trail(web_pipe, browser):
    acme = await web_pipe.accounts.create(name="Acme")
    deal = await Deals(web_pipe).create(title="Comeback", amount="1", account=acme.id)
    await Deals(web_pipe).update(deal.id, title="Comeback deal", account=None)
    asha = await browser("asha")
    page = await asha.get(f"/pipeline/deals/{deal.id}")
    assert 'id="audit"' in page.text
    assert "<dt>Title</dt>" in page.text and "Comeback</span> → <span" in page.text
    assert f'<a href="/accounts/{acme.id}" dir="auto">Acme</a> → —' in page.text
    deleted = await asha.post(
        f"/pipeline/deals/{deal.id}/delete",
        data={"version": "2", "csrf_token": csrf_of(page.text)},
    )
    listing = await asha.get(deleted.headers["location"])
    assert "Comeback deal</bdi> was deleted" in listing.text and 'id="restore"' in listing.text
    found = await asha.get("/pipeline/deals?deleted=1")
    assert "Deleted deals" in found.text and f"restore-deal-{deal.id}" in found.text
    stale = await asha.post(
        f"/pipeline/deals/{deal.id}/restore",
        data={"version": "2", "csrf_token": csrf_of(found.text)},
    )
    assert stale.status_code == 409
    restored = await asha.post(
        f"/pipeline/deals/{deal.id}/restore",
        data={"version": "3", "csrf_token": csrf_of(found.text)},
    )
    assert restored.headers["location"] == f"/pipeline/deals/{deal.id}"
    back = await asha.get(f"/pipeline/deals/{deal.id}")
    assert back.status_code == 200 and "<td>restore</td>" in back.text
    ravi = await browser("ravi")
    assert "deleted-deals" not in (await ravi.get("/pipeline/deals")).text
    refused = await ravi.post(
        f"/pipeline/deals/{deal.id}/restore",
        data={"version": "4", "csrf_token": csrf_of((await ravi.get("/pipeline/deals")).text)},
    )
    assert refused.status_code == 403


async def test_a_note_logged_on_the_deal_page_shows_there_and_on_the_contact(web_pipe, browser):
    contact = await web_pipe.contacts.create(first_name="Asha")
    deal = await Deals(web_pipe).create(title="Renewal", amount="10", contacts=[contact.id])
    asha = await browser("asha")
    page = await asha.get(f"/pipeline/deals/{deal.id}")
    assert 'id="timeline"' in page.text and 'id="log-form"' in page.text
    token = csrf_of(page.text)
    refused = await asha.post(
        f"/pipeline/deals/{deal.id}/interactions",
        data={"csrf_token": token, "status": "done", "kind": "note", "subject": "x" * 600},
    )
    assert refused.status_code == 400 and 'id="log-subject-error"' in refused.text
    logged = await asha.post(
        f"/pipeline/deals/{deal.id}/interactions",
        data={"csrf_token": token, "status": "done", "kind": "call", "subject": "Priced it"},
    )
    assert logged.headers["location"] == f"/pipeline/deals/{deal.id}#timeline"
    assert "Priced it" in (await asha.get(f"/pipeline/deals/{deal.id}")).text
    assert "Priced it" in (await asha.get(f"/contacts/{contact.id}")).text
    bare = await Deals(web_pipe).create(title="Alone", amount="1")
    alone = await asha.get(f"/pipeline/deals/{bare.id}")
    assert 'id="log-form"' not in alone.text and 'id="log-needs-people"' in alone.text
