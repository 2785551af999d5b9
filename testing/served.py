"""The web app served on a seeded database, and schemathesis over its OpenAPI document.

For tools that run the app in an event loop of their own (schemathesis): the test's kernel
is seeded, closed, and opened again by the app's lifespan. Schemathesis and hypothesis are
imported only when these fixtures run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pytest

from sampark.testing.clients import TEST_HOSTS

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from sampark.core.kernel import Sampark
    from sampark.core.settings import Settings

Seed = Callable[["Sampark"], Awaitable[Any]]

# A fixed, bounded run in CI; SAMPARK_API_FUZZ=<examples> explores further, at random.
FUZZ_VARIABLE = "SAMPARK_API_FUZZ"
# Schemathesis' default refusals, plus 413: how the server refuses a body over
# [web] max_body_bytes, whatever the body holds.
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]


def _import_schemathesis() -> None:
    pytest.importorskip(
        "schemathesis", reason="schemathesis is not installed (pip install 'sampark[test]')"
    )


@pytest.fixture
def serve(settings: Settings) -> Iterator[Callable[..., Starlette]]:
    """``serve(seed, migrate=False, **changes)``: the web app on a seeded test database.

    The kernel (``settings`` with ``changes``, answering the test clients' host names) is
    started, given to ``seed`` and closed again; the app opens and closes it in its lifespan.
    What ``seed`` returns is in ``app.state.seeded``.
    """
    _import_schemathesis()
    from schemathesis.python.asgi import shutdown_lifespans

    from sampark.core.kernel import Sampark
    from sampark.web.app import build_app

    def served(seed: Seed, *, migrate: bool = False, **changes: Any) -> Starlette:
        web = dataclasses.replace(settings.web, allowed_hosts=TEST_HOSTS)
        kernel = Sampark(dataclasses.replace(settings, web=web, **changes))

        async def seeded() -> Any:
            await kernel.start(migrate=migrate)
            try:
                return await seed(kernel)
            finally:
                await kernel.close()

        result = asyncio.run(seeded())
        app = build_app(kernel, manage_kernel=True)
        app.state.seeded = result
        return app

    yield served
    # Schemathesis keeps an app's lifespan running between requests: end it (closing the
    # kernel) before the database goes away.
    shutdown_lifespans()


def fuzz(app: Any, token: str, *, label: str | None = None) -> list[str]:
    """Positive and negative requests for each operation; returns their ``METHOD path``s.

    ``label`` limits the run to one plugin's operations (``/v1/<label>…``). Each response
    must be documented, match its schema and headers, refuse bad input and deny callers
    without a token; every operation runs and all failures are reported together.
    """
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.config import SchemathesisConfig
    from schemathesis.specs.openapi import checks

    deeper = os.environ.get(FUZZ_VARIABLE, "")
    max_examples = int(deeper) if deeper.isdigit() else 20
    config = SchemathesisConfig.from_dict(
        {"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}}
    )
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, config=config)

    @schema.auth()
    class Token:
        """Schemathesis' own auth, so it knows which requests carry valid credentials."""

        def get(self, case: Any, context: Any) -> str:
            return token

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    to_check = [
        not_a_server_error,
        checks.status_code_conformance,
        checks.content_type_conformance,
        checks.response_headers_conformance,
        checks.response_schema_conformance,
        checks.negative_data_rejection,
        checks.ignored_auth,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    if label is not None:
        operations = [op for op in operations if op.path.split("/")[2] == label]
    failures = []
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=max_examples,
                deadline=None,
                database=None,
                derandomize=not deeper,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                response = case.call()
                # Starlette's Mount pattern stops at a newline: such a URL never reaches the
                # API, and the app around it answers (its 404 page is the web app's business).
                if "\n" in unquote(urlsplit(response.request.url).path):
                    return
                case.validate_response(response, checks=to_check, transport_kwargs={})

            try:
                run()
            except Exception as exc:
                failures.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"
                )
    assert not failures, "\n\n".join(failures)
    return [f"{op.method.upper()} {op.path}" for op in operations]


@pytest.fixture
def fuzz_api() -> Callable[..., list[str]]:
    """``fuzz_api(app, token, label=None)``: schemathesis over the served document."""
    _import_schemathesis()
    return fuzz
