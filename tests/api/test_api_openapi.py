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
    ApiSchema,
    Param,
    Reply,
    api_routes,
    served_operations,
)
from sampark.web.api.schemas import MAX_ID

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


GREETING = ApiSchema(
    "Greeting",
    {"type": "object", "properties": {"greeting": {"type": "string"}}, "required": ["greeting"]},
)
TIMES = ApiSchema("GreetingTimes", {"type": "integer", "minimum": 1, "maximum": 3})
NAMED_GREET = ApiOperation(
    "POST",
    "/named/{name}",
    _greet,
    "Greet someone",
    "greetNamed",
    "contacts.read",
    request_schema=ApiSchema(
        "GreetingRequest",
        {"type": "object", "properties": {"times": TIMES}, "additionalProperties": False},
    ),
    response_schema=GREETING,
    parameters=(Param("name", "path", {"type": "string", "maxLength": 40}),),
    status=201,
)
COUNTED = ApiOperation(
    "GET",
    "/counted/{n}",
    _greet,
    "Count",
    "counted",
    response_schema=GREETING,
    parameters=(Param("n", "path", {"type": "integer"}), Param("k", "query", {"type": "integer"})),
)


async def test_named_schemas_are_components_that_operations_ref(
    crm: Sampark, make_api_app, connect, expect
) -> None:
    crm.plugins.pm.register(_Greetings(NAMED_GREET, COUNTED), name="greetings")
    app = make_api_app(crm)
    document = await _document(app)
    validate(document)
    schemas = document["components"]["schemas"]
    assert schemas["Greeting"] == GREETING.schema
    assert schemas["GreetingRequest"]["properties"]["times"] == {
        "$ref": "#/components/schemas/GreetingTimes"
    }
    operation = document["paths"]["/v1/greetings/named/{name}"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GreetingRequest"
    }
    assert operation["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Greeting"
    }

    # The body is checked against the named schemas, nested ones included.
    client = connect(app, "reader")
    assert (await client.post("/greetings/named/Asha", json={"times": 2})).status_code == 201
    refused = await client.post("/greetings/named/Asha", json={"times": 9})
    assert expect.fields(refused) == {"times": "must be at most 3 (got 9)"}


async def test_the_host_bounds_every_integer_parameter(crm: Sampark, make_api_app) -> None:
    crm.plugins.pm.register(_Greetings(COUNTED), name="greetings")
    document = await _document(make_api_app(crm))
    path, query = document["paths"]["/v1/greetings/counted/{n}"]["get"]["parameters"]
    assert path["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    assert query["schema"] == {"type": "integer", "minimum": -MAX_ID - 1, "maximum": MAX_ID}


class _Rival:
    """Another plugin naming a schema ``Greeting``."""

    @sampark.hookimpl
    def api_operations(self, kernel: Sampark) -> list[Any]:
        return [ApiOperation("GET", "/hello", _greet, "Hello", "hello", response_schema=GREETING)]


async def test_two_plugins_giving_one_schema_name_fail_at_start_up(crm: Sampark) -> None:
    crm.plugins.pm.register(_Greetings(NAMED_GREET), name="greetings")
    crm.plugins.pm.register(_Rival(), name="rival")
    with pytest.raises(
        ConfigError, match=r"'Greeting' is given by both (greetings and rival|rival and greetings)"
    ):
        api_routes(crm)


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (ApiSchema("Contact", {"type": "object"}), "'Contact' is given by both core and greetings"),
        (ApiSchema("greeting", {"type": "object"}), "must start with a capital letter"),
        (ApiSchema("Greeting", {"type": "string"}), "two different API schemas are called"),
    ],
)
async def test_a_bad_schema_name_fails_at_start_up(
    crm: Sampark, schema: ApiSchema, message: str
) -> None:
    clashing = ApiOperation("GET", "/other", _greet, "Other", "other", response_schema=schema)
    crm.plugins.pm.register(_Greetings(NAMED_GREET, clashing), name="greetings")
    with pytest.raises(ConfigError, match=re.escape(message)):
        api_routes(crm)


def _walk(node: Any, where: str = "") -> Any:
    """Every (place, schema-like mapping) in a document."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{where}/{index}")


async def test_the_built_in_plugins_name_each_schema_once_and_type_everything(
    make_kernel, settings, make_api_app
) -> None:
    import dataclasses

    web = dataclasses.replace(settings.web, allowed_hosts=("test",))
    kernel = await make_kernel(plugins=("pipeline", "tickets", "contracts"), web=web)
    document = await _document(make_api_app(kernel))
    validate(document)
    schemas = document["components"]["schemas"]
    assert {"Ticket", "TicketStatus", "Deal", "DealStatus", "Contract", "Decimal"} <= set(schemas)
    ticket_ops = [
        op
        for path, methods in document["paths"].items()
        if path.startswith("/v1/tickets")
        for op in methods.values()
    ]
    answers = [
        op["responses"][status]["content"]["application/json"]["schema"]
        for op in ticket_ops
        for status in ("200", "201")
        if status in op["responses"] and "content" in op["responses"][status]
    ]
    assert {"$ref": "#/components/schemas/Ticket"} in answers

    for where, node in _walk(document):
        if node.get("format") in ("date", "date-time"):
            assert "maxLength" not in node, f"{where}: a date needs no maxLength"
        if node.get("type") == "object" and "/examples" not in where:
            typed = {"properties", "additionalProperties", "$ref"} & set(node)
            assert typed, f"{where}: an object with nothing said about its fields"
        # An enum is written once, in its component, and referred to elsewhere.
        if "enum" in node and node["enum"] == schemas["TicketStatus"]["enum"]:
            assert where == "/components/schemas/TicketStatus", where

    changes = schemas["AuditEntry"]["properties"]["changes"]
    assert changes["additionalProperties"] == {"$ref": "#/components/schemas/FieldChange"}
    assert schemas["FieldChange"]["minItems"] == schemas["FieldChange"]["maxItems"] == 2
