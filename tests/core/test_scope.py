"""Who may do what: permissions and record scope through ``crm.as_user(actor)``.

Every operation is tried for every role: allowed calls work, denied ones raise PermissionDenied
and change nothing. An "own"-scoped agent never sees another user's records: they are
not found, and lists, searches and the global search leave them out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

import sampark
from sampark.core.contributions import NavItem, Panel, SearchHit, SearchSource
from sampark.core.errors import NotFoundError, PermissionDenied, ValidationError
from sampark.core.kernel import Sampark
from sampark.core.permissions import SYSTEM, Actor, Role, actor_for
from sampark.core.records import TimelineEntry
from sampark.core.services.users import create_user
from sampark.core.views import UserView

SUPPORT = Role("support", ("contacts.read", "interactions.*"))
# An agent who may also delete and restore what they own.
FIELD = Role("field", ("*.read", "*.write", "*.delete"), scope="own")
TABLES = ("core_contact", "core_account", "core_contact_account", "core_interaction", "core_audit")
PAST = dt.datetime(2025, 1, 6, 10, 0, tzinfo=dt.UTC)
SOON = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)


async def add_user(crm: Sampark, username: str) -> int:
    with crm.activate():
        return await create_user(crm, username, display_name=username.title())


async def view_of(crm: Sampark, username: str, *roles: str) -> UserView:
    """A new user with these roles, and the CRM as they see it."""
    user_id = await add_user(crm, username)
    return crm.as_user(actor_for(user_id, username, roles, crm.roles, crm.permission_names))


async def counts(crm: Sampark) -> dict[str, int]:
    found = {}
    with crm.activate():
        for table in TABLES:
            rows = await crm.connection.execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}")
            found[table] = rows[0]["n"]
    return found


@pytest.fixture
async def scoped(make_kernel: Any) -> Sampark:
    """A CRM whose config adds roles: "support" (contacts.read, interactions.*) and "field"."""
    return await make_kernel(roles=(SUPPORT, FIELD))


# ---------------------------------------------------------------------------
# The matrix of roles and operations
# ---------------------------------------------------------------------------


@dataclass
class Records:
    """Records owned by the acting user, so only permissions can stand in the way."""

    contact: int
    account: int
    deleted_contact: int
    deleted_account: int
    link: int
    planned: int


async def records_of(crm: Sampark, owner: str) -> Records:
    contact = await crm.contacts.create(first_name="Asha", last_name="Rao", owner=owner)
    account = await crm.accounts.create(name="Acme Traders", owner=owner)
    gone = await crm.contacts.create(first_name="Gone", owner=owner)
    await crm.contacts.delete(gone.id)
    gone_account = await crm.accounts.create(name="Gone Ltd", owner=owner)
    await crm.accounts.delete(gone_account.id)
    link = await crm.links.create(contact.id, account.id, role="Buyer")
    planned = await crm.interactions.log(
        kind="call", status="planned", due_at=SOON, contacts=[contact.id], author=owner
    )
    return Records(contact.id, account.id, gone.id, gone_account.id, link.id, planned.id)


Operation = Callable[[UserView, Records], Awaitable[Any]]

OPERATIONS: dict[str, tuple[tuple[str, ...], Operation]] = {
    "contacts.get": (("contacts.read",), lambda v, r: v.contacts.get(r.contact)),
    "contacts.list": (("contacts.read",), lambda v, r: v.contacts.list()),
    "contacts.search": (("contacts.read",), lambda v, r: v.contacts.search("asha")),
    "contacts.create": (("contacts.write",), lambda v, r: v.contacts.create(first_name="Ravi")),
    "contacts.update": (
        ("contacts.write",),
        lambda v, r: v.contacts.update(r.contact, notes="Prefers calls"),
    ),
    "contacts.delete": (("contacts.delete",), lambda v, r: v.contacts.delete(r.contact)),
    "contacts.restore": (
        ("contacts.delete",),
        lambda v, r: v.contacts.restore(r.deleted_contact),
    ),
    "accounts.get": (("accounts.read",), lambda v, r: v.accounts.get(r.account)),
    "accounts.list": (("accounts.read",), lambda v, r: v.accounts.list()),
    "accounts.search": (("accounts.read",), lambda v, r: v.accounts.search("acme")),
    "accounts.create": (("accounts.write",), lambda v, r: v.accounts.create(name="Bharat Tea")),
    "accounts.update": (
        ("accounts.write",),
        lambda v, r: v.accounts.update(r.account, website="acme.in"),
    ),
    "accounts.delete": (("accounts.delete",), lambda v, r: v.accounts.delete(r.account)),
    "accounts.restore": (
        ("accounts.delete",),
        lambda v, r: v.accounts.restore(r.deleted_account),
    ),
    "links.create": (
        ("accounts.write",),
        lambda v, r: v.links.create(r.contact, r.account, role="Director"),
    ),
    "links.get": (("contacts.read", "accounts.read"), lambda v, r: v.links.get(r.link)),
    "links.delete": (("accounts.write",), lambda v, r: v.links.delete(r.link)),
    "links.of_contact": (
        ("contacts.read", "accounts.read"),
        lambda v, r: v.links.of_contact(r.contact),
    ),
    "links.of_account": (
        ("contacts.read", "accounts.read"),
        lambda v, r: v.links.of_account(r.account),
    ),
    "interactions.get": (("interactions.read",), lambda v, r: v.interactions.get(r.planned)),
    "interactions.log": (
        ("interactions.write",),
        lambda v, r: v.interactions.log(kind="note", contacts=[r.contact], occurred_at=PAST),
    ),
    "interactions.update": (
        ("interactions.write",),
        lambda v, r: v.interactions.update(r.planned, subject="Renewal"),
    ),
    "interactions.complete": (
        ("interactions.write",),
        lambda v, r: v.interactions.complete(r.planned, outcome="Agreed"),
    ),
    "interactions.delete": (
        ("interactions.delete",),
        lambda v, r: v.interactions.delete(r.planned),
    ),
    "interactions.followups": (("interactions.read",), lambda v, r: v.interactions.followups()),
    "interactions.recent": (("interactions.read",), lambda v, r: v.interactions.recent()),
    "timeline": (
        ("interactions.read", "contacts.read"),
        lambda v, r: v.timeline(("contact", r.contact)),
    ),
    "audit": (("audit.read", "contacts.read"), lambda v, r: v.audit("contact", r.contact)),
    "contacts.bulk_create": (
        ("contacts.write",),
        lambda v, r: v.contacts.bulk_create([{"first_name": "Bulk"}]),
    ),
}

GRANTED = {
    "admin": None,  # everything
    "manager": None,
    "agent": {"contacts.read", "contacts.write", "accounts.read", "accounts.write"}
    | {"interactions.read", "interactions.write", "audit.read"},
    "read-only": {"contacts.read", "accounts.read", "interactions.read", "audit.read"},
    "support": {"contacts.read", "interactions.read", "interactions.write", "interactions.delete"},
}


def _row_versions(rows: list[dict[str, Any]]) -> dict[tuple[str, int], Any]:
    return {(row["t"], row["id"]): row["version"] for row in rows}


async def versions(crm: Sampark) -> dict[tuple[str, int], Any]:
    """Every record's version and deletion: an update or delete changes one of them."""
    sql = " UNION ALL ".join(
        f"SELECT '{table}' AS t, id, version || ':' || COALESCE(CAST(deleted_at AS TEXT), '') "
        f"AS version FROM {table}"
        for table in ("core_contact", "core_account", "core_interaction")
    )
    with crm.activate():
        return _row_versions(await crm.connection.execute_query_dict(sql))


