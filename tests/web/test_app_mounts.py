"""Plugins' routes are mounted under their label, for signed-in users, on the kernel's database."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import sampark
from sampark.core.contributions import DashboardNumber, NavItem, Panel
from sampark.core.errors import ConfigError
from sampark.core.kernel import Sampark
from sampark.core.services import auth
from sampark.core.settings import WebSettings
from sampark.web.app import build_app

SECRET = "test-secret-key-" + "y" * 32


class _Hello:
    @sampark.hookimpl
    def register_routes(self) -> list[Route]:
        async def count(request: Request) -> JSONResponse:
            kernel: Sampark = request.app.state.kernel
            rows = await kernel.connection.execute_query_dict("SELECT COUNT(*) AS n FROM core_tag")
            return JSONResponse({"tags": rows[0]["n"], "user": request.state.actor.username})

        return [Route("/count", count, name="count")]

    @sampark.hookimpl
    def nav_items(self) -> list[NavItem]:
        return [NavItem("Hello page", "/hello_routes/count")]

    @sampark.hookimpl
    def contact_panels(self, contact: object) -> list[Panel]:
        return [Panel("Hello panel", "<p>from the hello plugin</p>")]

    @sampark.hookimpl
    def dashboard_numbers(self) -> list[DashboardNumber]:
        return [DashboardNumber("greetings <due>", 7, url="/hello_routes/count", alert=True)]


async def test_plugin_routes_are_mounted_under_the_plugin_label(web_crm: Sampark, web: Any) -> None:
    web_crm.plugins.pm.register(_Hello(), name="hello_routes")
    with web_crm.activate():
        await web_crm.connection.execute_query("INSERT INTO core_tag (name, key) VALUES ('a', 'a')")
    app = build_app(web_crm)
    assert app.url_path_for("hello_routes:count") == "/hello_routes/count"
    async with web.client(app) as client:
        anonymous = await client.get("/hello_routes/count")
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == "/login?next=%2Fhello_routes%2Fcount"
        await web.sign_in(client, "ravi")
        response = await client.get("/hello_routes/count")
        assert response.status_code == 200
        assert response.json() == {"tags": 1, "user": "ravi"}
        home = await client.get("/")
        assert 'href="/hello_routes/count"' in home.text
        assert '<span class="count">7</span> greetings &lt;due&gt;' in home.text
        contact = await web_crm.contacts.create(first_name="Asha", owner="ravi")
        page = await client.get(f"/contacts/{contact.id}")
        assert "Hello panel" in page.text
        assert "<p>from the hello plugin</p>" in page.text
        health = await client.get("/health")
        assert health.json()["status"] == "ok"


async def test_without_the_plugin_it_leaves_no_trace(web_crm: Sampark, web: Any) -> None:
    async with web.client(build_app(web_crm)) as client:
        await web.sign_in(client, "asha")
        assert (await client.get("/hello_routes/count")).status_code == 404
        home = await client.get("/")
        assert "Hello page" not in home.text
        assert "greetings" not in home.text
        contact = await web_crm.contacts.create(first_name="Asha")
        assert "Hello panel" not in (await client.get(f"/contacts/{contact.id}")).text


async def test_a_plugin_label_that_clashes_with_a_core_page_is_refused(web_crm: Sampark) -> None:
    class Contacts:
        @sampark.hookimpl
        def register_routes(self) -> list[Route]:
            return [Route("/x", lambda request: JSONResponse({}))]

    web_crm.plugins.pm.register(Contacts(), name="contacts")
    with pytest.raises(ConfigError, match="plugin contacts: its pages would clash"):
        build_app(web_crm)


async def test_plugin_pages_see_the_kernel_through_the_signed_in_user(
    web_crm: Sampark, web: Any
) -> None:
    class Mine:
        @sampark.hookimpl
        def register_routes(self) -> list[Route]:
            async def mine(request: Request) -> JSONResponse:
                page = await request.state.crm.contacts.list()
                return JSONResponse([contact.display_name for contact in page])

            return [Route("/mine", mine)]

    web_crm.plugins.pm.register(Mine(), name="mine")
    await web_crm.contacts.create(first_name="Ravi's", owner="ravi")
    await web_crm.contacts.create(first_name="Asha's", owner="asha")
    async with web.client(build_app(web_crm)) as client:
        await web.sign_in(client, "ravi")
        response = await client.get("/mine/mine")
    assert response.json() == ["Ravi's"]


async def test_a_plugins_static_files_are_served_under_its_label(
    make_kernel: Any, web: Any
) -> None:
    crm = await make_kernel(plugins=("hello",), web=WebSettings(secret_key=SECRET))
    await auth.add_user(crm, "asha", password=web.password, roles=("admin",))
    app = build_app(crm)
    url = app.state.templates.env.globals["plugin_static"]("hello", "hello.css")
    assert re.fullmatch(r"/hello/static/hello\.css\?v=[0-9a-f]{10}", url)
    async with web.client(app) as client:
        assert (await client.get(url)).status_code == 303  # signed-in users only
        await web.sign_in(client, "asha")
        response = await client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/css")
        assert ".greeting" in response.text
        assert (await client.get("/hello/static/missing.css")).status_code == 404
