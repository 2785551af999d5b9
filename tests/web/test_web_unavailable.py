"""While the database cannot be reached, pages and the API answer 503 with Retry-After.

They recover by themselves once it is back, on both engines. PostgreSQL is cut off by
stopping a TCP proxy this test runs in front of the shared server (which keeps running for
everyone else); SQLite by closing the connection and putting a folder where the database
file was. Every request after the cut has a deadline, so a lock never given back fails
the test instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import pytest

from sampark.core.kernel import Sampark
from sampark.core.services.auth import create_token
from sampark.core.settings import Settings
from sampark.testing._async import async_fixture
from sampark.testing.clients import add_users, web_settings
from sampark.web.app import build_app

T = TypeVar("T")


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server; ``stop`` drops every connection at once."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._server.wait_closed()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
        self._writers.discard(writer)


class Outage:
    """Cut the kernel off from its database, and restore it."""

    def __init__(self, kernel: Sampark, proxy: TcpProxy | None, path: Path | None) -> None:
        self.kernel, self.proxy, self.path = kernel, proxy, path

    async def begin(self) -> None:
        if self.proxy is not None:
            await self.proxy.stop()
            return
        assert self.path is not None
        await self.kernel.connection.close()
        self.path.rename(self.path.with_suffix(".away"))
        self.path.mkdir()  # SQLite cannot open a folder: "unable to open database file"

    async def end(self) -> None:
        if self.proxy is not None:
            await self.proxy.start()
            return
        assert self.path is not None
        self.path.rmdir()
        self.path.with_suffix(".away").rename(self.path)


@async_fixture
async def outage(settings: Settings, quick_password_hashes: None) -> AsyncIterator[Any]:
    """(kernel, Outage): a started kernel with users, and a way to cut its database off."""
    url = settings.database_url
    proxy = None
    path = None
    if url.startswith("postgres"):
        parts = urlsplit(url)
        proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        await proxy.start()
        netloc = f"{parts.username}@127.0.0.1:{proxy.port}"
        url = urlunsplit(parts._replace(netloc=netloc))
    else:
        path = Path(url.removeprefix("sqlite://").partition("?")[0])
    kernel = Sampark(dataclasses.replace(settings, database_url=url, web=web_settings(settings)))
    await kernel.start()
    await add_users(kernel, with_tokens=False)
    try:
        yield kernel, Outage(kernel, proxy, path)
    finally:
        await kernel.close()
        if proxy is not None:
            with contextlib.suppress(Exception):
                await proxy.stop()


@pytest.mark.parametrize("face", ["page", "api"])
async def test_503_with_retry_after_while_the_database_is_away_then_recovery(
    outage: Any, clients: Any, face: str
) -> None:
    kernel, cut = outage
    token, _ = await create_token(kernel, "asha", "outage")
    app = build_app(kernel)
    client = await clients.signed_in(app, "asha") if face == "page" else clients.api(app, token)
    assert (await client.get("/contacts")).status_code == 200

    await cut.begin()
    down = await client.get("/contacts")
    assert down.status_code == 503
    assert down.headers["retry-after"] == "5"
    if face == "page":
        assert "cannot be reached" in down.text and "Traceback" not in down.text
    else:
        assert down.headers["content-type"].startswith("application/problem+json")
        assert down.json()["type"] == "urn:sampark:problem:unavailable"

    assert (await within_seconds(client.get("/contacts"))).status_code == 503  # not stuck

    await cut.end()
    for _attempt in range(20):  # the pool may hand out one dead connection before a fresh one
        if (await within_seconds(client.get("/contacts"))).status_code == 200:
            break
        await asyncio.sleep(0.1)
    assert (await within_seconds(client.get("/contacts"))).status_code == 200
    if face == "api":
        created = await within_seconds(client.post("/contacts", json={"first_name": "Back"}))
        assert created.status_code == 201, created.text


async def within_seconds(request: Awaitable[T], seconds: float = 10) -> T:
    """The response, or a failure instead of a hang if the database lock is never released."""
    return await asyncio.wait_for(request, seconds)


async def test_sqlite_transactions_recover_after_a_failed_reopen(outage: Any) -> None:
    """A transaction that cannot reopen the database leaves the connection usable after."""
    kernel, cut = outage
    if cut.path is None:
        pytest.skip("SQLite's one shared connection and its lock")
    await cut.begin()
    with pytest.raises(Exception, match="unable to open database file"):
        await within_seconds(kernel.contacts.create({"first_name": "Lost"}))
    await cut.end()
    asha = await within_seconds(kernel.contacts.create({"first_name": "Asha"}))
    assert [c.id for c in (await within_seconds(kernel.contacts.list())).items] == [asha.id]


@pytest.mark.parametrize(
    "error",
    [ConnectionRefusedError(111, "refused"), OSError("network unreachable")],
)
def test_connection_failures_count_as_unavailable(error: Exception) -> None:
    from sampark.core.db import is_unavailable

    wrapped = RuntimeError("query failed")
    wrapped.__cause__ = error
    assert is_unavailable(error) and is_unavailable(wrapped)
    assert not is_unavailable(ValueError("bad value"))
