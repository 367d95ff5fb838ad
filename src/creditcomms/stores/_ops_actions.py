"""Actions (schedule, claim, fenced finish, read) as SQL programs without I/O.

Each program yields queries and receives their rows.

The SQLite driver runs a program synchronously inside one transaction (in a worker thread);
the PostgreSQL driver runs the same program with ``await``. So both stores share one
implementation of the contract, and the transaction boundary is always the whole operation.
"""

# ruff: noqa: S608 - table names are checked identifiers; every value is a bound parameter

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from creditcomms.campaigns import Action
from creditcomms.model import Reason
from creditcomms.model._trusted import trusted

from ._common import TAKEN_OVER
from ._records import (
    ActionRecord,
    ActionStatus,
    Claim,
    JournalKind,
)
from ._sql import (
    ACTION_COLUMNS,
    INSERT_JOURNAL,
    Dialect,
    Op,
    Query,
    action_record,
    data_json,
    journal_row,
    reasons_json,
)

_OPEN = "status IN ('planned', 'claimed')"


# -- scheduling ------------------------------------------------------------------------------


def schedule(d: Dialect, actions: Sequence[Action], *, at: datetime) -> Op[int]:
    """Insert new actions (journaling them), revive unsent ones, refresh planned ones.

    The insert skips keys that exist (``ON CONFLICT DO NOTHING``), so two processes
    scheduling the same plan at once cannot both add it. A known key that was skipped or
    cancelled before any provider call is planned again (`revive`); one still planned gets
    the new due time and data.
    """
    new: set[str] = set()
    for start in range(0, len(actions), 200):
        chunk = actions[start : start + 200]
        rows = yield Query(
            d.sql(
                _INSERT_ACTION
                + ", ".join([_VALUES] * len(chunk))
                + " ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key"
            ),
            [value for a in chunk for value in _action_row(d, a, at)],
        )
        new.update(r[0] for r in rows)
    yield from _journal_planned(d, actions, new, at=at)
    known = [a for a in actions if a.idempotency_key not in new]
    revived = (yield from revive(d, known, at=at)) if known else set()
    refresh = [_refresh_row(d, a, at) for a in known if a.idempotency_key not in revived]
    if refresh:
        yield Query(
            d.sql(
                "UPDATE {action} SET due_at = ?, available_at = ?, updated_at = ?, payload = ?,"
                " channel = ?, variant = ? WHERE idempotency_key = ? AND status = 'planned'"
            ),
            refresh,
            many=True,
        )
    return len(new)


_UNSENT = "status IN ('skipped', 'cancelled') AND attempting_since IS NULL"
_KEYS_PER_READ = 500


def revive(d: Dialect, actions: Sequence[Action], *, at: datetime) -> Op[set[str]]:
    """Plan again the known actions that ended without a provider call; return their keys.

    A reminder skipped while its case was paused (a dispute, a hold) or cancelled when the
    case stopped (paid, then reversed) never went out: when the planner asks for it again,
    its row becomes planned with the new due time, and the journal says so. An action that
    was sent or failed, or whose skip followed an attempt that may have reached the
    provider (``attempting_since`` kept), is never planned again.
    """
    keys = [a.idempotency_key for a in actions]
    candidates: set[str] = set()
    for start in range(0, len(keys), _KEYS_PER_READ):
        chunk = keys[start : start + _KEYS_PER_READ]
        rows = yield Query(
            d.sql(
                f"SELECT idempotency_key FROM {{action}} WHERE {_UNSENT}"
                f" AND idempotency_key IN ({', '.join('?' * len(chunk))})"
            ),
            tuple(chunk),
        )
        candidates.update(r[0] for r in rows)
    if not candidates:
        return set()
    again = [a for a in actions if a.idempotency_key in candidates]
    rows = yield Query(
        d.sql(
            "UPDATE {action} SET status = 'planned', due_at = ?, available_at = ?,"
            " updated_at = ?, payload = ?, channel = ?, variant = ?, finished_at = NULL,"
            f" lease_id = NULL, lease_owner = NULL, reasons = '[]' WHERE idempotency_key = ?"
            f" AND {_UNSENT} RETURNING idempotency_key"
        ),
        [_refresh_row(d, a, at) for a in again],
        many=True,
    )
    revived = {r[0] for r in rows}
    yield from _journal_planned(d, again, revived, at=at)
    return revived