@pytest.mark.parametrize("role", sorted(GRANTED))
async def test_each_role_may_do_what_it_grants_and_nothing_else(scoped: Sampark, role: str) -> None:
    crm = scoped
    view = await view_of(crm, "user", role)
    granted = GRANTED[role]
    problems = []
    for name, (needs, operation) in OPERATIONS.items():
        records = await records_of(crm, "user")
        allowed = granted is None or set(needs) <= granted
        before, before_versions = await counts(crm), await versions(crm)
        try:
            await operation(view, records)
        except PermissionDenied as exc:
            if allowed:
                problems.append(f"{name}: refused ({exc})")
            elif (await counts(crm), await versions(crm)) != (before, before_versions):
                problems.append(f"{name}: refused but the database changed")
            elif exc.permission not in needs:
                problems.append(f"{name}: refused for {exc.permission}, not one of {needs}")
        else:
            if not allowed:
                problems.append(f"{name}: allowed without {needs}")
    assert problems == []


def test_the_matrix_covers_every_facade_method() -> None:
    from sampark.core import facades

    called = {name.split(".")[0] + "." + name.split(".")[1] for name in OPERATIONS if "." in name}
    for facade in (facades.Contacts, facades.Accounts, facades.Links, facades.Interactions):
        prefix = facade.__name__.lower()
        for method in vars(facade):
            if not method.startswith("_") and callable(getattr(facade, method)):
                assert f"{prefix}.{method}" in called, f"{prefix}.{method} is not in the matrix"


