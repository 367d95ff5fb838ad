"""Engine crash tests with real processes: SIGKILL, a crash after the provider call, takeover.

Four spawned worker processes run `Engine.run_due` on one store (SQLite, then PostgreSQL) and
send 600 due reminders through a real `WebhookTransport` to a local fake provider. One
worker is SIGKILLed mid-run; another exits right after a provider call and before the
engine commits the outcome; a fresh worker joins later. Afterwards every action must be
sent exactly once in the journal and the provider must have seen every key; a key it saw
twice must be one whose journal shows an ``attempting`` without an outcome (the documented
window), and the crash between call and commit must show up as such a key.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import engine_chaos
import pytest
from engine_chaos import FakeWebhook

from crash_kit import by_key, join_all, wait_until
from creditcomms.stores import JournalEntry, JournalKind, PostgresStore, SQLiteStore, Store

CASES = 600
CRASH_AFTER = 25
KILL_AFTER = 30
BATCH = engine_chaos.BATCH
SHORT_LEASE = 3.0
LONG_LEASE = 60.0
DEADLINE = 60.0


def _run_workers(spec: tuple[str, ...], provider: FakeWebhook) -> dict[str, int | None]:
    """Start four workers together, kill one, let one crash, add a fresh one; exit codes."""
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Event()

    def start(name: str, crash_after: int | None = None, *, dies: bool = False) -> Any:
        # Workers that die hold short leases, so others take their claims over soon; the rest
        # hold long ones, so a slow machine never makes a live worker lose its claims.
        lease = SHORT_LEASE if dies else LONG_LEASE
        ready = ctx.Semaphore(0)
        worker = engine_chaos.Worker(spec, provider.url, name, lease, crash_after)
        process = ctx.Process(target=engine_chaos.run, args=(worker, go, ready), name=name)
        process.start()
        return process, ready

    starting = {
        "w0": start("w0"),
        "killed": start("killed", dies=True),
        "crasher": start("crasher", CRASH_AFTER, dies=True),
        "w3": start("w3"),
    }
    for _, ready in starting.values():
        assert ready.acquire(timeout=DEADLINE), "a worker did not start"
    go.set()  # all four begin together, so each takes a share of the work
    workers = {name: process for name, (process, _) in starting.items()}
    wait_until(lambda: provider.calls_by("killed") >= KILL_AFTER, DEADLINE)
    os.kill(workers["killed"].pid, signal.SIGKILL)
    workers["fresh"], _ = start("fresh")
    return join_all(workers, DEADLINE)


def _unfinished_attempts(entries: list[JournalEntry]) -> list[JournalEntry]:
    """``attempting`` entries whose attempt never got an outcome (the crash window)."""
    steps = {JournalKind.PLANNED, JournalKind.CLAIMED, JournalKind.ATTEMPTING}
    finished = {e.attempt for e in entries if e.kind not in steps}
    return [e for e in entries if e.kind is JournalKind.ATTEMPTING and e.attempt not in finished]


async def _planned_keys(store: Store) -> set[str]:
    journal = await store.history()
    await store.aclose()
    return {e.idempotency_key or "" for e in journal if e.kind is JournalKind.PLANNED}


async def _check(store: Store, keys: set[str], provider: FakeWebhook) -> None:
    journal = await store.history()
    assert await store.next_due_at() is None, "nothing is left pending"
    await store.aclose()
    grouped = by_key(journal)
    for key in keys:
        sent = [e for e in grouped[key] if e.kind is JournalKind.SENT]
        assert len(sent) == 1, f"{key} is sent exactly once in the journal"
    accepted = provider.accepted
    assert set(accepted) == keys, "the provider saw every key: nothing was lost"
    duplicates = {k for k, n in accepted.items() if n > 1}
    window = {k for k, es in grouped.items() if _unfinished_attempts(es)}
    assert duplicates <= window, "duplicates only where an attempt has no outcome"
    for key in duplicates:  # a key both dead workers held (one took over the other's) may
        # legitimately have two attempts without outcome; never more sends than attempts
        extra = len(_unfinished_attempts(grouped[key]))
        assert accepted[key] <= 1 + extra, f"{key}: each send beyond the first is a lost attempt"
    owners = Counter(e.worker for es in grouped.values() for e in _unfinished_attempts(es))
    assert set(owners) <= {"killed", "crasher"}, f"only the dead workers left attempts: {owners}"
    assert len(window) <= 2 * BATCH, "bounded by the two dead workers' last batches"
    crashed = {
        e.idempotency_key or ""
        for es in grouped.values()
        for e in _unfinished_attempts(es)
        if e.worker == "crasher"
    }
    assert crashed, "the crash between call and commit left attempts without outcome"
    again = [k for k in crashed & duplicates if provider.workers_of(k)[0] == "crasher"]
    assert again, "an action the crasher had sent was sent again, under the same key"
    taken_over = [
        e for e in journal if e.kind is JournalKind.CLAIMED and e.attempt and e.attempt > 1
    ]
    assert taken_over, "expired leases were claimed again"
    assert all(e.reasons and e.reasons[0].code == "lease_expired" for e in taken_over)


def _chaos(spec: tuple[str, ...], open_store: Callable[[], Store]) -> None:
    asyncio.run(engine_chaos.seed(spec, CASES))
    keys = asyncio.run(_planned_keys(open_store()))
    assert len(keys) == CASES
    with FakeWebhook() as provider:
        codes = _run_workers(spec, provider)
        assert codes["killed"] == -signal.SIGKILL
        assert codes["crasher"] == engine_chaos.CRASH_EXIT
        assert {codes["w0"], codes["w3"], codes["fresh"]} == {0}
        asyncio.run(_check(open_store(), keys, provider))


@pytest.mark.slow
def test_sqlite_engine_loses_nothing_under_crashes(tmp_path: Path) -> None:
    """SQLite: 4 engine processes, a SIGKILL and a crash after the provider call."""
    path = str(tmp_path / "chaos.db")
    _chaos(("sqlite", path), lambda: SQLiteStore(path))


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_engine_loses_nothing_under_crashes(postgres_dsn: str) -> None:
    """PostgreSQL: the same chaos run, claims with SKIP LOCKED."""
    schema = f"engine_chaos_{os.getpid()}"
    _chaos(
        ("postgres", postgres_dsn, schema),
        lambda: PostgresStore(postgres_dsn, schema=schema),
    )
