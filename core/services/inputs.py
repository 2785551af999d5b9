"""Turn what people type into clean contact and account input, naming every bad field.

These functions are pure (no database): the single-record services and the bulk import
share them, so a row refused by one is refused by the other with the same words.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import email_validator
import phonenumbers

from sampark.core.custom_fields import CustomFieldSpec, clean_custom_values
from sampark.core.errors import FieldError, ValidationError
from sampark.core.records import AddressRecord, EmailRecord, PhoneRecord
from sampark.core.text import text_problem

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

T = TypeVar("T")

# ISO 3166-1 alpha-2: the regions phonenumbers knows, plus the few without a phone plan.
COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS) | {
    "AQ",
    "BV",
    "GS",
    "HM",
    "PN",
    "TF",
    "UM",
}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_HOST_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_PARSE_PROBLEMS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "no digits to dial",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
    phonenumbers.NumberParseException.TOO_LONG: "too long",
}
_TAG_MAX = 100
_LABEL_MAX = 50

CONTACT_KEYS = (
    "first_name",
    "last_name",
    "display_name",
    "emails",
    "phones",
    "addresses",
    "tags",
    "language",
    "birthday",
    "notes",
    "owner",
    "custom",
)
ACCOUNT_KEYS = (
    "name",
    "kinds",
    "website",
    "registration_number",
    "vat_number",
    "emails",
    "phones",
    "addresses",
    "parent_id",
    "tags",
    "notes",
    "owner",
    "custom",
)


@dataclass(frozen=True)
class ContactInput:
    """A contact ready to be written: every value checked and normalised."""

    first_name: str
    last_name: str
    display_name: str
    sort_name: str  # display_name.casefold(): the list order people expect
    emails: tuple[EmailRecord, ...] = ()
    phones: tuple[PhoneRecord, ...] = ()
    addresses: tuple[AddressRecord, ...] = ()
    tags: tuple[str, ...] = ()
    language: str | None = None
    birthday: dt.date | None = None
    notes: str = ""
    owner: str | None = None  # a username; the service resolves it to a user id
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountInput:
    """An account ready to be written: every value checked and normalised."""

    name: str
    sort_name: str  # name.casefold()
    kinds: tuple[str, ...] = ()
    website: str = ""
    registration_number: str = ""
    vat_number: str = ""
    emails: tuple[EmailRecord, ...] = ()
    phones: tuple[PhoneRecord, ...] = ()
    addresses: tuple[AddressRecord, ...] = ()
    parent_id: int | None = None
    tags: tuple[str, ...] = ()
    notes: str = ""
    owner: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)


class _Field(Exception):
    """One bad value inside a cleaner; collected into the ValidationError."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.error = FieldError(where, message)


# ---------------------------------------------------------------------------
# Single values
# ---------------------------------------------------------------------------


def clean_email(value: str, where: str) -> str:
    """The normalised address (domain lower-cased); ValidationError naming ``where`` if bad."""
    try:
        return _email(value, where)
    except _Field as exc:
        raise ValidationError([exc.error]) from None


def clean_phone(value: str, region: str | None, where: str) -> PhoneRecord:
    """The number in E.164 with the text as typed kept; ValidationError naming ``where``."""
    try:
        return _phone(value, region, where)
    except _Field as exc:
        raise ValidationError([exc.error]) from None


def _email(value: Any, where: str) -> str:
    text = _text(value, where, 320)
    if not text:
        raise _Field(where, "is required")
    try:
        result = email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise _Field(where, f"not a valid email address ({exc})") from None
    return result.normalized


def _phone(value: Any, region: str | None, where: str) -> PhoneRecord:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    original = _text(value, where, 64)
    if not original:
        raise _Field(where, "is required")
    if region is None and not original.startswith(("+", "00")):
        raise _Field(
            where,
            f"{original!r} has no country code: write it as +<country code> … "
            "or set phone_region in the settings",
        )
    # Without a home region, a leading 00 can only be the international prefix.
    international = region is None and original.startswith("00")
    text = "+" + original[2:] if international else original
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        reason = _PARSE_PROBLEMS.get(exc.error_type, "not understood")
        raise _Field(where, f"{original!r} is not a phone number ({reason})") from None
    if not phonenumbers.is_valid_number(parsed):
        hint = f" for region {region}" if region and not original.startswith("+") else ""
        raise _Field(where, f"{original!r} is not a valid phone number{hint}")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return PhoneRecord(e164=e164, original=original)