async def test_the_system_actor_is_unaffected(crm: Sampark) -> None:
    assert crm.contacts.actor is SYSTEM
    await add_user(crm, "meera")
    contact = await crm.contacts.create(first_name="Asha", owner="meera")
    other = await crm.contacts.create(first_name="Ravi")
    assert contact.owner == "meera" and other.owner is None
    same = crm.as_user(SYSTEM)
    assert [c.id for c in await same.contacts.list()] == [contact.id, other.id]
    assert (await same.audit("contact", contact.id))[0].actor == "system"


# ---------------------------------------------------------------------------
# "own" scope: another user's records are not there
# ---------------------------------------------------------------------------


@dataclass
class TwoAgents:
    crm: Sampark
    ravi: UserView
    mine: Records
    theirs: Records


@pytest.fixture
async def two_agents(scoped: Sampark) -> TwoAgents:
    """Ravi, an "own"-scoped user who may also delete, and Meera's records beside his."""
    crm = scoped
    ravi = await view_of(crm, "ravi", "field")
    await add_user(crm, "meera")
    mine = await records_of(crm, "ravi")
    theirs = await records_of(crm, "meera")
    return TwoAgents(crm, ravi, mine, theirs)


async def test_another_users_contact_is_not_found_like_a_missing_one(
    two_agents: TwoAgents,
) -> None:
    crm, ravi, theirs = two_agents.crm, two_agents.ravi, two_agents.theirs
    hidden = theirs.contact
    missing = 999_999

    def message(contact_id: int) -> str:
        return str(NotFoundError("contact", contact_id))

    calls: dict[str, Callable[[int], Awaitable[Any]]] = {
        "get": lambda i: ravi.contacts.get(i),
        "get deleted": lambda i: ravi.contacts.get(i, include_deleted=True),
        "update": lambda i: ravi.contacts.update(i, notes="mine now"),
        "delete": lambda i: ravi.contacts.delete(i),
        "restore": lambda i: ravi.contacts.restore(i),
        "timeline": lambda i: ravi.timeline(("contact", i)),
        "audit": lambda i: ravi.audit("contact", i),
        "links": lambda i: ravi.links.of_contact(i),
        "link": lambda i: ravi.links.create(i, two_agents.mine.account),
    }
    before = await versions(crm), await counts(crm)
    for name, call in calls.items():
        for contact_id in (hidden, missing):
            with pytest.raises(NotFoundError) as caught:
                await call(contact_id)
            assert str(caught.value) == message(contact_id), name
    with pytest.raises(NotFoundError, match=f"contact {theirs.deleted_contact} not found"):
        await ravi.contacts.restore(theirs.deleted_contact)
    assert (await versions(crm), await counts(crm)) == before
    assert (await crm.contacts.get(hidden)).notes == ""


