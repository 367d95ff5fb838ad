"""`PostgresStore`: the scale-out store on PostgreSQL (psycopg 3, ``FOR UPDATE SKIP LOCKED``)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, TypeVar

from creditcomms.errors import ConfigurationError, MissingExtraError

from ._common import store_failure
from ._sql import Op, Query, Rows, postgres_dialect
from ._sqlbase import SQLStoreBase

if TYPE_CHECKING:
    from psycopg import AsyncConnection, AsyncCursor

__all__ = ["PostgresStore"]

T = TypeVar("T")


def _psycopg() -> Any:
    try:
        import psycopg  # noqa: PLC0415 - optional extra, imported on first use
    except ImportError:
        raise MissingExtraError("PostgresStore", "postgres", "psycopg") from None
    return psycopg


class PostgresStore(SQLStoreBase):
    """A `Store` in PostgreSQL, shared by worker processes on many machines.

    Claims take the earliest due rows with ``FOR UPDATE SKIP LOCKED``, so concurrent workers
    never wait for each other and never get the same action; a partial index on the due time
    of unfinished actions keeps claiming fast however many future reminders are planned.
    Every call is one short transaction on the store's own connection; the provider call
    happens between transactions, never inside one.

    Each store holds one connection and runs one call at a time on it; open one store per
    worker task that should claim in parallel (or one per process, as workers usually are).
    Single-statement calls (claims, completions, reads) run without ``BEGIN``/``COMMIT``
    round trips; the others run in a transaction. JSON columns are ``text`` (cast them to
    ``jsonb`` in queries).

    Pass ``external=`` a host's ``psycopg.AsyncConnection`` to make store changes part of
    the host's transaction ("invoice paid" and "stop the sequence" commit together): the
    store runs its statements on that connection and never commits or rolls back. Open the
    transaction first (``async with conn.transaction():`` or a non-autocommit connection).

    Times are the ones the caller passes in, so keep worker clocks synchronised (NTP) and
    leases much longer than any clock difference.

    Examples:
        >>> store = PostgresStore("postgresql://app@db/billing")  # doctest: +SKIP
        >>> await store.migrate()  # doctest: +SKIP
        1
    """

    def __init__(
        self,
        dsn: str | None = None,
        /,
        *,
        external: AsyncConnection[Any] | None = None,
        schema: str = "creditcomms",
    ) -> None:
        self._psycopg = _psycopg()
        if (dsn is None) == (external is None):
            raise ConfigurationError(
                "PostgresStore needs either a connection string or"
                " external=<psycopg.AsyncConnection>, not both and not neither"
            )
        self._dsn = dsn
        self._external = external
        self._dialect = postgres_dialect(schema=schema)
        self._conn: AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"PostgresStore(schema={self._dialect.namespace.rstrip('.')!r})"

    async def _run(self, program: Op[T], /, *, write: bool = True) -> T:
        try:
            first = next(program)
            if self._external is not None:
                return await _drive(self._external, program, first)
            async with self._lock:
                conn = await self._connection()
                if first.alone:  # one statement: atomic by itself, no BEGIN/COMMIT round trips
                    return await _drive(conn, program, first)
                async with conn.transaction():
                    return await _drive(conn, program, first)
        except StopIteration as done:  # the program needed no query at all
            result: T = done.value
            return result
        except self._psycopg.Error as exc:
            raise store_failure("PostgreSQL store", exc) from exc

    async def _connection(self) -> AsyncConnection[Any]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            conn: AsyncConnection[Any] = await self._psycopg.AsyncConnection.connect(
                self._dsn, autocommit=True
            )
            self._conn = conn
        return self._conn

    async def aclose(self) -> None:
        """Close the store's own connection (a host's external connection stays open)."""
        async with self._lock:
            if self._conn is not None:
                await self._conn.close()
                self._conn = None


async def _drive(conn: AsyncConnection[Any], program: Op[T], query: Query) -> T:
    """Run a SQL program's queries on ``conn``, starting with ``query``, until it returns."""
    async with conn.cursor() as cursor:
        try:
            while True:
                rows: Rows = []
                if query.many and len(query.params) == 1:  # no pipeline for a single row
                    query = Query(query.sql, query.params[0], alone=query.alone)
                if query.many and " RETURNING " in query.sql:
                    await cursor.executemany(query.sql, query.params, returning=True)
                    rows = await _all_results(cursor)
                elif query.many:
                    await cursor.executemany(query.sql, query.params)
                else:
                    await cursor.execute(query.sql, query.params)
                    if cursor.description is not None:
                        rows = await cursor.fetchall()
                query = program.send(rows)
        except StopIteration as done:
            result: T = done.value
            return result


async def _all_results(cursor: AsyncCursor[Any]) -> Rows:
    """The rows of every statement an ``executemany(..., returning=True)`` ran."""
    rows: Rows = []
    while True:
        if cursor.description is not None:
            rows += await cursor.fetchall()
        if not cursor.nextset():
            return rows
