"""Core's own test settings.

The fixtures themselves (a fresh database per test on SQLite and, with
SAMPARK_TEST_POSTGRES_URL set, PostgreSQL; kernels; users of each role; web, API and CLI
clients; served apps; schemathesis; browsers) come from ``sampark.testing``, the pytest
plugin Sampark ships for plugin authors too. Only what is particular to this suite is here.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up the developer's own Sampark settings."""
    for name in ("SAMPARK_CONFIG", "SAMPARK_DATABASE_URL", "SAMPARK_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