async def test_another_users_account_link_and_interaction_are_not_found(
    two_agents: TwoAgents,
) -> None:
    ravi, mine, theirs = two_agents.ravi, two_agents.mine, two_agents.theirs
    for call in (
        ravi.accounts.get(theirs.account),
        ravi.accounts.update(theirs.account, notes="x"),
        ravi.accounts.delete(theirs.account),
        ravi.accounts.restore(theirs.deleted_account),
        ravi.timeline(("account", theirs.account)),
        ravi.audit("account", theirs.account),
        ravi.links.of_account(theirs.account),
        ravi.links.create(mine.contact, theirs.account),
        ravi.links.get(theirs.link),
        ravi.links.delete(theirs.link),
        ravi.interactions.get(theirs.planned),
        ravi.interactions.update(theirs.planned, subject="x"),
        ravi.interactions.complete(theirs.planned),
        ravi.interactions.delete(theirs.planned),
        ravi.audit("interaction", theirs.planned),
    ):
        with pytest.raises(NotFoundError):
            await call
    assert (await two_agents.crm.links.get(theirs.link)).role == "Buyer"


async def test_lists_and_searches_leave_out_what_the_agent_cannot_see(
    two_agents: TwoAgents,
) -> None:
    crm, ravi, mine, theirs = two_agents.crm, two_agents.ravi, two_agents.mine, two_agents.theirs
    assert [c.id for c in await ravi.contacts.list()] == [mine.contact]
    assert [c.id for c in await ravi.contacts.list(deleted=True)] == [mine.deleted_contact]
    assert [c.id for c in await ravi.contacts.list(owner="meera")] == []
    assert [c.id for c in await ravi.contacts.search("asha")] == [mine.contact]
    assert [c.id for c in await ravi.contacts.search("as")] == [mine.contact]  # short: a range
    assert [c.id for c in await ravi.contacts.search("asha r")] == [mine.contact]
    assert [a.id for a in await ravi.accounts.list()] == [mine.account]
    assert [a.id for a in await ravi.accounts.list(deleted=True)] == [mine.deleted_account]
    assert [a.id for a in await ravi.accounts.search("acme")] == [mine.account]
    assert [i.id for i in await ravi.interactions.followups()] == [mine.planned]
    await crm.interactions.complete(mine.planned)
    await crm.interactions.complete(theirs.planned)
    assert [i.id for i in await ravi.interactions.recent()] == [mine.planned]
    assert {i.id for i in await crm.interactions.recent()} == {mine.planned, theirs.planned}
    found = await ravi.search("asha")
    assert [hit.ref for hit in found["contacts"]] == [f"contact:{mine.contact}"]
    found = await ravi.search("acme")
    assert [hit.ref for hit in found["accounts"]] == [f"account:{mine.account}"]
    # The system and "all"-scoped users see both.
    assert len(await crm.contacts.search("asha")) == 2
    reader = await view_of(crm, "mina", "read-only")
    assert {c.id for c in await reader.contacts.list()} == {mine.contact, theirs.contact}


async def test_an_own_search_is_limited_among_the_agents_records(crm: Sampark) -> None:
    ravi = await view_of(crm, "ravi", "agent")
    await add_user(crm, "meera")
    for number in range(6):
        await crm.contacts.create(first_name=f"Kumar{number}", owner="meera")
    mine = [(await ravi.contacts.create(first_name=f"Kumar{n}x")).id for n in range(2)]
    assert sorted(c.id for c in await ravi.contacts.search("kumar", limit=2)) == mine


async def test_own_pages_never_skip_or_repeat(crm: Sampark) -> None:
    ravi = await view_of(crm, "ravi", "agent")
    await add_user(crm, "meera")
    mine = []
    for number in range(7):
        await crm.contacts.create(first_name=f"Other{number}", owner="meera")
        mine.append((await ravi.contacts.create(first_name=f"Mine{number}")).id)
    seen, cursor = [], None
    while True:
        page = await ravi.contacts.list(cursor=cursor, limit=3)
        seen += [c.id for c in page]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == mine


