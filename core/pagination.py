"""Opaque keyset cursors: the sort key of the last row seen, never an offset."""

from __future__ import annotations

import base64
import json
from typing import Any

from sampark.core.errors import ValidationError


def encode_cursor(*key: Any) -> str:
    """Pack the last row's sort key (JSON-able values) into a URL-safe token."""
    raw = json.dumps(list(key), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """Unpack a cursor made by :func:`encode_cursor`; a tampered one is a field error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise ValidationError.single("cursor", "is not a cursor this server gave out") from None
    if not isinstance(key, list) or len(key) != size:
        raise ValidationError.single("cursor", "is not a cursor this server gave out")
    return key


def check_limit(limit: int, maximum: int = 500) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= maximum:
        raise ValidationError.single("limit", f"must be a whole number from 1 to {maximum}")
    return limit
