"""One reading of decimal text for every face: exact, unambiguous, never a float."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from sampark.core.custom_fields import CustomFieldSpec
from sampark.core.errors import ValidationError
from sampark.core.services.decimals import parse_decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1250.50", Decimal("1250.50")),
        ("0", Decimal("0")),
        ("007.5", Decimal("7.5")),
        ("-3.25", Decimal("-3.25")),
        (12, Decimal("12")),
        (Decimal("0.10"), Decimal("0.10")),
    ],
)
def test_plain_decimals_are_read_exactly(value: object, expected: Decimal) -> None:
    assert parse_decimal(value, "amount") == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("12,50", "'12,50' is ambiguous"),
        ("1,250.50", "is ambiguous"),
        (" 5 ", "must be digits"),
        ("1e5", "must be digits"),
        ("+5", "must be digits"),
        (".5", "must be digits"),
        ("5.", "must be digits"),
        ("", "must be digits"),
        ("NaN", "must be digits"),
        ("Infinity", "must be digits"),
        ("१२", "must be digits"),  # Devanagari digits: Decimal() would take them silently
        ("9" * 41, "must be digits"),
        (0.1, "never a float"),
        (True, "must be a number"),
        (None, "must be a number"),
        (Decimal("NaN"), "must be a finite number"),
    ],
)
def test_ambiguous_or_inexact_input_is_refused_naming_the_field(
    value: object, problem: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_decimal(value, "lines[2].price")
    (error,) = refused.value.errors
    assert error.field == "lines[2].price" and problem in error.message


def test_places_and_bounds() -> None:
    assert parse_decimal("12.5", "amount", places=2) == Decimal("12.50")
    assert str(parse_decimal(7, "amount", places=2)) == "7.00"
    for value, bounds, problem in [
        ("1.234", {"places": 2}, "at most 2 decimal places (got 1.234)"),
        ("-1", {"minimum": 0}, "must not be negative (got -1)"),
        ("5", {"minimum": 10}, "must not be less than 10 (got 5)"),
        ("101", {"maximum": 100}, "must be at most 100 (got 101)"),
    ]:
        with pytest.raises(ValidationError, match=re.escape(problem)):
            parse_decimal(value, "amount", **bounds)


BUDGET = CustomFieldSpec("contact", "budget", "decimal")


@pytest.mark.parametrize(
    ("given", "problem"),
    [("12,50", "'12,50' is ambiguous"), ("1e5", "must be digits"), (12.5, "never a float")],
)
async def test_a_decimal_custom_field_reads_amounts_by_the_same_rule(
    make_kernel: Any, given: object, problem: str
) -> None:
    crm = await make_kernel(custom_fields=[BUDGET])
    with pytest.raises(ValidationError) as refused:
        await crm.contacts.create(first_name="Asha", custom={"budget": given})
    (error,) = refused.value.errors
    assert error.field == "custom.budget" and problem in error.message
    assert (await crm.contacts.list()).items == []
    made = await crm.contacts.create(first_name="Asha", custom={"budget": "12.50"})
    assert made.custom == {"budget": "12.50"}
    assert (await crm.contacts.create(first_name="Ravi", custom={"budget": 7})).custom == {
        "budget": "7"
    }
