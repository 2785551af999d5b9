"""The audit trail: every change leaves who, when and each field's before and after."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pytest
from tortoise.transactions import in_transaction

from sampark.core.custom_fields import CustomFieldSpec
from sampark.core.errors import NotFoundError, PermissionDenied, ValidationError
from sampark.core.kernel import Sampark
from sampark.core.permissions import SYSTEM, Actor, Role, actor_for
from sampark.core.records import AuditRecord, ContactRecord
from sampark.core.services import audit
from sampark.core.services.users import create_user
from sampark.core.views import UserView
from sampark.plugin import AuditedRecords, hookimpl

PAST = dt.datetime(2025, 2, 3, 11, 0, tzinfo=dt.UTC)
TIER = CustomFieldSpec("contact", "tier", "choice", choices=("gold", "silver"))


async def view_of(crm: Sampark, username: str, *roles: str) -> UserView:
    with crm.activate():
        user_id = await create_user(crm, username)
    return crm.as_user(actor_for(user_id, username, roles, crm.roles, crm.permission_names))


async def trail(crm: Sampark, entity: str, record_id: int) -> list[AuditRecord]:
    return list(await crm.as_user(SYSTEM).audit(entity, record_id, limit=500))


async def audit_rows(crm: Sampark) -> int:
    with crm.activate():
        rows = await crm.connection.execute_query_dict("SELECT COUNT(*) AS n FROM core_audit")
    return rows[0]["n"]


# ---------------------------------------------------------------------------
# Field changes
# ---------------------------------------------------------------------------


def test_field_changes_name_only_what_changed() -> None:
    before = ContactRecord(id=1, display_name="Asha", notes="", custom={"tier": "gold"}, version=1)
    after = ContactRecord(
        id=1, display_name="Asha Rao", notes="", custom={"tier": "silver"}, version=2
    )
    assert audit.field_changes(before, after) == {
        "display_name": ["Asha", "Asha Rao"],
        "custom.tier": ["gold", "silver"],
    }
    created = audit.field_changes(None, before)
    assert created == {"display_name": [None, "Asha"], "custom.tier": [None, "gold"]}
    assert audit.field_changes(before, None) == {
        "display_name": ["Asha", None],
        "custom.tier": ["gold", None],
    }
    assert audit.field_changes({"a": "", "b": []}, {"a": None, "b": ()}) == {}


# ---------------------------------------------------------------------------
# Contacts and accounts
# ---------------------------------------------------------------------------


async def test_a_contacts_life_is_in_its_trail(make_kernel: Any) -> None:
    crm = await make_kernel(custom_fields=(TIER,))
    meera = await view_of(crm, "meera", "manager")
    contact = await meera.contacts.create(
        first_name="Asha", emails=["asha@example.in"], tags=["VIP"], custom={"tier": "gold"}
    )
    await meera.contacts.update(contact.id, last_name="Rao", custom={"tier": "silver"})
    await meera.contacts.update(contact.id, phones=["+91 98765 43210"])
    await meera.contacts.delete(contact.id)
    restored = await meera.contacts.restore(contact.id)

    entries = await trail(crm, "contact", contact.id)
    assert [e.action for e in entries] == ["restore", "delete", "update", "update", "create"]
    assert {e.actor for e in entries} == {"meera"}
    assert all(e.entity == "contact" and e.record_id == contact.id for e in entries)
    assert [e.id for e in entries] == sorted((e.id for e in entries), reverse=True)
    restore, delete, phones, names, create = entries

    assert create.changes["first_name"] == [None, "Asha"]
    assert create.changes["emails"] == [
        None,
        [{"email": "asha@example.in", "label": "work", "primary": True}],
    ]
    assert create.changes["tags"] == [None, ["VIP"]]
    assert create.changes["owner"] == [None, "meera"]
    assert create.changes["custom.tier"] == [None, "gold"]
    assert not {"id", "created_at", "updated_at", "version"} & set(create.changes)

    assert names.changes == {
        "last_name": ["", "Rao"],
        "display_name": ["Asha", "Asha Rao"],
        "custom.tier": ["gold", "silver"],
    }
    assert list(phones.changes) == ["phones"]
    assert phones.changes["phones"][1][0]["e164"] == "+919876543210"

    assert delete.changes["display_name"] == ["Asha Rao", None]
    assert delete.changes["last_name"] == ["Rao", None]
    deleted_at = restore.changes.pop("deleted_at")
    assert restore.changes == {}
    assert deleted_at[1] is None and dt.datetime.fromisoformat(deleted_at[0]) <= dt.datetime.now(
        dt.UTC
    )
    assert restored.deleted_at is None
    assert isinstance(create.at, dt.datetime) and create.at <= restore.at


async def test_an_accounts_changes_are_audited(crm: Sampark) -> None:
    account = await crm.accounts.create(name="Acme", kinds=["customer"])
    await crm.accounts.update(account.id, kinds=["customer", "supplier"], website="acme.in")
    await crm.accounts.delete(account.id)
    await crm.accounts.restore(account.id)
    entries = await trail(crm, "account", account.id)
    assert [e.action for e in entries] == ["restore", "delete", "update", "create"]
    assert entries[2].changes == {
        "kinds": [["customer"], ["customer", "supplier"]],
        "website": ["", "https://acme.in"],
    }
    assert entries[0].actor == "system"


async def test_restoring_a_live_record_changes_nothing_and_leaves_no_row(crm: Sampark) -> None:
    contact = await crm.contacts.create(first_name="Asha")
    await crm.contacts.restore(contact.id)
    assert [e.action for e in await trail(crm, "contact", contact.id)] == ["create"]


# ---------------------------------------------------------------------------
# Links and interactions
# ---------------------------------------------------------------------------


async def test_link_and_unlink_show_on_both_records(crm: Sampark) -> None:
    contact = await crm.contacts.create(first_name="Asha")
    account = await crm.accounts.create(name="Acme")
    link = await crm.links.create(contact.id, account.id, role="Buyer", primary=True)
    await crm.links.delete(link.id)
    for entity, record_id in (("contact", contact.id), ("account", account.id)):
        unlinked, linked = (await trail(crm, entity, record_id))[:2]
        assert (linked.action, unlinked.action) == ("link", "unlink")
        assert linked.changes["role"] == [None, "Buyer"]
        assert linked.changes["account_name"] == [None, "Acme"]
        assert linked.changes["primary"] == [None, True]
        assert unlinked.changes["contact_id"] == [contact.id, None]


async def test_an_interactions_changes_are_audited(crm: Sampark) -> None:
    contact = await crm.contacts.create(first_name="Asha")
    due = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    planned = await crm.interactions.log(
        kind="call", status="planned", due_at=due, contacts=[contact.id]
    )
    await crm.interactions.update(planned.id, subject="Renewal")
    await crm.interactions.complete(planned.id, outcome="Signed", occurred_at=PAST)
    await crm.interactions.delete(planned.id)
    entries = await trail(crm, "interaction", planned.id)
    assert [e.action for e in entries] == ["delete", "update", "update", "create"]
    deleted, completed, renamed, created = entries
    assert created.changes["status"] == [None, "planned"]
    assert created.changes["contact_ids"] == [None, [contact.id]]
    assert renamed.changes == {"subject": ["", "Renewal"]}
    assert completed.changes["status"] == ["planned", "done"]
    assert completed.changes["outcome"] == ["", "Signed"]
    assert completed.changes["occurred_at"] == [None, PAST.isoformat()]
    assert deleted.changes["subject"] == ["Renewal", None]


# ---------------------------------------------------------------------------
# Nothing written without its audit row, and no audit row without the change
# ---------------------------------------------------------------------------


async def test_the_audit_row_is_written_in_the_changes_transaction(
    crm: Sampark, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sampark.core.services import owned

    contact = await crm.contacts.create(first_name="Asha")

    async def broken(*args: Any) -> None:
        raise RuntimeError("the audit table is full")

    monkeypatch.setattr(owned, "record_change", broken)
    with pytest.raises(RuntimeError):
        await crm.contacts.create(first_name="Ravi")
    with pytest.raises(RuntimeError):
        await crm.contacts.update(contact.id, last_name="Rao")
    with pytest.raises(RuntimeError):
        await crm.contacts.delete(contact.id)
    monkeypatch.undo()
    assert [c.display_name for c in await crm.contacts.list()] == ["Asha"]
    assert (await crm.contacts.search("ravi")).items == []


async def test_refused_and_invalid_changes_leave_no_audit_row(crm: Sampark) -> None:
    reader = await view_of(crm, "mina", "read-only")
    contact = await crm.contacts.create(first_name="Asha")
    before = await audit_rows(crm)
    with pytest.raises(PermissionDenied):
        await reader.contacts.update(contact.id, notes="x")
    with pytest.raises(ValidationError):
        await crm.contacts.update(contact.id, emails=["not an email"])
    with pytest.raises(ValidationError):
        await crm.links.create(contact.id, (await crm.accounts.create(name="Acme")).id, role=7)
    assert await audit_rows(crm) == before + 1  # the account's create only


# ---------------------------------------------------------------------------
# Reading the trail
# ---------------------------------------------------------------------------


async def test_the_trail_pages_newest_first(crm: Sampark) -> None:
    contact = await crm.contacts.create(first_name="Asha")
    for number in range(7):
        await crm.contacts.update(contact.id, notes=f"note {number}")
    view = crm.as_user(SYSTEM)
    seen: list[AuditRecord] = []
    cursor = None
    while True:
        page = await view.audit("contact", contact.id, cursor=cursor, limit=3)
        assert len(page) <= 3
        seen += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 8 and len({e.id for e in seen}) == 8
    assert [e.changes.get("notes", [None, None])[1] for e in seen[:2]] == ["note 6", "note 5"]
    assert seen[-1].action == "create"
    with pytest.raises(ValidationError, match="cursor"):
        await view.audit("contact", contact.id, cursor="nonsense")
    with pytest.raises(ValidationError, match="limit"):
        await view.audit("contact", contact.id, limit=0)


async def test_who_may_read_the_trail(make_kernel: Any) -> None:
    crm = await make_kernel(roles=(Role("support", ("contacts.read", "interactions.*")),))
    agent = await view_of(crm, "ravi", "agent")
    support = await view_of(crm, "sunil", "support")
    manager = await view_of(crm, "kavya", "manager")
    with crm.activate():
        await create_user(crm, "meera")
    mine = await agent.contacts.create(first_name="Asha")
    theirs = await crm.contacts.create(first_name="Bina", owner="meera")
    await crm.contacts.delete(theirs.id)

    assert [e.action for e in await agent.audit("contact", mine.id)] == ["create"]
    for record_id in (theirs.id, 999_999):
        with pytest.raises(NotFoundError, match=f"contact {record_id} not found"):
            await agent.audit("contact", record_id)
    with pytest.raises(PermissionDenied, match=r"audit\.read"):
        await support.audit("contact", mine.id)
    # A deleted record's history stays readable to those who may see it.
    assert [e.action for e in await manager.audit("contact", theirs.id)] == ["delete", "create"]
    with pytest.raises(ValidationError, match="entity"):
        await manager.audit("user", 1)
    clerk = crm.as_user(Actor(9, "clerk", frozenset({"audit.read"})))
    with pytest.raises(PermissionDenied, match=r"contacts\.read"):
        await clerk.audit("contact", mine.id)


async def test_the_system_is_named_as_the_actor(crm: Sampark) -> None:
    contact = await crm.contacts.create(first_name="Asha")
    (entry,) = await trail(crm, "contact", contact.id)
    assert entry.actor == "system"
    assert entry.to_dict()["changes"]["first_name"] == [None, "Asha"]


async def test_unknown_actions_are_refused(crm: Sampark) -> None:
    with crm.activate(), pytest.raises(ValueError, match="unknown audit action"):
        await audit.record_change(crm.connection, SYSTEM, "contact", 1, "merge!", None, None)


async def test_a_plugins_records_have_a_trail_read_with_audit_page(crm: Sampark) -> None:
    from sampark.core.services.audit import audit_page, record_change

    ravi = SYSTEM
    with crm.activate():
        async with in_transaction() as conn:
            await record_change(conn, ravi, "ticket", 7, "create", None, {"subject": "Down"})
        async with in_transaction() as conn:
            await record_change(
                conn, ravi, "ticket", 7, "update", {"subject": "Down"}, {"subject": "Up"}
            )
        page = await audit_page(crm, "ticket", 7, limit=1)
        rest = await audit_page(crm, "ticket", 7, cursor=page.next_cursor)
    assert [(row.action, row.changes) for row in page] == [("update", {"subject": ["Down", "Up"]})]
    assert [(row.action, row.changes) for row in rest] == [("create", {"subject": [None, "Down"]})]
    assert rest.next_cursor is None


class _Donations:
    """An outside plugin whose donations keep an audit trail that ``crm.audit`` reads."""

    hidden: ClassVar[set[int]] = {13}

    @staticmethod
    async def find(kernel: Sampark, record_id: int, actor: Actor) -> int:
        if record_id in _Donations.hidden:
            raise NotFoundError("donation", record_id)
        return record_id

    @hookimpl
    def audited_records(self, kernel: Sampark) -> list[AuditedRecords]:
        return [AuditedRecords("donation", "contacts.read", self.find, labels={"amount": "Amount"})]


async def test_audit_reads_a_plugins_declared_records(crm: Sampark) -> None:
    crm.plugins.pm.register(_Donations(), name="donations")
    with crm.activate():
        async with in_transaction() as conn:
            for donation in (12, 13):
                await audit.record_change(
                    conn, SYSTEM, "donation", donation, "create", None, {"amount": "500.00"}
                )
    (entry,) = await crm.audit("donation", 12)
    assert (entry.action, entry.changes) == ("create", {"amount": [None, "500.00"]})
    with pytest.raises(NotFoundError):
        await crm.audit("donation", 13)  # the plugin says this actor may not see it
    with pytest.raises(ValidationError, match="donation"):
        await crm.audit("pledge", 12)  # unknown kinds are named with the known ones
    reader = await view_of(crm, "ravi", "read-only")
    assert [row.action for row in await reader.audit("donation", 12)] == ["create"]
    nobody = crm.as_user(Actor(user_id=99, username="nobody", permissions=frozenset()))
    with pytest.raises(PermissionDenied):
        await nobody.audit("donation", 12)
