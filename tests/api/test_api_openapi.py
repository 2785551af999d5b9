"""The OpenAPI document validates, matches the routes, and includes plugins' operations."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

import sampark
from sampark.core.errors import ConfigError
from sampark.core.kernel import Sampark
from sampark.web.api import (
    ApiCall,
    ApiOperation,
    ApiProblem,
    Param,
    Reply,
    api_routes,
    served_operations,
)

_GREET_BODY = {
    "type": "object",
    "properties": {"times": {"type": "integer", "minimum": 1, "maximum": 3}},
    "additionalProperties": False,
}


async def _greet(call: ApiCall) -> Reply:
    name = call.path["name"]
    if name == "nobody":
        raise ApiProblem(404, "nobody is here")
    times = call.body.get("times", 1)
    return Reply({"greeting": " ".join([f"Namaste {name}"] * times)}, status=201)


GREET = ApiOperation(
    "POST",
    "/greet/{name}",
    _greet,
    "Greet someone",
    "greet",
    "contacts.read",
    request_schema=_GREET_BODY,
    response_schema={
        "type": "object",
        "properties": {"greeting": {"type": "string"}},
        "required": ["greeting"],
    },
    parameters=(Param("name", "path", {"type": "string", "maxLength": 40}),),
    status=201,
)


class _Greetings:
    """A plugin giving API operations of its own."""

    def __init__(self, *given: Any) -> None:
        self.given = list(given) or [GREET]

    @sampark.hookimpl
    def api_operations(self, kernel: Sampark) -> list[Any]:
        return self.given


async def _document(app: Any) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    return response.json()


def _served(kernel: Sampark) -> set[tuple[str, str]]:
    return {(op.method.lower(), path) for path, _, op in served_operations(kernel)}


async def test_the_document_validates_and_describes_every_route(crm: Sampark, make_api_app) -> None:
    document = await _document(make_api_app(crm))
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/api"}]
    documented = {(m, path) for path, methods in document["paths"].items() for m in methods}
    assert documented == _served(crm)
    assert ("patch", "/v1/contacts/{contact_id}") in documented
    assert ("get", "/v1/search") in documented
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]

    patch = document["paths"]["/v1/contacts/{contact_id}"]["patch"]
    assert {p["name"] for p in patch["parameters"]} == {"contact_id", "If-Match"}
    assert {"200", "401", "403", "404", "412", "422", "428"} <= set(patch["responses"])
    assert patch["x-permission"] == "contacts.write"
    problem = document["components"]["responses"]["Problem422"]["content"]
    assert problem["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    kinds = document["components"]["schemas"]["AccountInput"]["properties"]["kinds"]
    assert kinds["items"]["enum"] == list(crm.account_kinds)

    route_paths = {route.path for route in api_routes(crm)}  # type: ignore[attr-defined]
    for _, path in documented:
        assert path in route_paths


async def test_a_plugins_operations_are_served_and_documented(
    crm: Sampark, make_api_app, connect, expect
) -> None:
    crm.plugins.pm.register(_Greetings(), name="greetings")
    app = make_api_app(crm)
    document = await _document(app)
    validate(document)
    operation = document["paths"]["/v1/greetings/greet/{name}"]["post"]
    assert operation["operationId"] == "greetings.greet"
    assert operation["tags"] == ["greetings"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == _GREET_BODY

    client = connect(app, "reader")
    response = await client.post("/greetings/greet/Asha", json={"times": 2})
    assert response.status_code == 201, response.text
    assert response.json() == {"greeting": "Namaste Asha Namaste Asha"}
    assert set(expect.fields(await client.post("/greetings/greet/Asha", json={"times": 9}))) == {
        "times"
    }
    expect.problem(await client.post("/greetings/greet/nobody", json={}), 404)
    expect.problem(await connect(app, None).post("/greetings/greet/Asha", json={}), 401)


async def test_without_the_plugin_its_operations_are_gone(crm: Sampark, make_api_app) -> None:
    document = await _document(make_api_app(crm))
    assert not any(path.startswith("/v1/greetings") for path in document["paths"])


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["not an operation"], "must give ApiOperation items"),
        ([GREET, GREET], "both serve POST /v1/greetings/greet/{name}"),
        ([ApiOperation("GET", "/x", _greet, "X", "x", "tickets.fly")], "unknown permission"),
        ([ApiOperation("TRACE", "/x", _greet, "X", "x")], "method must be one of"),
        ([ApiOperation("GET", "x", _greet, "X", "x")], "or start with /"),
        ([ApiOperation("GET", "/x/{y}", _greet, "X", "x")], "need a Param each"),
    ],
)
async def test_a_broken_plugin_operation_fails_at_start_up(
    crm: Sampark, given: list[Any], message: str
) -> None:
    crm.plugins.pm.register(_Greetings(*given), name="greetings")
    with pytest.raises(ConfigError, match=re.escape(message)):
        api_routes(crm)
