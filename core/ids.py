"""Record ids: whole numbers from 1 to the largest a 32-bit database integer holds.

Every table's id is a 32-bit integer on both engines. A bigger number names no record,
but PostgreSQL refuses it as a query argument (and SQLite anything past 64 bits), so the
services check an id here before any query: out of range is simply not found.
"""

from __future__ import annotations

from typing import Any

from sampark.core.errors import NotFoundError

MAX_ID = 2_147_483_647
MIN_INT = -MAX_ID - 1  # the smallest a 32-bit database integer holds


def is_record_id(value: Any) -> bool:
    """Whether ``value`` is an int some record could have as its id."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def check_id(entity: str, value: Any) -> int:
    """``value`` as a record id of ``entity``; NotFoundError for anything no record can have."""
    if not is_record_id(value):
        raise NotFoundError(entity, value)
    return value
