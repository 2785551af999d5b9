"""ETags from record versions, and the ``If-Match`` rules: no lost update, ever.

A record's ETag is the strong validator ``"v<version>"``. A write that needs one refuses
to run without it (428), with ``*`` (428: a real ETag is needed to know what was read),
or with one that is no longer current (412).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sampark.web.api.problems import ApiProblem

_TAG = re.compile(r'^(W/)?"([\x21\x23-\x7e\x80-\xff]*)"$')
_VERSION = re.compile(r"^v([1-9][0-9]{0,9})$")
MAX_VERSION = 2_147_483_647  # versions are 32-bit integers on every engine


def etag(version: int) -> str:
    return f'"v{version}"'


def parse_if_match(values: Sequence[str]) -> int:
    """The record version an ``If-Match`` header names; ApiProblem when it cannot guard a write."""
    given = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not given:
        raise ApiProblem(
            428,
            "send If-Match with the record's ETag (from GET or the last write), "
            "so a change made meanwhile is not overwritten",
        )
    if "*" in given:
        raise ApiProblem(428, "If-Match: * is not accepted: send the record's ETag")
    if len(given) > 1:
        raise ApiProblem(400, "If-Match must carry one ETag")
    match = _TAG.match(given[0])
    if match is None:
        raise ApiProblem(400, f'If-Match is not an entity tag such as "v3" (got {given[0]!r})')
    weak, opaque = match.groups()
    version = _VERSION.match(opaque)
    # A version past a database integer was never any record's (and PostgreSQL would fail
    # on it rather than miss): as stale as any other ETag that does not match.
    if weak or version is None or int(version.group(1)) > MAX_VERSION:
        raise ApiProblem(
            412, f"If-Match {given[0]} does not match the record's current ETag: fetch it again"
        )
    return int(version.group(1))
