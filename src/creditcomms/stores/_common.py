"""Checks and conversions shared by every store implementation."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from creditcomms.errors import FieldProblem, StoreError, ValidationError
from creditcomms.model import Reason

__all__ = [
    "LATEST_SCHEMA",
    "TAKEN_OVER",
    "UNCHANGED",
    "Unchanged",
    "aware",
    "check_claim_options",
    "check_reasons",
    "lease_lost_message",
    "maybe_aware",
    "store_failure",
]

LATEST_SCHEMA = 2
"""The schema version this library writes; ``migrate()`` brings a database up to it."""


class Unchanged(enum.Enum):
    """The type of `UNCHANGED`: "leave this field as it is" where ``None`` means something."""

    UNCHANGED = "UNCHANGED"


UNCHANGED = Unchanged.UNCHANGED
"""Pass-through marker for optional updates whose ``None`` has a meaning of its own."""


def aware(moment: datetime, /, *, field: str, operation: str) -> datetime:
    """Return ``moment`` in UTC, refusing naive datetimes with a `ValidationError`."""
    value: object = moment
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValidationError(
            operation,
            [
                FieldProblem(
                    field,
                    moment,
                    "must be a timezone-aware datetime, such as datetime.now(UTC)",
                )
            ],
        )
    return moment.astimezone(UTC)


def check_claim_options(*, limit: int, lease: timedelta, worker: str) -> None:
    """Refuse a claim request that cannot work, naming each bad option."""
    problems = []
    if limit < 1:
        problems.append(FieldProblem("limit", limit, "must be a whole number of at least 1"))
    if lease <= timedelta(0):
        problems.append(
            FieldProblem(
                "lease", lease, "must be a positive timedelta, such as timedelta(seconds=30)"
            )
        )
    if not worker.strip():
        problems.append(
            FieldProblem("worker", worker, "must name the worker, such as 'host-1:pid'")
        )
    if problems:
        raise ValidationError("claim_due", problems)


def check_reasons(reasons: Sequence[Reason], /, *, operation: str) -> tuple[Reason, ...]:
    """Return the reasons as a tuple; at least one is required to explain the decision."""
    found = tuple(reasons)
    if not found or not all(isinstance(r, Reason) for r in found):
        raise ValidationError(
            operation,
            [
                FieldProblem(
                    "reasons",
                    reasons,
                    "give at least one creditcomms.Reason explaining the decision,"
                    " such as Reason(code='paid', detail='invoice paid on 2026-11-20')",
                )
            ],
        )
    return found


def lease_lost_message(key: str, lease_id: str) -> str:
    """The message of a `LeaseLostError` for one action."""
    return (
        f"the lease {lease_id} on action {key!r} expired or was taken over by another worker;"
        " nothing was changed: claim due actions again and do not retry this claim"
    )


def maybe_aware(moment: datetime | None, /, *, field: str, operation: str) -> datetime | None:
    """Like `aware`, passing ``None`` through."""
    return None if moment is None else aware(moment, field=field, operation=operation)


TAKEN_OVER = Reason(
    code="lease_expired", detail="the previous worker's lease expired before it finished"
)
"""The reason journaled with a claim that takes over an expired lease."""


_NOT_MIGRATED = ("no such table", "does not exist")


def store_failure(where: str, error: Exception) -> StoreError:
    """A database error as a `StoreError`; a missing table adds the usual cause and fix."""
    first, _, rest = str(error).strip().partition("\n")
    if any(sign in first for sign in _NOT_MIGRATED) and "cc_" in first:
        first += "; the store's tables are missing: call `await store.migrate()` once first"
    return StoreError(f"{where} failed: {first}" + (f"\n{rest}" if rest else ""))
