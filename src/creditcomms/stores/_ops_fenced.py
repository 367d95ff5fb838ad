"""Changes only the current lease holder may make, as SQL programs without I/O.

Every statement carries the fence: the action's key, the claim's lease id, status
``claimed`` and a lease that has not ended at the caller's time. A claim that fails the fence
changes nothing. On PostgreSQL the update and its journal row are one statement (a
data-modifying CTE).
"""

# ruff: noqa: S608 - table names are checked identifiers; every value is a bound parameter

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from creditcomms.errors import LeaseLostError

from ._common import lease_lost_message
from ._records import ActionStatus, Claim, Completion, JournalKind
from ._sql import (
    INSERT_JOURNAL,
    JOURNAL_COLUMNS,
    Dialect,
    Op,
    Query,
    journal_row,
    money_columns,
    reasons_json,
)

_FENCE = "WHERE idempotency_key = ? AND lease_id = ? AND status = 'claimed' AND available_at > ?"
_HELD = "lease_id = ? AND status = 'claimed' AND available_at > ?"
Item = tuple[Claim, datetime, tuple[Any, ...], tuple[Any, ...] | None]
"""One fenced change: the claim, the caller's time, the SET parameters, the journal row."""


def fenced(d: Dialect, sets: str, items: Sequence[Item], *, alone: bool) -> Op[set[str]]:
    """Apply ``sets`` to each claimed row still held; return the keys that were changed."""
    update = f"UPDATE {{action}} SET {sets} {_FENCE} RETURNING idempotency_key"
    params = [(*p, c.idempotency_key, c.lease_id, d.time(at)) for c, at, p, _ in items]
    journals = [j for *_, j in items]
    if d.is_postgres and journals[0] is not None:
        placeholders = ", ".join("?" * len(journals[0]))
        rows = yield Query(
            d.sql(
                f"WITH fenced AS ({update}) INSERT INTO {{journal}} ({JOURNAL_COLUMNS})"
                f" SELECT {placeholders} FROM fenced RETURNING idempotency_key"
            ),
            [(*p, *j) for p, j in zip(params, journals, strict=True) if j is not None],
            many=True,
            alone=alone,
        )
        return {r[0] for r in rows}
    if len(items) > 1 and not d.is_postgres:
        done = yield from _fenced_by_lease(d, sets, items)
    else:
        rows = yield Query(d.sql(update), params, many=True, alone=alone and journals[0] is None)
        done = {r[0] for r in rows}
    held = [j for (c, *_), j in zip(items, journals, strict=True) if c.idempotency_key in done]
    written = [j for j in held if j is not None]
    if written:
        yield Query(d.sql(INSERT_JOURNAL), written, many=True)
    return done


_KEYS_PER_UPDATE = 500


def _fenced_by_lease(d: Dialect, sets: str, items: Sequence[Item]) -> Op[set[str]]:
    """SQLite: change the rows each lease still holds, a batch per lease and time.

    SQLite runs an ``UPDATE ... RETURNING`` once per parameter tuple. Claims taken together
    share their lease id and time: when they share the new values too (``attempting``), one
    ``UPDATE ... IN (keys) RETURNING`` does it; otherwise (outcomes with their own message
    ids) one ``SELECT ... IN (keys)`` finds the rows still held and one ``executemany``
    changes them. The program holds SQLite's write lock (``BEGIN IMMEDIATE``), so the rows
    found cannot change in between; the update keeps the fence all the same.
    """
    groups: dict[tuple[str, datetime], list[Item]] = {}
    for item in items:
        groups.setdefault((item[0].lease_id, item[1]), []).append(item)
    done: set[str] = set()
    separate: list[tuple[Any, ...]] = []
    for (lease_id, at), members in groups.items():
        shared = {values for _, _, values, _ in members}
        for start in range(0, len(members), _KEYS_PER_UPDATE):
            chunk = members[start : start + _KEYS_PER_UPDATE]
            keys = [claim.idempotency_key for claim, *_ in chunk]
            where = f"{_HELD} AND idempotency_key IN ({', '.join('?' * len(keys))})"
            if len(shared) == 1:
                (values,) = shared
                rows = yield Query(
                    d.sql(f"UPDATE {{action}} SET {sets} WHERE {where} RETURNING idempotency_key"),
                    (*values, lease_id, d.time(at), *keys),
                )
                done.update(r[0] for r in rows)
                continue
            rows = yield Query(
                d.sql(f"SELECT idempotency_key FROM {{action}} WHERE {where}"),
                (lease_id, d.time(at), *keys),
            )
            held = {r[0] for r in rows}
            done |= held
            separate += [
                (*values, claim.idempotency_key, lease_id, d.time(at))
                for claim, _, values, _ in chunk
                if claim.idempotency_key in held
            ]
    if separate:
        yield Query(d.sql(f"UPDATE {{action}} SET {sets} {_FENCE}"), separate, many=True)
    return done


