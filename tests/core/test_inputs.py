"""The pure input cleaners shared by single writes and bulk import (no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from types import SimpleNamespace
from typing import Any

import pytest

from sampark.core.custom_fields import CustomFieldSpec, index_specs
from sampark.core.errors import ValidationError
from sampark.core.kernel import CORE_ACCOUNT_KINDS
from sampark.core.records import EmailRecord, PhoneRecord
from sampark.core.services.inputs import (
    ContactInput,
    clean_account,
    clean_account_changes,
    clean_contact,
    clean_contact_changes,
    clean_email,
    clean_phone,
)


def kernel(region: str | None = "IN", *specs: CustomFieldSpec) -> Any:
    """Just what the cleaners read from a kernel."""
    return SimpleNamespace(
        settings=SimpleNamespace(phone_region=region),
        custom_fields=index_specs(specs),
        account_kinds=(*CORE_ACCOUNT_KINDS, "reseller"),
    )


def fields_of(caught: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {error.field: error.message for error in caught.value.errors}


def test_clean_email_normalises_and_names_the_field() -> None:
    assert clean_email(" Asha@Example.IN ", "email") == "Asha@example.in"
    with pytest.raises(ValidationError) as caught:
        clean_email("asha@", "contacts[3].email")
    assert list(fields_of(caught)) == ["contacts[3].email"]
    assert "not a valid email address" in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "region", "e164"),
    [
        ("98765 43210", "IN", "+919876543210"),
        ("+91 98765-43210", None, "+919876543210"),
        ("0091 98765 43210", None, "+919876543210"),
        ("030 1234567", "DE", "+49301234567"),
        ("(202) 555-0143", "US", "+12025550143"),
    ],
)
def test_clean_phone_gives_e164_and_keeps_the_text(
    typed: str, region: str | None, e164: str
) -> None:
    assert clean_phone(typed, region, "phone") == PhoneRecord(e164=e164, original=typed)


@pytest.mark.parametrize(
    ("typed", "region", "words"),
    [
        ("98765 43210", None, "phone_region"),
        ("12345", "IN", "not a valid phone number"),
        ("call me", "IN", "not a phone number"),
        ("", "IN", "is required"),
    ],
)
def test_clean_phone_refusals(typed: str, region: str | None, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        clean_phone(typed, region, "phones[2].number")
    assert words in fields_of(caught)["phones[2].number"]


def test_contact_shapes_and_defaults() -> None:
    contact = clean_contact(
        kernel(),
        {
            "first_name": "Asha",
            "emails": ["a@x.in", {"email": "b@x.in", "label": "home", "primary": True}],
            "phones": [9876543210, {"number": "+91 80 2345 6789"}],
            "addresses": [{"street": "1 MG Road", "country": "in"}],
            "tags": [" VIP ", "vip", "Press"],
            "birthday": dt.date(1990, 1, 2),
            "language": "zh-hant-tw",
        },
    )
    assert isinstance(contact, ContactInput)
    assert contact.display_name == "Asha"
    assert contact.emails == (EmailRecord("a@x.in"), EmailRecord("b@x.in", "home", True))
    assert [p.primary for p in contact.phones] == [True, False]  # first is primary by default
    assert contact.phones[0].original == "9876543210"
    assert contact.addresses[0].country == "IN"
    assert contact.tags == ("VIP", "Press")
    assert contact.language == "zh-Hant-TW"
    assert contact.owner is None and contact.custom == {} and contact.notes == ""
    with pytest.raises(dataclasses.FrozenInstanceError):
        contact.first_name = "X"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("first", "last", "display", "sort"),
    [
        ("आशा", "राव", "आशा राव", "आशा राव"),
        ("రమేష్", "", "రమేష్", "రమేష్"),
        ("", "Straße", "Straße", "strasse"),
        ("Asha", "Rao", "Asha Rao", "asha rao"),
    ],
)
def test_display_and_sort_names_in_any_script(
    first: str, last: str, display: str, sort: str
) -> None:
    contact = clean_contact(kernel(), {"first_name": first, "last_name": last})
    assert (contact.display_name, contact.sort_name) == (display, sort)


def test_names_are_stored_in_one_unicode_form() -> None:
    decomposed = unicodedata.normalize("NFD", "José")
    contact = clean_contact(kernel(), {"first_name": decomposed})
    assert contact.first_name == "José" and len(contact.first_name) == 4


def test_a_contact_needs_a_name_or_an_email() -> None:
    assert clean_contact(kernel(), {"emails": ["x@y.in"]}).display_name == "x@y.in"
    with pytest.raises(ValidationError) as caught:
        clean_contact(kernel(), {"notes": "nobody"})
    assert "needs a name or an email" in fields_of(caught)["first_name"]


def test_every_error_at_once_with_exact_field_names() -> None:
    specs = (
        CustomFieldSpec("contact", "tier", "choice", choices=("gold",), required=True),
        CustomFieldSpec("contact", "score", "number"),
    )
    with pytest.raises(ValidationError) as caught:
        clean_contact(
            kernel("IN", *specs),
            {
                "first_name": 42,
                "emails": ["ok@x.in", "OK@x.in", {"email": "c@x.in", "kind": "work"}],
                "phones": [{"number": "+91 98765 43210", "primary": True}, "+91 98765 43210"],
                "addresses": ["Pune", {"city": "Pune", "country": "XX"}, {"label": "home"}],
                "tags": "vip",
                "birthday": "17/05/1990",
                "language": "Hindi language",
                "custom": {"score": 1.5},
                "nickname": "A",
            },
        )
    errors = fields_of(caught)
    assert set(errors) == {
        "nickname",
        "first_name",
        "emails[1].email",
        "emails[2].kind",
        "phones[1].number",
        "addresses[0]",
        "addresses[1].country",
        "addresses[2]",
        "tags",
        "birthday",
        "language",
        "custom.score",
        "custom.tier",
    }
    assert "repeats emails[0]" in errors["emails[1].email"]
    assert "unknown field" in errors["nickname"]


def test_only_one_primary() -> None:
    with pytest.raises(ValidationError) as caught:
        clean_contact(
            kernel(),
            {
                "first_name": "A",
                "emails": [{"email": "a@x.in", "primary": True}] * 1
                + [{"email": "b@x.in", "primary": True}],
            },
        )
    assert "only one can be primary" in fields_of(caught)["emails"]


@pytest.mark.parametrize(
    ("value", "words"),
    [("2999-01-01", "future"), ("1990-02-30", "YYYY-MM-DD"), (19900101, "YYYY-MM-DD")],
)
def test_birthday_refusals(value: Any, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        clean_contact(kernel(), {"first_name": "A", "birthday": value})
    assert words in fields_of(caught)["birthday"]


def test_tags_are_limited_to_100_characters() -> None:
    assert clean_contact(kernel(), {"first_name": "A", "tags": ["x" * 100]}).tags == ("x" * 100,)
    with pytest.raises(ValidationError) as caught:
        clean_contact(kernel(), {"first_name": "A", "tags": ["ok", "x" * 101, " "]})
    assert set(fields_of(caught)) == {"tags[1]", "tags[2]"}


def test_changes_clean_only_the_given_keys() -> None:
    specs = (CustomFieldSpec("contact", "tier", "text", required=True),)
    changes = clean_contact_changes(kernel("IN", *specs), {"last_name": " Rao ", "custom": {}})
    assert changes == {"last_name": "Rao", "custom": {}}  # a required field may stay unset
    assert clean_contact_changes(kernel(), {"emails": []}) == {"emails": ()}
    with pytest.raises(ValidationError) as caught:
        clean_contact_changes(kernel(), {"phones": ["1"], "colour": "red"})
    assert set(fields_of(caught)) == {"phones[0].number", "colour"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("acme.in", "https://acme.in"),
        ("http://acme.in/about", "http://acme.in/about"),
        ("www.टाटा.भारत", "https://www.टाटा.भारत"),
        ("", ""),
    ],
)
def test_account_websites(typed: str, stored: str) -> None:
    assert clean_account(kernel(), {"name": "Acme", "website": typed}).website == stored


def test_account_kinds_parent_and_name() -> None:
    account = clean_account(
        kernel(), {"name": " Acme ", "kinds": ["Customer", "reseller"], "parent_id": "7"}
    )
    assert (account.name, account.sort_name) == ("Acme", "acme")
    assert account.kinds == ("customer", "reseller")
    assert account.parent_id == 7
    with pytest.raises(ValidationError) as caught:
        clean_account(
            kernel(),
            {"kinds": ["friend"], "website": "localhost", "parent_id": -1, "vat_number": "x" * 101},
        )
    errors = fields_of(caught)
    assert set(errors) == {"name", "kinds[0]", "website", "parent_id", "vat_number"}
    assert (
        "customer, supplier, partner, competitor, prospect, other, reseller" in errors["kinds[0]"]
    )
    with pytest.raises(ValidationError) as caught:
        clean_account_changes(kernel(), {"name": "  "})
    assert list(fields_of(caught)) == ["name"]
    assert clean_account_changes(kernel(), {"parent_id": None}) == {"parent_id": None}


@pytest.mark.parametrize("typed", ["https://[x", "http://[::1", "ftp://example.in"])
def test_a_malformed_website_is_a_field_error(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        clean_account(kernel(), {"name": "Acme", "website": typed})
    assert [error.field for error in refused.value.errors] == ["website"]
