"""Named schemas: one ``Ticket`` in the document, referenced by every operation that uses it.

An operation's schemas may hold :class:`ApiSchema` values anywhere (the whole body, an
array's items, a property). The document lists each once under ``#/components/schemas``
and writes a ``$ref`` where it was used, so a generated client gets one ``Ticket`` class
and one ``TicketStatus`` enum instead of an anonymous copy per operation. Checking a
request needs no lookup: an ``ApiSchema`` is the mapping it names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sampark.core.errors import ConfigError
from sampark.core.ids import MAX_ID, MIN_INT
from sampark.core.plugins import CORE_LABEL

if TYPE_CHECKING:
    from sampark.web.api.operations import ApiOperation

_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")


class ApiSchema(Mapping[str, Any]):
    """A JSON Schema with a name: the document gives it one component that operations ``$ref``.

    ``name`` is a class name for generated clients (``Ticket``, ``TicketStatus``): it
    starts with a capital letter and holds only letters and digits. Names are shared by
    core and every plugin, so pick ones specific to your records; two plugins giving one
    name are refused at start-up, naming both.
    """

    def __init__(self, name: str, schema: Mapping[str, Any]) -> None:
        self.name = name
        self.schema = dict(schema)

    def __getitem__(self, key: str) -> Any:
        return self.schema[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.schema)

    def __len__(self) -> int:
        return len(self.schema)

    def __repr__(self) -> str:
        return f"ApiSchema({self.name!r})"


def ref(name: str) -> dict[str, str]:
    """A reference to the component schema called ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def referenced(schema: Any) -> Any:
    """The schema as the document writes it: each named schema replaced by its ``$ref``."""
    if isinstance(schema, ApiSchema):
        return ref(schema.name)
    if isinstance(schema, Mapping):
        return {key: referenced(value) for key, value in schema.items()}
    if isinstance(schema, list | tuple):
        return [referenced(value) for value in schema]
    return schema


def bounded_integers(schema: Any) -> Any:
    """The schema with every integer held to what a 32-bit database integer holds.

    An integer schema that declares its own ``minimum`` or ``maximum`` keeps it (a plugin
    with a BIGINT column says ``"maximum": 9223372036854775807``); the others get
    -2147483648 to 2147483647, so a bigger number is a 422 naming the field instead of a
    PostgreSQL error. Named schemas stay named.
    """
    if isinstance(schema, ApiSchema):
        return ApiSchema(schema.name, bounded_integers(schema.schema))
    if isinstance(schema, list | tuple):
        return [bounded_integers(value) for value in schema]
    if not isinstance(schema, Mapping):
        return schema
    bounded = {key: bounded_integers(value) for key, value in schema.items()}
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types
    if isinstance(types, list) and "integer" in types and "number" not in types:
        bounded.setdefault("minimum", MIN_INT)
        bounded.setdefault("maximum", MAX_ID)
    return bounded


def named_in(schema: Any) -> Iterator[ApiSchema]:
    """Every named schema a schema uses, itself included, and those they use in turn."""
    if isinstance(schema, ApiSchema):
        yield schema
    if isinstance(schema, Mapping):
        for value in schema.values():
            yield from named_in(value)
    elif isinstance(schema, list | tuple):
        for value in schema:
            yield from named_in(value)


def _schemas_of(op: ApiOperation) -> Iterable[Any]:
    yield op.request_schema
    yield op.response_schema
    for param in op.parameters:
        yield param.schema


def collect_components(
    core: Mapping[str, Any], routed: Iterable[tuple[str, str, ApiOperation]]
) -> dict[str, Any]:
    """Core's components and every named schema the operations use, written for the document.

    A plugin's operationIds are ``<label>.<id>``, which says whose schema it is. A name
    given twice with different schemas, or by two owners, fails at start-up naming both.
    """
    owners = dict.fromkeys(core, CORE_LABEL)
    found: dict[str, ApiSchema] = {}
    for _, operation_id, op in routed:
        owner = operation_id.split(".", 1)[0] if "." in operation_id else CORE_LABEL
        for schema in (s for given in _schemas_of(op) for s in named_in(given)):
            if not _NAME.fullmatch(schema.name):
                raise ConfigError(
                    f"{owner}: API schema name {schema.name!r} must start with a capital letter "
                    "and hold only letters and digits"
                )
            known = owners.setdefault(schema.name, owner)
            if known != owner:
                raise ConfigError(
                    f"API schema {schema.name!r} is given by both {known} and {owner}: "
                    "one of them must rename it"
                )
            if found.setdefault(schema.name, schema).schema != schema.schema:
                raise ConfigError(f"{owner}: two different API schemas are called {schema.name!r}")
    components = dict(core)
    components.update({name: schema.schema for name, schema in found.items()})
    return components


def document_components(components: Mapping[str, Any]) -> dict[str, Any]:
    """The components as the document lists them, nested named schemas as ``$ref``."""
    return {name: referenced(schema) for name, schema in components.items()}
