"""JSON Schemas of what the API sends and accepts, shared by the checks and the document.

Account kinds, interaction kinds and custom fields come from the kernel, so a deployment's
document names its own choices (and plugins' custom fields) exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sampark.core.custom_fields import CustomFieldSpec
from sampark.core.ids import MAX_ID
from sampark.web.api.components import ApiSchema, ref

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

Schema = dict[str, Any]


def text(max_length: int | None = None, *, nullable: bool = False, **extra: Any) -> Schema:
    schema: Schema = {"type": ["string", "null"] if nullable else "string", **extra}
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def record_id(description: str = "", *, nullable: bool = False) -> Schema:
    schema: Schema = {
        "type": ["integer", "null"] if nullable else "integer",
        "minimum": 1,
        "maximum": MAX_ID,
    }
    if description:
        schema["description"] = description
    return schema


def page_of(item: str | ApiSchema) -> Schema:
    """A page of ``item`` (a core component's name or a named schema) and its next cursor."""
    return {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {
            "items": {"type": "array", "items": item if isinstance(item, ApiSchema) else ref(item)},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as `cursor` for the next page; null on the last page.",
            },
        },
    }


def _obj(properties: Schema, required: list[str] | None = None, **extra: Any) -> Schema:
    schema: Schema = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = required
    return schema


def date(nullable: bool = True, **extra: Any) -> Schema:
    """A day as ``YYYY-MM-DD``; its format bounds it, so it needs no ``maxLength``."""
    return {"type": ["string", "null"] if nullable else "string", "format": "date", **extra}


def timestamp(nullable: bool = False, **extra: Any) -> Schema:
    """A moment in ISO 8601 (``2026-03-01T14:30:00+05:30``; without an offset, UTC)."""
    return {"type": ["string", "null"] if nullable else "string", "format": "date-time", **extra}


# ---------------------------------------------------------------------------
# Custom fields
# ---------------------------------------------------------------------------


def _custom_value(spec: CustomFieldSpec, *, for_input: bool) -> Schema:
    """A custom field's JSON form; input may also clear it with null."""
    shapes: dict[str, Schema] = {
        "text": {"type": "string"},
        "number": {"type": "integer"},
        "decimal": {"type": "string", "description": "A decimal number, as text."},
        "date": {"type": "string", "format": "date"},
        "boolean": {"type": "boolean"},
        "choice": {"type": "string", "enum": list(spec.choices)},
    }
    schema = dict(shapes[spec.type])
    if for_input and spec.type == "decimal":
        schema = {
            "type": ["string", "integer"],
            "maxLength": 40,
            "description": 'Text such as "12.50" or a whole number; never a fractional number.',
        }
    if for_input and not spec.required:
        schema["type"] = [
            *([schema["type"]] if isinstance(schema["type"], str) else schema["type"]),
            "null",
        ]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    schema["title"] = spec.label
    if spec.help:
        schema["description"] = spec.help
    return schema


def _custom(specs: dict[str, CustomFieldSpec], *, for_input: bool) -> Schema:
    return _obj(
        {name: _custom_value(spec, for_input=for_input) for name, spec in specs.items()},
        additionalProperties=not for_input,
        description="Custom fields declared in the configuration and by plugins.",
    )


# ---------------------------------------------------------------------------
# Reaching people: emails, phones, addresses
# ---------------------------------------------------------------------------

_LABEL = text(50)

EMAIL = _obj(
    {"email": {"type": "string"}, "label": {"type": "string"}, "primary": {"type": "boolean"}},
    ["email", "label", "primary"],
)
PHONE = _obj(
    {
        "e164": {"type": "string", "description": "The number in E.164 form, e.g. +919876543210."},
        "original": {"type": "string", "description": "The number as it was typed."},
        "label": {"type": "string"},
        "primary": {"type": "boolean"},
    },
    ["e164", "original", "label", "primary"],
)
_ADDRESS_FIELDS = ("label", "street", "city", "region", "postal_code", "country")
ADDRESS = _obj({name: {"type": "string"} for name in _ADDRESS_FIELDS}, list(_ADDRESS_FIELDS))

