"""Every page through the ASGI app, signed in as users of different roles."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from sampark.core.custom_fields import CustomFieldSpec
from sampark.core.kernel import Sampark
from sampark.core.permissions import Role
from sampark.core.services import auth
from sampark.core.settings import WebSettings
from sampark.web.app import build_app


def _token(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


async def _post(client: httpx.AsyncClient, page: str, action: str, data: dict[str, Any]) -> Any:
    """Open ``page`` (for its CSRF token), then submit ``data`` to ``action`` as its form."""
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    return await client.post(action, data={**data, "csrf_token": _token(shown.text)})


def _row_names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/\w+/\d+" dir="auto">([^<]*)</a>', html)


# ---------------------------------------------------------------------------
# Home
# ---------------------------------------------------------------------------


async def test_the_dashboard_lists_my_followups_and_marks_one_done(
    web_crm: Sampark, browser: Any
) -> None:
    contact = await web_crm.contacts.create(first_name="Asha", owner="ravi")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    overdue = await web_crm.interactions.log(
        kind="call",
        status="planned",
        due_at=past,
        subject="Chase the PO",
        contacts=[contact.id],
        author="ravi",
    )
    await web_crm.interactions.log(
        kind="meeting",
        status="planned",
        due_at=later,
        subject="Visit the shop",
        contacts=[contact.id],
        author="ravi",
    )
    await web_crm.interactions.log(
        kind="call",
        status="planned",
        due_at=later,
        subject="Someone else's",
        contacts=[contact.id],
        author="asha",
    )
    ravi = await browser("ravi")
    home = await ravi.get("/")
    assert home.status_code == 200
    assert "Chase the PO" in home.text and "Visit the shop" in home.text
    assert "Someone else&#39;s" not in home.text
    assert re.search(r'id="count-followups">2<', home.text)
    assert re.search(r'id="count-overdue">1<', home.text)
    assert f'<a href="/contacts/{contact.id}" dir="auto">Asha</a>' in home.text
    done = await ravi.post(
        f"/interactions/{overdue.id}/complete",
        data={"outcome": "PO promised", "next": "/", "csrf_token": _token(home.text)},
    )
    assert done.status_code == 303 and done.headers["location"] == "/"
    record = await web_crm.interactions.get(overdue.id)
    assert (record.status, record.outcome) == ("done", "PO promised")
    after = (await ravi.get("/")).text
    followups, recent = after.split('id="followups"', 1)[1].split('id="recent"', 1)
    assert "Chase the PO" not in followups
    assert "Chase the PO" in recent


async def test_the_dashboard_shows_recent_interactions_newest_first(
    web_crm: Sampark, browser: Any
) -> None:
    contact = await web_crm.contacts.create(first_name="मीरा", owner="ravi")
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    await web_crm.interactions.log(
        kind="call", occurred_at=earlier, subject="First call", contacts=[contact.id]
    )
    await web_crm.interactions.log(kind="email", subject="Sent the quote", contacts=[contact.id])
    home = await (await browser("ravi")).get("/")
    assert home.status_code == 200
    recent = home.text.split('id="recent"', 1)[1]
    assert recent.index("Sent the quote") < recent.index("First call")
    assert "मीरा" in recent


async def test_after_the_demo_the_admin_dashboard_is_busy(
    web_crm: Sampark, admin: httpx.AsyncClient
) -> None:
    """The admin who signs in first after ``sampark demo`` sees follow-ups, not an empty page."""
    await web_crm.demo(contacts=15, seed=8)
    page = (await admin.get("/")).text
    followups = re.findall(r'<li class="entry( overdue)?">', page.split('id="followups"')[1])
    assert len(followups) >= 3
    assert any(followups) and not all(followups)  # overdue ones and ones still to come
    assert int(re.search(r'id="count-overdue">(\d+)<', page)[1]) >= 1


async def test_navigation_shows_what_the_user_may_use(browser: Any) -> None:
    asha = await browser("asha")
    page = (await asha.get("/")).text
    assert '<a href="/contacts">Contacts</a>' in page
    assert 'aria-current="page"' in page
    assert '<a class="skip-link" href="#main">' in page
    assert '<html lang="en" dir="ltr">' in page and '<meta charset="utf-8">' in page


# ---------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------


async def test_the_contacts_list_pages_filters_and_searches(
    web_crm: Sampark, admin: httpx.AsyncClient
) -> None:
    await web_crm.contacts.bulk_create(
        {"first_name": f"Contact {n:02d}", "owner": "asha", "tags": ["vip"] if n % 10 == 0 else []}
        for n in range(55)
    )
    await web_crm.contacts.create(
        first_name="आशा", last_name="राव", owner="ravi", phones=["+91 98765 43210"]
    )
    first = await admin.get("/contacts")
    assert first.status_code == 200
    names = _row_names(first.text)
    assert len(names) == 50 and names[0] == "Contact 00"
    next_url = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = await admin.get(next_url)
    assert _row_names(second.text) == [*(f"Contact {n}" for n in range(50, 55)), "आशा राव"]
    assert 'rel="next"' not in second.text

    tagged = await admin.get("/contacts?tag=vip")
    assert _row_names(tagged.text) == [f"Contact {n:02d}" for n in range(0, 55, 10)]
    owned = await admin.get("/contacts?owner=ravi")
    assert _row_names(owned.text) == ["आशा राव"]
    unknown = await admin.get("/contacts?owner=nobody")
    assert unknown.status_code == 400
    assert "no user named" in unknown.text

    found = await admin.get("/contacts?q=98765")
    assert _row_names(found.text) == ["आशा राव"]
    partial = await admin.get("/contacts/rows?q=राव")
    assert partial.status_code == 200
    assert "<html" not in partial.text and _row_names(partial.text) == ["आशा राव"]
    both = await admin.get("/contacts/rows?q=Contact&tag=vip")
    assert _row_names(both.text) == [f"Contact {n:02d}" for n in range(0, 55, 10)]
    assert 'data-live-search="/contacts/rows"' in first.text


async def test_the_accounts_list_filters_by_kind(web_crm: Sampark, admin: httpx.AsyncClient):
    await web_crm.accounts.create(name="Sundar Textiles", kinds=["customer"])
    await web_crm.accounts.create(name="Mehta Mills", kinds=["supplier"])
    everything = await admin.get("/accounts")
    assert _row_names(everything.text) == ["Mehta Mills", "Sundar Textiles"]
    suppliers = await admin.get("/accounts?kind=supplier")
    assert _row_names(suppliers.text) == ["Mehta Mills"]
    assert '<option value="supplier" selected>' in suppliers.text
    assert _row_names((await admin.get("/accounts?q=sundar")).text) == ["Sundar Textiles"]


async def test_agents_see_only_their_own_records(web_crm: Sampark, browser: Any) -> None:
    mine = await web_crm.contacts.create(first_name="Mine", owner="ravi")
    theirs = await web_crm.contacts.create(first_name="Theirs", owner="asha")
    ravi = await browser("ravi")
    assert _row_names((await ravi.get("/contacts")).text) == ["Mine"]
    assert (await ravi.get(f"/contacts/{mine.id}")).status_code == 200
    hidden = await ravi.get(f"/contacts/{theirs.id}")
    assert hidden.status_code == 404
    assert "Theirs" not in hidden.text


# ---------------------------------------------------------------------------
# Detail
# ---------------------------------------------------------------------------


async def test_a_contact_page_shows_fields_links_timeline_and_audit(
    web_crm: Sampark, browser: Any
) -> None:
    account = await web_crm.accounts.create(name="Sundar Textiles", owner="ravi")
    contact = await web_crm.contacts.create(
        first_name="Asha",
        last_name="Rao",
        emails=["asha@example.in", {"email": "asha@home.in", "label": "home"}],
        phones=["+91 98765 43210"],
        addresses=[{"city": "Bengaluru", "country": "IN"}],
        tags=["donor"],
        notes="Prefers calls",
        owner="ravi",
    )
    await web_crm.links.create(contact.id, account.id, role="Buyer", primary=True)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for n in range(25):
        await web_crm.interactions.log(
            kind="call",
            subject=f"Call {n:02d}",
            occurred_at=start + dt.timedelta(days=n),
            contacts=[contact.id],
        )
    asha = await browser("asha")
    page = await asha.get(f"/contacts/{contact.id}")
    assert page.status_code == 200
    text = page.text
    for expected in (
        "Asha Rao",
        "asha@home.in",
        "+919876543210",
        "Bengaluru",
        "donor",
        "Prefers calls",
        "Sundar Textiles",
        "Buyer",
        "ravi",
    ):
        assert expected in text, expected
    assert "Call 24" in text and "Call 05" in text and "Call 04" not in text
    older = re.search(r'href="([^"]+)" id="older-entries"', text).group(1)
    second = await asha.get(older.replace("&amp;", "&"))
    assert "Call 04" in second.text and "Call 00" in second.text and "Call 24" not in second.text
    assert 'id="audit-heading">Changes' in text and "create" in text


async def test_the_audit_trail_needs_audit_read(
    make_kernel: Callable[..., Awaitable[Sampark]], web: Any
) -> None:
    viewer = Role("viewer", ("contacts.read",))
    kernel = await make_kernel(web=WebSettings(secret_key="k" * 40), roles=(viewer,))
    await auth.add_user(kernel, "vera", password=web.password, roles=("viewer",))
    contact = await kernel.contacts.create(first_name="Asha")
    async with web.client(build_app(kernel)) as client:
        await web.sign_in(client, "vera")
        page = await client.get(f"/contacts/{contact.id}")
    assert page.status_code == 200
    assert 'id="audit-heading"' not in page.text
    assert 'href="/accounts"' not in page.text  # no accounts.read, no link


async def test_an_account_page_shows_its_people(web_crm: Sampark, admin: httpx.AsyncClient):
    parent = await web_crm.accounts.create(name="Sundar Group")
    account = await web_crm.accounts.create(
        name="Sundar Textiles",
        kinds=["customer"],
        website="sundar.example.in",
        parent_id=parent.id,
    )
    contact = await web_crm.contacts.create(first_name="Asha")
    await web_crm.links.create(contact.id, account.id, role="Buyer")
    page = await admin.get(f"/accounts/{account.id}")
    assert page.status_code == 200
    assert "customer" in page.text and "https://sundar.example.in" in page.text
    assert f'href="/accounts/{parent.id}" dir="auto">Sundar Group' in page.text
    assert f'href="/contacts/{contact.id}" dir="auto">Asha' in page.text


# ---------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------


async def test_a_bad_field_is_shown_beside_it_and_the_input_is_kept(
    web_crm: Sampark, admin: httpx.AsyncClient
) -> None:
    refused = await _post(
        admin,
        "/contacts/new",
        "/contacts/new",
        {
            "first_name": "Asha",
            "emails[0].email": "",
            "emails[1].email": "asha@",
            "phones[0].number": "+91 98765 43210",
            "tags": "donor, vip",
        },
    )
    assert refused.status_code == 400
    html = refused.text
    error = re.search(r'<p class="field-error" id="f-emails-1-email-error">(.*?)</p>', html)
    assert error and "not a valid email address" in error.group(1)
    assert 'name="emails[1].email" value="asha@"' in html
    assert 'aria-describedby="f-emails-1-email-error" aria-invalid="true"' in html
    assert 'name="first_name" value="Asha"' in html
    assert 'name="tags" value="donor, vip"' in html
    assert '<a href="#f-emails-1-email">Email 2</a>' in html  # the summary links to it
    assert len(await web_crm.contacts.list()) == 0

    fixed = await admin.post(
        "/contacts/new",
        data={
            "first_name": "Asha",
            "emails[1].email": "asha@example.in",
            "phones[0].number": "+91 98765 43210",
            "tags": "donor, vip",
            "csrf_token": _token(html),
        },
    )
    assert fixed.status_code == 303
    [contact] = await web_crm.contacts.list()
    assert fixed.headers["location"] == f"/contacts/{contact.id}"
    assert contact.primary_email == "asha@example.in"
    assert contact.tags == ("donor", "vip")
    assert contact.owner == "asha"


async def test_a_stale_edit_is_refused_with_the_input_kept(
    web_crm: Sampark, admin: httpx.AsyncClient
) -> None:
    contact = await web_crm.contacts.create(first_name="Asha", emails=["asha@example.in"])
    form = await admin.get(f"/contacts/{contact.id}/edit")
    assert 'name="version" value="1"' in form.text
    assert 'name="emails[0].email" value="asha@example.in"' in form.text
    await web_crm.contacts.update(contact.id, last_name="Rao")  # someone else, meanwhile
    mine = {
        "first_name": "Asha",
        "last_name": "Menon",
        "emails[0].email": "asha@example.in",
        "version": "1",
        "csrf_token": _token(form.text),
    }
    stale = await admin.post(f"/contacts/{contact.id}/edit", data=mine)
    assert stale.status_code == 409
    assert "Someone else changed this contact" in stale.text
    assert 'name="last_name" value="Menon"' in stale.text
    assert 'name="version" value="2"' in stale.text
    assert (await web_crm.contacts.get(contact.id)).last_name == "Rao"
    again = await admin.post(f"/contacts/{contact.id}/edit", data={**mine, "version": "2"})
    assert again.status_code == 303
    assert (await web_crm.contacts.get(contact.id)).display_name == "Asha Menon"


async def test_custom_fields_are_edited_on_the_form(
    make_kernel: Callable[..., Awaitable[Sampark]], web: Any
) -> None:
    specs = (
        CustomFieldSpec("contact", "region", "choice", choices=("north", "south")),
        CustomFieldSpec("contact", "vip", "boolean"),
        CustomFieldSpec("contact", "visits", "number"),
    )
    kernel = await make_kernel(web=WebSettings(secret_key="k" * 40), custom_fields=specs)
    await auth.add_user(kernel, "asha", password=web.password, roles=("admin",))
    async with web.client(build_app(kernel)) as client:
        await web.sign_in(client, "asha")
        form = await client.get("/contacts/new")
        assert '<select id="f-custom-region" name="custom.region"' in form.text
        refused = await client.post(
            "/contacts/new",
            data={"first_name": "Asha", "custom.visits": "many", "csrf_token": _token(form.text)},
        )
        assert refused.status_code == 400
        assert 'id="f-custom-visits-error"' in refused.text
        saved = await client.post(
            "/contacts/new",
            data={
                "first_name": "Asha",
                "custom.region": "south",
                "custom.vip": "true",
                "custom.visits": "3",
                "csrf_token": _token(form.text),
            },
        )
        assert saved.status_code == 303
        page = await client.get(saved.headers["location"])
    [contact] = await kernel.contacts.list()
    assert contact.custom == {"region": "south", "vip": True, "visits": 3}
    assert "Region" in page.text and "south" in page.text


async def test_accounts_are_created_and_edited(web_crm: Sampark, admin: httpx.AsyncClient):
    created = await _post(
        admin,
        "/accounts/new",
        "/accounts/new",
        {"name": "Sundar Textiles", "kinds": ["customer", "partner"], "website": "sundar.in"},
    )
    assert created.status_code == 303
    [account] = await web_crm.accounts.list()
    assert account.kinds == ("customer", "partner")
    form = await admin.get(f"/accounts/{account.id}/edit")
    assert 'value="customer" checked' in form.text
    bad = await admin.post(
        f"/accounts/{account.id}/edit",
        data={
            "name": "",
            "kinds": ["customer"],
            "version": str(account.version),
            "csrf_token": _token(form.text),
        },
    )
    assert bad.status_code == 400
    assert 'id="f-name-error"' in bad.text


# ---------------------------------------------------------------------------
# Things done from a record's page
# ---------------------------------------------------------------------------


async def test_log_an_interaction_and_plan_a_followup(web_crm: Sampark, browser: Any) -> None:
    contact = await web_crm.contacts.create(first_name="Asha", owner="ravi")
    ravi = await browser("ravi")
    page = f"/contacts/{contact.id}"
    logged = await _post(
        ravi,
        page,
        f"{page}/interactions",
        {
            "status": "done",
            "kind": "call",
            "subject": "Discussed the order",
            "outcome": "Sends PO Friday",
            "direction": "outbound",
        },
    )
    assert logged.status_code == 303 and logged.headers["location"] == f"{page}#timeline"
    refused = await _post(
        ravi,
        page,
        f"{page}/interactions",
        {"status": "planned", "kind": "call", "subject": "Chase the PO", "due_at": ""},
    )
    assert refused.status_code == 400
    assert 'id="plan-due_at-error"' in refused.text
    assert 'name="subject" value="Chase the PO"' in refused.text
    planned = await _post(
        ravi,
        page,
        f"{page}/interactions",
        {
            "status": "planned",
            "kind": "call",
            "subject": "Chase the PO",
            "due_at": "2099-12-01T10:00",
        },
    )
    assert planned.status_code == 303
    timeline = (await ravi.get(page)).text
    assert "Discussed the order" in timeline and "Chase the PO" in timeline
    assert "Mark done" in timeline
    followups = await web_crm.interactions.followups()
    assert [(f.subject, f.author) for f in followups] == [("Chase the PO", "ravi")]


async def test_link_a_contact_to_an_account_and_unlink_it(
    web_crm: Sampark, admin: httpx.AsyncClient
) -> None:
    contact = await web_crm.contacts.create(first_name="Asha")
    account = await web_crm.accounts.create(name="Sundar Textiles")
    found = await admin.get(f"/contacts/{contact.id}/link?q=Sundar")
    assert found.status_code == 200 and f'id="link-{account.id}"' in found.text
    linked = await admin.post(
        f"/contacts/{contact.id}/link",
        data={
            "other_id": str(account.id),
            "role": "Buyer",
            "primary": "on",
            "csrf_token": _token(found.text),
        },
    )
    assert linked.status_code == 303
    [link] = await web_crm.links.of_contact(contact.id)
    assert (link.account_id, link.role, link.primary) == (account.id, "Buyer", True)
    page = await admin.get(f"/accounts/{account.id}")
    assert "Asha" in page.text
    unlinked = await admin.post(
        f"/links/{link.id}/delete",
        data={"next": f"/accounts/{account.id}", "csrf_token": _token(page.text)},
    )
    assert unlinked.status_code == 303
    assert len(await web_crm.links.of_contact(contact.id)) == 0


async def test_delete_then_undo(web_crm: Sampark, admin: httpx.AsyncClient) -> None:
    contact = await web_crm.contacts.create(first_name="Asha")
    deleted = await _post(admin, f"/contacts/{contact.id}", f"/contacts/{contact.id}/delete", {})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == f"/contacts?removed={contact.id}"
    notice = await admin.get(deleted.headers["location"])
    assert "Asha</bdi> was deleted." in notice.text
    assert f'action="/contacts/{contact.id}/restore"' in notice.text
    assert (await admin.get(f"/contacts/{contact.id}")).status_code == 404
    restored = await admin.post(
        f"/contacts/{contact.id}/restore", data={"csrf_token": _token(notice.text)}
    )
    assert restored.status_code == 303
    assert (await admin.get(f"/contacts/{contact.id}")).status_code == 200


async def test_a_read_only_user_can_look_but_not_change(web_crm: Sampark, browser: Any) -> None:
    contact = await web_crm.contacts.create(first_name="Asha")
    mira = await browser("mira")
    page = await mira.get(f"/contacts/{contact.id}")
    assert page.status_code == 200
    assert 'id="edit"' not in page.text and 'id="delete"' not in page.text
    assert 'id="log-form"' not in page.text
    assert 'id="new-contact"' not in (await mira.get("/contacts")).text
    assert (await mira.get("/contacts/new")).status_code == 403
    denied = await mira.post(
        "/contacts/new", data={"first_name": "Ravi", "csrf_token": _token(page.text)}
    )
    assert denied.status_code == 403
    assert "contacts.write" in denied.text
    gone = await mira.post(f"/contacts/{contact.id}/delete", data={"csrf_token": _token(page.text)})
    assert gone.status_code == 403
    assert len(await web_crm.contacts.list()) == 1


async def test_names_in_any_script_render(web_crm: Sampark, admin: httpx.AsyncClient) -> None:
    arabic = await web_crm.contacts.create(first_name="ليلى", last_name="حداد")
    chinese = await web_crm.contacts.create(first_name="王", last_name="芳")
    for contact in (arabic, chinese):
        page = await admin.get(f"/contacts/{contact.id}")
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert f'<h1 dir="auto" id="record-title">{contact.display_name}</h1>' in page.text


async def test_every_page_renders_for_every_role(web_crm: Sampark, browser: Any) -> None:
    account = await web_crm.accounts.create(name="Sundar Textiles", owner="ravi")
    contact = await web_crm.contacts.create(first_name="Asha", owner="ravi")
    await web_crm.links.create(contact.id, account.id)
    await web_crm.interactions.log(kind="call", contacts=[contact.id], accounts=[account.id])
    pages = [
        "/",
        "/contacts",
        "/contacts?deleted=1",
        f"/contacts/{contact.id}",
        f"/contacts/{contact.id}/link?q=Sundar",
        "/accounts",
        f"/accounts/{account.id}",
        f"/accounts/{account.id}/link?q=Asha",
        "/accounts/new",
        f"/accounts/{account.id}/edit",
    ]
    for username in ("asha", "maya", "ravi", "mira"):
        client = await browser(username)
        for path in pages:
            response = await client.get(path)
            assert response.status_code in (200, 403), (username, path, response.status_code)
            assert "Something went wrong" not in response.text
            head = await client.head(path)
            assert head.status_code == response.status_code
