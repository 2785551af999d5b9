"""Custom fields: declared in config or by plugins, stored as JSON on the record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sampark.core.errors import FieldError, ValidationError
from sampark.core.services.decimals import parse_decimal
from sampark.core.text import text_problem

FIELD_TYPES = ("text", "number", "decimal", "date", "boolean", "choice")
ENTITIES = ("contact", "account")

_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


@dataclass(frozen=True)
class CustomFieldSpec:
    """One custom field of contacts or accounts: its name, type and allowed values.

    Attributes:
        entity: ``"contact"`` or ``"account"``.
        name: the key in the record's ``custom`` dict.
        type: text, number, decimal, date, boolean or choice.
        label: what forms show (default: the name).
        choices: the allowed values of a ``choice`` field.
        required: refuse records without a value.
        source: who declared it: ``"config"`` or the plugin's label (set by the host).
        help: a hint shown under the form field.
    """

    entity: str
    name: str
    type: str
    label: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False
    source: str = "config"
    help: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.entity not in ENTITIES:
            raise ValueError(f"custom field {self.name}: entity must be one of {ENTITIES}")
        if self.type not in FIELD_TYPES:
            raise ValueError(
                f"custom field {self.entity}.{self.name}: type must be one of "
                f"{', '.join(FIELD_TYPES)} (got {self.type!r})"
            )
        if self.type == "choice" and not self.choices:
            raise ValueError(f"custom field {self.entity}.{self.name}: a choice needs choices")
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " ").capitalize())


def index_specs(specs: Iterable[CustomFieldSpec]) -> dict[str, dict[str, CustomFieldSpec]]:
    """Group specs by entity and name, refusing two declarations of one field."""
    by_entity: dict[str, dict[str, CustomFieldSpec]] = {entity: {} for entity in ENTITIES}
    for spec in specs:
        known = by_entity[spec.entity].get(spec.name)
        if known is not None:
            raise ValueError(
                f"custom field {spec.entity}.{spec.name} is declared by both "
                f"{known.source} and {spec.source}"
            )
        by_entity[spec.entity][spec.name] = spec
    return by_entity


def clean_custom_values(
    values: Mapping[str, Any],
    specs: Mapping[str, CustomFieldSpec],
    *,
    require_all: bool,
) -> tuple[dict[str, Any], list[FieldError]]:
    """Coerce custom values to their JSON form; unknown names and bad values become errors."""
    cleaned: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, raw in values.items():
        spec = specs.get(name)
        where = f"custom.{name}"
        if spec is None:
            known = ", ".join(sorted(specs)) or "none are declared"
            errors.append(FieldError(where, f"unknown custom field (known: {known})"))
            continue
        if raw is None or raw == "":
            if spec.required:
                errors.append(FieldError(where, "is required"))
            else:
                cleaned[name] = None
            continue
        try:
            cleaned[name] = _coerce(spec, raw)
        except ValueError as exc:
            errors.append(FieldError(where, str(exc)))
    if require_all:
        for name, spec in specs.items():
            if spec.required and name not in values:
                errors.append(FieldError(f"custom.{name}", "is required"))
    return cleaned, errors


def _coerce(spec: CustomFieldSpec, raw: Any) -> Any:
    if spec.type == "text":
        text = str(raw)
        problem = text_problem(text, multiline=True)
        if problem:
            raise ValueError(problem)
        return text
    if spec.type == "number":
        if isinstance(raw, bool):
            raise ValueError(f"must be a whole number (got {raw!r})")
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise ValueError(f"must be a whole number (got {raw!r})") from None
        return number
    if spec.type == "decimal":
        try:
            return str(parse_decimal(raw, f"custom.{spec.name}", example="12.50"))
        except ValidationError as exc:
            raise ValueError(exc.errors[0].message) from None
    if spec.type == "date":
        if isinstance(raw, dt.datetime):
            raw = raw.date()
        if isinstance(raw, dt.date):
            return raw.isoformat()
        try:
            return dt.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValueError(f"must be a date as YYYY-MM-DD (got {raw!r})") from None
    if spec.type == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"must be true or false (got {raw!r})")
    value = str(raw)
    if value not in spec.choices:
        raise ValueError(f"must be one of {', '.join(spec.choices)} (got {raw!r})")
    return value
