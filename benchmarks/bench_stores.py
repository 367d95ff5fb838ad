"""Journal throughput of the stores: claim + complete per second, 1 and 4 worker processes.

Each run seeds due actions, starts worker processes (spawned, imports done before the clock
starts), and times until every action is sent. The baseline is the naive queue loop: one row
at a time, autocommit, ``SELECT`` the next due row and then ``UPDATE`` it (retrying when
another worker got there first), then mark it sent, with the same journal rows.
"""

# ruff: noqa: S608 - schema names are generated here; values are bound parameters

from __future__ import annotations

import asyncio
import multiprocessing
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks._report import Figure, compare
from creditcomms import Action, idempotency_key
from creditcomms.stores import ActionStatus, Completion, PostgresStore, SQLiteStore, Store
from creditcomms.stores._pgtemp import TemporaryPostgres, find_postgres_bindir

ACTIONS = 3000
BATCH = 20
LEASE = timedelta(seconds=60)


def _open(spec: tuple[str, ...]) -> Store:
    if spec[0] == "sqlite":
        return SQLiteStore(spec[1])
    return PostgresStore(spec[1], schema=spec[2])


def _actions(count: int) -> list[Action]:
    due = datetime.now(UTC) - timedelta(minutes=1)
    return [
        Action(
            case_id=f"C-{n}",
            campaign_id="b2c",
            campaign_version=1,
            step_id="reminder-1",
            channel="email",
            template="reminder",
            due_at=due,
            idempotency_key=idempotency_key(
                campaign_id="b2c",
                version=1,
                case_id=f"C-{n}",
                step_id="reminder-1",
                channel="email",
            ),
        )
        for n in range(count)
    ]


async def _seed(spec: tuple[str, ...], count: int) -> None:
    store = _open(spec)
    await store.migrate()
    await store.schedule(_actions(count), at=datetime.now(UTC))
    await store.aclose()


async def _store_worker(spec: tuple[str, ...], name: str, *, batched: bool) -> None:
    store = _open(spec)
    while claims := await store.claim_due(datetime.now(UTC), limit=BATCH, lease=LEASE, worker=name):
        if batched:
            now = datetime.now(UTC)
            done = [
                Completion(claim=c, status=ActionStatus.SENT, at=now, provider_message_id="m")
                for c in claims
            ]
            await store.finish_many(done)
            continue
        for claim in claims:
            await store.complete(claim, at=datetime.now(UTC), provider_message_id="m")
    await store.aclose()


def _naive_sqlite(path: str, name: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA synchronous=NORMAL")  # the same durability setting as SQLiteStore
    _naive_loop(conn.execute, "?", name, _micros)
    conn.close()


def _naive_postgres(dsn: str, schema: str, name: str) -> None:
    import psycopg  # noqa: PLC0415 - optional extra

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"SET search_path TO {schema}")
        _naive_loop(conn.execute, "%s", name, lambda: datetime.now(UTC))


def _naive_loop(execute: Any, p: str, name: str, clock: Any) -> None:
    """One row per round trip, autocommit: SELECT the next due row, UPDATE it if still free."""
    journal = (
        "INSERT INTO cc_journal (at, kind, case_id, idempotency_key, attempt, worker, reasons)"
        f" VALUES ({p}, {p}, {p}, {p}, 1, {p}, '[]')"
    )
    while True:
        now = clock()
        row = execute(
            "SELECT idempotency_key, case_id FROM cc_action WHERE status = 'planned'"
            " AND available_at <= " + p + " ORDER BY available_at LIMIT 1",
            (now,),
        ).fetchone()
        if row is None:
            return
        took = execute(
            f"UPDATE cc_action SET status = 'claimed', attempts = attempts + 1, lease_owner = {p}"
            f" WHERE idempotency_key = {p} AND status = 'planned' RETURNING idempotency_key",
            (name, row[0]),
        ).fetchone()
        if took is None:
            continue
        execute(journal, (now, "claimed", row[1], row[0], name))
        execute(
            f"UPDATE cc_action SET status = 'sent', finished_at = {p} WHERE idempotency_key = {p}",
            (now, row[0]),
        )
        execute(journal, (now, "sent", row[1], row[0], name))


