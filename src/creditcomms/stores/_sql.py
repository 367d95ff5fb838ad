"""SQL shared by the SQLite and PostgreSQL stores: dialects, schema, and row conversion."""

# ruff: noqa: S608 - table names are checked identifiers; every value is a bound parameter

from __future__ import annotations

import functools
import json
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pydantic import TypeAdapter

from creditcomms.campaigns import Action
from creditcomms.errors import ConfigurationError
from creditcomms.model import Case, Event, Money, Reason
from creditcomms.model._trusted import trusted

from ._records import ActionRecord, ActionStatus, CaseRecord, CaseStatus, JournalEntry, JournalKind

__all__ = ["Dialect", "Op", "Query", "Rows", "data_json", "postgres_dialect", "sqlite_dialect"]

T = TypeVar("T")
Rows = list[tuple[Any, ...]]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EVENT: TypeAdapter[Event] = TypeAdapter(Event)
_REASONS: TypeAdapter[tuple[Reason, ...]] = TypeAdapter(tuple[Reason, ...])
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


@dataclass(frozen=True, slots=True)
class Query:
    """One statement for a driver to run; ``many`` runs it once per parameter tuple."""

    sql: str
    params: Sequence[Any] = ()
    many: bool = False
    alone: bool = False
    """The program is this one statement: PostgreSQL may run it without BEGIN/COMMIT."""


Op = Generator[Query, Rows, T]
"""An operation: yields queries, receives their rows, returns its result (no I/O itself)."""

ACTION_COLUMNS = (
    "payload, status, attempts, available_at, lease_owner, attempting_since, finished_at,"
    " used_channel, provider_message_id, cost_amount, cost_currency, reasons"
)
CASE_COLUMNS = (
    "data, campaign_id, campaign_version, status, next_action_at, version, created_at, updated_at"
)
JOURNAL_COLUMNS = (
    "at, kind, case_id, idempotency_key, campaign_id, campaign_version, step_id, channel,"
    " variant, attempt, worker, cost_amount, cost_currency, provider_message_id, reasons, event"
)

_SCHEMA_V1 = """
CREATE TABLE {case} (
  case_id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, campaign_version INTEGER NOT NULL,
  status TEXT NOT NULL, next_action_at {time}, version INTEGER NOT NULL,
  created_at {time} NOT NULL, updated_at {time} NOT NULL, data TEXT NOT NULL);
CREATE INDEX {prefix}cc_case_next ON {case} (next_action_at) WHERE status = 'active';
CREATE TABLE {action} (
  idempotency_key TEXT PRIMARY KEY, case_id TEXT NOT NULL, campaign_id TEXT NOT NULL,
  campaign_version INTEGER NOT NULL, step_id TEXT NOT NULL, channel TEXT NOT NULL,
  variant TEXT, due_at {time} NOT NULL, status TEXT NOT NULL, available_at {time} NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, lease_id TEXT, lease_owner TEXT,
  attempting_since {time}, finished_at {time}, used_channel TEXT, provider_message_id TEXT,
  cost_amount TEXT, cost_currency TEXT, reasons TEXT NOT NULL DEFAULT '[]',
  created_at {time} NOT NULL, updated_at {time} NOT NULL, payload TEXT NOT NULL);
CREATE INDEX {prefix}cc_action_due ON {action} (available_at, idempotency_key)
  WHERE status IN ('planned', 'claimed');
CREATE INDEX {prefix}cc_action_case ON {action} (case_id);
CREATE INDEX {prefix}cc_action_finished ON {action} (finished_at);
CREATE TABLE {journal} (
  seq {serial}, at {time} NOT NULL, kind TEXT NOT NULL, case_id TEXT NOT NULL,
  idempotency_key TEXT, campaign_id TEXT, campaign_version INTEGER, step_id TEXT,
  channel TEXT, variant TEXT, attempt INTEGER, worker TEXT, cost_amount TEXT,
  cost_currency TEXT, provider_message_id TEXT, reasons TEXT NOT NULL DEFAULT '[]', event TEXT);
CREATE INDEX {prefix}cc_journal_case ON {journal} (case_id, seq);
CREATE INDEX {prefix}cc_journal_at ON {journal} (at);
CREATE INDEX {prefix}cc_journal_key ON {journal} (idempotency_key);
"""

