"""Read amounts and other exact decimals from what people and programs send, one way.

Accepted: a ``Decimal``, an ``int``, or text of ASCII digits with an optional ``-`` sign
and an optional ``.`` followed by digits (``1250``, ``1250.50``, ``-3.5``). Everything
else is refused with the field named: a ``float`` (it cannot hold 0.10 exactly), a comma
(``12,50`` is 12.50 in much of the world and 1250 in the rest), spaces, exponents
(``1e5``), a leading ``+`` or ``.``, infinities and NaN. Forms strip what a person typed
before it gets here; the API, the CLI and the kernel pass values on as given.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sampark.core.errors import ValidationError

_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
MAX_TEXT = 40  # longer text is not an amount anyone typed


def parse_decimal(
    value: Any,
    where: str,
    *,
    places: int | None = None,
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
    example: str = "1250.50",
) -> Decimal:
    """``value`` as an exact Decimal; ValidationError naming ``where`` and the problem.

    ``places`` caps the digits after the point (the result then has exactly that many);
    ``minimum`` and ``maximum`` bound it, both inclusive.
    """
    number = _exact(value, where, example)
    if not number.is_finite():
        raise ValidationError.single(where, f"must be a finite number (got {value!r})")
    if minimum is not None and number < minimum:
        word = "negative" if minimum == 0 else f"less than {minimum}"
        raise ValidationError.single(where, f"must not be {word} (got {value})")
    if maximum is not None and number > maximum:
        raise ValidationError.single(where, f"must be at most {maximum} (got {value})")
    if places is not None:
        step = Decimal(1).scaleb(-places)
        if number != number.quantize(step):
            raise ValidationError.single(
                where, f"may have at most {places} decimal places (got {value})"
            )
        number = number.quantize(step)
    return number


def _exact(value: Any, where: str, example: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        raise ValidationError.single(
            where,
            f"must be text such as {example!r} or a whole number, never a float "
            f"(a float cannot hold most decimals exactly; got {value!r})",
        )
    if not isinstance(value, str):
        raise ValidationError.single(where, f"must be a number such as {example} (got {value!r})")
    if len(value) <= MAX_TEXT and _PLAIN.fullmatch(value):
        return Decimal(value)
    if "," in value:
        raise ValidationError.single(
            where,
            f"{value!r} is ambiguous: write digits with '.' as the decimal point "
            f"and no thousands separators, e.g. {example}",
        )
    raise ValidationError.single(
        where,
        f"must be digits with an optional '.' and decimal part, e.g. {example} (got {value!r})",
    )
