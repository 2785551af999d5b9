"""Deterministic benchmark contacts: the demo's names and scripts, generated fast.

``clean_contact`` costs ~150 µs a row, too slow to prepare a million rows for every run,
so this module builds each contact twice, as the raw row a user would import and as
the ``ContactInput`` that cleaning that row gives, and the benchmark checks a sample
of rows through ``clean_contact`` to prove the two agree.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Iterator, Sequence
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from sampark.core.records import AddressRecord, EmailRecord, PhoneRecord
from sampark.core.services.demo import CONTACT_TAGS, LOCALES, PERSONAL_DOMAINS, Locale, slug
from sampark.core.services.inputs import ContactInput

BenchRow = tuple[dict[str, Any], ContactInput]


class _Phones:
    """Valid mobile numbers per region: the example number with 7 digits varied."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._examples = {
            locale.region: phonenumbers.example_number_for_type(
                locale.region, PhoneNumberType.MOBILE
            )
            for locale in LOCALES
        }

    def make(self, region: str) -> str:
        example = self._examples[region]
        national = str(example.national_number)
        vary = min(7, len(national) - 3)
        head = national[:-vary]
        while True:
            digits = head + f"{self._rng.randrange(10**vary):0{vary}d}"
            number = phonenumbers.PhoneNumber(
                country_code=example.country_code, national_number=int(digits)
            )
            if phonenumbers.is_valid_number(number):
                return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _tag_sets() -> list[tuple[str, ...]]:
    """Tag lists with the demo's mix: most contacts one tag or none, some two or three."""
    sets: list[tuple[str, ...]] = [()] * 8
    sets += [(tag,) for tag in CONTACT_TAGS] * 2
    sets += list(itertools.combinations(CONTACT_TAGS, 2))[:12]
    sets += list(itertools.combinations(CONTACT_TAGS, 3))[:4]
    return sets


def bench_rows(count: int, *, seed: int = 1, owners: Sequence[str] = ()) -> Iterator[BenchRow]:
    """``count`` (raw row, cleaned input) pairs; the same ones for the same seed."""
    rng = random.Random(seed)
    phones = _Phones(rng)
    cumulative = list(itertools.accumulate(locale.weight for locale in LOCALES))
    tag_sets = _tag_sets()
    latin = [name for locale in LOCALES for _, name in (*locale.given, *locale.family)]
    letters = {name: slug(name).replace("-", "") for name in latin}
    first_day = dt.date(1950, 1, 1)
    for index in range(count):
        locale: Locale = LOCALES[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
        given, given_latin = rng.choice(locale.given)
        family, family_latin = rng.choice(locale.family)
        display = locale.display(given, family) or f"{given} {family}"
        domain = PERSONAL_DOMAINS[index % 3]
        email = f"{letters[given_latin]}.{letters[family_latin]}.{index}@{domain}"
        e164 = phones.make(locale.region)
        tags = rng.choice(tag_sets)
        owner = rng.choice(owners) if owners and rng.random() < 0.8 else None
        birthday = (
            first_day + dt.timedelta(days=rng.randrange(20000)) if rng.random() < 0.3 else None
        )
        city, region, postal_code = rng.choice(locale.cities)
        address = (
            AddressRecord("home", "", city, region, postal_code, locale.region)
            if rng.random() < 0.1
            else None
        )
        row: dict[str, Any] = {
            "first_name": given,
            "last_name": family,
            "emails": [email],
            "phones": [e164],
            "tags": list(tags),
            "language": locale.language,
            "owner": owner,
            "birthday": birthday.isoformat() if birthday else None,
        }
        if locale.family_first:
            row["display_name"] = display
        if address:
            row["addresses"] = [
                {
                    "label": "home",
                    "city": city,
                    "region": region,
                    "postal_code": postal_code,
                    "country": locale.region,
                }
            ]
        yield (
            row,
            ContactInput(
                first_name=given,
                last_name=family,
                display_name=display,
                sort_name=display.casefold(),
                emails=(EmailRecord(email, "work", True),),
                phones=(PhoneRecord(e164, e164, "mobile", True),),
                addresses=(address,) if address else (),
                tags=tags,
                language=locale.language,
                birthday=birthday,
                notes="",
                owner=owner,
                custom={},
            ),
        )
