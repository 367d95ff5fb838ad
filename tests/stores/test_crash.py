"""Crash and load tests with real processes: SIGKILL, a crash after the provider call, takeover.

Four spawned worker processes share 3,000 due actions and "send" them to a local fake
provider. One worker is SIGKILLed mid-run; another exits right after a provider call and
before its commit; a fresh worker joins later. Afterwards every action must be sent exactly
once in the journal, the provider must have seen every key, and any key it saw twice must
be one whose journal shows an ``attempting`` without an outcome (the documented window).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crash_kit import by_key, join_all, wait_until
from creditcomms.stores import JournalEntry, JournalKind, PostgresStore, SQLiteStore, Store

from . import chaos_worker
from ._factories import T0, make_action
from .fake_provider import FakeProvider

ACTIONS = 3000
CRASH_AFTER = 40
DEADLINE = 90.0


async def _seed(store: Store) -> set[str]:
    await store.migrate()
    now = datetime.now(UTC)
    actions = [
        make_action(f"C-{n:05d}", due=now - timedelta(minutes=1) - T0) for n in range(ACTIONS)
    ]
    await store.schedule(actions, at=now)
    await store.aclose()
    return {a.idempotency_key for a in actions}


def _run_workers(spec: tuple[str, ...], provider: FakeProvider) -> dict[str, int | None]:
    """Start four workers, kill one, let one crash, add a fresh one; return exit codes."""
    ctx = multiprocessing.get_context("spawn")

    def start(name: str, crash_after: int | None = None) -> multiprocessing.process.BaseProcess:
        process = ctx.Process(
            target=chaos_worker.run, args=(spec, provider.port, name, crash_after), name=name
        )
        process.start()
        return process

    workers = {
        "w0": start("w0"),
        "killed": start("killed"),
        "crasher": start("crasher", CRASH_AFTER),
    }
    workers["w3"] = start("w3")
    wait_until(lambda: provider.calls_by("killed") >= 25, DEADLINE)
    pid = workers["killed"].pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    workers["fresh"] = start("fresh")
    return join_all(workers, DEADLINE)


def _unfinished_attempts(entries: list[JournalEntry]) -> list[JournalEntry]:
    """``attempting`` entries whose attempt never got an outcome (the crash window)."""
    finished = {e.attempt for e in entries if e.kind is JournalKind.SENT}
    return [e for e in entries if e.kind is JournalKind.ATTEMPTING and e.attempt not in finished]


async def _check(store: Store, keys: set[str], provider: FakeProvider) -> None:
    journal = await store.history()
    assert await store.next_due_at() is None, "nothing is left pending"
    await store.aclose()
    grouped = by_key(journal)
    sent = {k for k, es in grouped.items() for e in es if e.kind is JournalKind.SENT}
    assert sent == keys, "every action ends sent"
    for key in keys:
        assert sum(e.kind is JournalKind.SENT for e in grouped[key]) == 1, key
    accepted = provider.accepted
    assert set(accepted) == keys, "the provider saw every key: nothing was lost"
    duplicates = {k: n for k, n in accepted.items() if n > 1}
    crash_window = {k for k, es in grouped.items() if _unfinished_attempts(es)}
    assert set(duplicates) <= crash_window, "duplicates only where an attempt has no outcome"
    assert sum(n - 1 for n in duplicates.values()) <= len(crash_window)
    assert len(crash_window) <= 2 * 5 + 2, "bounded by the crashed workers' in-flight batches"
    crasher_window = [
        e for es in grouped.values() for e in _unfinished_attempts(es) if e.worker == "crasher"
    ]
    assert len(crasher_window) == 1, "the crash between call and commit is visible by key"
    (crashed,) = crasher_window
    assert accepted[crashed.idempotency_key or ""] == 2, "and its action was sent again"
    taken_over = [
        e for e in journal if e.kind is JournalKind.CLAIMED and e.attempt and e.attempt > 1
    ]
    assert taken_over, "expired leases were claimed again"
    assert all(e.reasons and e.reasons[0].code == "lease_expired" for e in taken_over)


def _chaos(spec: tuple[str, ...], open_store: Callable[[], Store]) -> None:
    keys = asyncio.run(_seed(open_store()))
    with FakeProvider() as provider:
        codes = _run_workers(spec, provider)
        assert codes["killed"] == -signal.SIGKILL
        assert codes["crasher"] == chaos_worker.CRASH_EXIT
        assert {codes["w0"], codes["w3"], codes["fresh"]} == {0}
        asyncio.run(_check(open_store(), keys, provider))


@pytest.mark.slow
def test_sqlite_loses_nothing_under_crashes(tmp_path: Path) -> None:
    """SQLite: 4 processes, a SIGKILL and a crash after the provider call; all 3,000 sent."""
    path = str(tmp_path / "chaos.db")
    _chaos(("sqlite", path), lambda: SQLiteStore(path))


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_loses_nothing_under_crashes(postgres_dsn: str, pg_schema: str) -> None:
    """PostgreSQL: the same chaos run with SKIP LOCKED claims; all 3,000 sent."""
    _chaos(
        ("postgres", postgres_dsn, pg_schema),
        lambda: PostgresStore(postgres_dsn, schema=pg_schema),
    )