def _journal_planned(
    d: Dialect, actions: Sequence[Action], keys: set[str], *, at: datetime
) -> Op[None]:
    """Journal the actions among ``actions`` whose key is in ``keys`` as planned."""
    journal = [
        journal_row(d, JournalKind.PLANNED, at, action=a, reasons=a.reasons)
        for a in actions
        if a.idempotency_key in keys
    ]
    if journal:
        yield Query(d.sql(INSERT_JOURNAL), journal, many=True)


def _refresh_row(d: Dialect, a: Action, at: datetime) -> tuple[Any, ...]:
    due = d.time(a.due_at)
    return (due, due, d.time(at), data_json(a), a.channel, a.variant, a.idempotency_key)


_VALUES = "(?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?, ?, ?)"
_INSERT_ACTION = (
    "INSERT INTO {action} (idempotency_key, case_id, campaign_id, campaign_version, step_id,"
    " channel, variant, due_at, status, available_at, created_at, updated_at, payload)"
    " VALUES "
)


def _action_row(d: Dialect, a: Action, at: datetime) -> tuple[Any, ...]:
    due = d.time(a.due_at)
    return (
        a.idempotency_key,
        a.case_id,
        a.campaign_id,
        a.campaign_version,
        a.step_id,
        a.channel,
        a.variant,
        due,
        due,
        d.time(at),
        d.time(at),
        data_json(a),
    )


ClaimRows = tuple[list[tuple[Any, ...]], str, datetime]
"""What `claim_due` returns: rows of ``key, payload, old status, attempt, attempting_since``,
the lease id and the lease's end; `claims` turns them into `Claim` objects."""


def claim_due(
    d: Dialect, now: datetime, *, limit: int, lease: timedelta, worker: str
) -> Op[ClaimRows]:
    """Lease the earliest due actions and journal the claims.

    PostgreSQL does it in one statement that skips rows other claimers hold; SQLite holds
    the write lock (``BEGIN IMMEDIATE``) across a select and the updates, and journals from
    the action's columns, so the payloads are decoded (`claims`) after the lock is released.
    """
    lease_id, expires = uuid.uuid4().hex, now + lease
    if d.is_postgres:
        rows = yield Query(
            d.sql(_PG_CLAIM),
            (
                d.time(now),
                limit,
                lease_id,
                worker,
                d.time(expires),
                d.time(now),
                d.time(now),
                worker,
                reasons_json([TAKEN_OVER]),
            ),
            alone=True,
        )
        rows.sort(key=lambda r: (r[5], r[6], r[0]))
        return rows, lease_id, expires
    rows = yield Query(
        d.sql(
            "SELECT idempotency_key, payload, status, attempts + 1, attempting_since, case_id,"
            " campaign_id, campaign_version, step_id, channel, variant FROM {action}"
            f" WHERE {_OPEN} AND available_at <= ?"
            " ORDER BY available_at, case_id, idempotency_key LIMIT ?"
        ),
        (d.time(now), limit),
    )
    if not rows:
        return [], lease_id, expires
    yield Query(
        d.sql(
            "UPDATE {action} SET status = 'claimed', attempts = attempts + 1, lease_id = ?,"
            " lease_owner = ?, available_at = ?, updated_at = ? WHERE idempotency_key = ?"
        ),
        [(lease_id, worker, d.time(expires), d.time(now), r[0]) for r in rows],
        many=True,
    )
    journal = [
        journal_row(
            d,
            JournalKind.CLAIMED,
            now,
            case_id=r[5],
            idempotency_key=r[0],
            campaign_id=r[6],
            campaign_version=r[7],
            step_id=r[8],
            channel=r[9],
            variant=r[10],
            attempt=r[3],
            worker=worker,
            reasons=(TAKEN_OVER,) if r[2] == ActionStatus.CLAIMED else (),
        )
        for r in rows
    ]
    yield Query(d.sql(INSERT_JOURNAL), journal, many=True)
    return rows, lease_id, expires


