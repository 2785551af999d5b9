"""``/api/docs``: the API reference page, made from the OpenAPI document the app serves."""

from __future__ import annotations

from typing import Any

import httpx

import sampark
from sampark.core.kernel import Sampark
from sampark.web.api import ApiOperation
from sampark.web.api.components import ApiSchema
from sampark.web.app import build_app
from sampark.web.routes.api_docs import limits_of, sections, type_of

HOSTILE = "<script>alert(1)</script>"
GIFT = ApiSchema("DocsGift", {"type": "object", "properties": {"note": {"type": "string"}}})


class _Hostile:
    """A plugin whose texts try to inject markup into the reference page."""

    @sampark.hookimpl
    def api_operations(self) -> list[ApiOperation]:
        async def handler(call: Any) -> dict[str, Any]:
            return {}

        return [
            ApiOperation(
                method="GET",
                path="/gifts",
                handler=handler,
                summary=f"Gifts {HOSTILE}",
                operation_id="listGifts",
                description=f'Described "with" {HOSTILE}',
                response_schema=GIFT,
            )
        ]


async def test_the_reference_is_public_and_lists_every_operation(
    anonymous: httpx.AsyncClient,
) -> None:
    page = await anonymous.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    document = (await anonymous.get("/api/openapi.json")).json()
    for path, item in document["paths"].items():
        for method, op in item.items():
            assert f'id="op-{op["operationId"].replace(".", "-")}"' in page.text
            assert f'<code class="api-path">{path}</code>' in page.text
            assert f">{method.upper()}</span>" in page.text
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in page.text
    assert "bearerAuth" in page.text
    assert "<script>" not in page.text.split("</head>", 1)[1]  # no inline script at all


async def test_schemas_are_linked_by_ref_and_parameters_described(
    anonymous: httpx.AsyncClient,
) -> None:
    page = (await anonymous.get("/api/docs")).text
    document = (await anonymous.get("/api/openapi.json")).json()
    op = document["paths"]["/v1/contacts"]["get"]
    assert op["parameters"], "contacts' list has query parameters"
    section = page.split(f'id="op-{op["operationId"]}"', 1)[1].split("</article>", 1)[0]
    for param in op["parameters"]:
        name = param.get("name") or param["$ref"].rsplit("/", 1)[-1]
        assert name in section
    refs = [response for response in op["responses"].values() if "$ref" in str(response)]
    assert refs, "the document refers to components"
    assert 'href="#schema-' in section


async def test_plugin_texts_are_escaped(web_crm: Sampark, clients: Any) -> None:
    web_crm.plugins.pm.register(_Hostile(), name="docs_gifts")
    app = build_app(web_crm)
    page = await clients.browser(app).get("/api/docs")
    assert page.status_code == 200
    assert HOSTILE not in page.text
    assert "Gifts &lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert 'id="tag-docs_gifts"' in page.text
    assert 'href="#schema-DocsGift"' in page.text
    assert 'id="schema-DocsGift"' in page.text


async def test_signed_in_readers_are_pointed_to_their_tokens(admin: httpx.AsyncClient) -> None:
    page = await admin.get("/api/docs")
    assert 'href="/profile#tokens"' in page.text
    footer = (await admin.get("/")).text
    assert 'href="/api/docs"' in footer


def test_types_and_limits_read_like_words() -> None:
    assert type_of({"type": "string", "format": "date"}) == "string (date)"
    assert type_of({"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}) == (
        "array of Tag"
    )
    assert type_of({"type": ["string", "null"]}) == "string or null"
    assert type_of({"oneOf": [{"type": "integer"}, {"type": "string"}]}) == "integer or string"
    assert type_of({}) == "any"
    assert limits_of({"minimum": 1, "maxLength": 5, "enum": ["a", "b"]}) == [
        "≥ 1",
        "at most 5 characters",
        'one of: "a", "b"',
    ]


def test_operations_are_grouped_by_their_first_tag_in_document_order() -> None:
    document = {
        "tags": [{"name": "b"}, {"name": "a"}],
        "paths": {
            "/x": {"get": {"operationId": "x", "tags": ["a"], "responses": {}}},
            "/y": {
                "post": {"operationId": "y", "tags": ["b"], "responses": {}},
                "get": {"operationId": "z", "responses": {}},
            },
        },
    }
    grouped = sections(document)
    assert [(s.tag, [op.operation_id for op in s.operations]) for s in grouped] == [
        ("b", ["y"]),
        ("a", ["x"]),
        ("other", ["z"]),
    ]
