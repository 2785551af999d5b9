"""Check a JSON body against the operation's documented schema, naming every bad field.

Only the JSON Schema words the API's documents use are understood (type, enum, bounds,
lengths, properties, items, anyOf, $ref to components), so what the OpenAPI document
promises is exactly what is refused. The services then check meaning (a valid email, an
existing account); this layer keeps wrong shapes and out-of-range ids away from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sampark.core.errors import FieldError

# No database stores it in text (PostgreSQL refuses it), and no person types it.
NUL_MESSAGE = "must not contain the NUL character (U+0000)"
_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


def _is_type(value: Any, name: str) -> bool:
    if name == "string":
        return isinstance(value, str)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
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
        found: list[FieldError] = []
        self._check(value, schema, "" if where == "body" else where, found)
        return [FieldError(e.field or "body", e.message) for e in found]

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            schema = self._components[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def _check(
        self, value: Any, schema: Mapping[str, Any], where: str, out: list[FieldError]
    ) -> None:
        schema = self._resolve(schema)
        if "anyOf" in schema:
            self._any_of(value, schema["anyOf"], where, out)
            return
        if not _accepts_type(value, schema):
            out.append(
                FieldError(where, f"must be {_type_words(schema)} (got {_type_name(value)})")
            )
            return
        if "enum" in schema and value not in schema["enum"]:
            choices = ", ".join("null" if c is None else str(c) for c in schema["enum"])
            out.append(FieldError(where, f"must be one of {choices} (got {value!r})"))
            return
        if isinstance(value, str):
            self._string(value, schema, where, out)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self._number(value, schema, where, out)
        elif isinstance(value, list):
            self._array(value, schema, where, out)
        elif isinstance(value, dict):
            self._object(value, schema, where, out)

    def _any_of(
        self, value: Any, options: list[Mapping[str, Any]], where: str, out: list[FieldError]
    ) -> None:
        # The option of the value's own type explains a fault best: an email object with a
        # bad key, rather than "must be text or an object".
        same_type: list[FieldError] | None = None
        for option in options:
            found: list[FieldError] = []
            self._check(value, option, where, found)
            if not found:
                return
            if same_type is None and _accepts_type(value, self._resolve(option)):
                same_type = found
        if same_type is not None:
            out.extend(same_type)
            return
        words = [_type_words(self._resolve(option)) for option in options]
        out.append(
            FieldError(
                where, f"must be {' or '.join(dict.fromkeys(words))} (got {_type_name(value)})"
            )
        )

    def _string(
        self, value: str, schema: Mapping[str, Any], where: str, out: list[FieldError]
    ) -> None:
        if "\x00" in value:
            out.append(FieldError(where, NUL_MESSAGE))
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

    def _number(
        self, value: float, schema: Mapping[str, Any], where: str, out: list[FieldError]
    ) -> None:
        if "minimum" in schema and value < schema["minimum"]:
            out.append(FieldError(where, f"must be at least {schema['minimum']} (got {value})"))
        if "maximum" in schema and value > schema["maximum"]:
            out.append(FieldError(where, f"must be at most {schema['maximum']} (got {value})"))

    def _array(
        self, value: list[Any], schema: Mapping[str, Any], where: str, out: list[FieldError]
    ) -> None:
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(FieldError(where, f"must have at most {schema['maxItems']} items"))
            return
        items = schema.get("items")
        if items is not None:
            for index, item in enumerate(value):
                self._check(item, items, f"{where}[{index}]", out)

    def _object(
        self, value: dict[str, Any], schema: Mapping[str, Any], where: str, out: list[FieldError]
    ) -> None:
        properties: Mapping[str, Any] = schema.get("properties", {})
        for name in schema.get("required", ()):
            if name not in value:
                out.append(FieldError(_join(where, name), "is required"))
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                self._check(item, properties[key], _join(where, key), out)
            elif extra is False:
                known = ", ".join(properties) or "none"
                out.append(FieldError(_join(where, key), f"unknown field (known: {known})"))
            elif isinstance(extra, Mapping):
                self._check(item, extra, _join(where, key), out)


def _types(schema: Mapping[str, Any]) -> list[str]:
    types = schema.get("type")
    if types is None:
        return []
    return [types] if isinstance(types, str) else list(types)


def _accepts_type(value: Any, schema: Mapping[str, Any]) -> bool:
    types = _types(schema)
    return not types or any(_is_type(value, name) for name in types)


def _type_words(schema: Mapping[str, Any]) -> str:
    return " or ".join(_TYPE_WORDS[name] for name in _types(schema)) or "a value"