def claims(d: Dialect, found: ClaimRows, *, worker: str) -> list[Claim]:
    """The `Claim` objects of `claim_due`'s rows, decoded outside the transaction."""
    rows, lease_id, expires = found
    return [
        trusted(
            Claim,
            action=Action.model_validate_json(r[1]),
            lease_id=lease_id,
            attempt=r[3],
            worker=worker,
            lease_expires_at=expires,
            uncertain_since=d.from_time(r[4]),
        )
        for r in rows
    ]


_PG_CLAIM = f"""
WITH due AS (
  SELECT idempotency_key, status AS was, available_at AS due_at FROM {{action}}
  WHERE {_OPEN} AND available_at <= ? ORDER BY available_at, case_id, idempotency_key LIMIT ?
  FOR UPDATE SKIP LOCKED),
claimed AS (
  UPDATE {{action}} a SET status = 'claimed', attempts = a.attempts + 1, lease_id = ?,
    lease_owner = ?, available_at = ?, updated_at = ?
  FROM due WHERE a.idempotency_key = due.idempotency_key
  RETURNING a.idempotency_key, a.payload, due.was, a.attempts, a.attempting_since, due.due_at,
    a.case_id, a.campaign_id, a.campaign_version, a.step_id, a.channel, a.variant),
journal AS (
  INSERT INTO {{journal}} (at, kind, case_id, idempotency_key, campaign_id, campaign_version,
    step_id, channel, variant, attempt, worker, reasons)
  SELECT ?, 'claimed', case_id, idempotency_key, campaign_id, campaign_version, step_id,
    channel, variant, attempts, ?, CASE WHEN was = 'claimed' THEN ? ELSE '[]' END
  FROM claimed ORDER BY due_at, case_id, idempotency_key)
SELECT idempotency_key, payload, was, attempts, attempting_since, due_at, case_id FROM claimed
"""


def cancel_pending(d: Dialect, case_id: str, *, at: datetime, reasons: Sequence[Reason]) -> Op[int]:
    """Cancel planned actions and expired claims of one case."""
    lock = " FOR UPDATE" if d.is_postgres else ""
    rows = yield Query(
        d.sql(
            "SELECT idempotency_key, payload FROM {action} WHERE case_id = ? AND"
            " (status = 'planned' OR (status = 'claimed' AND available_at <= ?))"
            f" ORDER BY available_at, idempotency_key{lock}"
        ),
        (case_id, d.time(at)),
    )
    if not rows:
        return 0
    yield Query(
        d.sql(
            "UPDATE {action} SET status = 'cancelled', finished_at = ?, updated_at = ?,"
            " reasons = ? WHERE idempotency_key = ?"
        ),
        [(d.time(at), d.time(at), reasons_json(reasons), r[0]) for r in rows],
        many=True,
    )
    journal = [
        journal_row(
            d, JournalKind.CANCELLED, at, action=Action.model_validate_json(r[1]), reasons=reasons
        )
        for r in rows
    ]
    yield Query(d.sql(INSERT_JOURNAL), journal, many=True)
    return len(rows)


# -- reading -----------------------------------------------------------------------------------


def next_due_at(d: Dialect) -> Op[datetime | None]:
    """The earliest ``available_at`` of unfinished actions."""
    rows = yield Query(d.sql(f"SELECT min(available_at) FROM {{action}} WHERE {_OPEN}"), alone=True)
    return d.from_time(rows[0][0])


def pending(d: Dialect, case_id: str) -> Op[list[ActionRecord]]:
    """Unfinished actions of a case."""
    rows = yield Query(
        d.sql(
            f"SELECT {ACTION_COLUMNS} FROM {{action}} WHERE case_id = ? AND {_OPEN}"
            " ORDER BY available_at, idempotency_key"
        ),
        (case_id,),
        alone=True,
    )
    return [action_record(d, r) for r in rows]


def get_action(d: Dialect, key: str) -> Op[ActionRecord | None]:
    """One action by idempotency key."""
    rows = yield Query(
        d.sql(f"SELECT {ACTION_COLUMNS} FROM {{action}} WHERE idempotency_key = ?"),
        (key,),
        alone=True,
    )
    return action_record(d, rows[0]) if rows else None