# Version 2: due actions are claimed in case order within one due time, so a batch reads and
# writes neighbouring case rows (and one case's actions together) instead of rows scattered
# by the idempotency key's hash. The journal's key index goes: no query reads the journal by
# key (`get_action` reads the action table), and every journal row paid a random insert in it.
_SCHEMA_V2 = """
DROP INDEX {namespace}{prefix}cc_action_due;
CREATE INDEX {prefix}cc_action_due ON {action} (available_at, case_id, idempotency_key)
  WHERE status IN ('planned', 'claimed');
DROP INDEX {namespace}{prefix}cc_journal_key;
"""

# ruff: noqa: S608 - table names are checked identifiers; every value is a bound parameter


class Dialect:
    """The differences between SQLite and PostgreSQL, behind one small object."""

    def __init__(self, *, name: str, namespace: str, prefix: str) -> None:
        self.name = name
        self.namespace = namespace
        self.prefix = prefix
        self.case = f"{namespace}{prefix}cc_case"
        self.action = f"{namespace}{prefix}cc_action"
        self.journal = f"{namespace}{prefix}cc_journal"
        self.version_table = f"{namespace}{prefix}cc_schema_version"
        self.is_postgres = name == "postgres"
        """True for PostgreSQL."""

    def sql(self, text: str, /) -> str:
        """Fill in table names and convert placeholders for this dialect."""
        filled = text.format(
            case=self.case, action=self.action, journal=self.journal, version=self.version_table
        )
        return filled.replace("?", "%s") if self.is_postgres else filled

    def time(self, moment: datetime | None, /) -> Any:
        """A timezone-aware datetime as this dialect stores it."""
        if moment is None or self.is_postgres:
            return moment
        return _micros(moment)

    def from_time(self, value: Any, /) -> datetime | None:
        """A stored time back as an aware UTC datetime."""
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return _moment(int(value))

    def migrations(self) -> dict[int, list[str]]:
        """The DDL of each schema version, statement by statement."""
        time, serial = (
            ("TIMESTAMPTZ", "BIGSERIAL PRIMARY KEY")
            if self.is_postgres
            else ("INTEGER", "INTEGER PRIMARY KEY AUTOINCREMENT")
        )
        ddl = _SCHEMA_V1.format(
            case=self.case,
            action=self.action,
            journal=self.journal,
            prefix=self.prefix,
            time=time,
            serial=serial,
        )
        v2 = _SCHEMA_V2.format(action=self.action, namespace=self.namespace, prefix=self.prefix)
        return {
            1: [s.strip() for s in ddl.split(";") if s.strip()],
            2: [s.strip() for s in v2.split(";") if s.strip()],
        }


# A batch converts the same few times again and again (the run's time, a lease's end, the
# due times its actions share); remembering them is cheaper than the datetime arithmetic.
_MICROSECOND = timedelta(microseconds=1)


@functools.lru_cache(maxsize=4096)
def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // _MICROSECOND