def _text(
    value: Any,
    where: str,
    max_length: int | None = None,
    *,
    nfc: bool = False,
    multiline: bool = False,
) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Field(where, f"must be text (got {type(value).__name__})")
    text = value.strip()
    problem = text_problem(text, multiline=multiline)
    if problem:
        raise _Field(where, problem)
    if nfc:
        # One spelling per name, so "आशा" typed on two keyboards is one search term.
        text = unicodedata.normalize("NFC", text)
    if max_length is not None and len(text) > max_length:
        raise _Field(where, f"must be at most {max_length} characters (got {len(text)})")
    return text


def _optional_text(value: Any, where: str, max_length: int) -> str | None:
    return _text(value, where, max_length) or None


def _language(value: Any, where: str) -> str | None:
    text = _text(value, where, 35)
    if not text:
        return None
    if not _LANGUAGE.match(text):
        raise _Field(where, f"must be a language tag such as hi, te-IN or en (got {text!r})")
    parts = text.split("-")
    tidy = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            tidy.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            tidy.append(part.title())
        else:
            tidy.append(part.lower())
    return "-".join(tidy)


def _birthday(value: Any, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise _Field(where, f"must be a date as YYYY-MM-DD (got {value!r})") from None
    else:
        raise _Field(where, f"must be a date as YYYY-MM-DD (got {value!r})")
    if day > dt.date.today():
        raise _Field(where, f"cannot be in the future (got {day.isoformat()})")
    return day


def _owner(value: Any, where: str) -> str | None:
    return _optional_text(value, where, 150)


def _website(value: Any, where: str) -> str:
    text = _text(value, where, 500)
    if not text:
        return ""
    if "://" not in text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:  # e.g. an unclosed [ of an IPv6 literal
        raise _Field(where, f"must be a web address such as example.in (got {value!r})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _Field(where, f"must be an http or https address (got {value!r})")
    if not _looks_like_host(host):
        raise _Field(where, f"must be a web address such as example.in (got {value!r})")
    if len(text) > 500:
        raise _Field(where, "must be at most 500 characters")
    return text


def _looks_like_host(host: str) -> bool:
    """A dotted name of valid labels; names in any script are checked in their IDNA form."""
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.split(".")
    return len(labels) >= 2 and all(_HOST_LABEL.match(label) for label in labels)


def _parent_id(value: Any, where: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Field(where, f"must be an account id (got {value!r})")
    try:
        number = int(value)
    except ValueError:
        raise _Field(where, f"must be an account id (got {value!r})") from None
    if number < 1:
        raise _Field(where, f"must be an account id (got {value!r})")
    return number


# ---------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------


def _items(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, list | tuple):
        raise _Field(where, "must be a list")
    return list(value)


def _entry(
    item: Any, where: str, main_key: str, allowed: tuple[str, ...], errors: list[FieldError]
) -> dict[str, Any] | None:
    """A list entry as a dict: a bare string is the main value; unknown keys are errors."""
    if isinstance(item, str | int) and not isinstance(item, bool):
        return {main_key: item}
    if not isinstance(item, Mapping):
        errors.append(FieldError(where, f"must be text or a table with {main_key!r}"))
        return None
    unknown = [key for key in item if key not in allowed]
    for key in unknown:
        errors.append(FieldError(f"{where}.{key}", f"unknown field (known: {', '.join(allowed)})"))
    return None if unknown else dict(item)


def _label(entry: Mapping[str, Any], where: str, default: str) -> str:
    return _text(entry.get("label"), f"{where}.label", _LABEL_MAX) or default


def _primary_flag(entry: Mapping[str, Any], where: str) -> bool:
    flag = entry.get("primary", False)
    if not isinstance(flag, bool):
        raise _Field(f"{where}.primary", f"must be true or false (got {flag!r})")
    return flag


def _one_primary(items: list[T], name: str, errors: list[FieldError]) -> list[T]:
    """Mark the first item primary when none is; more than one is an error."""
    marked = [index for index, item in enumerate(items) if item.primary]  # type: ignore[attr-defined]
    if len(marked) > 1:
        where = ", ".join(f"{name}[{index}]" for index in marked)
        errors.append(FieldError(name, f"only one can be primary ({where} are)"))
        return items
    if not marked and items:
        items[0] = _with_primary(items[0])
    return items


def _with_primary(item: T) -> T:
    return replace(item, primary=True)  # type: ignore[type-var]


def _emails(value: Any, errors: list[FieldError]) -> tuple[EmailRecord, ...]:
    records: list[EmailRecord] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(_items(value, "emails")):
        where = f"emails[{index}]"
        entry = _entry(item, where, "email", ("email", "label", "primary"), errors)
        if entry is None:
            continue
        try:
            address = _email(entry.get("email"), f"{where}.email")
            record = EmailRecord(
                email=address,
                label=_label(entry, where, "work"),
                primary=_primary_flag(entry, where),
            )
        except _Field as exc:
            errors.append(exc.error)
            continue
        key = address.casefold()
        if key in seen:
            errors.append(FieldError(f"{where}.email", f"repeats emails[{seen[key]}]"))
            continue
        seen[key] = index
        records.append(record)
    return tuple(_one_primary(records, "emails", errors))


def _phones(value: Any, region: str | None, errors: list[FieldError]) -> tuple[PhoneRecord, ...]:
    records: list[PhoneRecord] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(_items(value, "phones")):
        where = f"phones[{index}]"
        entry = _entry(item, where, "number", ("number", "label", "primary"), errors)
        if entry is None:
            continue
        try:
            parsed = _phone(entry.get("number"), region, f"{where}.number")
            record = PhoneRecord(
                e164=parsed.e164,
                original=parsed.original,
                label=_label(entry, where, "mobile"),
                primary=_primary_flag(entry, where),
            )
        except _Field as exc:
            errors.append(exc.error)
            continue
        if record.e164 in seen:
            errors.append(FieldError(f"{where}.number", f"repeats phones[{seen[record.e164]}]"))
            continue
        seen[record.e164] = index
        records.append(record)
    return tuple(_one_primary(records, "phones", errors))


_ADDRESS_KEYS = ("label", "street", "city", "region", "postal_code", "country")


def _addresses(value: Any, errors: list[FieldError]) -> tuple[AddressRecord, ...]:
    records: list[AddressRecord] = []
    for index, item in enumerate(_items(value, "addresses")):
        where = f"addresses[{index}]"
        if not isinstance(item, Mapping):
            errors.append(FieldError(where, "must be a table with street, city, country …"))
            continue
        entry = _entry(item, where, "street", _ADDRESS_KEYS, errors)
        if entry is None:
            continue
        try:
            records.append(_address(entry, where))
        except _Field as exc:
            errors.append(exc.error)
    return tuple(records)


def _address(entry: Mapping[str, Any], where: str) -> AddressRecord:
    country = _text(entry.get("country"), f"{where}.country").upper()
    if country and country not in COUNTRIES:
        raise _Field(
            f"{where}.country", f"must be a two-letter country code such as IN (got {country!r})"
        )
    record = AddressRecord(
        label=_label(entry, where, "work"),
        street=_text(entry.get("street"), f"{where}.street", 500, nfc=True, multiline=True),
        city=_text(entry.get("city"), f"{where}.city", 200, nfc=True),
        region=_text(entry.get("region"), f"{where}.region", 200, nfc=True),
        postal_code=_text(entry.get("postal_code"), f"{where}.postal_code", 40),
        country=country,
    )
    if not str(record).strip():
        raise _Field(where, "is empty: give at least a street, city or country")
    return record


def _tags(value: Any, errors: list[FieldError]) -> tuple[str, ...]:
    tags: dict[str, str] = {}
    for index, item in enumerate(_items(value, "tags")):
        where = f"tags[{index}]"
        try:
            tag = _text(item, where, _TAG_MAX, nfc=True)
        except _Field as exc:
            errors.append(exc.error)
            continue
        if not tag:
            errors.append(FieldError(where, "must not be empty"))
            continue
        tags.setdefault(tag.casefold(), tag)
    return tuple(tags.values())


def _kinds(value: Any, allowed: tuple[str, ...], errors: list[FieldError]) -> tuple[str, ...]:
    by_key = {kind.casefold(): kind for kind in allowed}
    kinds: list[str] = []
    for index, item in enumerate(_items(value, "kinds")):
        where = f"kinds[{index}]"
        try:
            known = by_key.get(_text(item, where, 50).casefold())
        except _Field as exc:
            errors.append(exc.error)
            continue
        if known is None:
            errors.append(FieldError(where, f"must be one of {', '.join(allowed)} (got {item!r})"))
        elif known not in kinds:
            kinds.append(known)
    return tuple(kinds)


def _custom(
    value: Any, specs: Mapping[str, CustomFieldSpec], require_all: bool, errors: list[FieldError]
) -> dict[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        errors.append(FieldError("custom", "must be a table of custom field values"))
        return {}
    cleaned, problems = clean_custom_values(value, specs, require_all=require_all)
    errors.extend(problems)
    return cleaned


# ---------------------------------------------------------------------------
# Whole records
# ---------------------------------------------------------------------------


def default_display_name(first_name: str, last_name: str, emails: tuple[EmailRecord, ...]) -> str:
    """The name shown: "first last" in any script, else the primary email, else empty."""
    name = " ".join(part for part in (first_name, last_name) if part)
    if name:
        return name
    for email in emails:
        if email.primary:
            return email.email
    return emails[0].email if emails else ""


def _unknown_keys(
    data: Mapping[str, Any], known: tuple[str, ...], errors: list[FieldError]
) -> None:
    for key in data:
        if key not in known:
            errors.append(FieldError(str(key), f"unknown field (known: {', '.join(known)})"))


def _cleaners(
    kernel: Sampark, entity: str, require_all: bool, errors: list[FieldError]
) -> dict[str, Callable[[Any], Any]]:
    """One cleaner per input key; each appends its errors and returns the clean value."""
    region = kernel.settings.phone_region
    specs = kernel.custom_fields.get(entity, {})

    def single(fn: Callable[[Any, str], Any], key: str) -> Callable[[Any], Any]:
        def clean(value: Any) -> Any:
            try:
                return fn(value, key)
            except _Field as exc:
                errors.append(exc.error)
                return None

        return clean

    def names(max_length: int) -> Callable[[Any, str], str]:
        return lambda value, where: _text(value, where, max_length, nfc=True)

    def listed(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def clean(value: Any) -> Any:
            try:
                return fn(value)
            except _Field as exc:
                errors.append(exc.error)
                return ()

        return clean

    cleaners: dict[str, Callable[[Any], Any]] = {
        "emails": listed(lambda value: _emails(value, errors)),
        "phones": listed(lambda value: _phones(value, region, errors)),
        "addresses": listed(lambda value: _addresses(value, errors)),
        "tags": listed(lambda value: _tags(value, errors)),
        "notes": single(lambda value, where: _text(value, where, multiline=True), "notes"),
        "owner": single(_owner, "owner"),
        "custom": lambda value: _custom(value, specs, require_all, errors),
    }
    if entity == "contact":
        cleaners.update(
            first_name=single(names(200), "first_name"),
            last_name=single(names(200), "last_name"),
            display_name=single(names(400), "display_name"),
            language=single(_language, "language"),
            birthday=single(_birthday, "birthday"),
        )
    else:
        cleaners.update(
            name=single(names(400), "name"),
            kinds=listed(lambda value: _kinds(value, kernel.account_kinds, errors)),
            website=single(_website, "website"),
            registration_number=single(
                lambda value, where: _text(value, where, 100), "registration_number"
            ),
            vat_number=single(lambda value, where: _text(value, where, 100), "vat_number"),
            parent_id=single(_parent_id, "parent_id"),
        )
    return cleaners


def _clean(
    kernel: Sampark,
    entity: str,
    data: Mapping[str, Any],
    known: tuple[str, ...],
    *,
    partial: bool,
) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    if not isinstance(data, Mapping):
        raise ValidationError.single(entity, "must be a table of fields")
    _unknown_keys(data, known, errors)
    cleaners = _cleaners(kernel, entity, not partial, errors)
    keys = [key for key in known if key in data] if partial else list(known)
    return {key: cleaners[key](data.get(key)) for key in keys}, errors


def clean_contact(kernel: Sampark, data: Mapping[str, Any]) -> ContactInput:
    """A whole new contact; ValidationError lists every bad field at once."""
    values, errors = _clean(kernel, "contact", data, CONTACT_KEYS, partial=False)
    display = values["display_name"] or default_display_name(
        values["first_name"] or "", values["last_name"] or "", values["emails"]
    )
    named = ("first_name", "last_name", "display_name", "emails")
    if not display and not any(error.field.startswith(named) for error in errors):
        errors.append(FieldError("first_name", "a contact needs a name or an email"))
    if errors:
        raise ValidationError(errors)
    return ContactInput(
        first_name=values["first_name"],
        last_name=values["last_name"],
        display_name=display,
        sort_name=display.casefold(),
        emails=values["emails"],
        phones=values["phones"],
        addresses=values["addresses"],
        tags=values["tags"],
        language=values["language"],
        birthday=values["birthday"],
        notes=values["notes"],
        owner=values["owner"],
        custom=values["custom"],
    )


def clean_contact_changes(kernel: Sampark, data: Mapping[str, Any]) -> dict[str, Any]:
    """Only the given fields, cleaned; ``display_name`` "" means "derive it from the name"."""
    values, errors = _clean(kernel, "contact", data, CONTACT_KEYS, partial=True)
    if errors:
        raise ValidationError(errors)
    return values


def clean_account(kernel: Sampark, data: Mapping[str, Any]) -> AccountInput:
    """A whole new account; ValidationError lists every bad field at once."""
    values, errors = _clean(kernel, "account", data, ACCOUNT_KEYS, partial=False)
    if not values["name"] and not any(error.field == "name" for error in errors):
        errors.append(FieldError("name", "is required"))
    if errors:
        raise ValidationError(errors)
    return AccountInput(sort_name=values["name"].casefold(), **values)


def clean_account_changes(kernel: Sampark, data: Mapping[str, Any]) -> dict[str, Any]:
    """Only the given fields, cleaned; an empty name is refused."""
    values, errors = _clean(kernel, "account", data, ACCOUNT_KEYS, partial=True)
    if "name" in values and not values["name"] and not any(e.field == "name" for e in errors):
        errors.append(FieldError("name", "is required"))
    if errors:
        raise ValidationError(errors)
    return values


def input_fields(cleaned: ContactInput | AccountInput) -> dict[str, Any]:
    """A cleaned input as a plain dict (the shape plugins' ``validate_record`` gets)."""
    return {name: getattr(cleaned, name) for name in cleaned.__dataclass_fields__}


async def validate_with_plugins(
    kernel: Sampark, entity: str, data: dict[str, Any], existing: Any
) -> None:
    """Ask every plugin's ``validate_record``; their FieldErrors refuse the write together."""
    contributions = await kernel.plugins.acollect(
        "validate_record", kernel=kernel, entity=entity, data=data, existing=existing
    )
    errors = [
        item.item
        if isinstance(item.item, FieldError)
        else FieldError(f"plugin {item.plugin}", str(item.item))
        for item in contributions
    ]
    if errors:
        raise ValidationError(errors)
