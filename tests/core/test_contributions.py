"""Global search, navigation and panels gather what core and plugins contribute."""

from __future__ import annotations

import pytest

import sampark
from sampark.core.contributions import DashboardNumber, NavItem, Panel, SearchHit, SearchSource
from sampark.core.errors import ConfigError
from sampark.core.kernel import Sampark
from sampark.core.permissions import Actor


class _Catalogue:
    """A stand-in plugin: a search source of its own, a nav item and panels."""

    @sampark.hookimpl
    def search_sources(self) -> list[SearchSource]:
        async def find_products(kernel: Sampark, query: str, limit: int) -> list[SearchHit]:
            products = ["Masala chai", "Filter coffee", "Chai latte"]
            hits = [p for p in products if query.lower() in p.lower()]
            return [SearchHit("products", f"product:{p}", p) for p in hits[:limit]]

        return [SearchSource("products", "Products", find_products)]

    @sampark.hookimpl
    def nav_items(self) -> list[NavItem]:
        return [NavItem("Products", "/catalogue/", order=50)]

    @sampark.hookimpl
    async def dashboard_numbers(self, actor) -> list[DashboardNumber]:
        if not actor.can("contacts.read"):
            return []
        return [
            DashboardNumber("products", 3, url="/catalogue/", order=20),
            DashboardNumber("out of stock", 1, order=10, alert=True),
        ]

    @sampark.hookimpl
    async def contact_panels(self, contact) -> list[Panel]:
        return [Panel("Orders", f"<p>No orders for {contact.display_name}</p>", order=5)]

    @sampark.hookimpl
    def account_panels(self, account) -> list[Panel]:
        return [Panel("Price list", f"<p>{account.name}: standard</p>")]


@pytest.fixture
async def crm_with_catalogue(crm: Sampark) -> Sampark:
    crm.plugins.pm.register(_Catalogue(), name="catalogue")
    return crm


async def test_global_search_asks_core_and_plugin_sources(crm_with_catalogue: Sampark) -> None:
    crm = crm_with_catalogue
    asha = await crm.contacts.create(first_name="Asha", last_name="Chaiwala")
    await crm.accounts.create(name="Chai Point", kinds=["supplier"])
    results = await crm.search("chai")
    assert list(results) == ["contacts", "accounts", "products"]
    assert [hit.ref for hit in results["contacts"]] == [f"contact:{asha.id}"]
    assert [hit.title for hit in results["accounts"]] == ["Chai Point"]
    assert [hit.title for hit in results["products"]] == ["Masala chai", "Chai latte"]


async def test_two_sources_with_one_name_are_refused_naming_both(crm: Sampark) -> None:
    class Clash:
        @sampark.hookimpl
        def search_sources(self) -> list[SearchSource]:
            async def nothing(kernel: Sampark, query: str, limit: int) -> list[SearchHit]:
                return []

            return [SearchSource("contacts", "Contacts again", nothing)]

    crm.plugins.pm.register(Clash(), name="clash")
    with pytest.raises(ConfigError, match="both plugin core and plugin clash"):
        await crm.search("x")


async def test_nav_items_and_panels_come_in_display_order(crm_with_catalogue: Sampark) -> None:
    crm = crm_with_catalogue
    assert [item.label for item in crm.nav_items()] == ["Products"]
    contact = await crm.contacts.create(first_name="रमेश")
    panels = await crm.panels(contact)
    assert [panel.title for panel in panels] == ["Orders"]
    assert "रमेश" in panels[0].html
    account = await crm.accounts.create(name="Acme")
    assert [panel.title for panel in await crm.panels(account)] == ["Price list"]


async def test_dashboard_numbers_come_in_order_and_follow_the_actor(
    crm_with_catalogue: Sampark,
) -> None:
    crm = crm_with_catalogue
    numbers = await crm.dashboard_numbers()
    assert [(n.label, n.value) for n in numbers] == [("out of stock", 1), ("products", 3)]
    nobody = Actor(user_id=5, username="nobody", permissions=frozenset())
    assert await crm.as_user(nobody).dashboard_numbers() == []


def test_plugin_permissions_join_core_ones_and_roles_grant_them_by_suffix(
    settings,
) -> None:
    from sampark.core.permissions import Permission, actor_for

    class Tickets:
        @sampark.hookimpl
        def permissions(self) -> list[Permission]:
            return [Permission("tickets.read", "See tickets"), Permission("tickets.write")]

    kernel = Sampark(settings)
    kernel.plugins.pm.register(Tickets(), name="helpdesk")
    names = kernel._permission_names()
    assert names["tickets.read"] == "See tickets"
    assert "contacts.read" in names
    agent = actor_for(7, "ravi", ["agent"], kernel.roles, names)
    assert agent.can("tickets.write") and not agent.can("contacts.delete")
    assert agent.scope == "own"
    reader = actor_for(8, "mina", ["read-only"], kernel.roles, names)
    assert reader.can("tickets.read") and not reader.can("tickets.write")


def test_a_plugin_cannot_take_over_a_core_permission(settings) -> None:
    from sampark.core.permissions import Permission

    class Greedy:
        @sampark.hookimpl
        def permissions(self) -> list[Permission]:
            return [Permission("contacts.read")]

    kernel = Sampark(settings)
    kernel.plugins.pm.register(Greedy(), name="greedy")
    with pytest.raises(ConfigError, match=r"plugin greedy: permission 'contacts\.read' is core's"):
        kernel._permission_names()


async def test_a_plugin_facade_binds_a_kernel_and_an_actor(crm: Sampark) -> None:
    from sampark.core.facades import PluginFacade
    from sampark.core.permissions import SYSTEM

    class Greetings(PluginFacade):
        pass

    ravi = Actor(user_id=3, username="ravi", permissions=frozenset({"contacts.read"}))
    as_system, as_ravi = Greetings(crm), Greetings.of(crm.as_user(ravi))
    assert (as_system.kernel, as_system.actor) == (crm, SYSTEM)
    assert (as_ravi.kernel, as_ravi.actor) == (crm, ravi)
    assert Greetings(crm, ravi).actor == ravi
