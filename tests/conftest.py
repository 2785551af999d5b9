"""Core's own test settings.

The fixtures themselves (a fresh database per test on SQLite and, with
SAMPARK_TEST_POSTGRES_URL set, PostgreSQL; kernels; users of each role; web, API and CLI
clients; served apps; schemathesis; browsers) come from ``sampark.testing``, the pytest
plugin Sampark ships for plugin authors too. Only what is particular to this suite is here.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up the developer's own Sampark settings."""
    for name in ("SAMPARK_CONFIG", "SAMPARK_DATABASE_URL", "SAMPARK_PLUGINS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """A URL naming a PostgreSQL database that does not exist yet (dropped afterwards)."""
    server = os.environ.get("SAMPARK_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("SAMPARK_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
    import asyncpg

    name = f"sampark_fresh_{uuid.uuid4().hex[:12]}"
    yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))

    async def drop() -> None:
        admin = await asyncpg.connect(server)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    asyncio.run(drop())
