"""The shared front of the SQL stores: argument checks, then one SQL program per call."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Self, TypeVar

from creditcomms.campaigns import Action
from creditcomms.model import Case, Event, Money, Reason

from . import _ops_actions as action_ops
from . import _ops_batch as batch_ops
from . import _ops_cases as cases_ops
from . import _ops_fenced as fenced_ops
from ._common import (
    UNCHANGED,
    Unchanged,
    aware,
    check_claim_options,
    check_reasons,
    maybe_aware,
)
from ._records import (
    ActionRecord,
    ActionStatus,
    CaseRecord,
    CaseSave,
    CaseStatus,
    Claim,
    Completion,
    JournalEntry,
    PurgeReport,
)
from ._sql import Dialect, Op, data_json

__all__ = ["SQLStoreBase"]

T = TypeVar("T")


_IN_LIST_LIMIT = 500
"""Ids per ``IN (...)`` list, well under SQLite's and PostgreSQL's parameter limits."""


class SQLStoreBase(abc.ABC):
    """Implements every `Store` method by running one SQL program in one transaction."""

    _dialect: Dialect

    @abc.abstractmethod
    async def _run(self, program: Op[T], /, *, write: bool = True) -> T:
        """Run ``program`` in one transaction and return its result."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Release connections the store opened itself."""

    async def migrate(self) -> int:
        """Create or upgrade the schema; return its version.

        Raises:
            MigrationError: The database was written by a newer creditcomms.
        """
        return await self._run(cases_ops.migrate(self._dialect, at=datetime.now(UTC)))

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
        return await self._run(
            cases_ops.enroll(
                self._dialect,
                case,
                campaign_id=campaign_id,
                campaign_version=campaign_version,
                at=aware(at, field="at", operation="enroll"),
                status=CaseStatus(status),
                next_action_at=maybe_aware(
                    next_action_at, field="next_action_at", operation="enroll"
                ),
            )
        )

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
        changes: dict[str, Any] = {}
        if case is not None:
            changes["data"] = data_json(case)
        if status is not None:
            changes["status"] = CaseStatus(status).value
        if not isinstance(next_action_at, Unchanged):
            changes["next_action_at"] = maybe_aware(
                next_action_at, field="next_action_at", operation="update_case"
            )
        return await self._run(
            cases_ops.update_case(
                self._dialect,
                case_id,
                at=aware(at, field="at", operation="update_case"),
                changes=changes,
                expected_version=expected_version,
            )
        )

    async def get_case(self, case_id: str, /) -> CaseRecord | None:
        """The stored case, or ``None``."""
        return await self._run(cases_ops.get_case(self._dialect, case_id), write=False)

    async def save_many(self, saves: Sequence[CaseSave], /, *, at: datetime) -> list[str]:
        """Apply many `CaseSave`s in one transaction; return the ids left untouched."""
        if not saves:
            return []
        at = aware(at, field="at", operation="save_many")
        return await self._run(batch_ops.save_many(self._dialect, list(saves), at=at))

    async def get_cases(self, case_ids: Sequence[str], /) -> dict[str, CaseRecord]:
        """Several stored cases in one read, by id; unknown ids are left out."""
        unique = list(dict.fromkeys(case_ids))
        found: dict[str, CaseRecord] = {}
        for start in range(0, len(unique), _IN_LIST_LIMIT):
            chunk = unique[start : start + _IN_LIST_LIMIT]
            found.update(await self._run(cases_ops.get_cases(self._dialect, chunk), write=False))
        return found

    async def cases(
        self,
        *,
        status: CaseStatus | None = None,
        due_by: datetime | None = None,
        after: str | None = None,
        limit: int = 1000,
    ) -> list[CaseRecord]:
        """Cases in id order, optionally by status and with ``next_action_at <= due_by``."""
        return await self._run(
            cases_ops.list_cases(
                self._dialect,
                status=CaseStatus(status) if status is not None else None,
                due_by=maybe_aware(due_by, field="due_by", operation="cases"),
                after=after,
                limit=limit,
            ),
            write=False,
        )

    async def record_event(self, event: Event, /) -> JournalEntry:
        """Write a host event (payment, dispute, delivery status, ...) to the journal."""
        at = aware(event.at, field="event.at", operation="record_event")
        return await self._run(cases_ops.record_event(self._dialect, event, at=at))

    async def schedule(self, actions: Iterable[Action], /, *, at: datetime) -> int:
        """Plan actions; return how many were new (planned ones are replaced, others kept)."""
        unique = {a.idempotency_key: a for a in actions}
        at = aware(at, field="at", operation="schedule")
        return await self._run(action_ops.schedule(self._dialect, list(unique.values()), at=at))

    async def claim_due(
        self, now: datetime, /, *, limit: int, lease: timedelta, worker: str
    ) -> list[Claim]:
        """Lease up to ``limit`` actions due at ``now``, earliest first."""
        check_claim_options(limit=limit, lease=lease, worker=worker)
        now = aware(now, field="now", operation="claim_due")
        found = await self._run(
            action_ops.claim_due(self._dialect, now, limit=limit, lease=lease, worker=worker)
        )
        return action_ops.claims(self._dialect, found, worker=worker)

    async def extend_lease(self, claim: Claim, /, *, at: datetime, lease: timedelta) -> Claim:
        """Push the lease to ``at + lease``; return the claim with its new expiry.

        Raises:
            LeaseLostError: The lease expired or another worker took the action over.
        """
        check_claim_options(limit=1, lease=lease, worker=claim.worker)
        at = aware(at, field="at", operation="extend_lease")
        return await self._run(fenced_ops.extend_lease(self._dialect, claim, at=at, lease=lease))

    async def mark_attempting(
        self, claim: Claim, /, *, at: datetime, channel: str | None = None
    ) -> None:
        """Record that the provider is about to be called, so a crash leaves a trace.

        Raises:
            LeaseLostError: The lease expired or another worker took the action over.
        """
        at = aware(at, field="at", operation="mark_attempting")
        await self._run(
            fenced_ops.mark_attempting(self._dialect, [claim], at=at, channel=channel, single=True)
        )

    async def mark_attempting_many(
        self, claims: Sequence[Claim], /, *, at: datetime
    ) -> list[Claim]:
        """Record coming provider calls in one transaction; return the claims still held."""
        at = aware(at, field="at", operation="mark_attempting_many")
        if not claims:
            return []
        return await self._run(
            fenced_ops.mark_attempting(self._dialect, claims, at=at, channel=None, single=False)
        )

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
        completion = Completion(
            claim=claim,
            status=ActionStatus.SENT,
            at=aware(at, field="at", operation="complete"),
            channel=channel,
            provider_message_id=provider_message_id,
            cost=cost,
            reasons=tuple(reasons),
        )
        await self._run(fenced_ops.finish(self._dialect, [completion], single=True))

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
        completion = Completion(
            claim=claim,
            status=ActionStatus.FAILED,
            at=aware(at, field="at", operation="fail"),
            retry_at=maybe_aware(retry_at, field="retry_at", operation="fail"),
            reasons=check_reasons(reasons, operation="fail"),
        )
        await self._run(fenced_ops.finish(self._dialect, [completion], single=True))

    async def skip(self, claim: Claim, /, *, at: datetime, reasons: Sequence[Reason]) -> None:
        """Mark the claimed action skipped (paid in the meantime, no consent, ...).

        Raises:
            LeaseLostError: The lease expired or another worker took the action over.
        """
        completion = Completion(
            claim=claim,
            status=ActionStatus.SKIPPED,
            at=aware(at, field="at", operation="skip"),
            reasons=check_reasons(reasons, operation="skip"),
        )
        await self._run(fenced_ops.finish(self._dialect, [completion], single=True))

    async def finish_many(self, completions: Sequence[Completion], /) -> list[Claim]:
        """Apply many outcomes in one transaction; return the claims whose lease was lost."""
        if not completions:
            return []
        return await self._run(fenced_ops.finish(self._dialect, completions, single=False))

    async def cancel_pending(
        self, case_id: str, /, *, at: datetime, reasons: Sequence[Reason]
    ) -> int:
        """Cancel the case's planned actions (and claims whose lease has expired at ``at``)."""
        found = check_reasons(reasons, operation="cancel_pending")
        at = aware(at, field="at", operation="cancel_pending")
        return await self._run(
            action_ops.cancel_pending(self._dialect, case_id, at=at, reasons=found)
        )

    async def next_due_at(self) -> datetime | None:
        """When the earliest unfinished action becomes claimable, or ``None``."""
        return await self._run(action_ops.next_due_at(self._dialect), write=False)

    async def pending(self, case_id: str, /) -> list[ActionRecord]:
        """The case's unfinished (planned or claimed) actions, earliest first."""
        return await self._run(action_ops.pending(self._dialect, case_id), write=False)

    async def get_action(self, idempotency_key: str, /) -> ActionRecord | None:
        """The action with this key, whatever its status, or ``None``."""
        return await self._run(action_ops.get_action(self._dialect, idempotency_key), write=False)

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
        return await self._run(
            cases_ops.history(
                self._dialect,
                case_id,
                since=maybe_aware(since, field="since", operation="history"),
                after_seq=after_seq,
                limit=limit,
            ),
            write=False,
        )

    async def purge(self, *, older_than: datetime) -> PurgeReport:
        """Delete journal entries, finished actions and closed cases last touched before then."""
        cutoff = aware(older_than, field="older_than", operation="purge")
        return await self._run(cases_ops.purge(self._dialect, older_than=cutoff))