def _micros() -> int:
    return int(time.time() * 1_000_000)


def _worker(spec: tuple[str, ...], mode: str, name: str, go: Any, ready: Any) -> None:
    ready.release()
    go.wait()
    if mode != "naive":
        asyncio.run(_store_worker(spec, name, batched=mode == "batch"))
    elif spec[0] == "sqlite":
        _naive_sqlite(spec[1], name)
    else:
        _naive_postgres(spec[1], spec[2], name)


def _timed_run(spec: tuple[str, ...], *, workers: int, mode: str) -> float:
    ctx = multiprocessing.get_context("spawn")
    go, ready = ctx.Event(), ctx.Semaphore(0)
    processes = [
        ctx.Process(target=_worker, args=(spec, mode, f"w{i}", go, ready)) for i in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    start = time.perf_counter()
    go.set()
    for process in processes:
        process.join()
    return time.perf_counter() - start


_LABELS = {
    "single": "claim_due(20) + complete() each",
    "batch": "claim_due(20) + finish_many(20)",
    "naive": "naive per-row autocommit",
}


def _pair(title: str, specs: Any, workers: int) -> None:
    figures = {}
    for mode in ("single", "batch", "naive"):
        spec = specs()
        asyncio.run(_seed(spec, ACTIONS))
        seconds = _timed_run(spec, workers=workers, mode=mode)
        figures[mode] = Figure(f"{_LABELS[mode]}, {workers} proc", ACTIONS, seconds)
    compare(title, figures["single"], figures["naive"], unit="actions")
    compare(title + ", batched", figures["batch"], figures["naive"], unit="actions")


def _sqlite_inline_vs_thread() -> None:
    """Measure the cost of running SQLite calls in a thread against running them inline."""

    class InlineSQLiteStore(SQLiteStore):
        async def _run(self, program: Any, /, *, write: bool = True) -> Any:
            return self._run_own(program, write)

    async def run(store: SQLiteStore) -> None:
        await store.migrate()
        await store.schedule(_actions(2000), at=datetime.now(UTC))
        await _store_worker_on(store)

    with tempfile.TemporaryDirectory() as folder:
        threaded, inline = Path(folder) / "t.db", Path(folder) / "i.db"
        start = time.perf_counter()
        asyncio.run(run(SQLiteStore(threaded)))
        thread_s = time.perf_counter() - start
        start = time.perf_counter()
        asyncio.run(run(InlineSQLiteStore(inline)))
        inline_s = time.perf_counter() - start
    compare(
        "SQLite in one process: calls in a worker thread vs inline (schedule + claim + complete)",
        Figure("asyncio.to_thread (shipped)", 2000, thread_s),
        Figure("inline, blocking the event loop", 2000, inline_s),
        unit="actions",
    )


async def _store_worker_on(store: Store) -> None:
    while claims := await store.claim_due(datetime.now(UTC), limit=BATCH, lease=LEASE, worker="w"):
        for claim in claims:
            await store.complete(claim, at=datetime.now(UTC))
    await store.aclose()


def main() -> None:
    """Print claim + complete throughput for SQLite and PostgreSQL with 1 and 4 processes."""
    with tempfile.TemporaryDirectory() as folder:
        counter = iter(range(1000))

        def sqlite_spec() -> tuple[str, ...]:
            return ("sqlite", str(Path(folder) / f"bench{next(counter)}.db"))

        for workers in (1, 4):
            _pair(f"SQLite journal throughput, {workers} worker process(es)", sqlite_spec, workers)
    _sqlite_inline_vs_thread()
    if find_postgres_bindir() is None:
        print("\n== PostgreSQL: skipped, no server binaries (apt-get install postgresql)")
        return
    with TemporaryPostgres() as server:
        schemas = iter(range(1000))

        def pg_spec() -> tuple[str, ...]:
            return ("postgres", server.dsn, f"bench{next(schemas)}")

        for workers in (1, 4):
            _pair(f"PostgreSQL journal throughput, {workers} worker process(es)", pg_spec, workers)


if __name__ == "__main__":
    main()
