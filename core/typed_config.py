"""Check a plugin's config table against its schema (a dataclass) with errors naming the key."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

from sampark.core.errors import ConfigError

T = TypeVar("T")


def build_config(schema: type[T], table: Mapping[str, Any], where: str) -> T:
    """Return ``schema(**table)`` after checking every key and value; ``where`` prefixes errors."""
    if not dataclasses.is_dataclass(schema):
        raise TypeError(f"{where}: config schema must be a dataclass")
    try:
        hints = typing.get_type_hints(schema)
    except NameError as exc:
        raise TypeError(
            f"{where}: config schema {schema.__name__} must be defined at module level "
            f"so its type hints resolve ({exc})"
        ) from None
    fields = {f.name: f for f in dataclasses.fields(schema) if f.init}
    unknown = sorted(set(table) - set(fields))
    if unknown:
        known = ", ".join(sorted(fields)) or "none"
        raise ConfigError(f"{where}: unknown setting {unknown[0]!r} (known settings: {known})")
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in table:
            no_default = (
                spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
            )
            if no_default:
                raise ConfigError(f"{where}.{name}: is required")
            continue
        values[name] = _check(hints[name], table[name], f"{where}.{name}")
    return schema(**values)


def _check(expected: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if expected is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        for option in args:
            try:
                return _check(option, value, where)
            except ConfigError:
                continue
        raise ConfigError(f"{where}: {value!r} is not {_describe(expected)}")
    if expected is type(None):
        if value is None:
            return None
        raise ConfigError(f"{where}: expected nothing, got {value!r}")
    if origin is Literal:
        if value in args:
            return value
        raise ConfigError(f"{where}: must be one of {', '.join(map(repr, args))} (got {value!r})")
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where}: must be a list (got {value!r})")
        item_type = args[0] if args else Any
        items = [_check(item_type, item, f"{where}[{i}]") for i, item in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: must be a table (got {value!r})")
        value_type = args[1] if len(args) == 2 else Any
        return {str(k): _check(value_type, v, f"{where}.{k}") for k, v in value.items()}
    if expected is Decimal:
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ConfigError(f"{where}: must be a decimal number (got {value!r})") from None
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is int and isinstance(value, bool):
        raise ConfigError(f"{where}: must be a whole number (got {value!r})")
    if isinstance(expected, type) and isinstance(value, expected):
        return value
    raise ConfigError(f"{where}: must be {_describe(expected)} (got {value!r})")


def _describe(expected: Any) -> str:
    names = {str: "text", int: "a whole number", float: "a number", bool: "true or false"}
    return names.get(expected, getattr(expected, "__name__", str(expected)))
