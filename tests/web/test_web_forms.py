"""Pure pieces of the web UI: form reading, error placement, redirects and cookie signing."""

from __future__ import annotations

from sampark.core.custom_fields import CustomFieldSpec
from sampark.core.errors import FieldError
from sampark.core.records import ContactRecord, EmailRecord, PhoneRecord
from sampark.web.forms import Form, account_input, contact_input, contact_values, input_id
from sampark.web.routes.common import safe_next
from sampark.web.security import CookieSigner, tokens_match


def test_blank_rows_are_dropped_and_errors_find_their_row() -> None:
    values = {
        "first_name": " Asha ",
        "emails[0].email": "",
        "emails[1].email": "asha@",
        "emails[2].email": "asha@example.in",
        "emails[2].label": "home",
        "emails.primary": "2",
        "phones[0].number": "",
        "addresses[0].city": "",
        "addresses[1].city": "Pune",
        "tags": "donor, , vip ,",
        "custom.region": "south",
    }
    specs = {"region": CustomFieldSpec("contact", "region", "text")}
    data, rows = contact_input(values, specs)
    assert data["first_name"] == "Asha"
    assert data["emails"] == [
        {"email": "asha@", "primary": False},
        {"email": "asha@example.in", "primary": True, "label": "home"},
    ]
    assert data["phones"] == []
    assert data["addresses"] == [
        {"street": "", "city": "Pune", "region": "", "postal_code": "", "country": ""}
    ]
    assert data["tags"] == ["donor", "vip"]
    assert data["custom"] == {"region": "south"}
    assert "owner" not in data  # blank: whoever creates it owns it
    placed = rows.errors(
        [
            FieldError("emails[0].email", "not a valid email address"),
            FieldError("addresses[0]", "is empty"),
            FieldError("tags[1]", "too long"),
            FieldError("first_name", "a contact needs a name or an email"),
        ]
    )
    assert placed == {
        "emails[1].email": ["not a valid email address"],
        "addresses[1]": ["is empty"],
        "tags": ["too long"],
        "first_name": ["a contact needs a name or an email"],
    }


def test_account_kinds_come_from_checkboxes() -> None:
    data, _ = account_input({"name": "Sundar", "kinds": ["customer", "partner"]}, {})
    assert data["kinds"] == ["customer", "partner"]
    assert data["parent_id"] is None


def test_an_edit_form_leaves_a_derived_display_name_blank() -> None:
    derived = ContactRecord(id=1, display_name="Asha Rao", first_name="Asha", last_name="Rao")
    assert contact_values(derived)["display_name"] == ""
    chosen = ContactRecord(id=1, display_name="Dr. Rao", first_name="Asha", last_name="Rao")
    values = contact_values(chosen)
    assert values["display_name"] == "Dr. Rao"
    with_channels = ContactRecord(
        id=2,
        display_name="A",
        emails=(EmailRecord("a@x.in"), EmailRecord("b@x.in", primary=True)),
        phones=(PhoneRecord("+919876543210", original="98765 43210"),),
        version=4,
    )
    values = contact_values(with_channels)
    assert values["emails[1].email"] == "b@x.in" and values["emails.primary"] == "1"
    assert values["phones[0].number"] == "98765 43210"
    assert values["version"] == "4"


def test_a_form_shows_one_blank_row_after_the_last_used_one() -> None:
    form = Form({"emails[0].email": "a@x.in", "emails[3].email": "b@x.in", "phones[0].number": ""})
    assert list(form.rows("emails")) == [0, 1, 2, 3, 4]
    assert list(form.rows("phones")) == [0]
    assert list(form.rows("addresses")) == [0]


def test_the_error_summary_names_and_links_each_problem() -> None:
    form = Form(
        errors={
            "emails[1].email": ["not valid"],
            "emails": ["only one can be primary"],
            "custom.region": ["is required"],
            "plugin hello": ["says no"],
        },
        labels={"first_name": "First name"},
    )
    summary = [(p.anchor, p.label, p.message) for p in form.problems()]
    assert summary == [
        ("f-emails-1-email", "Email 2", "not valid"),
        ("f-emails", "Emails", "only one can be primary"),
        ("f-custom-region", "Region", "is required"),
        (None, "plugin hello", "says no"),
    ]
    assert form.group_errors("emails") == ["only one can be primary"]
    assert input_id("addresses[0].postal_code", "log-") == "log-addresses-0-postal_code"


def test_only_local_paths_are_followed_after_a_form() -> None:
    assert safe_next("/contacts?tag=vip") == "/contacts?tag=vip"
    for bad in ("//evil.example", "https://evil.example", "/\\evil", "evil", None, "/a\nb"):
        assert safe_next(bad) == "/"


def test_signed_cookies_refuse_tampering() -> None:
    signer = CookieSigner("k" * 40, "session")
    signed = signer.sign("abc123")
    assert signer.unsign(signed) == "abc123"
    assert signer.unsign(signed[:-1] + ("A" if signed[-1] != "A" else "B")) is None
    assert signer.unsign("abc123") is None and signer.unsign(None) is None
    assert CookieSigner("k" * 40, "csrf").unsign(signed) is None  # another purpose
    assert CookieSigner("j" * 40, "session").unsign(signed) is None  # another key
    assert tokens_match("t", "t") and not tokens_match("t", "u") and not tokens_match("", "")
