"""HTML forms ↔ service input: flat field names in, the services' nested input out.

Inputs are named like the services' error fields (``emails[0].email``, ``custom.region``),
so a refused field's message lands beside the very input it is about. Blank rows are
dropped before the service sees them; :class:`RowMap` puts each error back on the row
the person typed it in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus, unquote_to_bytes

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import Field, File, create_form_parser
from starlette.exceptions import HTTPException

from sampark.core.custom_fields import CustomFieldSpec
from sampark.core.errors import FieldError
from sampark.core.records import AccountRecord, ContactRecord

MAX_ROWS = 50  # per repeated group: more is a form nobody typed
ADDRESS_PARTS = ("street", "city", "region", "postal_code", "country")
GROUPS = {"emails": "Email", "phones": "Phone", "addresses": "Address"}
_ROW = re.compile(r"^(emails|phones|addresses)\[(\d+)\](.*)$")
_LISTED = re.compile(r"^(tags|kinds)\[\d+\]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

CONTACT_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "display_name": "Display name",
    "tags": "Tags",
    "language": "Language",
    "birthday": "Birthday",
    "notes": "Notes",
    "owner": "Owner",
}
ACCOUNT_LABELS = {
    "name": "Name",
    "kinds": "Kinds",
    "website": "Website",
    "registration_number": "Registration number",
    "vat_number": "VAT number",
    "parent_id": "Parent account",
    "tags": "Tags",
    "notes": "Notes",
    "owner": "Owner",
}
INTERACTION_LABELS = {
    "kind": "Kind",
    "status": "Status",
    "direction": "Direction",
    "occurred_at": "When",
    "due_at": "Due",
    "duration_minutes": "Minutes",
    "subject": "Subject",
    "body": "Notes",
    "outcome": "Outcome",
    "contacts": "Contacts",
    "accounts": "Accounts",
    "author": "Author",
}


def input_id(name: str, prefix: str = "f-") -> str:
    """The HTML id of the input called ``name``: ``emails[0].email`` → ``f-emails-0-email``."""
    return prefix + re.sub(r"[\[\].]+", "-", name).strip("-")


@dataclass(frozen=True)
class Problem:
    """One line of the error summary at the top of a form."""

    anchor: str | None
    label: str
    message: str


@dataclass
class Form:
    """What a form shows: the values typed (flat, by input name) and errors by input name."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    notice: str = ""
    prefix: str = "f-"  # of input ids, so two forms on one page keep them unique

    def id_of(self, name: str) -> str:
        return input_id(name, self.prefix)

    def value(self, name: str, default: str = "") -> Any:
        value = self.values.get(name, default)
        return "" if value is None else value

    def chosen(self, name: str) -> list[str]:
        """The values of a multiple-choice input (checkboxes)."""
        value = self.values.get(name, [])
        return list(value) if isinstance(value, list | tuple) else [value]

    def errors_for(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    def group_errors(self, group: str) -> list[str]:
        """Errors about a repeated group as a whole or one of its rows (not one input)."""
        row = re.compile(rf"^{re.escape(group)}\[\d+\]$")
        return [
            message
            for key, messages in self.errors.items()
            if key == group or row.match(key)
            for message in messages
        ]

    def rows(self, group: str, minimum: int = 1) -> range:
        """Row indexes to show for a group: every row with a value, plus one blank."""
        used = [
            int(match.group(2))
            for name, value in self.values.items()
            if (match := _ROW.match(name)) and match.group(1) == group and value
        ]
        return range(max(minimum, max(used, default=-1) + 2))

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def problems(self) -> list[Problem]:
        """Every error, labelled for people, linking to its input where there is one."""
        found = []
        for key, messages in self.errors.items():
            for message in messages:
                found.append(Problem(self._anchor(key), self._label(key), message))
        return found

    def _anchor(self, key: str) -> str | None:
        match = _ROW.match(key)
        if match:
            return self.id_of(key) if match.group(3) else self.id_of(match.group(1))
        if key in self.labels or key in GROUPS or key.startswith("custom."):
            return self.id_of(key)
        return None

    def _label(self, key: str) -> str:
        match = _ROW.match(key)
        if match:
            group, row, rest = match.groups()
            part = rest.lstrip(".").replace("_", " ")
            label = f"{GROUPS[group]} {int(row) + 1}"
            return f"{label} {part}" if part and part not in ("email", "number") else label
        if key in GROUPS:
            return key.capitalize()
        if key.startswith("custom."):
            return key.removeprefix("custom.").replace("_", " ").capitalize()
        return self.labels.get(key, key)


class RowMap:
    """Which form row each service list index came from (blank rows are dropped)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[int]] = {}

    def keep(self, group: str, row: int) -> None:
        self.rows.setdefault(group, []).append(row)

    def field(self, name: str) -> str:
        """The input name a service error field is about."""
        match = _ROW.match(name)
        if match:
            group, index, rest = match.group(1), int(match.group(2)), match.group(3)
            rows = self.rows.get(group, [])
            row = rows[index] if index < len(rows) else index
            return f"{group}[{row}]{rest}"
        listed = _LISTED.match(name)
        return listed.group(1) if listed else name

    def errors(self, errors: Iterable[FieldError]) -> dict[str, list[str]]:
        placed: dict[str, list[str]] = {}
        for error in errors:
            placed.setdefault(self.field(error.field), []).append(error.message)
        return placed


# ---------------------------------------------------------------------------
# Reading a submitted form
# ---------------------------------------------------------------------------


def undecodable_field(content_type: str, body: bytes) -> str | None:
    """The name of the first field of a posted form whose text is not UTF-8, if any.

    Starlette reads bytes that are not UTF-8 as replacement characters (urlencoded) or as
    Latin-1 (multipart), so a garbled post would be stored as text nobody typed; pages
    refuse it instead. Uploaded files are not text and are not checked.
    """
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type not in _FORM_TYPES:
        return None
    urlencoded = media_type == "application/x-www-form-urlencoded"
    fields: list[Field] = []
    files: list[File] = []
    try:
        parser = create_form_parser(
            {"Content-Type": content_type.encode("latin-1")}, fields.append, files.append
        )
        parser.write(body)
        parser.finalize()
    except (ValueError, FormParserError):
        return None  # malformed: Starlette refuses it with a 400 of its own
    finally:
        for file in files:
            file.close()
    for item in fields:
        name, value = item.field_name or b"", item.value or b""
        if not (_is_utf8(name, urlencoded) and _is_utf8(value, urlencoded)):
            return (
                unquote_plus(name.decode("latin-1"))
                if urlencoded
                else name.decode("utf-8", "replace")
            )
    return None


def _is_utf8(raw: bytes, urlencoded: bool) -> bool:
    """Whether a field's name or value is UTF-8 text.

    Urlencoded, as browsers send it, every byte past ASCII is percent-encoded.
    """
    try:
        (unquote_to_bytes(raw.decode("ascii")) if urlencoded else raw).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def flat_values(form: Any) -> dict[str, Any]:
    """A submitted form as a dict; repeated names (checkboxes) become lists."""
    values: dict[str, Any] = {}
    for name in form:
        found = form.getlist(name)
        strings = [item for item in found if isinstance(item, str)]
        values[name] = strings if name == "kinds" else (strings[-1] if strings else "")
    return values


def form_version(values: Mapping[str, Any], noun: str = "record") -> int:
    """The record version an edit form carried; without one, the edit could overwrite blindly.

    Every form that changes a record carries it in a hidden field, so a missing or
    garbled one means a tampered or truncated post: a 400 page, nothing written.
    """
    version = values.get("version", "")
    if not isinstance(version, str) or not version.isdigit() or len(version) > 9:
        raise HTTPException(400, f"The form lost track of the {noun}'s version: reload it.")
    return int(version)


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _row_count(values: Mapping[str, Any], group: str) -> int:
    rows = [int(m.group(2)) for name in values if (m := _ROW.match(name)) and m.group(1) == group]
    return min(max(rows, default=-1) + 1, MAX_ROWS)


def _channels(values: Mapping[str, Any], rows: RowMap) -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = {"emails": [], "phones": [], "addresses": []}
    for group, main in (("emails", "email"), ("phones", "number")):
        primary = _text(values, f"{group}.primary")
        for row in range(_row_count(values, group)):
            typed = _text(values, f"{group}[{row}].{main}")
            if not typed:
                continue
            entry: dict[str, Any] = {main: typed, "primary": primary == str(row)}
            label = _text(values, f"{group}[{row}].label")
            if label:
                entry["label"] = label
            data[group].append(entry)
            rows.keep(group, row)
    for row in range(_row_count(values, "addresses")):
        parts = {part: _text(values, f"addresses[{row}].{part}") for part in ADDRESS_PARTS}
        if not any(parts.values()):
            continue
        label = _text(values, f"addresses[{row}].label")
        data["addresses"].append({**parts, **({"label": label} if label else {})})
        rows.keep("addresses", row)
    return data


def _tags(values: Mapping[str, Any]) -> list[str]:
    return [tag.strip() for tag in _text(values, "tags").split(",") if tag.strip()]


def _custom(values: Mapping[str, Any], specs: Mapping[str, CustomFieldSpec]) -> dict[str, Any]:
    return {name: _text(values, f"custom.{name}") for name in specs}


def contact_input(
    values: Mapping[str, Any], specs: Mapping[str, CustomFieldSpec]
) -> tuple[dict[str, Any], RowMap]:
    """The contact service's input from a submitted contact form."""
    rows = RowMap()
    data: dict[str, Any] = {
        name: _text(values, name)
        for name in ("first_name", "last_name", "display_name", "language", "birthday", "notes")
    }
    data.update(_channels(values, rows))
    data["tags"] = _tags(values)
    if _text(values, "owner"):  # left blank on a new record: whoever creates it owns it
        data["owner"] = _text(values, "owner")
    data["custom"] = _custom(values, specs)
    return data, rows


def account_input(
    values: Mapping[str, Any], specs: Mapping[str, CustomFieldSpec]
) -> tuple[dict[str, Any], RowMap]:
    """The account service's input from a submitted account form."""
    rows = RowMap()
    data: dict[str, Any] = {
        name: _text(values, name)
        for name in ("name", "website", "registration_number", "vat_number", "notes")
    }
    data["kinds"] = [kind for kind in values.get("kinds", []) if isinstance(kind, str)]
    data.update(_channels(values, rows))
    data["parent_id"] = _text(values, "parent_id") or None
    data["tags"] = _tags(values)
    if _text(values, "owner"):  # left blank on a new record: whoever creates it owns it
        data["owner"] = _text(values, "owner")
    data["custom"] = _custom(values, specs)
    return data, rows


# ---------------------------------------------------------------------------
# Filling a form from a record
# ---------------------------------------------------------------------------


def _custom_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _record_channels(record: ContactRecord | AccountRecord) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for index, email in enumerate(record.emails):
        values[f"emails[{index}].email"] = email.email
        values[f"emails[{index}].label"] = email.label
        if email.primary:
            values["emails.primary"] = str(index)
    for index, phone in enumerate(record.phones):
        values[f"phones[{index}].number"] = phone.original or phone.e164
        values[f"phones[{index}].label"] = phone.label
        if phone.primary:
            values["phones.primary"] = str(index)
    for index, address in enumerate(record.addresses):
        values[f"addresses[{index}].label"] = address.label
        for part in ADDRESS_PARTS:
            values[f"addresses[{index}].{part}"] = getattr(address, part)
    return values


def contact_values(contact: ContactRecord) -> dict[str, Any]:
    """An edit form's starting values; a display name derived from the names is left blank."""
    from sampark.core.services.inputs import default_display_name

    derived = default_display_name(contact.first_name, contact.last_name, contact.emails)
    values: dict[str, Any] = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "display_name": "" if contact.display_name == derived else contact.display_name,
        "language": contact.language or "",
        "birthday": contact.birthday.isoformat() if contact.birthday else "",
        "notes": contact.notes,
        "owner": contact.owner or "",
        "tags": ", ".join(contact.tags),
        "version": str(contact.version),
    }
    values.update(_record_channels(contact))
    values.update({f"custom.{k}": _custom_text(v) for k, v in contact.custom.items()})
    return values


def account_values(account: AccountRecord) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": account.name,
        "kinds": list(account.kinds),
        "website": account.website,
        "registration_number": account.registration_number,
        "vat_number": account.vat_number,
        "parent_id": str(account.parent_id) if account.parent_id else "",
        "notes": account.notes,
        "owner": account.owner or "",
        "tags": ", ".join(account.tags),
        "version": str(account.version),
    }
    values.update(_record_channels(account))
    values.update({f"custom.{k}": _custom_text(v) for k, v in account.custom.items()})
    return values


def interaction_input(values: Mapping[str, Any], status: str) -> dict[str, Any]:
    """The interaction service's input from the "log" or "plan" form of a record's page.

    The participants come from the page's address, not the form.
    """
    data: dict[str, Any] = {
        "kind": _text(values, "kind"),
        "status": status,
        "subject": _text(values, "subject"),
        "body": _text(values, "body"),
    }
    if status == "done":
        data["outcome"] = _text(values, "outcome")
        data["direction"] = _text(values, "direction") or None
        data["duration_minutes"] = _text(values, "duration_minutes") or None
        if _text(values, "occurred_at"):
            data["occurred_at"] = _text(values, "occurred_at")
    else:
        data["due_at"] = _text(values, "due_at")
    return data
