"""Sampark's JSON API, mounted at ``/api``: ``/api/v1/…`` and ``/api/openapi.json``.

Core's operations and those plugins give through the ``api_operations`` hook are one
list; the routes and the OpenAPI document are both made from it, so the document always
describes what is served. Plugins' operations live under ``/api/v1/<label>/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from sampark.core.errors import ConfigError
from sampark.core.plugins import CORE_LABEL
from sampark.web.api.accounts import account_operations
from sampark.web.api.components import ApiSchema, bounded_integers, collect_components
from sampark.web.api.contacts import contact_operations
from sampark.web.api.interactions import interaction_operations
from sampark.web.api.lifecycle import audit_operation, restore_operation
from sampark.web.api.links import link_operations
from sampark.web.api.openapi import openapi_document
from sampark.web.api.operations import (
    JSON,
    ApiCall,
    ApiOperation,
    NotFoundEndpoint,
    OperationEndpoint,
    Param,
    Reply,
    page_reply,
    with_integer_bounds,
)
from sampark.web.api.problems import ApiProblem, problem_response
from sampark.web.api.schemas import core_components
from sampark.web.api.search import search_operations
from sampark.web.api.validation import SchemaChecker

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

__all__ = [
    "ApiCall",
    "ApiOperation",
    "ApiProblem",
    "ApiSchema",
    "Param",
    "Reply",
    "api_routes",
    "audit_operation",
    "page_reply",
    "restore_operation",
    "served_operations",
]

API_VERSION = "v1"
_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def core_operations(kernel: Sampark) -> list[ApiOperation]:
    return [
        *contact_operations(kernel),
        *account_operations(kernel),
        *link_operations(kernel),
        *interaction_operations(kernel),
        *search_operations(kernel),
    ]


def _check_plugin_operation(kernel: Sampark, plugin: str, op: Any) -> ApiOperation:
    if not isinstance(op, ApiOperation):
        raise ConfigError(f"plugin {plugin}: api_operations must give ApiOperation items")
    if op.method not in _METHODS:
        raise ConfigError(
            f"plugin {plugin}: operation {op.operation_id}: method must be one of "
            f"{', '.join(sorted(_METHODS))} (got {op.method!r})"
        )
    if op.path and not op.path.startswith("/"):
        raise ConfigError(
            f"plugin {plugin}: operation {op.operation_id}: path must be empty (the plugin's "
            f"root, /api/v1/{plugin}) or start with /"
        )
    in_path = set(re.findall(r"\{([^}]+)\}", op.path))
    declared = {param.name for param in op.parameters if param.location == "path"}
    if in_path != declared:
        raise ConfigError(
            f"plugin {plugin}: operation {op.operation_id}: path parameters "
            f"{sorted(in_path)} need a Param each (declared: {sorted(declared)})"
        )
    if op.permission and op.permission not in kernel.permission_names:
        raise ConfigError(
            f"plugin {plugin}: operation {op.operation_id}: unknown permission {op.permission!r}"
        )
    return op


def served_operations(kernel: Sampark) -> list[tuple[str, str, ApiOperation]]:
    """Every operation served as ``(path under /api, operationId, operation)``.

    Two operations on one method and path, or with one operationId, fail at start-up,
    naming whose they are. Integers are held to what a database integer holds.
    """
    routed = [
        (f"/{API_VERSION}{op.path}", op.operation_id, with_integer_bounds(op))
        for op in core_operations(kernel)
    ]
    for contribution in kernel.plugins.collect("api_operations", kernel=kernel):
        if contribution.plugin == CORE_LABEL:
            continue
        given = _check_plugin_operation(kernel, contribution.plugin, contribution.item)
        op = with_integer_bounds(given)
        path = f"/{API_VERSION}/{contribution.plugin}{op.path}"
        if not op.tags:
            op = replace(op, tags=(contribution.plugin,))
        routed.append((path, f"{contribution.plugin}.{op.operation_id}", op))
    seen: dict[tuple[str, str], str] = {}
    ids: set[str] = set()
    for path, operation_id, op in routed:
        key = (op.method, path)
        if key in seen:
            raise ConfigError(
                f"API operations {seen[key]} and {operation_id} both serve {op.method} {path}"
            )
        if operation_id in ids:
            raise ConfigError(f"two API operations are called {operation_id}")
        seen[key] = operation_id
        ids.add(operation_id)
    return routed


def _version() -> str:
    try:
        return package_version("sampark")
    except PackageNotFoundError:
        return "0"


class DocumentEndpoint:
    """``GET /api/openapi.json``: public, so clients and tools can read it before signing in."""

    def __init__(self, kernel: Sampark, routed: Sequence[tuple[str, str, ApiOperation]]) -> None:
        self.routed = routed
        self.components = collect_components(bounded_integers(core_components(kernel)), routed)
        self._rendered: dict[str, bytes] = {}

    def render(self, server: str) -> bytes:
        if server not in self._rendered:
            document = openapi_document(
                self.routed, self.components, server=server, version=_version()
            )
            self._rendered[server] = json.dumps(document, ensure_ascii=False).encode()
        return self._rendered[server]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method not in ("GET", "HEAD"):
            problem = ApiProblem(
                405, "the document is read with GET", headers={"Allow": "GET, HEAD"}
            )
            await problem_response(problem)(scope, receive, send)
            return
        body = self.render(scope.get("root_path", ""))
        await Response(body, media_type=JSON)(scope, receive, send)


def api_routes(kernel: Sampark) -> list[BaseRoute]:
    """The API's routes, to mount at ``/api``; plugins' operations included."""
    routed = served_operations(kernel)
    document = DocumentEndpoint(kernel, routed)
    checker = SchemaChecker(document.components)
    by_path: dict[str, list[ApiOperation]] = {}
    for path, _, op in routed:
        by_path.setdefault(path, []).append(op)
    routes: list[BaseRoute] = [Route("/openapi.json", document, name="api_openapi")]
    routes += [
        Route(path, OperationEndpoint(kernel, ops, checker)) for path, ops in by_path.items()
    ]
    routes.append(Route("/{rest:path}", NotFoundEndpoint()))
    return routes