EMAIL_INPUT: Schema = {
    "anyOf": [
        text(320, description="An email address."),
        _obj(
            {"email": text(320), "label": _LABEL, "primary": {"type": "boolean"}},
            ["email"],
            additionalProperties=False,
        ),
    ]
}
PHONE_INPUT: Schema = {
    "anyOf": [
        text(64, description="A phone number in any common format."),
        _obj(
            {"number": text(64), "label": _LABEL, "primary": {"type": "boolean"}},
            ["number"],
            additionalProperties=False,
        ),
    ]
}
ADDRESS_INPUT = _obj(
    {
        "label": _LABEL,
        "street": text(500),
        "city": text(200),
        "region": text(200),
        "postal_code": text(40),
        "country": text(2, description="Two-letter country code, e.g. IN."),
    },
    additionalProperties=False,
)
_LISTS: Schema = {
    "emails": {"type": "array", "items": EMAIL_INPUT, "maxItems": 50},
    "phones": {"type": "array", "items": PHONE_INPUT, "maxItems": 50},
    "addresses": {"type": "array", "items": ADDRESS_INPUT, "maxItems": 50},
    "tags": {"type": "array", "items": text(100, minLength=1), "maxItems": 100},
}


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------

_STAMPS: Schema = {
    "created_at": timestamp(nullable=True),
    "updated_at": timestamp(nullable=True),
    "deleted_at": timestamp(nullable=True),
    "version": {
        "type": "integer",
        "description": 'Changes on every write; the ETag is `"v<version>"`.',
    },
}


def _contact(specs: dict[str, CustomFieldSpec]) -> Schema:
    properties: Schema = {
        "id": {"type": "integer"},
        "display_name": {"type": "string"},
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "emails": {"type": "array", "items": ref("Email")},
        "phones": {"type": "array", "items": ref("Phone")},
        "addresses": {"type": "array", "items": ref("Address")},
        "tags": {"type": "array", "items": {"type": "string"}},
        "language": {"type": ["string", "null"]},
        "birthday": date(),
        "notes": {"type": "string"},
        "owner": {"type": ["string", "null"], "description": "The owner's username."},
        "custom": _custom(specs, for_input=False),
        **_STAMPS,
    }
    return _obj(properties, list(properties))


def _contact_input(specs: dict[str, CustomFieldSpec]) -> Schema:
    return _obj(
        {
            "first_name": text(200),
            "last_name": text(200),
            "display_name": text(400, description="Derived from the names (or email) if empty."),
            **_LISTS,
            "language": text(35, nullable=True, description="A language tag: hi, te-IN, en."),
            "birthday": date(),
            "notes": text(),
            "owner": text(150, nullable=True, description="A username."),
            "custom": _custom(specs, for_input=True),
        },
        additionalProperties=False,
        description="A contact needs a name or an email. Lists replace the current ones whole.",
    )