async def test_interactions_are_seen_by_their_author_and_by_owners_of_participants(
    two_agents: TwoAgents,
) -> None:
    crm, ravi, mine, theirs = two_agents.crm, two_agents.ravi, two_agents.mine, two_agents.theirs
    # Meera writes about Ravi's contact: Ravi sees it (his contact takes part).
    on_mine = await crm.interactions.log(
        kind="call", contacts=[mine.contact], occurred_at=PAST, author="meera"
    )
    # Ravi wrote one about Meera's account (say, before it changed hands): his own words.
    by_him = await crm.interactions.log(
        kind="note", accounts=[theirs.account], occurred_at=PAST, author="ravi"
    )
    assert (await ravi.interactions.get(on_mine.id)).author == "meera"
    assert (await ravi.interactions.get(by_him.id)).account_ids == (theirs.account,)
    entries = await ravi.timeline(("contact", mine.contact))
    assert f"interaction:{on_mine.id}" in [entry.ref for entry in entries]
    # He may not name Meera's contact on a new interaction: to him it does not exist.
    with pytest.raises(ValidationError) as caught:
        await ravi.interactions.log(
            kind="call", contacts=[mine.contact, theirs.contact], occurred_at=PAST
        )
    assert [e.field for e in caught.value.errors] == ["contacts[1]"]
    assert caught.value.errors[0].message == f"no contact with id {theirs.contact}"
    # …but editing one that already involves it keeps it.
    both = await crm.interactions.log(
        kind="meeting", contacts=[mine.contact, theirs.contact], occurred_at=PAST, author="meera"
    )
    edited = await ravi.interactions.update(
        both.id, subject="Joint visit", contacts=[theirs.contact, mine.contact]
    )
    assert edited.subject == "Joint visit"


async def test_an_account_timeline_shows_only_what_the_agent_may_see(
    two_agents: TwoAgents,
) -> None:
    crm, ravi, mine, theirs = two_agents.crm, two_agents.ravi, two_agents.mine, two_agents.theirs
    # Meera's contact works at Ravi's account; her call with that contact is hers alone.
    await crm.links.create(theirs.contact, mine.account, role="Adviser")
    private = await crm.interactions.log(
        kind="call", contacts=[theirs.contact], occurred_at=PAST, author="meera"
    )
    shared = await crm.interactions.log(
        kind="call", accounts=[mine.account], occurred_at=PAST, author="meera"
    )
    refs = [entry.ref for entry in await ravi.timeline(("account", mine.account))]
    assert f"interaction:{shared.id}" in refs
    assert f"interaction:{private.id}" not in refs
    assert f"interaction:{private.id}" in [
        entry.ref for entry in await crm.timeline(("account", mine.account))
    ]
    # The link to Meera's contact is not listed to him either.
    assert [link.contact_id for link in await ravi.links.of_account(mine.account)] == [mine.contact]


async def test_an_agent_owns_what_they_create_and_cannot_give_it_away(crm: Sampark) -> None:
    ravi = await view_of(crm, "ravi", "agent")
    await add_user(crm, "meera")
    contact = await ravi.contacts.create(first_name="Asha")
    assert contact.owner == "ravi"
    assert (await ravi.contacts.create(first_name="Bina", owner="RAVI")).owner == "ravi"
    account = await ravi.accounts.create(name="Acme", owner=None)
    assert account.owner == "ravi"
    note = await ravi.interactions.log(kind="note", contacts=[contact.id], occurred_at=PAST)
    assert note.author == "ravi"
    before = await counts(crm)
    refused = (
        ravi.contacts.create(first_name="Chitra", owner="meera"),
        ravi.accounts.create(name="Bharat", owner="meera"),
        ravi.contacts.update(contact.id, owner="meera"),
        ravi.contacts.update(contact.id, owner=None),
        ravi.accounts.update(account.id, owner="meera"),
        ravi.interactions.log(kind="note", contacts=[contact.id], author="meera"),
        ravi.interactions.update(note.id, author="meera"),
        ravi.contacts.bulk_create([{"first_name": "Dev", "owner": "meera"}]),
    )
    for call in refused:
        with pytest.raises(ValidationError) as caught:
            await call
        assert caught.value.errors[0].field in ("owner", "author", "rows[0].owner")
    assert await counts(crm) == before
    assert await ravi.contacts.bulk_create([{"first_name": "Esha"}]) == 1
    assert [c.owner for c in await crm.contacts.search("esha")] == ["ravi"]


