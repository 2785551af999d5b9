"""tortoise-orm's SQLite engine, made to give its lock back when reopening the file fails.

tortoise's SQLite client shares one connection behind an ``asyncio.Lock``. Its connection
and transaction contexts take the lock in ``__aenter__`` and then reopen a closed
connection; when the reopen raises (the file is gone or unreadable), ``__aexit__`` never
runs and the lock stays taken, so every later query in the process waits forever, even
once the file is back. Sampark's SQLite connections use this engine instead, whose
contexts release the lock when reopening fails; the next query then simply tries again.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import ConnectionWrapper, TransactionContext
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.sqlite import client as tortoise_sqlite

ENGINE = __name__


class _Connection(ConnectionWrapper[Any]):
    """tortoise's wrapper; a failed reconnect releases the lock ``__aenter__`` just took."""

    async def ensure_connection(self) -> None:
        try:
            await super().ensure_connection()
        except BaseException:
            self._lock.release()
            raise


class _Transaction(tortoise_sqlite.SqliteTransactionContext):
    """tortoise's transaction context; a failed reconnect releases the lock it just took."""

    async def ensure_connection(self) -> None:
        try:
            await super().ensure_connection()
        except BaseException:
            self._trxlock.release()
            raise


class SqliteClient(tortoise_sqlite.SqliteClient):
    """tortoise's SQLite client whose contexts never keep the lock after a failed reopen."""

    def acquire_connection(self) -> ConnectionWrapper[Any]:
        return _Connection(self._lock, self)

    def _in_transaction(self) -> TransactionContext:
        return _Transaction(tortoise_sqlite.SqliteTransactionWrapper(self), self._lock)


client_class = SqliteClient  # what tortoise looks up in an engine module


def connection_config(url: str) -> dict[str, Any]:
    """tortoise's connection settings for a ``sqlite://`` URL, served by this engine."""
    return {**expand_db_url(url), "engine": ENGINE}
