"""Random operation sequences: SQLite behaves exactly like memory, and the journal stays exact."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import creditcomms as cc
from creditcomms.stores import JournalKind, MemoryStore, SQLiteStore, Store

from ._factories import T0, make_action

LEASE = timedelta(seconds=30)
WHY = cc.Reason(code="test", detail="chosen by the test")
FINAL = {JournalKind.SENT, JournalKind.FAILED, JournalKind.SKIPPED, JournalKind.CANCELLED}

operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("schedule"), st.integers(0, 2), st.sampled_from("ab"), st.integers(0, 30)
        ),
        st.tuples(st.just("claim"), st.integers(1, 3)),
        st.tuples(
            st.just("finish"),
            st.integers(0, 6),
            st.sampled_from(["complete", "fail", "retry", "skip", "attempting", "extend"]),
        ),
        st.tuples(st.just("cancel"), st.integers(0, 2)),
        st.tuples(st.just("tick"), st.integers(1, 45)),
    ),
    min_size=4,
    max_size=30,
)


async def _finish(store: Store, claim: cc.stores.Claim, how: str, now: Any) -> None:
    if how == "complete":
        await store.complete(claim, at=now, provider_message_id="m")
    elif how == "fail":
        await store.fail(claim, at=now, reasons=[WHY])
    elif how == "retry":
        await store.fail(claim, at=now, reasons=[WHY], retry_at=now + timedelta(seconds=20))
    elif how == "skip":
        await store.skip(claim, at=now, reasons=[WHY])
    elif how == "attempting":
        await store.mark_attempting(claim, at=now)
    else:
        await store.extend_lease(claim, at=now, lease=LEASE)


async def _play(store: Store, steps: list[tuple[Any, ...]]) -> list[Any]:
    """Run the steps; return what each one observed, without random lease ids."""
    await store.migrate()
    now, claims, seen = T0, [], []
    for step in steps:
        if step[0] == "schedule":
            action = make_action(f"C-{step[1]}", step[2], due=timedelta(seconds=step[3]))
            seen.append(await store.schedule([action], at=now))
        elif step[0] == "claim":
            got = await store.claim_due(now, limit=step[1], lease=LEASE, worker="w")
            claims += got
            seen.append([(c.idempotency_key, c.attempt, c.uncertain_since) for c in got])
        elif step[0] == "finish" and claims:
            try:
                await _finish(store, claims[step[1] % len(claims)], step[2], now)
                seen.append("ok")
            except cc.LeaseLostError:
                seen.append("lost")
        elif step[0] == "cancel":
            seen.append(await store.cancel_pending(f"C-{step[1]}", at=now, reasons=[WHY]))
        elif step[0] == "tick":
            now += timedelta(seconds=step[1])
    seen.append(await store.next_due_at())
    journal = await store.history()
    seen.append([(e.kind, e.idempotency_key, e.attempt, e.at, e.reasons) for e in journal])
    keys = sorted({e.idempotency_key for e in journal if e.idempotency_key})
    records = [await store.get_action(k) for k in keys]
    seen.append(records)
    await store.aclose()
    return seen


def _check_journal(seen: list[Any]) -> None:
    """Check each key's journal: every life planned once and finished at most once.

    Only an unsent skip or cancellation is followed by another life (the key planned again).
    """
    journal, records = seen[-2], seen[-1]
    for record in records:
        trail = [k for k, key, *_ in journal if key == record.idempotency_key]
        kinds = Counter(trail)
        lives = kinds[JournalKind.PLANNED]
        assert trail[0] is JournalKind.PLANNED
        for before, after in itertools.pairwise(trail):
            if after is JournalKind.PLANNED:
                assert before in {JournalKind.SKIPPED, JournalKind.CANCELLED}
        assert kinds[JournalKind.CLAIMED] == record.attempts
        finals = [k for k in trail if k in FINAL]
        assert len(finals) == (lives if record.status.is_final else lives - 1)
        if record.status.is_final:
            assert finals[-1] is JournalKind(record.status.value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=operations)
def test_sqlite_matches_memory_and_journal_is_exact(steps: list[tuple[Any, ...]]) -> None:
    """Any sequence of operations gives the same results on both stores, each step once."""
    expected = asyncio.run(_play(MemoryStore(), steps))
    with tempfile.TemporaryDirectory() as folder:
        actual = asyncio.run(_play(SQLiteStore(Path(folder) / "cc.db"), steps))
    assert actual == expected
    _check_journal(expected)