async def test_all_scoped_users_own_what_they_create_unless_they_name_someone(
    crm: Sampark,
) -> None:
    manager = await view_of(crm, "kavya", "manager")
    await add_user(crm, "meera")
    assert (await manager.contacts.create(first_name="Asha")).owner == "kavya"
    assert (await manager.contacts.create(first_name="Bina", owner="meera")).owner == "meera"
    assert (await manager.contacts.create(first_name="Chitra", owner=None)).owner is None
    handed = await manager.accounts.create(name="Acme", owner="meera")
    assert (await manager.accounts.update(handed.id, owner="kavya")).owner == "kavya"


async def test_roles_from_several_grants_take_the_widest_scope(scoped: Sampark) -> None:
    crm = scoped
    await add_user(crm, "meera")
    theirs = await crm.contacts.create(first_name="Asha", owner="meera")
    both = await view_of(crm, "ravi", "agent", "support")
    assert both.actor.scope == "all"
    assert (await both.contacts.get(theirs.id)).id == theirs.id


# ---------------------------------------------------------------------------
# Plugins hear who is looking
# ---------------------------------------------------------------------------


class Tickets:
    """A stand-in plugin that keeps tickets per owner and honours the actor everywhere."""

    def __init__(self) -> None:
        self.owners = {"t1": "ravi", "t2": "meera"}

    def _visible(self, actor: Actor) -> list[str]:
        return [t for t, owner in self.owners.items() if actor.is_system or owner == actor.username]

    @sampark.hookimpl
    def search_sources(self, actor: Actor) -> list[SearchSource]:
        async def find(kernel: Sampark, query: str, limit: int, actor: Actor) -> list[SearchHit]:
            return [SearchHit("tickets", f"ticket:{t}", t) for t in self._visible(actor)][:limit]

        async def legacy(kernel: Sampark, query: str, limit: int) -> list[SearchHit]:
            return [SearchHit("notes", "note:1", "A note")]

        return [
            SearchSource("tickets", "Tickets", find, permission="contacts.read"),
            SearchSource("notes", "Notes", legacy),
            SearchSource("secrets", "Secrets", legacy, permission="contacts.delete"),
        ]

    @sampark.hookimpl
    def timeline_entries(self, subject: Any, before: Any, actor: Actor) -> list[TimelineEntry]:
        return [
            TimelineEntry(at=PAST, kind="ticket", title=t, ref=f"ticket:{t}")
            for t in self._visible(actor)
        ]

    @sampark.hookimpl
    def nav_items(self, actor: Actor) -> list[NavItem]:
        return [
            NavItem("Tickets", "/tickets/", permission="contacts.read"),
            NavItem(f"Hello {actor.username}", "/tickets/me"),
            NavItem("Purge", "/tickets/purge", permission="contacts.delete"),
        ]

    @sampark.hookimpl
    async def contact_panels(self, contact: Any, actor: Actor) -> list[Panel]:
        return [Panel("Tickets", f"<p>{len(self._visible(actor))}</p>")]

    @sampark.hookimpl
    def account_panels(self, actor: Actor) -> list[Panel]:
        return [Panel("Seen by", f"<p>{actor.username}</p>")]


