"""The `Store` protocol: what the engine needs from a durable schedule and journal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from creditcomms.campaigns import Action
from creditcomms.model import Case, Event, Money, Reason

from ._common import UNCHANGED, Unchanged
from ._records import (
    ActionRecord,
    CaseRecord,
    CaseSave,
    CaseStatus,
    Claim,
    Completion,
    JournalEntry,
    PurgeReport,
)

__all__ = ["Store"]


@runtime_checkable
class Store(Protocol):
    """A durable schedule of planned actions, the cases behind them, and their journal.

    Every action moves planned → claimed → sent | failed | skipped | cancelled, and each step
    is written to the journal exactly once, in the same transaction as the state change.
    Workers claim due actions under a lease; finishing an action is fenced by that lease, so a
    worker whose lease expired or was taken over gets `creditcomms.LeaseLostError` and changes
    nothing. Times are always passed in (timezone-aware); the stores never read a clock.
    """

    async def migrate(self) -> int:
        """Create or upgrade the schema; return its version.

        Raises:
            MigrationError: The database was written by a newer creditcomms.
        """
        ...

    async def aclose(self) -> None:
        """Release connections the store opened itself (never a host's external connection)."""
        ...

    async def enroll(
        self,
        case: Case,
        /,
        *,
        campaign_id: str,
        campaign_version: int,
        at: datetime,
        status: CaseStatus = CaseStatus.ACTIVE,
        next_action_at: datetime | None = None,
    ) -> CaseRecord:
        """Store a case with its campaign pin, or replace the stored one (idempotent upsert)."""
        ...

    async def update_case(
        self,
        case_id: str,
        /,
        *,
        at: datetime,
        case: Case | None = None,
        status: CaseStatus | None = None,
        next_action_at: datetime | Unchanged | None = UNCHANGED,
        expected_version: int | None = None,
    ) -> CaseRecord:
        """Change a stored case's data, status or next look; ``None`` options stay unchanged.

        Raises:
            CaseNotFoundError: No case has this id.
            VersionConflictError: ``expected_version`` is not the stored version.
        """
        ...

    async def get_case(self, case_id: str, /) -> CaseRecord | None:
        """The stored case, or ``None``."""
        ...

    async def get_cases(self, case_ids: Sequence[str], /) -> dict[str, CaseRecord]:
        """Several stored cases in one read, by id; unknown ids are left out."""
        ...

    async def save_many(self, saves: Sequence[CaseSave], /, *, at: datetime) -> list[str]:
        """Apply many `CaseSave`s in one transaction; return the ids left untouched.

        A case whose stored version is not ``expected_version`` (or that is unknown) is left
        as it is, and so are its actions; the caller reads it again and retries it alone.
        ``expected_version=0`` enrolls a new case with the save's campaign pin, unless the
        store has the id already (then it is left untouched: the engine enrolls it alone).
        """
        ...

    async def cases(
        self,
        *,
        status: CaseStatus | None = None,
        due_by: datetime | None = None,
        after: str | None = None,
        limit: int = 1000,
    ) -> list[CaseRecord]:
        """Cases in id order, optionally by status and with ``next_action_at <= due_by``.

        Page through all cases with ``after=`` the last id of the previous page.
        """
        ...

    async def record_event(self, event: Event, /) -> JournalEntry:
        """Write a host event (payment, dispute, delivery status, ...) to the journal."""
        ...

    async def schedule(self, actions: Iterable[Action], /, *, at: datetime) -> int:
        """Plan actions; return how many were new.

        An action whose idempotency key is already stored is not planned twice: while it is
        still planned, its due time and data are replaced by the new ones; once claimed,
        sent or failed, it is left alone. One that was skipped or cancelled before any
        provider call (a reminder held back by a dispute, or cancelled by a payment that was
        reversed) is planned again and journalled as planned; a skip that followed an attempt
        keeps that attempt's ``attempting_since`` and is never planned again.
        """
        ...

    async def claim_due(
        self, now: datetime, /, *, limit: int, lease: timedelta, worker: str
    ) -> list[Claim]:
        """Lease up to ``limit`` actions due at ``now``, earliest first.

        Actions due at the same moment come in case order (then by key), so one case's
        actions are claimed together and a batch touches neighbouring rows of the store.
        Actions whose earlier lease expired are claimed again with the next attempt number.
        """
        ...

    async def extend_lease(self, claim: Claim, /, *, at: datetime, lease: timedelta) -> Claim:
        """Push the lease to ``at + lease``; return the claim with its new expiry.

        Raises:
            LeaseLostError: The lease expired or another worker took the action over.
        """
        ...

    async def mark_attempting(
        self, claim: Claim, /, *, at: datetime, channel: str | None = None
    ) -> None:
        """Record that the provider is about to be called, so a crash leaves a trace.

        Raises:
            LeaseLostError: The lease expired or another worker took the action over.
        """
        ...

    async def complete(
        self,
        claim: Claim,
        /,
        *,
        at: datetime,
        channel: str | None = None,
        provider_message_id: str | None = None,
        cost: Money | None = None,
        reasons: Sequence[Reason] = (),
    ) -> None:
        """Mark the claimed action sent (on ``channel`` when a fallback was used).

        Raises:
            LeaseLostError: The lease expired or another worker took the action over.
        """
        ...

    async def fail(
        self,
        claim: Claim,
        /,
        *,
        at: datetime,
        reasons: Sequence[Reason],
        retry_at: datetime | None = None,
    ) -> None:
        """Mark the claimed action failed, or planned again at ``retry_at`` when given.

        Raises:
            LeaseLostError: The lease expired or another worker took the action over.
        """
        ...

    async def skip(self, claim: Claim, /, *, at: datetime, reasons: Sequence[Reason]) -> None:
        """Mark the claimed action skipped (paid in the meantime, no consent, ...).

        Raises:
            LeaseLostError: The lease expired or another worker took the action over.
        """
        ...

    async def mark_attempting_many(
        self, claims: Sequence[Claim], /, *, at: datetime
    ) -> list[Claim]:
        """`mark_attempting` for a batch in one transaction; return the claims still held.

        Claims whose lease was lost are left out (nothing is recorded for them): do not send
        those.
        """
        ...

    async def finish_many(self, completions: Sequence[Completion], /) -> list[Claim]:
        """`complete`, `fail` or `skip` a batch in one transaction.

        Returns the claims whose lease was lost; nothing changed for them.
        """
        ...

    async def cancel_pending(
        self, case_id: str, /, *, at: datetime, reasons: Sequence[Reason]
    ) -> int:
        """Cancel the case's planned actions (and claims whose lease has expired at ``at``).

        An action a live worker holds is left to finish: the engine re-checks the case just
        before sending. Returns how many actions were cancelled.
        """
        ...

    async def next_due_at(self) -> datetime | None:
        """When the earliest unfinished action becomes claimable, or ``None`` if none is left."""
        ...

    async def pending(self, case_id: str, /) -> list[ActionRecord]:
        """The case's unfinished (planned or claimed) actions, earliest first."""
        ...

    async def get_action(self, idempotency_key: str, /) -> ActionRecord | None:
        """The action with this key, whatever its status, or ``None``."""
        ...

    async def history(
        self,
        case_id: str | None = None,
        /,
        *,
        since: datetime | None = None,
        after_seq: int | None = None,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        """Journal entries in order, for one case or (without ``case_id``) for all."""
        ...

    async def purge(self, *, older_than: datetime) -> PurgeReport:
        """Delete journal entries, finished actions and closed cases last touched before then.

        Planned and claimed actions, and the cases that still have them, are always kept.
        """
        ...
