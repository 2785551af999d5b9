"""Async fixtures that work whatever ``asyncio_mode`` the host project sets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

try:
    import pytest_asyncio
except ImportError:  # sampark installed without its test extra
    pytest_asyncio = None

MISSING = "sampark.testing's async fixtures need pytest-asyncio: pip install 'sampark[test]'"


def async_fixture(function: Callable[..., Any] | None = None, **options: Any) -> Any:
    """``pytest_asyncio.fixture`` on the test's own event loop.

    Declared through pytest-asyncio rather than ``pytest.fixture``, so projects in
    pytest-asyncio's strict mode get them too; without pytest-asyncio the fixture fails
    with a line saying what to install instead of an unawaited coroutine.
    """
    if function is None:
        return lambda wrapped: async_fixture(wrapped, **options)
    if pytest_asyncio is None:

        def missing() -> None:
            pytest.fail(MISSING, pytrace=False)

        missing.__doc__ = function.__doc__
        return pytest.fixture(name=function.__name__, **options)(missing)
    return pytest_asyncio.fixture(function, loop_scope="function", **options)
