"""The OpenAPI 3.1 document, written from the same operations the routes serve."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sampark.web.api.components import document_components, ref, referenced
from sampark.web.api.etags import etag
from sampark.web.api.operations import JSON, ApiOperation, Param
from sampark.web.api.problems import PROBLEM_JSON, PROBLEM_KINDS

_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": (
        "The record's ETag as last read (GET or the previous write), e.g. "
        f"`{etag(3)}`. Missing: 428; stale: 412."
    ),
    "schema": {"type": "string", "pattern": '^"v[0-9]+"$'},
}
_HEADERS = {
    "ETag": {
        "description": 'The record\'s version as a strong ETag, e.g. `"v3"`; send it as If-Match.',
        "schema": {"type": "string"},
        "required": True,
    },
    "Location": {
        "description": "Where the new record is.",
        "schema": {"type": "string"},
        "required": True,
    },
    "WWW-Authenticate": {"schema": {"type": "string"}, "required": True},
}
_SUCCESS = {200: "OK", 201: "Created", 204: "No content"}

DESCRIPTION = """\
Sampark's JSON API. Authenticate with a personal API token:
`Authorization: Bearer <token>`. Lists are paged with `limit` and `cursor`
(follow `next_cursor`). Writes to existing records need `If-Match` with the record's
ETag. Errors are `application/problem+json` (RFC 9457); bad input names every field.
"""


def _problem_responses() -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, (_, title) in PROBLEM_KINDS.items():
        response: dict[str, Any] = {
            "description": title,
            "content": {PROBLEM_JSON: {"schema": ref("Problem")}},
        }
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}
            }
        responses[f"Problem{status}"] = response
    return responses


def _parameter(param: Param) -> dict[str, Any]:
    schema = referenced(param.schema)
    described: dict[str, Any] = {
        "name": param.name,
        "in": param.location,
        "required": param.required or param.location == "path",
        "schema": schema,
    }
    if param.description:
        described["description"] = param.description
    return described


def _success(op: ApiOperation) -> dict[str, Any]:
    response: dict[str, Any] = {"description": _SUCCESS.get(op.status, "OK")}
    headers = {}
    if op.etag:
        headers["ETag"] = {"$ref": "#/components/headers/ETag"}
    if op.location:
        headers["Location"] = {"$ref": "#/components/headers/Location"}
    if headers:
        response["headers"] = headers
    if op.response_schema is not None and op.status != 204:
        response["content"] = {JSON: {"schema": referenced(op.response_schema)}}
    return response


def _operation(op: ApiOperation, operation_id: str) -> dict[str, Any]:
    description = op.description
    if op.permission:
        needs = f"Needs the `{op.permission}` permission."
        description = f"{description}\n\n{needs}" if description else needs
    described: dict[str, Any] = {
        "operationId": operation_id,
        "summary": op.summary,
        "tags": list(op.tags),
        "parameters": [_parameter(p) for p in op.parameters],
        "responses": {
            str(op.status): _success(op),
            **{
                str(status): {"$ref": f"#/components/responses/Problem{status}"}
                for status in op.error_statuses()
            },
        },
    }
    if description:
        described["description"] = description
    if op.permission:
        described["x-permission"] = op.permission
    if op.if_match:
        described["parameters"].append(dict(_IF_MATCH))
    if op.request_schema is not None:
        described["requestBody"] = {
            "required": op.body_required,
            "content": {JSON: {"schema": referenced(op.request_schema)}},
        }
    return described


def openapi_document(
    routed: Sequence[tuple[str, str, ApiOperation]],
    components: Mapping[str, Any],
    *,
    server: str,
    version: str,
) -> dict[str, Any]:
    """The document for ``(path, operationId, operation)`` triples, as served under ``server``.

    ``components`` are every schema the operations name (see ``collect_components``).
    """
    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, None] = {}
    for path, operation_id, op in routed:
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, operation_id)
        tags.update(dict.fromkeys(op.tags))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Sampark API", "version": version, "description": DESCRIPTION},
        "servers": [{"url": server or "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": name} for name in tags],
        "paths": paths,
        "components": {
            "schemas": document_components(components),
            "responses": _problem_responses(),
            "headers": _HEADERS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (created in the UI or the CLI).",
                }
            },
        },
    }
