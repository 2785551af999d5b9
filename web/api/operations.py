"""Operations as data: one list serves the routes and the OpenAPI document alike.

An :class:`ApiOperation` says what a route takes (parameters, a JSON body, ``If-Match``)
and gives; :class:`OperationEndpoint` checks all of it before the handler runs, so every
handler, core's or a plugin's, sees a signed-in actor and clean input.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from sampark.core.errors import FieldError
from sampark.core.ids import MAX_ID, MIN_INT
from sampark.core.text import text_problem
from sampark.web.api.components import bounded_integers
from sampark.web.api.etags import etag, parse_if_match
from sampark.web.api.problems import ApiProblem, invalid, problem_for, problem_response
from sampark.web.api.validation import (
    TOO_DEEP,
    SchemaChecker,
    format_error,
    too_deep,
)
from sampark.web.security import BodyTooLarge

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark
    from sampark.core.permissions import Actor
    from sampark.core.records import Page

JSON = "application/json"
MAX_BODY = 1_048_576  # 1 MiB: more than any record needs
Handler = Callable[["ApiCall"], Awaitable[Any]]


@dataclass(frozen=True)
class Param:
    """A path or query parameter, read and checked by the host before the handler runs.

    Attributes:
        name: as in the path (``{ticket_id}``) or the query string.
        location: ``"path"`` or ``"query"``.
        schema: its JSON Schema (string, integer, boolean), which says how to read it.
        description: shown in the API reference.
        required: refuse a request without it (path parameters always are).
    """

    name: str
    location: Literal["path", "query"]
    schema: Mapping[str, Any]
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class ApiOperation:
    """One route of the API, described well enough to serve it and to document it.

    Attributes:
        method: ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``.
        path: relative to ``/api/v1`` (plugins' to ``/api/v1/<label>``; ``""`` is that
            root), written the OpenAPI way: ``/{ticket_id}``.
        handler: ``async handler(call: ApiCall)`` returning data or a ``Reply``.
        summary: one line for the API reference.
        operation_id: unique within the plugin (the document prefixes the label).
        permission: checked before anything else runs (403 without it).
        request_schema: JSON Schema of the body; the host refuses a body that does not
            match with 422 naming every bad field.
        response_schema: JSON Schema of the success body; None means no body (204).
        parameters: the ``Param``s of the path and query.
        status: the success status (201 for a create).
        tags: groups in the API reference (default: the plugin's label).
        description: longer text for the API reference.
        body_required: refuse a request without a body.
        if_match: require ``If-Match`` (428 without it); ``call.version`` carries it.
        etag: send the reply's ``version`` as an ``ETag``.
        location: the reply carries a ``Location`` header.
        errors: problem statuses the handler may answer beyond the usual ones.
    """

    method: str
    path: str
    handler: Handler
    summary: str
    operation_id: str
    permission: str | None = None
    request_schema: Mapping[str, Any] | None = None
    response_schema: Mapping[str, Any] | None = None
    parameters: tuple[Param, ...] = ()
    status: int = 200
    tags: tuple[str, ...] = ()
    description: str = ""
    body_required: bool = True
    if_match: bool = False
    etag: bool = False
    location: bool = False
    errors: tuple[int, ...] = ()

    def error_statuses(self) -> list[int]:
        """Every problem status this operation can answer with."""
        # 404 everywhere: besides a path naming no record, a body may name one (a link's
        # contact_id), and plugins' handlers may answer it for reasons of their own.
        statuses = {400, 401, 403, 404, 422, *self.errors}
        if self.request_schema is not None:
            statuses |= {409, 413, 415}
        if self.method != "GET":
            statuses.add(409)
        if self.if_match:
            statuses |= {412, 428}
        return sorted(statuses)


@dataclass
class ApiCall:
    """What a handler gets: the actor's scoped CRM and the checked input.

    Attributes:
        request: the Starlette request.
        kernel: the ``Sampark`` kernel (acts as the system: use ``crm`` for records).
        actor: who is calling, from their API token.
        crm: the CRM as the caller sees it (``kernel.as_user(actor)``).
        path: path parameters, read by their schemas.
        query: query parameters, read by their schemas.
        body: the JSON body, checked against ``request_schema``.
        version: the version in ``If-Match``, for a version-checked update.
    """

    request: Request
    kernel: Sampark
    actor: Actor
    crm: Any
    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    version: int | None = None  # from If-Match

    def location(self, path: str) -> str:
        """An API path (``/v1/contacts/7``) as seen by the client, wherever the API is mounted."""
        return f"{self.request.scope.get('root_path', '')}{path}"


@dataclass(frozen=True)
class Reply:
    """A handler's answer; returning plain data means ``Reply(body=data)``.

    Attributes:
        body: the data to send as JSON (records are converted with ``to_dict()``).
        status: overrides the operation's success status.
        version: sent as the ``ETag``.
        location: sent as the ``Location`` header (a created record's URL).
        headers: more response headers.
    """

    body: Any = None
    status: int | None = None
    version: int | None = None  # sent as the ETag
    location: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


def page_reply(page: Page[Any]) -> dict[str, Any]:
    """A page as the API sends it: ``{"items": [...], "next_cursor": ...}``."""
    return {"items": page.items, "next_cursor": page.next_cursor}


def _encode(value: Any) -> Any:
    """What orjson cannot write itself (it writes records, dates and lists natively)."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


def render_json(body: Any) -> bytes:
    """The body as JSON; orjson writes a page of records about 20 times faster than json."""
    return orjson.dumps(body, default=_encode, option=orjson.OPT_NON_STR_KEYS)


def _bounded(param: Param) -> Param:
    """An integer parameter held to what a database integer holds (a path's from 1 up)."""
    schema = param.schema
    if schema.get("type") != "integer":
        return param
    lowest = 1 if param.location == "path" else MIN_INT
    bounded = {
        **schema,
        "minimum": max(schema.get("minimum", lowest), MIN_INT),
        "maximum": min(schema.get("maximum", MAX_ID), MAX_ID),
    }
    return param if bounded == schema else replace(param, schema=bounded)


def with_integer_bounds(op: ApiOperation) -> ApiOperation:
    """The operation with its integers bounded, so ``/deals/99999999999`` is a 404.

    Applied by the host to core's and plugins' operations alike: a number no record id can
    be never reaches a handler (PostgreSQL would refuse it with an error, not a miss).
    Integers in the bodies get 32-bit bounds unless their schema declares its own.
    """
    parameters = tuple(_bounded(param) for param in op.parameters)
    return replace(
        op,
        parameters=parameters,
        request_schema=bounded_integers(op.request_schema),
        response_schema=bounded_integers(op.response_schema),
    )


# ---------------------------------------------------------------------------
# Reading parameters
# ---------------------------------------------------------------------------

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def read_param(raw: str, param: Param) -> Any:
    """The parameter's value in its schema's type; ValueError with a message if it is not."""
    schema = param.schema
    kind = schema.get("type", "string")
    if kind == "integer":
        text = raw.strip()
        if not text.lstrip("-").isdigit() or len(text) > 12:
            raise ValueError(f"must be a whole number (got {raw!r})")
        value: Any = int(text)
        if "minimum" in schema and value < schema["minimum"]:
            raise ValueError(f"must be at least {schema['minimum']} (got {value})")
        if "maximum" in schema and value > schema["maximum"]:
            raise ValueError(f"must be at most {schema['maximum']} (got {value})")
        return value
    if kind == "boolean":
        lowered = raw.strip().lower()
        if lowered in _TRUE | _FALSE:
            return lowered in _TRUE
        raise ValueError(f"must be true or false (got {raw!r})")
    problem = text_problem(raw)
    if problem:
        raise ValueError(problem)
    if "enum" in schema and raw not in schema["enum"]:
        raise ValueError(f"must be one of {', '.join(schema['enum'])} (got {raw!r})")
    if "minLength" in schema and len(raw) < schema["minLength"]:
        raise ValueError("must not be empty")
    if "maxLength" in schema and len(raw) > schema["maxLength"]:
        raise ValueError(f"must be at most {schema['maxLength']} characters")
    problem = format_error(raw, schema.get("format"))
    if problem:
        raise ValueError(problem)
    return raw


def _read_query(request: Request, params: Sequence[Param]) -> dict[str, Any]:
    known = {param.name: param for param in params if param.location == "query"}
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for name in dict.fromkeys(request.query_params.keys()):
        if name not in known:
            listed = ", ".join(known) or "none"
            errors.append(FieldError(name, f"unknown parameter (known: {listed})"))
    for name, param in known.items():
        given = request.query_params.getlist(name)
        if len(given) > 1:
            errors.append(FieldError(name, "give it once"))
        elif given:
            try:
                values[name] = read_param(given[0], param)
            except ValueError as exc:
                errors.append(FieldError(name, str(exc)))
        elif param.required:
            errors.append(FieldError(name, "is required"))
        elif "default" in param.schema:
            values[name] = param.schema["default"]
        else:
            values[name] = None
    if errors:
        raise invalid(errors, status=400)
    return values


def _read_path(request: Request, params: Sequence[Param]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for param in params:
        if param.location != "path":
            continue
        try:
            values[param.name] = read_param(request.path_params[param.name], param)
        except ValueError:
            # /contacts/abc names no contact: the same answer as a missing one.
            raise ApiProblem(404, f"no record at {request.url.path}") from None
    return values


async def _read_body(request: Request, op: ApiOperation, checker: SchemaChecker) -> Any:
    assert op.request_schema is not None
    raw = await _body_bytes(request)
    if not raw.strip():
        if op.body_required:
            raise invalid([FieldError("body", "is required: send a JSON object")], status=400)
        return {}
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != JSON and not (media.startswith("application/") and media.endswith("+json")):
        raise ApiProblem(415, f"send the body as {JSON} (got {media or 'no Content-Type'})")
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid([FieldError("body", f"is not valid JSON ({exc})")], status=400) from None
    except RecursionError:  # the parser's own stack ran out: far deeper than allowed
        raise invalid([FieldError("body", TOO_DEEP)], status=400) from None
    if too_deep(body):
        raise invalid([FieldError("body", TOO_DEEP)], status=400)
    body, errors = checker.conform(body, op.request_schema)
    if errors:
        raise invalid(errors)
    return body


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


async def _body_bytes(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiProblem(413, f"the body may be at most {MAX_BODY} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise ApiProblem(413, f"the body may be at most {MAX_BODY} bytes")
            chunks.append(chunk)
    except BodyTooLarge:  # the web app's own cap, counted as a chunked body arrives
        raise ApiProblem(413, "the body is larger than this server accepts") from None
    return b"".join(chunks)


# ---------------------------------------------------------------------------
# Serving
# ---------------------------------------------------------------------------


def _unauthorized(request: Request) -> ApiProblem:
    challenge = 'Bearer realm="sampark"'
    if request.headers.get("authorization"):
        challenge += ', error="invalid_token"'
        detail = "the token is unknown, expired or revoked"
    else:
        detail = "send an API token as `Authorization: Bearer <token>`"
    return ApiProblem(401, detail, headers={"WWW-Authenticate": challenge})


def _scoped_crm(request: Request, kernel: Sampark, actor: Actor) -> Any:
    """The CRM as the actor sees it: the middleware's, else made here; never the system's."""
    crm = getattr(request.state, "crm", None)
    return crm if crm is not None else kernel.as_user(actor)


class OperationEndpoint:
    """The ASGI app of one path: picks the operation by method, checks, runs, answers."""

    def __init__(
        self, kernel: Sampark, operations: Sequence[ApiOperation], checker: SchemaChecker
    ) -> None:
        self.kernel = kernel
        self.by_method = {op.method: op for op in operations}
        if "GET" in self.by_method:
            self.by_method.setdefault("HEAD", self.by_method["GET"])
        self.checker = checker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        op = self.by_method.get(request.method)
        try:
            if op is None:
                allowed = ", ".join(self.by_method)
                raise ApiProblem(
                    405,
                    f"{request.method} is not allowed here (allowed: {allowed})",
                    headers={"Allow": allowed},
                )
            response = await self._serve(request, op)
        except Exception as exc:
            names = [p.name for p in op.parameters if p.location == "query"] if op else []
            response = problem_response(problem_for(exc, names))
        await response(scope, receive, send)

    async def _serve(self, request: Request, op: ApiOperation) -> Response:
        actor = getattr(request.state, "actor", None)
        if actor is None:
            raise _unauthorized(request)
        if op.permission:
            actor.require(op.permission)
        call = ApiCall(
            request=request,
            kernel=self.kernel,
            actor=actor,
            crm=_scoped_crm(request, self.kernel, actor),
            path=_read_path(request, op.parameters),
            query=_read_query(request, op.parameters),
        )
        # A body of the wrong shape is refused (422) before its If-Match is looked at.
        if op.request_schema is not None:
            call.body = await _read_body(request, op, self.checker)
        if op.if_match:
            call.version = parse_if_match(request.headers.getlist("if-match"))
        result = await op.handler(call)
        reply = result if isinstance(result, Reply) else Reply(body=result)
        return _response(op, reply)


def _response(op: ApiOperation, reply: Reply) -> Response:
    headers = dict(reply.headers)
    if reply.version is not None:
        headers["ETag"] = etag(reply.version)
    if reply.location is not None:
        headers["Location"] = reply.location
    status = reply.status or op.status
    if op.response_schema is None or status == 204:
        return Response(status_code=204, headers=headers)
    return Response(render_json(reply.body), status, headers=headers, media_type=JSON)


class NotFoundEndpoint:
    """Any path under the API that names no operation (an ASGI app: it takes every method)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        problem = ApiProblem(404, f"the API has no {request.url.path}: see /api/openapi.json")
        await problem_response(problem)(scope, receive, send)
