"""Check a JSON body against the operation's documented schema, naming every bad field.

Only the JSON Schema words the API's documents use are understood (type, enum, bounds,
lengths, the date and date-time formats, properties, items, anyOf, $ref to components),
so what the OpenAPI document promises is exactly what is refused. The services then check
meaning (a valid email, an existing account); this layer keeps wrong shapes and
out-of-range ids away from them.

As in JSON Schema, a number with no fraction is an integer: ``92.0`` is read as ``92``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from sampark.core.errors import FieldError
from sampark.core.text import text_problem

MAX_DEPTH = 32  # records nest three levels; more is an attack on the parser
TOO_DEEP = f"is nested too deeply (at most {MAX_DEPTH} levels of objects and lists)"
# format -> (its shape, the parser the services use, an example for the message)
_FORMATS: dict[str, tuple[re.Pattern[str], Callable[[str], Any], str]] = {
    "date": (
        re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
        dt.date.fromisoformat,
        "a date such as 2026-03-31",
    ),
    "date-time": (
        re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.*"),
        dt.datetime.fromisoformat,
        "a date and time such as 2026-03-31T14:30:00+05:30",
    ),
}
_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


def format_error(value: str, name: str | None) -> str | None:
    """What is wrong with text given in a ``date`` or ``date-time`` format, if anything."""
    if name not in _FORMATS:
        return None
    pattern, parse, example = _FORMATS[name]
    if pattern.fullmatch(value) and _parses(parse, value):
        return None
    shown = value if len(value) <= 40 else f"{value[:40]}…"
    return f"must be {example} (got {shown!r})"


def _parses(parse: Any, value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def too_deep(value: Any) -> bool:
    """Whether objects and lists nest deeper than MAX_DEPTH (walked without recursion)."""
    level = [value]
    for _ in range(MAX_DEPTH):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return any(isinstance(item, dict | list) for item in level)


def _integral(value: Any) -> bool:
    return isinstance(value, float) and value.is_integer()


def _is_type(value: Any, name: str) -> bool:
    if name == "string":
        return isinstance(value, str)
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or _integral(value)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    return value is None


def _type_name(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _is_type(value, name):
            return name
    return type(value).__name__


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class SchemaChecker:
    """Validates values against schemas that may ``$ref`` the document's components."""

    def __init__(self, components: Mapping[str, Any]) -> None:
        self._components = components

    def errors(
        self, value: Any, schema: Mapping[str, Any], where: str = "body"
    ) -> list[FieldError]:
        """Every fault of ``value``, each naming its field (``emails[1].label``)."""
        return self.conform(value, schema, where)[1]

    def conform(
        self, value: Any, schema: Mapping[str, Any], where: str = "body"
    ) -> tuple[Any, list[FieldError]]:
        """The value as the schema reads it (``92.0`` an integer ``92``), and its faults."""
        found: list[FieldError] = []
        read = self._check(value, schema, "" if where == "body" else where, found)
        return read, [FieldError(e.field or "body", e.message) for e in found]

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            schema = self._components[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def _check(
        self, value: Any, schema: Mapping[str, Any], where: str, out: list[FieldError]
    ) -> Any:
        schema = self._resolve(schema)
        if "anyOf" in schema:
            return self._any_of(value, schema["anyOf"], where, out)
        if not _accepts_type(value, schema):
            out.append(
                FieldError(where, f"must be {_type_words(schema)} (got {_type_name(value)})")
            )
            return value
        if _integral(value) and not _accepts(schema, "number"):
            value = int(value)
        if "enum" in schema and value not in schema["enum"]:
            choices = ", ".join("null" if c is None else str(c) for c in schema["enum"])
            out.append(FieldError(where, f"must be one of {choices} (got {value!r})"))
            return value
        if isinstance(value, str):
            self._string(value, schema, where, out)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self._number(value, schema, where, out)
        elif isinstance(value, list):
            return self._array(value, schema, where, out)
        elif isinstance(value, dict):
            return self._object(value, schema, where, out)
        return value

    def _any_of(
        self, value: Any, options: list[Mapping[str, Any]], where: str, out: list[FieldError]
    ) -> Any:
        # The option of the value's own type explains a fault best: an email object with a
        # bad key, rather than "must be text or an object".
        same_type: list[FieldError] | None = None
        for option in options:
            found: list[FieldError] = []
            read = self._check(value, option, where, found)
            if not found:
                return read
            if same_type is None and _accepts_type(value, self._resolve(option)):
                same_type = found
        if same_type is not None:
            out.extend(same_type)
            return value
        words = [_type_words(self._resolve(option)) for option in options]
        out.append(
            FieldError(
                where, f"must be {' or '.join(dict.fromkeys(words))} (got {_type_name(value)})"
            )
        )
        return value

    def _string(
        self, value: str, schema: Mapping[str, Any], where: str, out: list[FieldError]
    ) -> None:
        # Text no face may store is refused before anything reads it. Whether a field may
        # hold line breaks is the service's to say: here every string is multi-line.
        problem = text_problem(value, multiline=True)
        if problem:
            out.append(FieldError(where, problem))
            return
        if "minLength" in schema and len(value) < schema["minLength"]:
            if schema["minLength"] == 1:
                out.append(FieldError(where, "must not be empty"))
            else:
                out.append(FieldError(where, f"must be at least {schema['minLength']} characters"))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(
                FieldError(
                    where, f"must be at most {schema['maxLength']} characters (got {len(value)})"
                )
            )
        problem = format_error(value, schema.get("format"))
        if problem:
            out.append(FieldError(where, problem))

    def _number(
        self, value: float, schema: Mapping[str, Any], where: str, out: list[FieldError]
    ) -> None:
        if "minimum" in schema and value < schema["minimum"]:
            out.append(FieldError(where, f"must be at least {schema['minimum']} (got {value})"))
        if "maximum" in schema and value > schema["maximum"]:
            out.append(FieldError(where, f"must be at most {schema['maximum']} (got {value})"))

    def _array(
        self, value: list[Any], schema: Mapping[str, Any], where: str, out: list[FieldError]
    ) -> list[Any]:
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(FieldError(where, f"must have at most {schema['maxItems']} items"))
            return value
        items = schema.get("items")
        if items is None:
            return value
        return [
            self._check(item, items, f"{where}[{index}]", out) for index, item in enumerate(value)
        ]

    def _object(
        self, value: dict[str, Any], schema: Mapping[str, Any], where: str, out: list[FieldError]
    ) -> dict[str, Any]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        for name in schema.get("required", ()):
            if name not in value:
                out.append(FieldError(_join(where, name), "is required"))
        extra = schema.get("additionalProperties", True)
        read: dict[str, Any] = {}
        for key, item in value.items():
            if problem := text_problem(key):
                out.append(FieldError(_join(where, ascii(key)), problem))
            elif key in properties:
                item = self._check(item, properties[key], _join(where, key), out)
            elif extra is False:
                known = ", ".join(properties) or "none"
                out.append(FieldError(_join(where, key), f"unknown field (known: {known})"))
            elif isinstance(extra, Mapping):
                item = self._check(item, extra, _join(where, key), out)
            read[key] = item
        return read


def _types(schema: Mapping[str, Any]) -> list[str]:
    types = schema.get("type")
    if types is None:
        return []
    return [types] if isinstance(types, str) else list(types)


def _accepts(schema: Mapping[str, Any], name: str) -> bool:
    return name in _types(schema)


def _accepts_type(value: Any, schema: Mapping[str, Any]) -> bool:
    types = _types(schema)
    return not types or any(_is_type(value, name) for name in types)


def _type_words(schema: Mapping[str, Any]) -> str:
    return " or ".join(_TYPE_WORDS[name] for name in _types(schema)) or "a value"
