"""Schemathesis against the API: generated requests find no 500 and no schema mismatch.

Every operation in the served document gets valid (positive) and schema-violating
(negative) requests with a valid token; the responses must be documented, match their
schemas, carry the documented headers, refuse bad input, and deny callers without a
token (``ignored_auth``). Bounded by ``MAX_EXAMPLES`` and derandomized, so a run takes
seconds per engine and finds the same things every time.
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette

# A fixed, bounded run in CI; SAMPARK_API_FUZZ=<examples> explores further, at random.
DEEPER = os.environ.get("SAMPARK_API_FUZZ", "")
MAX_EXAMPLES = int(DEEPER) if DEEPER.isdigit() else 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


def _exercise(operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not DEEPER,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call()
        # Starlette's Mount pattern stops at a newline: such a URL never reaches the API, and
        # the app around it answers (its 404 page is the web app's business).
        if "\n" in unquote(urlsplit(response.request.url).path):
            return
        case.validate_response(response, checks=CHECKS, transport_kwargs={})

    run()


def test_the_api_keeps_its_document(served_api: Starlette) -> None:
    # Driven by hand rather than by schema.parametrize(): schemathesis' lazy pytest
    # integration does not work with this pytest (it sets Node._nodeid).
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", served_api)
    token = served_api.state.tokens["admin"]

    @schema.auth()
    class AdminToken:
        """Schemathesis' own auth, so it knows which requests carry valid credentials."""

        def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
            return token

        def set(
            self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext
        ) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures = []
    for operation in operations:
        for mode in MODES:
            try:
                _exercise(operation, mode)
            except Exception as exc:  # every operation runs; all failures are reported
                failures.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"
                )
    assert not failures, "\n\n".join(failures)
