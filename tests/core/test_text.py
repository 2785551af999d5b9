"""One rule for text every face stores: no NUL, no lone surrogates, no control characters."""

from __future__ import annotations

import pytest

from sampark.core.custom_fields import CustomFieldSpec
from sampark.core.errors import ValidationError
from sampark.core.kernel import Sampark
from sampark.core.text import LINE_BREAK_MESSAGE, NUL_MESSAGE, SURROGATE_MESSAGE, text_problem


@pytest.mark.parametrize(
    ("text", "multiline", "problem"),
    [
        ("आशा Rao", False, None),
        ("line one\n\tline two\r\n", True, None),
        ("As\x00ha", True, NUL_MESSAGE),
        ("A\ud800sha", True, SURROGATE_MESSAGE),
        ("Asha\nRao", False, LINE_BREAK_MESSAGE),
        ("Asha\rRao", False, LINE_BREAK_MESSAGE),
        ("Asha\tRao", False, "must not contain control characters (found U+0009)"),
        ("\x1b[2J", True, "must not contain control characters (found U+001B)"),
        ("bell\x07", True, "must not contain control characters (found U+0007)"),
        ("\x7f", True, "must not contain control characters (found U+007F)"),
        ("\x9b1m", True, "must not contain control characters (found U+009B)"),
    ],
)
def test_text_problem(text: str, multiline: bool, problem: str | None) -> None:
    assert text_problem(text, multiline=multiline) == problem


async def test_the_kernel_refuses_bad_text_naming_the_field(crm: Sampark) -> None:
    with pytest.raises(ValidationError) as refused:
        await crm.contacts.create(
            first_name="As\x00ha",
            last_name="Rao\nKumar",
            notes="\x1b]0;owned\x07",
            addresses=[{"city": "Pu\x85ne"}],
        )
    found = [(error.field, error.message) for error in refused.value.errors]
    assert ("first_name", NUL_MESSAGE) in found
    assert ("last_name", LINE_BREAK_MESSAGE) in found
    assert ("notes", "must not contain control characters (found U+001B)") in found
    assert ("addresses[0].city", "must not contain control characters (found U+0085)") in found
    assert (await crm.contacts.list()).items == []


async def test_multi_line_text_keeps_its_lines(crm: Sampark) -> None:
    contact = await crm.contacts.create(
        first_name="Asha",
        notes="Called twice.\r\n\tPrefers mornings.",
        addresses=[{"street": "12 MG Road\nFlat 4", "city": "Pune"}],
    )
    assert contact.notes == "Called twice.\r\n\tPrefers mornings."
    assert contact.addresses[0].street == "12 MG Road\nFlat 4"
    note = await crm.interactions.log(
        kind="note", subject="Visit", body="First line\nSecond line", contacts=[contact.id]
    )
    assert note.body == "First line\nSecond line"
    with pytest.raises(ValidationError) as refused:
        await crm.interactions.log(kind="note", subject="Two\nlines", contacts=[contact.id])
    assert refused.value.errors[0].field == "subject"


async def test_custom_text_and_account_names_follow_the_rule(make_kernel) -> None:
    kernel = await make_kernel(custom_fields=(CustomFieldSpec("account", "region", "text"),))
    with pytest.raises(ValidationError) as refused:
        await kernel.accounts.create(name="Acme\x00", custom={"region": "so\x00uth"})
    assert {error.field for error in refused.value.errors} == {"name", "custom.region"}
    assert (await kernel.accounts.list()).items == []
