"""Plugins' routes are mounted under their label and run against the kernel's database."""

from __future__ import annotations

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import sampark
from sampark.core.kernel import Sampark
from sampark.web.app import build_app


class _Hello:
    @sampark.hookimpl
    def register_routes(self) -> list[Route]:
        async def count(request: Request) -> JSONResponse:
            kernel: Sampark = request.app.state.kernel
            rows = await kernel.connection.execute_query_dict("SELECT COUNT(*) AS n FROM core_tag")
            return JSONResponse({"tags": rows[0]["n"]})

        return [Route("/count", count)]


async def _get(app, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


async def test_plugin_routes_are_mounted_under_the_plugin_label(crm: Sampark) -> None:
    crm.plugins.pm.register(_Hello(), name="hello_routes")
    with crm.activate():
        await crm.connection.execute_query("INSERT INTO core_tag (name, key) VALUES ('a', 'a')")
    app = build_app(crm)
    response = await _get(app, "/hello_routes/count")
    assert response.status_code == 200
    assert response.json() == {"tags": 1}
    health = await _get(app, "/health")
    assert health.json()["status"] == "ok"


async def test_without_the_plugin_its_routes_do_not_exist(crm: Sampark) -> None:
    response = await _get(build_app(crm), "/hello_routes/count")
    assert response.status_code == 404
