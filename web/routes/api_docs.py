"""``/api/docs``: the API reference as a page people read, made from the OpenAPI document.

It is rendered from the very document ``/api/openapi.json`` serves (core's operations and
every enabled plugin's), by our own template: no script, so the content security policy
holds, and every text in it (plugins write descriptions) is escaped. It is public, as
the document is: what a client can do says nothing about the CRM's records.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from sampark.web.templating import render

_METHODS = ("get", "post", "put", "patch", "delete")
_REF = "#/components/"


@dataclass(frozen=True)
class Operation:
    """One operation as the page shows it; schemas stay OpenAPI dicts for the template."""

    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    permission: str
    parameters: list[dict[str, Any]]
    request_body: dict[str, Any] | None
    responses: list[tuple[str, dict[str, Any]]]

    @property
    def anchor(self) -> str:
        return "op-" + anchor_of(self.operation_id)


@dataclass
class Section:
    """The operations of one tag (core's kinds of record, or a plugin's label)."""

    tag: str
    description: str = ""
    operations: list[Operation] = field(default_factory=list)


def anchor_of(name: str) -> str:
    """A fragment id for ``name`` (operation ids and schema names use few characters)."""
    return "".join(char if char.isalnum() or char in "-_" else "-" for char in name)


def ref_target(ref: Any) -> tuple[str, str] | None:
    """``("schemas", "Contact")`` for ``#/components/schemas/Contact``; None for other refs."""
    if not isinstance(ref, str) or not ref.startswith(_REF):
        return None
    kind, _, name = ref.removeprefix(_REF).partition("/")
    return (kind, name) if name else None


def resolve(document: Mapping[str, Any], item: Any) -> Any:
    """A parameter, response or body with its ``$ref`` followed (schemas are linked instead)."""
    seen: set[str] = set()
    while isinstance(item, Mapping) and "$ref" in item and item["$ref"] not in seen:
        seen.add(item["$ref"])
        target = ref_target(item["$ref"])
        found = document.get("components", {}).get(target[0], {}) if target else {}
        if not target or target[1] not in found:
            return item
        item = found[target[1]]
    return item


def _operation(document: Mapping[str, Any], method: str, path: str, op: Mapping[str, Any]) -> Any:
    parameters = [resolve(document, param) for param in op.get("parameters", [])]
    body = resolve(document, op.get("requestBody")) if op.get("requestBody") else None
    responses = [
        (status, resolve(document, response))
        for status, response in sorted(op.get("responses", {}).items())
    ]
    return Operation(
        method=method.upper(),
        path=path,
        operation_id=str(op.get("operationId", f"{method} {path}")),
        summary=str(op.get("summary", "")),
        description=str(op.get("description", "")),
        permission=str(op.get("x-permission", "")),
        parameters=parameters,
        request_body=body,
        responses=responses,
    )


def sections(document: Mapping[str, Any]) -> list[Section]:
    """The document's operations grouped by their first tag, in the document's tag order."""
    by_tag = {
        tag["name"]: Section(tag["name"], str(tag.get("description", "")))
        for tag in document.get("tags", [])
    }
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            if method in item:
                op = item[method]
                tag = (op.get("tags") or ["other"])[0]
                section = by_tag.setdefault(tag, Section(tag))
                section.operations.append(_operation(document, method, path, op))
    return [section for section in by_tag.values() if section.operations]


def type_of(schema: Any) -> str:
    """A schema's type in a few words: ``string (date)``, ``array of Contact``, ``Contact``."""
    if not isinstance(schema, Mapping):
        return "any"
    target = ref_target(schema.get("$ref"))
    if target:
        return target[1]
    kind = schema.get("type")
    if isinstance(kind, list):
        words = " or ".join(str(item) for item in kind)
    elif kind == "array":
        words = f"array of {type_of(schema.get('items', {}))}"
    elif kind:
        words = str(kind)
    elif "const" in schema:
        words = json.dumps(schema["const"], ensure_ascii=False)
    else:
        words = ""
    for combiner, joiner in (("oneOf", " or "), ("anyOf", " or "), ("allOf", " and ")):
        if combiner in schema:
            words = joiner.join(type_of(part) for part in schema[combiner])
    if schema.get("format"):
        words = f"{words} ({schema['format']})"
    return words or "any"


_LIMITS = (
    ("minimum", "≥ {}"),
    ("exclusiveMinimum", "> {}"),
    ("maximum", "≤ {}"),
    ("exclusiveMaximum", "< {}"),
    ("minLength", "at least {} characters"),
    ("maxLength", "at most {} characters"),
    ("minItems", "at least {} items"),
    ("maxItems", "at most {} items"),
    ("pattern", "matches {}"),
    ("default", "default {}"),
)


def limits_of(schema: Any) -> list[str]:
    """A schema's constraints as short phrases: ``≥ 1``, ``one of: a, b``."""
    if not isinstance(schema, Mapping):
        return []
    found = [
        template.format(json.dumps(schema[key], ensure_ascii=False))
        if key in ("default", "pattern")
        else template.format(schema[key])
        for key, template in _LIMITS
        if key in schema
    ]
    if "enum" in schema:
        found.append(
            "one of: " + ", ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"])
        )
    return found


def _document(request: Request) -> dict[str, Any]:
    """The OpenAPI document the app serves, as served at this app's ``/api``."""
    for route in request.app.router.routes:
        if isinstance(route, Mount) and route.name == "api":
            for inner in route.routes:
                if isinstance(inner, Route) and inner.name == "api_openapi":
                    server = request.scope.get("root_path", "") + "/api"
                    return json.loads(inner.endpoint.render(server))
    raise LookupError("the app serves no OpenAPI document")


async def api_docs(request: Request) -> Response:
    document = _document(request)
    return render(
        request,
        "api_docs.html",
        {
            "document": document,
            "sections": sections(document),
            "schemas": sorted(document.get("components", {}).get("schemas", {}).items()),
            "security": document.get("components", {}).get("securitySchemes", {}),
            "server": document.get("servers", [{}])[0].get("url", "/api"),
            "type_of": type_of,
            "limits_of": limits_of,
            "ref_target": ref_target,
            "anchor_of": anchor_of,
        },
    )


def routes() -> list[Route]:
    """Served before the ``/api`` mount, whose catch-all would answer 404 otherwise."""
    return [Route("/api/docs", api_docs, methods=["GET"], name="api_docs")]
