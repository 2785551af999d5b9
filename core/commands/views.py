"""How contacts, accounts, links and interactions read in a terminal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sampark.core.commands.output import when
from sampark.core.custom_fields import CustomFieldSpec
from sampark.core.records import (
    AccountRecord,
    AddressRecord,
    ContactRecord,
    EmailRecord,
    InteractionRecord,
    LinkRecord,
    Page,
    PhoneRecord,
    TimelineEntry,
)

CONTACT_HEADERS = ("id", "name", "email", "phone", "tags", "owner")
ACCOUNT_HEADERS = ("id", "name", "kinds", "website", "email", "phone", "tags")
INTERACTION_HEADERS = ("id", "due", "kind", "subject", "with", "owner")
TIMELINE_HEADERS = ("when", "kind", "status", "title", "ref")


def contact_row(contact: ContactRecord) -> tuple[Any, ...]:
    return (
        contact.id,
        contact.display_name,
        contact.primary_email,
        contact.primary_phone,
        contact.tags,
        contact.owner,
    )


def account_row(account: AccountRecord) -> tuple[Any, ...]:
    return (
        account.id,
        account.name,
        account.kinds,
        account.website,
        account.primary_email,
        account.primary_phone,
        account.tags,
    )


def followup_row(interaction: InteractionRecord) -> tuple[Any, ...]:
    return (
        interaction.id,
        when(interaction.due_at),
        interaction.kind,
        interaction.subject,
        participants(interaction),
        interaction.author,
    )


def timeline_row(entry: TimelineEntry) -> tuple[Any, ...]:
    return (when(entry.at), entry.kind, entry.status, entry.title, entry.ref)


def participants(interaction: InteractionRecord) -> str:
    """``contact 3, account 7``: who took part, by id."""
    refs = [f"contact {i}" for i in interaction.contact_ids]
    refs += [f"account {i}" for i in interaction.account_ids]
    return ", ".join(refs)


def _flags(*parts: str | None) -> str:
    shown = [part for part in parts if part]
    return f" ({', '.join(shown)})" if shown else ""


def email_line(email: EmailRecord) -> str:
    return email.email + _flags(email.label, "primary" if email.primary else None)


def phone_line(phone: PhoneRecord) -> str:
    typed = f"typed {phone.original!r}" if phone.original and phone.original != phone.e164 else ""
    return phone.e164 + _flags(phone.label, "primary" if phone.primary else None, typed)


def address_line(address: AddressRecord) -> str:
    return f"{address.label}: {address}" if address.label else str(address)


def link_line(link: LinkRecord, *, from_contact: bool) -> str:
    """One place of work: the other side of the link, the role, and when it held."""
    if from_contact:
        other = f"{link.account_name} (account {link.account_id})"
    else:
        other = f"{link.contact_name} (contact {link.contact_id})"
    period = ""
    if link.start_date or link.end_date:
        start = link.start_date.isoformat() if link.start_date else "…"
        end = link.end_date.isoformat() if link.end_date else "now"
        period = f"{start} to {end}"
    details = ", ".join(
        part for part in (link.role, "primary" if link.primary else "", period) if part
    )
    return f"{other}{': ' + details if details else ''}  [link {link.id}]"


def custom_pairs(
    values: Mapping[str, Any], specs: Mapping[str, CustomFieldSpec]
) -> list[tuple[str, Any]]:
    """Every declared custom field (empty ones too), then any stored value no longer declared."""
    names = list(specs) + [name for name in values if name not in specs]
    return [(name, "" if values.get(name) is None else values[name]) for name in names]


def _common_tail(record: ContactRecord | AccountRecord, entity: str) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = [
        ("created", when(record.created_at)),
        ("updated", when(record.updated_at)),
        ("version", record.version),
    ]
    if record.deleted_at:
        pairs.append(
            (
                "deleted",
                f"{when(record.deleted_at)} (restore with: sampark {entity}s restore {record.id})",
            )
        )
    return pairs


def contact_fields(
    contact: ContactRecord, links: Page[LinkRecord], specs: Mapping[str, CustomFieldSpec]
) -> list[tuple[str, Any]]:
    """Every field of a contact, as label/value pairs for ``contacts show``."""
    return [
        ("id", contact.id),
        ("name", contact.display_name),
        ("first name", contact.first_name),
        ("last name", contact.last_name),
        ("emails", [email_line(e) for e in contact.emails]),
        ("phones", [phone_line(p) for p in contact.phones]),
        ("addresses", [address_line(a) for a in contact.addresses]),
        ("tags", ", ".join(contact.tags)),
        ("language", contact.language or ""),
        ("birthday", contact.birthday.isoformat() if contact.birthday else ""),
        ("owner", contact.owner or ""),
        ("notes", contact.notes),
        *custom_pairs(contact.custom, specs),
        ("accounts", [link_line(link, from_contact=True) for link in links]),
        *_common_tail(contact, "contact"),
    ]


def account_fields(
    account: AccountRecord, links: Page[LinkRecord], specs: Mapping[str, CustomFieldSpec]
) -> list[tuple[str, Any]]:
    """Every field of an account, as label/value pairs for ``accounts show``."""
    return [
        ("id", account.id),
        ("name", account.name),
        ("kinds", ", ".join(account.kinds)),
        ("website", account.website),
        ("registration no.", account.registration_number),
        ("VAT no.", account.vat_number),
        ("parent", f"account {account.parent_id}" if account.parent_id else ""),
        ("emails", [email_line(e) for e in account.emails]),
        ("phones", [phone_line(p) for p in account.phones]),
        ("addresses", [address_line(a) for a in account.addresses]),
        ("tags", ", ".join(account.tags)),
        ("owner", account.owner or ""),
        ("notes", account.notes),
        *custom_pairs(account.custom, specs),
        ("contacts", [link_line(link, from_contact=False) for link in links]),
        *_common_tail(account, "account"),
    ]


def interaction_fields(interaction: InteractionRecord) -> list[tuple[str, Any]]:
    """An interaction as label/value pairs, after it was logged or completed."""
    return [
        ("id", interaction.id),
        ("kind", interaction.kind),
        ("status", interaction.status),
        ("done at", when(interaction.occurred_at)),
        ("due", when(interaction.due_at)),
        ("direction", interaction.direction or ""),
        ("duration", f"{interaction.duration_minutes} min" if interaction.duration_minutes else ""),
        ("with", participants(interaction)),
        ("subject", interaction.subject),
        ("outcome", interaction.outcome),
        ("body", interaction.body),
    ]
