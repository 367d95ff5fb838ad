"""Cases, events, the journal and the schema, as SQL programs without I/O.

Each program yields queries and receives their rows.

The SQLite driver runs a program synchronously inside one transaction (in a worker thread);
the PostgreSQL driver runs the same program with ``await``. So both stores share one
implementation of the contract, and the transaction boundary is always the whole operation.
"""

# ruff: noqa: S608 - table names are checked identifiers; every value is a bound parameter

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from creditcomms.errors import (
    CaseNotFoundError,
    MigrationError,
    VersionConflictError,
)
from creditcomms.model import Case, Event

from ._common import LATEST_SCHEMA
from ._records import (
    CaseRecord,
    CaseStatus,
    JournalEntry,
    JournalKind,
    PurgeReport,
)
from ._sql import (
    CASE_COLUMNS,
    INSERT_JOURNAL,
    JOURNAL_COLUMNS,
    Dialect,
    Op,
    Query,
    case_record,
    data_json,
    journal_entry,
    journal_row,
)

_OPEN = "status IN ('planned', 'claimed')"


def migrate(d: Dialect, *, at: datetime) -> Op[int]:
    """Create the version table, refuse newer schemas, apply missing migrations in order."""
    if d.is_postgres:
        yield Query("SELECT pg_advisory_xact_lock(%s)", (0x63637374,))
        yield Query(f"CREATE SCHEMA IF NOT EXISTS {d.namespace.rstrip('.')}")
    yield Query(
        d.sql("CREATE TABLE IF NOT EXISTS {version} (version INTEGER PRIMARY KEY, applied_at TEXT)")
    )
    rows = yield Query(d.sql("SELECT max(version) FROM {version}"))
    current = rows[0][0] or 0
    if current > LATEST_SCHEMA:
        raise MigrationError(
            f"the database schema is at version {current}, newer than the version"
            f" {LATEST_SCHEMA} this creditcomms understands; upgrade creditcomms"
        )
    for version, statements in sorted(d.migrations().items()):
        if version > current:
            for statement in statements:
                yield Query(statement)
            yield Query(d.sql("INSERT INTO {version} VALUES (?, ?)"), (version, at.isoformat()))
    return LATEST_SCHEMA


# -- cases ---------------------------------------------------------------------------------


def enroll(
    d: Dialect,
    case: Case,
    *,
    campaign_id: str,
    campaign_version: int,
    at: datetime,
    status: CaseStatus,
    next_action_at: datetime | None,
) -> Op[CaseRecord]:
    """Insert or replace a case, bumping its version."""
    rows = yield Query(
        d.sql(
            "INSERT INTO {case} (case_id, campaign_id, campaign_version, status, next_action_at,"
            " version, created_at, updated_at, data) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)"
            " ON CONFLICT (case_id) DO UPDATE SET campaign_id = excluded.campaign_id,"
            " campaign_version = excluded.campaign_version, status = excluded.status,"
            " next_action_at = excluded.next_action_at, version = {case}.version + 1,"
            f" updated_at = excluded.updated_at, data = excluded.data RETURNING {CASE_COLUMNS}"
        ),
        (
            case.id,
            campaign_id,
            campaign_version,
            status.value,
            d.time(next_action_at),
            d.time(at),
            d.time(at),
            data_json(case),
        ),
        alone=True,
    )
    return case_record(d, rows[0])


def update_case(
    d: Dialect,
    case_id: str,
    *,
    at: datetime,
    changes: dict[str, Any],
    expected_version: int | None,
) -> Op[CaseRecord]:
    """Apply column changes to one case, checking its version when asked."""
    rows = yield Query(d.sql("SELECT version FROM {case} WHERE case_id = ?"), (case_id,))
    if not rows:
        raise CaseNotFoundError(f"no case {case_id!r} is stored; enroll it first")
    if expected_version is not None and rows[0][0] != expected_version:
        raise VersionConflictError(
            f"case {case_id!r} is at version {rows[0][0]}, not {expected_version};"
            " read it again and retry"
        )
    encoded = {k: d.time(v) if isinstance(v, datetime) else v for k, v in changes.items()}
    assignments = "".join(f", {column} = ?" for column in encoded)
    rows = yield Query(
        d.sql(
            f"UPDATE {{case}} SET version = version + 1, updated_at = ?{assignments}"
            f" WHERE case_id = ? RETURNING {CASE_COLUMNS}"
        ),
        (d.time(at), *encoded.values(), case_id),
    )
    return case_record(d, rows[0])


