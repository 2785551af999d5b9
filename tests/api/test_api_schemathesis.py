"""Schemathesis against the API: generated requests find no 500 and no schema mismatch.

Every operation in the served document gets valid (positive) and schema-violating
(negative) requests with a valid token; the responses must be documented, match their
schemas, carry the documented headers, refuse bad input, and deny callers without a
token (``ignored_auth``). The harness (``fuzz_api`` in tests/conftest.py) is bounded and
derandomized, so a run takes seconds per engine and finds the same things every time.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette


def test_the_api_keeps_its_document(
    served_api: Starlette, fuzz_api: Callable[..., list[str]]
) -> None:
    # Driven by hand rather than by schema.parametrize(): schemathesis' lazy pytest
    # integration does not work with this pytest (it sets Node._nodeid).
    operations = fuzz_api(served_api, served_api.state.tokens["admin"])
    assert len(operations) >= 20