@functools.lru_cache(maxsize=4096)
def _moment(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def sqlite_dialect(*, prefix: str = "") -> Dialect:
    """The SQLite dialect (times as integer microseconds since 1970, UTC)."""
    return Dialect(
        name="sqlite", namespace="", prefix=_identifier(prefix, "prefix", allow_empty=True)
    )


def postgres_dialect(*, schema: str) -> Dialect:
    """The PostgreSQL dialect, with tables in ``schema``."""
    return Dialect(name="postgres", namespace=f"{_identifier(schema, 'schema')}.", prefix="")


def _identifier(value: str, field: str, *, allow_empty: bool = False) -> str:
    if (allow_empty and value == "") or _IDENTIFIER.match(value):
        return value
    raise ConfigurationError(
        f"{field}={value!r} is not a plain SQL name; use lower-case letters, digits and"
        " underscores, starting with a letter (such as 'creditcomms')"
    )


# -- records -> rows -----------------------------------------------------------------------


def data_json(model: Case | Action) -> str:
    """A case or action as the JSON the store keeps: fields at their default are left out.

    Reading it back fills them in again, equal field for field (the defaults of stored
    models are pinned by a test, since a changed default would change what old rows mean).
    The JSON is about a third of the full dump, and both writing the row and validating it
    when read take less time; rows written in full, as earlier versions did, read the same.
    """
    return model.model_dump_json(exclude_defaults=True)


# -- rows -> records -----------------------------------------------------------------------


def money(amount: str | None, currency: str | None) -> Money | None:
    """A cost stored as two text columns."""
    return Money(amount, currency) if amount is not None and currency is not None else None


def money_columns(cost: Money | None) -> tuple[str | None, str | None]:
    """A cost as two text columns."""
    return (str(cost.amount), cost.currency) if cost is not None else (None, None)


def reasons_json(reasons: Sequence[Reason]) -> str:
    """Reasons as a JSON array."""
    if not reasons:
        return "[]"
    return json.dumps([{"code": r.code, "detail": r.detail} for r in reasons])


def parse_reasons(text: str) -> tuple[Reason, ...]:
    """Reasons back from their JSON array."""
    return _REASONS.validate_json(text) if text != "[]" else ()


def action_record(d: Dialect, row: Sequence[Any]) -> ActionRecord:
    """An `ActionRecord` from a row of ``ACTION_COLUMNS``."""
    status = ActionStatus(row[1])
    claimed = status is ActionStatus.CLAIMED
    return ActionRecord(
        action=Action.model_validate_json(row[0]),
        status=status,
        attempts=row[2],
        available_at=d.from_time(row[3]),
        lease_owner=row[4] if claimed else None,
        lease_expires_at=d.from_time(row[3]) if claimed else None,
        attempting_since=d.from_time(row[5]),
        finished_at=d.from_time(row[6]),
        channel=row[7],
        provider_message_id=row[8],
        cost=money(row[9], row[10]),
        reasons=parse_reasons(row[11]),
    )


def case_record(d: Dialect, row: Sequence[Any]) -> CaseRecord:
    """A `CaseRecord` from a row of ``CASE_COLUMNS``.

    The case data is validated (a host may have written the row through an older version);
    the columns the store itself wrote are taken as they are.
    """
    return trusted(
        CaseRecord,
        case=Case.model_validate_json(row[0]),
        campaign_id=row[1],
        campaign_version=row[2],
        status=CaseStatus(row[3]),
        next_action_at=d.from_time(row[4]),
        version=row[5],
        created_at=d.from_time(row[6]),
        updated_at=d.from_time(row[7]),
    )


def journal_entry(d: Dialect, row: Sequence[Any]) -> JournalEntry:
    """A `JournalEntry` from a row of ``seq, JOURNAL_COLUMNS``."""
    return JournalEntry(
        seq=row[0],
        at=d.from_time(row[1]),
        kind=JournalKind(row[2]),
        case_id=row[3],
        idempotency_key=row[4],
        campaign_id=row[5],
        campaign_version=row[6],
        step_id=row[7],
        channel=row[8],
        variant=row[9],
        attempt=row[10],
        worker=row[11],
        cost=money(row[12], row[13]),
        provider_message_id=row[14],
        reasons=parse_reasons(row[15]),
        event=_EVENT.validate_json(row[16]) if row[16] is not None else None,
    )


def journal_row(
    d: Dialect,
    kind: JournalKind,
    at: datetime,
    *,
    action: Action | None = None,
    case_id: str | None = None,
    attempt: int | None = None,
    worker: str | None = None,
    channel: str | None = None,
    cost: Money | None = None,
    provider_message_id: str | None = None,
    reasons: Sequence[Reason] = (),
    event: Event | None = None,
    idempotency_key: str | None = None,
    step_id: str | None = None,
    campaign_id: str | None = None,
    campaign_version: int | None = None,
    variant: str | None = None,
) -> tuple[Any, ...]:
    """The parameters of one journal insert, in ``JOURNAL_COLUMNS`` order.

    The action's fields come from ``action`` when given, else from the keyword arguments.
    """
    a = action
    return (
        d.time(at),
        kind.value,
        a.case_id if a else case_id,
        a.idempotency_key if a else idempotency_key,
        a.campaign_id if a else campaign_id,
        a.campaign_version if a else campaign_version,
        a.step_id if a else step_id,
        channel or (a.channel if a else None),
        a.variant if a else variant,
        attempt,
        worker,
        *money_columns(cost),
        provider_message_id,
        reasons_json(reasons),
        event.model_dump_json() if event is not None else None,
    )


INSERT_JOURNAL = f"INSERT INTO {{journal}} ({JOURNAL_COLUMNS}) VALUES ({', '.join('?' * 16)})"