def get_case(d: Dialect, case_id: str) -> Op[CaseRecord | None]:
    """One case by id."""
    rows = yield Query(
        d.sql(f"SELECT {CASE_COLUMNS} FROM {{case}} WHERE case_id = ?"), (case_id,), alone=True
    )
    return case_record(d, rows[0]) if rows else None


def get_cases(d: Dialect, case_ids: Sequence[str]) -> Op[dict[str, CaseRecord]]:
    """Several cases by id in one query (unknown ids are left out)."""
    marks = ", ".join("?" for _ in case_ids) or "NULL"
    rows = yield Query(
        d.sql(f"SELECT {CASE_COLUMNS} FROM {{case}} WHERE case_id IN ({marks})"),
        tuple(case_ids),
        alone=True,
    )
    records = (case_record(d, row) for row in rows)
    return {record.case_id: record for record in records}


def list_cases(
    d: Dialect,
    *,
    status: CaseStatus | None,
    due_by: datetime | None,
    after: str | None,
    limit: int,
) -> Op[list[CaseRecord]]:
    """Cases in id order with optional filters."""
    where, params = ["1 = 1"], []
    for clause, value in (
        ("status = ?", status.value if status else None),
        ("next_action_at <= ?", d.time(due_by)),
        ("case_id > ?", after),
    ):
        if value is not None:
            where.append(clause)
            params.append(value)
    rows = yield Query(
        d.sql(
            f"SELECT {CASE_COLUMNS} FROM {{case}} WHERE {' AND '.join(where)}"
            " ORDER BY case_id LIMIT ?"
        ),
        (*params, limit),
        alone=True,
    )
    return [case_record(d, r) for r in rows]


def record_event(d: Dialect, event: Event, *, at: datetime) -> Op[JournalEntry]:
    """Append an event to the journal."""
    rows = yield Query(
        d.sql(INSERT_JOURNAL + f" RETURNING seq, {JOURNAL_COLUMNS}"),
        journal_row(
            d,
            JournalKind.EVENT,
            at,
            case_id=event.case_id,
            event=event,
            idempotency_key=getattr(event, "idempotency_key", None),
            channel=getattr(event, "channel", None),
            provider_message_id=getattr(event, "provider_message_id", None),
            step_id=getattr(event, "step_id", None),
        ),
        alone=True,
    )
    return journal_entry(d, rows[0])


def history(
    d: Dialect,
    case_id: str | None,
    *,
    since: datetime | None,
    after_seq: int | None,
    limit: int | None,
) -> Op[list[JournalEntry]]:
    """Journal entries in order with optional filters."""
    where, params = ["1 = 1"], []
    for clause, value in (
        ("case_id = ?", case_id),
        ("at >= ?", d.time(since)),
        ("seq > ?", after_seq),
    ):
        if value is not None:
            where.append(clause)
            params.append(value)
    tail = " LIMIT ?" if limit is not None else ""
    rows = yield Query(
        d.sql(
            f"SELECT seq, {JOURNAL_COLUMNS} FROM {{journal}} WHERE {' AND '.join(where)}"
            f" ORDER BY seq{tail}"
        ),
        (*params, *([limit] if limit is not None else [])),
        alone=True,
    )
    return [journal_entry(d, r) for r in rows]


def purge(d: Dialect, *, older_than: datetime) -> Op[PurgeReport]:
    """Delete old journal rows, finished actions and closed, idle cases."""
    cutoff = d.time(older_than)
    journal = yield Query(d.sql("DELETE FROM {journal} WHERE at < ? RETURNING seq"), (cutoff,))
    actions = yield Query(
        d.sql(
            f"DELETE FROM {{action}} WHERE NOT ({_OPEN}) AND finished_at < ?"
            " RETURNING idempotency_key"
        ),
        (cutoff,),
    )
    cases = yield Query(
        d.sql(
            "DELETE FROM {case} WHERE status IN ('stopped', 'completed') AND updated_at < ?"
            " AND NOT EXISTS (SELECT 1 FROM {action} a WHERE a.case_id = {case}.case_id"
            f" AND a.{_OPEN}) RETURNING case_id"
        ),
        (cutoff,),
    )
    return PurgeReport(journal_entries=len(journal), actions=len(actions), cases=len(cases))