def _account(specs: dict[str, CustomFieldSpec]) -> Schema:
    properties: Schema = {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "kinds": {"type": "array", "items": {"type": "string"}},
        "website": {"type": "string"},
        "registration_number": {"type": "string"},
        "vat_number": {"type": "string"},
        "emails": {"type": "array", "items": ref("Email")},
        "phones": {"type": "array", "items": ref("Phone")},
        "addresses": {"type": "array", "items": ref("Address")},
        "parent_id": {"type": ["integer", "null"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "notes": {"type": "string"},
        "owner": {"type": ["string", "null"]},
        "custom": _custom(specs, for_input=False),
        **_STAMPS,
    }
    return _obj(properties, list(properties))


def _account_input(
    kinds: tuple[str, ...], specs: dict[str, CustomFieldSpec], *, create: bool
) -> Schema:
    return _obj(
        {
            "name": text(400, minLength=1),
            "kinds": {"type": "array", "items": {"type": "string", "enum": list(kinds)}},
            "website": text(500),
            "registration_number": text(100),
            "vat_number": text(100),
            **_LISTS,
            "parent_id": record_id("The parent account's id.", nullable=True),
            "notes": text(),
            "owner": text(150, nullable=True, description="A username."),
            "custom": _custom(specs, for_input=True),
        },
        ["name"] if create else None,
        additionalProperties=False,
    )


LINK = _obj(
    {
        "id": {"type": "integer"},
        "contact_id": {"type": "integer"},
        "account_id": {"type": "integer"},
        "contact_name": {"type": "string"},
        "account_name": {"type": "string"},
        "role": {"type": "string"},
        "primary": {"type": "boolean"},
        "start_date": date(),
        "end_date": date(),
    },
    [
        "id",
        "contact_id",
        "account_id",
        "contact_name",
        "account_name",
        "role",
        "primary",
        "start_date",
        "end_date",
    ],
)
LINK_INPUT = _obj(
    {
        "contact_id": record_id(),
        "account_id": record_id(),
        "role": text(200),
        "primary": {"type": "boolean", "description": "The contact's main organisation."},
        "start_date": date(),
        "end_date": date(),
    },
    ["contact_id", "account_id"],
    additionalProperties=False,
)

INTERACTION_STATUS: Schema = {
    "type": "string",
    "enum": ["done", "planned"],
    "description": "done: it happened; planned: a follow-up due at `due_at`.",
}
_DIRECTIONS = ["inbound", "outbound", None]


def _interaction() -> Schema:
    properties: Schema = {
        "id": {"type": "integer"},
        "kind": {"type": "string"},
        "status": ref("InteractionStatus"),
        "at": timestamp(),
        "subject": {"type": "string"},
        "body": {"type": "string"},
        "outcome": {"type": "string"},
        "direction": {"type": ["string", "null"]},
        "occurred_at": timestamp(nullable=True),
        "due_at": timestamp(nullable=True),
        "duration_minutes": {"type": ["integer", "null"]},
        "contact_ids": {"type": "array", "items": {"type": "integer"}},
        "account_ids": {"type": "array", "items": {"type": "integer"}},
        "author": {"type": ["string", "null"]},
        "version": _STAMPS["version"],
    }
    return _obj(properties, list(properties))


def _interaction_input(kinds: tuple[str, ...], *, create: bool) -> Schema:
    ids = {"type": "array", "items": record_id(), "maxItems": 100}
    return _obj(
        {
            "kind": {"type": "string", "enum": list(kinds)},
            "status": {**ref("InteractionStatus"), "description": "done (default) or planned."},
            "direction": {"type": ["string", "null"], "enum": _DIRECTIONS},
            "occurred_at": timestamp(nullable=True),
            "due_at": timestamp(nullable=True, description="Needed when planned."),
            "duration_minutes": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_ID},
            "subject": text(500),
            "body": text(),
            "outcome": text(500),
            "contacts": {**ids, "description": "Ids of the contacts taking part."},
            "accounts": {**ids, "description": "Ids of the accounts taking part."},
            "author": text(150, nullable=True, description="A username."),
        },
        ["kind"] if create else None,
        additionalProperties=False,
    )


COMPLETION = _obj(
    {
        "outcome": text(500),
        "occurred_at": timestamp(nullable=True, description="Default: now."),
    },
    additionalProperties=False,
)
TIMELINE_ENTRY = _obj(
    {
        "at": timestamp(),
        "kind": {"type": "string"},
        "title": {"type": "string"},
        "source": {"type": "string", "description": "core, or the plugin that gave the entry."},
        "ref": {"type": "string"},
        "body": {"type": "string"},
        "status": {"type": "string"},
        "url": {"type": ["string", "null"]},
    },
    ["at", "kind", "title", "source", "ref", "body", "status", "url"],
)
AUDIT_ENTRY = _obj(
    {
        "id": {"type": "integer"},
        "at": timestamp(),
        "actor": {"type": "string"},
        "entity": {"type": "string"},
        "record_id": {"type": "integer"},
        "action": {"type": "string"},
        "changes": {
            "type": "object",
            "description": (
                "Each field that changed, by name, with its value before and after. A custom "
                "field is named `custom.<name>`; a field absent before (created) or after "
                "(deleted) has null on that side."
            ),
            "additionalProperties": ref("FieldChange"),
        },
    },
    ["id", "at", "actor", "entity", "record_id", "action", "changes"],
)
FIELD_CHANGE: Schema = {
    "type": "array",
    "description": (
        "`[before, after]`: the field's JSON value (text, number, true/false, a list or "
        "null) before the change and after it."
    ),
    "prefixItems": [{"description": "The value before."}, {"description": "The value after."}],
    "items": False,
    "minItems": 2,
    "maxItems": 2,
}
DECIMAL: Schema = {
    "type": "string",
    "description": 'A decimal number as text, so it stays exact: "1250.50", "7.5".',
}
SEARCH_HIT = _obj(
    {
        "source": {"type": "string"},
        "ref": {"type": "string", "description": "e.g. contact:12"},
        "title": {"type": "string"},
        "subtitle": {"type": "string"},
        "url": {"type": ["string", "null"]},
    },
    ["source", "ref", "title", "subtitle", "url"],
)
SEARCH_RESULTS = _obj(
    {
        "query": {"type": "string"},
        "results": {
            "type": "object",
            "description": "Hits per search source (contacts, accounts, plugins' sources).",
            "additionalProperties": {"type": "array", "items": ref("SearchHit")},
        },
    },
    ["query", "results"],
)
PROBLEM = _obj(
    {
        "type": {"type": "string", "description": "urn:sampark:problem:<kind>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "Every bad field or parameter (400 and 422).",
            "items": _obj(
                {"field": {"type": "string"}, "message": {"type": "string"}}, ["field", "message"]
            ),
        },
    },
    ["type", "title", "status", "detail"],
)


def core_components(kernel: Sampark) -> dict[str, Schema]:
    """The schemas core's operations refer to, named as in ``#/components/schemas``."""
    contact_fields = kernel.custom_fields.get("contact", {})
    account_fields = kernel.custom_fields.get("account", {})
    return {
        "Problem": PROBLEM,
        "Decimal": DECIMAL,
        "Email": EMAIL,
        "Phone": PHONE,
        "Address": ADDRESS,
        "Contact": _contact(contact_fields),
        "ContactInput": _contact_input(contact_fields),
        "ContactPage": page_of("Contact"),
        "Account": _account(account_fields),
        "AccountInput": _account_input(kernel.account_kinds, account_fields, create=True),
        "AccountChanges": _account_input(kernel.account_kinds, account_fields, create=False),
        "AccountPage": page_of("Account"),
        "Link": LINK,
        "LinkInput": LINK_INPUT,
        "LinkPage": page_of("Link"),
        "InteractionStatus": INTERACTION_STATUS,
        "Interaction": _interaction(),
        "InteractionInput": _interaction_input(kernel.interaction_kinds, create=True),
        "InteractionChanges": _interaction_input(kernel.interaction_kinds, create=False),
        "Completion": COMPLETION,
        "InteractionPage": page_of("Interaction"),
        "TimelineEntry": TIMELINE_ENTRY,
        "TimelinePage": page_of("TimelineEntry"),
        "AuditEntry": AUDIT_ENTRY,
        "FieldChange": FIELD_CHANGE,
        "AuditPage": page_of("AuditEntry"),
        "SearchHit": SEARCH_HIT,
        "SearchResults": SEARCH_RESULTS,
    }
