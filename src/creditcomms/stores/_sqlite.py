"""`SQLiteStore`: the embedded default, stdlib sqlite3 in WAL mode, safe for several processes."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from datetime import timedelta
from typing import Literal, TypeVar

from creditcomms.errors import ConfigurationError

from ._common import store_failure
from ._sql import Op, Query, Rows, sqlite_dialect
from ._sqlbase import SQLStoreBase

__all__ = ["SQLiteStore"]

T = TypeVar("T")
_MIN_VERSION = (3, 35, 0)  # UPDATE ... RETURNING


class SQLiteStore(SQLStoreBase):
    """A `Store` in one SQLite file: the embedded default for one machine.

    The database runs in WAL mode, so readers never block the writer, and every change is one
    short ``BEGIN IMMEDIATE`` transaction that waits up to ``busy_timeout`` for the write lock.
    Several processes on one machine may share the file (a cron job and a few workers); do
    not put it on a network file system. Calls run in a worker thread, so a busy database
    never blocks the event loop (a call whose task is cancelled still finishes in its
    thread; claims it made expire with their lease).

    With ``synchronous="NORMAL"`` (the default) a committed change survives a crash of the
    process; after a power cut the last few commits may be lost, which means a reminder may
    be sent again. Choose ``"FULL"`` to make each commit durable on disk at some cost.

    ``cache_mib`` is the page cache of the store's connection (SQLite's own default is
    2 MiB). It fills only as far as the file is read, and a larger one keeps the schedule's
    indexes in memory as the journal grows: at 60,000 cases, 64 MiB cut the store's share of
    ``run_due`` by 3-8 %.

    Pass ``external=`` a host's ``sqlite3.Connection`` (on the same file as the host's own
    tables) to make store changes part of the host's transaction: the store then runs its
    statements on that connection, in the calling thread, and never commits or rolls back;
    the host does. Open the host's transaction before calling the store.

    Examples:
        >>> store = SQLiteStore("creditcomms.db")  # doctest: +SKIP
        >>> await store.migrate()  # doctest: +SKIP
        1
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        /,
        *,
        external: sqlite3.Connection | None = None,
        busy_timeout: timedelta = timedelta(seconds=30),
        synchronous: Literal["NORMAL", "FULL"] = "NORMAL",
        cache_mib: int = 64,
        table_prefix: str = "",
    ) -> None:
        if (path is None) == (external is None):
            raise ConfigurationError(
                "SQLiteStore needs either a database path or external=<sqlite3.Connection>,"
                " not both and not neither"
            )
        if sqlite3.sqlite_version_info < _MIN_VERSION:
            raise ConfigurationError(
                f"SQLiteStore needs SQLite 3.35 or later; this Python has {sqlite3.sqlite_version}"
            )
        if synchronous not in {"NORMAL", "FULL"}:
            raise ConfigurationError(f"synchronous={synchronous!r}: choose 'NORMAL' or 'FULL'")
        size: object = cache_mib
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ConfigurationError(
                f"cache_mib={cache_mib!r}: give the page cache in whole MiB, 1 or more (e.g. 64)"
            )
        self._path = os.fspath(path) if path is not None else None
        self._external = external
        self._busy_timeout = busy_timeout
        self._synchronous = synchronous
        self._cache_kib = cache_mib * 1024
        self._dialect = sqlite_dialect(prefix=table_prefix)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        where = self._path if self._path is not None else "external connection"
        return f"SQLiteStore({where!r})"

    async def _run(self, program: Op[T], /, *, write: bool = True) -> T:
        # The program prepares its first statement (for a batch: every row's parameters)
        # before it has read anything, so that work is done before taking the write lock
        # that other processes on the same file wait for.
        try:
            first = next(program)
        except StopIteration as done:  # the program needed no query at all
            result: T = done.value
            return result
        if self._external is not None:
            try:
                return _drive(self._external, program, first)
            except sqlite3.Error as exc:
                raise store_failure("SQLite store", exc) from exc
        return await asyncio.to_thread(self._run_own, program, first, write)

    def _run_own(self, program: Op[T], first: Query, write: bool) -> T:
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                result = _drive(conn, program, first)
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise store_failure(f"SQLite store {self._path!r}", exc) from exc
                raise
            return result

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            assert self._path is not None  # noqa: S101 - guarded by __init__
            seconds = self._busy_timeout.total_seconds()
            conn = sqlite3.connect(
                self._path, timeout=seconds, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
            conn.execute(f"PRAGMA cache_size=-{self._cache_kib}")  # negative: KiB, not pages
            self._conn = conn
        return self._conn

    async def aclose(self) -> None:
        """Close the store's own connection (a host's external connection stays open)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _drive(conn: sqlite3.Connection, program: Op[T], query: Query) -> T:
    """Run ``query`` and the program's further queries on ``conn`` until it returns."""
    try:
        while True:
            rows: Rows = []
            if query.many and " RETURNING " in query.sql:  # executemany cannot return rows
                for params in query.params:
                    rows += conn.execute(query.sql, params).fetchall()
            elif query.many:
                conn.executemany(query.sql, query.params)
            else:
                rows = conn.execute(query.sql, query.params).fetchall()
            query = program.send(rows)
    except StopIteration as done:
        result: T = done.value
        return result