def _lost(claim: Claim) -> LeaseLostError:
    return LeaseLostError(lease_lost_message(claim.idempotency_key, claim.lease_id))


def extend_lease(d: Dialect, claim: Claim, *, at: datetime, lease: timedelta) -> Op[Claim]:
    """Move the lease's end."""
    done = yield from fenced(
        d, "available_at = ?", [(claim, at, (d.time(at + lease),), None)], alone=True
    )
    if not done:
        raise _lost(claim)
    return claim.model_copy(update={"lease_expires_at": at + lease})


def mark_attempting(
    d: Dialect, claims: Sequence[Claim], *, at: datetime, channel: str | None, single: bool
) -> Op[list[Claim]]:
    """Record the coming provider calls; return the claims still held (or raise if single)."""
    items: list[Item] = [
        (
            c,
            at,
            (d.time(at),),
            journal_row(
                d,
                JournalKind.ATTEMPTING,
                at,
                action=c.action,
                attempt=c.attempt,
                worker=c.worker,
                channel=channel,
            ),
        )
        for c in claims
    ]
    done = yield from fenced(d, "attempting_since = ?", items, alone=single)
    if single and not done:
        raise _lost(claims[0])
    return [c for c in claims if c.idempotency_key in done]


def finish(d: Dialect, completions: Sequence[Completion], *, single: bool) -> Op[list[Claim]]:
    """Apply outcomes; return the claims whose lease was lost (or raise if single)."""
    groups: dict[str, list[Item]] = {}
    for completion in completions:
        sets, item = _outcome(d, completion)
        groups.setdefault(sets, []).append(item)
    done: set[str] = set()
    for sets, items in groups.items():
        done |= yield from fenced(d, sets, items, alone=single)
    lost = [c.claim for c in completions if c.claim.idempotency_key not in done]
    if single and lost:
        raise _lost(lost[0])
    return lost


def _outcome(d: Dialect, c: Completion) -> tuple[str, Item]:
    """The SET clause and fenced item of one completion."""
    used = None
    if c.status is ActionStatus.SENT:
        used = c.channel or c.claim.action.channel
        sets = (
            "status = 'sent', finished_at = ?, used_channel = ?, provider_message_id = ?,"
            " cost_amount = ?, cost_currency = ?"
        )
        params: tuple[Any, ...] = (d.time(c.at), used, c.provider_message_id)
        params += money_columns(c.cost)
        kind = JournalKind.SENT
    elif c.retry_at is not None:
        sets = "status = 'planned', available_at = ?, lease_id = NULL, lease_owner = NULL"
        params, kind = (d.time(c.retry_at),), JournalKind.RETRY
    else:
        sets = f"status = '{c.status.value}', finished_at = ?"
        params, kind = (d.time(c.at),), JournalKind(c.status.value)
    journal = journal_row(
        d,
        kind,
        c.at,
        action=c.claim.action,
        attempt=c.claim.attempt,
        worker=c.claim.worker,
        channel=used,
        cost=c.cost,
        provider_message_id=c.provider_message_id,
        reasons=c.reasons,
    )
    if c.status is not ActionStatus.SKIPPED:
        # The attempt's outcome is known. A skip leaves an earlier attempt's start in place:
        # it may have reached the provider, so the action must never be planned again.
        sets += ", attempting_since = NULL"
    sets += ", updated_at = ?, reasons = ?"
    return sets, (c.claim, c.at, (*params, d.time(c.at), reasons_json(c.reasons)), journal)