async def test_plugins_are_asked_as_the_actor(crm: Sampark) -> None:
    crm.plugins.pm.register(Tickets(), name="helpdesk")
    ravi = await view_of(crm, "ravi", "agent")
    contact = await ravi.contacts.create(first_name="Asha")
    account = await ravi.accounts.create(name="Acme")

    found = await ravi.search("asha")
    assert list(found) == ["contacts", "accounts", "tickets", "notes"]
    assert [hit.ref for hit in found["tickets"]] == ["ticket:t1"]
    assert len((await crm.search("asha"))["tickets"]) == 2
    assert "secrets" in await crm.search("asha")

    refs = [entry.ref for entry in await ravi.timeline(contact)]
    assert refs == ["ticket:t1"]
    assert len(await crm.timeline(contact)) == 2

    assert [item.label for item in ravi.nav_items()] == ["Hello ravi", "Tickets"]
    assert [item.label for item in crm.nav_items()] == ["Hello system", "Purge", "Tickets"]
    assert [panel.html for panel in await ravi.panels(contact)] == ["<p>1</p>"]
    assert [panel.html for panel in await ravi.panels(account)] == ["<p>ravi</p>"]
    assert [panel.html for panel in await crm.panels(account)] == ["<p>system</p>"]


async def test_a_reader_without_contacts_gets_no_contact_hits(scoped: Sampark) -> None:
    crm = scoped
    await crm.contacts.create(first_name="Asha")
    clerk = crm.as_user(Actor(5, "clerk", frozenset({"accounts.read"})))
    assert list(await clerk.search("asha")) == ["accounts"]
    with pytest.raises(PermissionDenied, match=r"contacts\.read"):
        await clerk.contacts.search("asha")


# ---------------------------------------------------------------------------
# Scoped queries stay index-backed
# ---------------------------------------------------------------------------


async def test_scoped_lists_and_searches_use_indexes(
    crm: Sampark, recorded_selects: Any, query_plans: Any
) -> None:
    ravi = await view_of(crm, "ravi", "agent")
    await add_user(crm, "meera")
    for number in range(20):
        owner = "ravi" if number % 2 else "meera"
        contact = await crm.contacts.create(
            first_name=f"Person{number:02d}", emails=[f"p{number}@example.in"], owner=owner
        )
        await crm.accounts.create(name=f"Firm {number:02d}", owner=owner)
        await crm.interactions.log(
            kind="call", status="planned", due_at=SOON, contacts=[contact.id], author="meera"
        )
    first = await ravi.contacts.list(limit=3)
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "list": lambda: ravi.contacts.list(cursor=first.next_cursor, limit=3),
        "list deleted": lambda: ravi.contacts.list(deleted=True),
        "search": lambda: ravi.contacts.search("person1 example"),
        "search short": lambda: ravi.contacts.search("pe"),
        "accounts": lambda: ravi.accounts.list(),
        "accounts deleted": lambda: ravi.accounts.list(deleted=True),
        "accounts search": lambda: ravi.accounts.search("firm"),
        "followups": lambda: ravi.interactions.followups(),
        "my followups": lambda: crm.interactions.followups(owner="meera"),
        "all followups": lambda: crm.interactions.followups(),
        "recent": lambda: ravi.interactions.recent(),
        "all recent": lambda: crm.interactions.recent(),
    }
    for name, call in calls.items():
        queries = await recorded_selects(crm, call)
        assert queries, name
        for sql, values in queries:
            if sql.startswith("SELECT id FROM core_user"):
                continue  # finding the owner by name: tests/core/test_search.py checks it
            assert await query_plans.full_scans(crm, sql, values) == [], f"{name}: {sql}"


def test_user_views_are_cheap_and_name_their_actor(settings: Any) -> None:
    kernel = Sampark(dataclasses.replace(settings))
    actor = Actor(3, "ravi", frozenset({"contacts.read"}), "own")
    view = kernel.as_user(actor)
    assert view.actor is actor and view.contacts.actor is actor
    assert view.can("contacts.read") and not view.can("contacts.write")
    assert "ravi" in repr(view)
