"""The tickets pages: queue, forms with errors beside the fields, the ticket page, panels."""

from __future__ import annotations

import re
from typing import Any

from sampark.core.kernel import Sampark
from sampark.plugins.tickets.facade import Tickets


async def test_open_a_ticket_through_the_form(signed_in: Any, staff: dict, clients: Any) -> None:
    asha = await signed_in("asha")
    form = await asha.get(f"/tickets/new?requester_id={staff['contact'].id}")
    assert form.status_code == 200
    assert f'value="{staff["contact"].id}"' in form.text
    refused = await asha.post(
        "/tickets/new",
        data={
            "csrf_token": clients.csrf_of(form.text),
            "subject": "",
            "description": "Kept text",
            "requester_id": str(staff["contact"].id),
            "priority": "asap",
            "channel": "email",
        },
    )
    assert refused.status_code == 400
    assert 'id="f-subject-error"' in refused.text and "is required" in refused.text
    assert 'id="f-priority-error"' in refused.text
    assert "Kept text" in refused.text
    created = await asha.post(
        "/tickets/new",
        data={
            "csrf_token": clients.csrf_of(form.text),
            "subject": "Broken screen",
            "requester_id": str(staff["contact"].id),
            "priority": "high",
            "channel": "web",
            "tags": "hardware, screen",
        },
    )
    assert created.status_code == 303
    page = await asha.get(created.headers["location"])
    assert "T-000001: Broken screen" in page.text and "left" in page.text


