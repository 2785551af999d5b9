"""The text the search index holds for a record, shared by single writes and bulk loads."""

from __future__ import annotations

from collections.abc import Iterable

import phonenumbers


def phone_digits(e164: str) -> list[str]:
    """Digit strings a person might type for a number: the E.164 digits (which contain the
    national number) and the national form with its trunk prefix, such as 030… in Germany."""
    digits = [e164.lstrip("+")]
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return digits
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    national_digits = "".join(ch for ch in national if ch.isdigit())
    if national_digits and national_digits not in digits[0]:
        digits.append(national_digits)
    return digits


def search_body(
    names: Iterable[str],
    emails: Iterable[str] = (),
    phones_e164: Iterable[str] = (),
    tags: Iterable[str] = (),
    extra: Iterable[str] = (),
) -> str:
    """One line of text per record; search matches any substring of it, case-insensitively."""
    parts: list[str] = [name for name in names if name]
    parts.extend(emails)
    for e164 in phones_e164:
        parts.extend(phone_digits(e164))
    parts.extend(f"#{tag}" for tag in tags)
    parts.extend(value for value in extra if value)
    return " ".join(parts)


def query_terms(query: str) -> list[str]:
    """Split a search into terms; a phone-like query becomes one digit string.

    A NUL separates terms: neither engine can hold one in a text value.
    """
    text = query.replace("\x00", " ").strip()
    if not text:
        return []
    stripped = text.replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
    stripped = stripped.replace(".", "").replace("/", "")
    if stripped.lstrip("+").isdigit() and len(stripped.lstrip("+")) >= 3:
        return [stripped.lstrip("+")]
    return [term for term in text.split() if term]