async def test_reply_note_and_change_on_the_ticket_page(
    signed_in: Any, web_desk: Sampark, staff: dict, clients: Any
) -> None:
    ticket = await Tickets(web_desk).open(subject="Wifi", requester_id=staff["contact"].id)
    asha = await signed_in("asha")
    page = await asha.get(f"/tickets/{ticket.id}")
    assert page.status_code == 200
    token = clients.csrf_of(page.text)
    empty = await asha.post(
        f"/tickets/{ticket.id}/messages",
        data={"csrf_token": token, "body": "", "minutes": "x", "kind": "reply"},
    )
    assert empty.status_code == 400 and 'id="msg-body-error"' in empty.text
    assert 'id="msg-minutes-error"' in empty.text
    sent = await asha.post(
        f"/tickets/{ticket.id}/messages",
        data={"csrf_token": token, "body": "Try restarting", "minutes": "5", "kind": "reply"},
    )
    assert sent.status_code == 303
    await asha.post(
        f"/tickets/{ticket.id}/messages",
        data={"csrf_token": token, "body": "Router is old", "kind": "note"},
    )
    page = await asha.get(f"/tickets/{ticket.id}")
    assert "Try restarting" in page.text and "internal note" in page.text
    assert re.search(r'id="sla-first-response"[^>]*>met', page.text)
    changed = await asha.post(
        f"/tickets/{ticket.id}/change",
        data={
            "csrf_token": token,
            "status": "resolved",
            "priority": "low",
            "assignee": "ravi",
            "version": "3",
        },
    )
    assert changed.status_code == 303
    fresh = await Tickets(web_desk).get(ticket.id)
    assert (fresh.status, fresh.priority, fresh.assignee) == ("resolved", "low", "ravi")
    stale = await asha.post(
        f"/tickets/{ticket.id}/change",
        data={
            "csrf_token": token,
            "status": "open",
            "priority": "low",
            "assignee": "",
            "version": "3",
        },
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.text
    bad = await asha.post(
        f"/tickets/{ticket.id}/change",
        data={
            "csrf_token": token,
            "status": "open",
            "priority": "low",
            "assignee": "ghost",
            "version": str(fresh.version),
        },
    )
    assert bad.status_code == 400 and 'id="chg-assignee-error"' in bad.text


async def test_queue_panels_dashboard_and_nav(
    signed_in: Any, web_desk: Sampark, staff: dict
) -> None:
    desk = Tickets(web_desk)
    await desk.open(
        subject="Urgent one", requester_id=staff["contact"].id, priority="urgent", assignee="ravi"
    )
    await desk.open(
        subject="Calm one", requester_id=staff["contact"].id, account_id=staff["account"].id
    )
    ravi = await signed_in("ravi")
    home = await ravi.get("/")
    assert 'href="/tickets/"' in home.text
    assert "my open tickets" in home.text and "tickets breaching soon" in home.text
    queue = await ravi.get("/tickets/?view=mine")
    assert "Urgent one" in queue.text and "Calm one" not in queue.text
    assert "Calm one" in (await ravi.get("/tickets/?view=unassigned")).text
    assert "Urgent one" in (await ravi.get("/tickets/?view=breaching")).text
    assert (await ravi.get("/tickets/?status=sleeping")).status_code == 400
    contact = await ravi.get(f"/contacts/{staff['contact'].id}")
    assert "T-000001" in contact.text and "Open a ticket" in contact.text
    asha = await signed_in("asha")
    account = await asha.get(f"/accounts/{staff['account'].id}")
    assert "Calm one" in account.text and "Urgent one" not in account.text
    mira = await signed_in("mira")
    assert (await mira.get("/tickets/new")).status_code == 403
    assert (await mira.get("/tickets/")).status_code == 200


async def test_out_of_scope_tickets_are_not_found(
    signed_in: Any, web_desk: Sampark, staff: dict
) -> None:
    other = await web_desk.contacts.create(first_name="Other", owner="asha")
    hidden = await Tickets(web_desk).open(subject="Hidden", requester_id=other.id, assignee="dev")
    ravi = await signed_in("ravi")
    assert (await ravi.get(f"/tickets/{hidden.id}")).status_code == 404
    assert "Hidden" not in (await ravi.get("/tickets/")).text


async def test_edit_form_keeps_input_and_refuses_stale_edits(
    signed_in: Any, web_desk: Sampark, staff: dict, clients: Any
) -> None:
    ticket = await Tickets(web_desk).open(
        subject="Typo in invoice", requester_id=staff["contact"].id, tags=["billing"]
    )
    asha = await signed_in("asha")
    form = await asha.get(f"/tickets/{ticket.id}/edit")
    assert 'value="Typo in invoice"' in form.text and 'value="billing"' in form.text
    token = clients.csrf_of(form.text)
    fields = {
        "csrf_token": token,
        "subject": "Typo in the March invoice",
        "description": "",
        "requester_id": "424242",
        "account_id": "",
        "channel": "email",
        "priority": "normal",
        "tags": "billing, march",
        "version": "1",
    }
    refused = await asha.post(f"/tickets/{ticket.id}/edit", data=fields)
    assert refused.status_code == 400 and 'id="f-requester_id-error"' in refused.text
    assert 'value="Typo in the March invoice"' in refused.text
    saved = await asha.post(
        f"/tickets/{ticket.id}/edit", data={**fields, "requester_id": str(staff["contact"].id)}
    )
    assert saved.status_code == 303
    fresh = await Tickets(web_desk).get(ticket.id)
    assert fresh.subject == "Typo in the March invoice" and fresh.tags == ("billing", "march")
    stale = await asha.post(
        f"/tickets/{ticket.id}/edit",
        data={**fields, "requester_id": str(staff["contact"].id), "subject": "Lost edit"},
    )
    assert stale.status_code == 409 and 'value="Lost edit"' in stale.text
    assert "changed by someone else" in stale.text
    assert (await Tickets(web_desk).get(ticket.id)).subject == "Typo in the March invoice"


async def test_edit_and_change_forms_without_a_version_are_refused(
    signed_in: Any, web_desk: Sampark, staff: dict, clients: Any
) -> None:
    ticket = await Tickets(web_desk).open(subject="Printer jam", requester_id=staff["contact"].id)
    asha = await signed_in("asha")
    token = clients.csrf_of((await asha.get(f"/tickets/{ticket.id}/edit")).text)
    edit = {
        "csrf_token": token,
        "subject": "Blind overwrite",
        "requester_id": str(staff["contact"].id),
        "channel": "email",
        "priority": "normal",
    }
    change = {"csrf_token": token, "status": "open", "priority": "urgent", "assignee": ""}
    for version in (None, "", "one", "-1"):
        extra = {} if version is None else {"version": version}
        for path, fields in (("edit", edit), ("change", change)):
            refused = await asha.post(f"/tickets/{ticket.id}/{path}", data={**fields, **extra})
            assert refused.status_code == 400, (path, version)
            assert "lost track of the ticket" in refused.text
    kept = await Tickets(web_desk).get(ticket.id)
    assert (kept.subject, kept.priority, kept.version) == ("Printer jam", "normal", 1)


async def test_delete_undo_the_deleted_list_and_the_changes(
    signed_in: Any, web_desk: Sampark, staff: dict, clients: Any
) -> None:
    desk = Tickets(web_desk)
    ticket = await desk.open(subject="Fan <noisy>", requester_id=staff["contact"].id)
    await desk.update(ticket.id, {"priority": "high"})
    asha = await signed_in("asha")
    page = await asha.get(f"/tickets/{ticket.id}")
    assert 'id="audit"' in page.text and "Priority" in page.text
    assert re.search(r'class="before">normal</span> → <span class="after">high', page.text)
    token = clients.csrf_of(page.text)
    blind = await asha.post(f"/tickets/{ticket.id}/delete", data={"csrf_token": token})
    assert blind.status_code == 400, "a delete without the version is refused"
    stale = await asha.post(
        f"/tickets/{ticket.id}/delete", data={"csrf_token": token, "version": "1"}
    )
    assert stale.status_code == 409
    gone = await asha.post(
        f"/tickets/{ticket.id}/delete", data={"csrf_token": token, "version": "2"}
    )
    assert gone.headers["location"] == f"/tickets/?removed={ticket.id}"
    queue = await asha.get(gone.headers["location"])
    assert 'id="removed-notice"' in queue.text and "Fan &lt;noisy&gt;" in queue.text
    assert f'href="/tickets/{ticket.id}"' not in queue.text
    deleted = await asha.get("/tickets/?deleted=1")
    assert "<h1>Deleted tickets</h1>" in deleted.text
    assert f'id="restore-ticket-{ticket.id}"' in deleted.text
    back = await asha.post(
        f"/tickets/{ticket.id}/restore", data={"csrf_token": token, "version": "3"}
    )
    assert back.headers["location"] == f"/tickets/{ticket.id}"
    assert (await desk.get(ticket.id)).number == ticket.number
    assert 'id="removed-notice"' not in (await asha.get(gone.headers["location"])).text
    trail = await asha.get(f"/tickets/{ticket.id}")
    assert ">restore<" in trail.text and ">delete<" in trail.text
    ravi = await signed_in("ravi")
    assert 'id="deleted-tickets"' not in (await ravi.get("/tickets/")).text
    assert 'id="delete-ticket"' not in (await ravi.get(f"/tickets/{ticket.id}")).text
    refused = await ravi.post(
        f"/tickets/{ticket.id}/delete",
        data={"csrf_token": clients.csrf_of((await ravi.get("/tickets/")).text), "version": "4"},
    )
    assert refused.status_code == 403


async def test_the_changes_name_the_linked_records_the_reader_may_see(
    signed_in: Any, web_desk: Sampark, staff: dict
) -> None:
    other = await web_desk.contacts.create(first_name="Meera", last_name="Iyer", owner="asha")
    desk = Tickets(web_desk)
    ticket = await desk.open(subject="Moved", requester_id=staff["contact"].id)
    await desk.update(ticket.id, {"requester_id": other.id})
    page = (await (await signed_in("asha")).get(f"/tickets/{ticket.id}")).text
    assert f'href="/contacts/{staff["contact"].id}" dir="auto">Kiran Rao</a>' in page
    assert f'href="/contacts/{other.id}" dir="auto">Meera Iyer</a>' in page
    await desk.update(ticket.id, {"assignee": "ravi"})
    hidden = (await (await signed_in("ravi")).get(f"/tickets/{ticket.id}")).text
    assert "Kiran Rao</a>" in hidden, "his own contact is named"
    assert f'href="/contacts/{other.id}" dir="auto">#{other.id}</a>' in hidden, "not his contact"


async def test_a_ticket_form_with_bytes_that_are_not_utf8_stores_nothing(
    signed_in: Any, web_desk: Sampark, staff: dict, clients: Any
) -> None:
    asha = await signed_in("asha")
    token = clients.csrf_of((await asha.get("/tickets/new")).text)
    fields = {
        "csrf_token": token.encode(),
        "subject": b"Broken screen",
        "description": b"The screen shows \xff\xfe stripes",  # Latin-1 pasted as bytes
        "requester_id": str(staff["contact"].id).encode(),
        "priority": b"high",
        "channel": b"web",
    }
    parts = b"".join(
        b'--b0und\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (name.encode(), value)
        for name, value in fields.items()
    )
    refused = await asha.post(
        "/tickets/new",
        content=parts + b"--b0und--\r\n",
        headers={"content-type": "multipart/form-data; boundary=b0und"},
    )
    assert refused.status_code == 400
    assert "description" in refused.text and "is not UTF-8 text" in refused.text
    assert (await Tickets(web_desk).list()).items == []
    nul = await asha.post(
        "/tickets/new",
        data={
            "csrf_token": token,
            "subject": "Broken\x1b[2J screen",
            "description": "Line one\nline two",
            "requester_id": str(staff["contact"].id),
            "priority": "high",
            "channel": "web",
        },
    )
    assert nul.status_code == 400 and 'id="f-subject-error"' in nul.text
    assert "control characters (found U+001B)" in nul.text
    assert (await Tickets(web_desk).list()).items == []
