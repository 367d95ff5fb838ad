"""`MemoryStore`: the store contract in plain Python objects, for tests and notebooks."""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from creditcomms.campaigns import Action
from creditcomms.errors import CaseNotFoundError, LeaseLostError, VersionConflictError
from creditcomms.model import Case, Event, Money, Reason

from ._common import (
    LATEST_SCHEMA,
    TAKEN_OVER,
    UNCHANGED,
    Unchanged,
    aware,
    check_claim_options,
    check_reasons,
    lease_lost_message,
    maybe_aware,
)
from ._memory_row import ActionRow
from ._records import (
    ActionRecord,
    ActionStatus,
    CaseRecord,
    CaseSave,
    CaseStatus,
    Claim,
    Completion,
    JournalEntry,
    JournalKind,
    PurgeReport,
)

__all__ = ["MemoryStore"]

_OPEN = (ActionStatus.PLANNED, ActionStatus.CLAIMED)
_UNSENT = (ActionStatus.SKIPPED, ActionStatus.CANCELLED)
"""Ends an action may come back from when the planner asks for it again (never attempted)."""
_CLOSED_CASES = (CaseStatus.STOPPED, CaseStatus.COMPLETED)


class MemoryStore:
    """A `Store` that keeps everything in memory: for tests, notebooks and dry runs.

    It follows the same contract as the durable stores (the same contract tests run against
    it), but nothing survives the process. Safe for many asyncio tasks in one event loop.

    Examples:
        >>> store = MemoryStore()
    """

    def __init__(self) -> None:
        self._cases: dict[str, CaseRecord] = {}
        self._actions: dict[str, ActionRow] = {}
        self._case_keys: dict[str, set[str]] = {}  # case id -> its action keys, for look-ups
        self._journal: list[JournalEntry] = []
        self._version = 0
        self._seq = 0

    async def migrate(self) -> int:
        """Nothing to create in memory; return the schema version for symmetry."""
        self._version = LATEST_SCHEMA
        return self._version

    async def aclose(self) -> None:
        """Nothing to release."""

    # -- cases --------------------------------------------------------------------------

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
        at = aware(at, field="at", operation="enroll")
        old = self._cases.get(case.id)
        record = CaseRecord(
            case=case,
            campaign_id=campaign_id,
            campaign_version=campaign_version,
            status=status,
            next_action_at=maybe_aware(next_action_at, field="next_action_at", operation="enroll"),
            version=old.version + 1 if old else 1,
            created_at=old.created_at if old else at,
            updated_at=at,
        )
        self._cases[case.id] = record
        return record

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
        """Change a stored case's data, status or next look; ``None`` options stay unchanged."""
        at = aware(at, field="at", operation="update_case")
        old = self._cases.get(case_id)
        if old is None:
            raise CaseNotFoundError(f"no case {case_id!r} is stored; enroll it first")
        if expected_version is not None and old.version != expected_version:
            raise VersionConflictError(
                f"case {case_id!r} is at version {old.version}, not {expected_version};"
                " read it again and retry"
            )
        changes: dict[str, Any] = {"version": old.version + 1, "updated_at": at}
        if case is not None:
            changes["case"] = case
        if status is not None:
            changes["status"] = CaseStatus(status)
        if next_action_at is not UNCHANGED:
            changes["next_action_at"] = maybe_aware(
                next_action_at, field="next_action_at", operation="update"
            )
        record = old.model_copy(update=changes)
        self._cases[case_id] = record
        return record

    async def get_case(self, case_id: str, /) -> CaseRecord | None:
        """The stored case, or ``None``."""
        return self._cases.get(case_id)

    async def save_many(self, saves: Sequence[CaseSave], /, *, at: datetime) -> list[str]:
        """Apply many `CaseSave`s; return the ids left untouched (version moved, unknown)."""
        untouched: list[str] = []
        for save in saves:
            if save.expected_version == 0:  # a new case: enrolled unless the id is taken
                if save.case.id in self._cases:
                    untouched.append(save.case.id)
                    continue
                await self.enroll(
                    save.case,
                    campaign_id=save.campaign_id or "",
                    campaign_version=save.campaign_version or 1,
                    at=at,
                    status=save.status,
                    next_action_at=save.next_action_at,
                )
            else:
                try:
                    await self.update_case(
                        save.case.id,
                        at=at,
                        case=save.case,
                        status=save.status,
                        next_action_at=save.next_action_at,
                        expected_version=save.expected_version,
                    )
                except (CaseNotFoundError, VersionConflictError):
                    untouched.append(save.case.id)
                    continue
            if save.cancel:
                await self.cancel_pending(save.case.id, at=at, reasons=save.cancel)
            elif save.schedule:
                await self.schedule(save.schedule, at=at)
        return untouched

    async def get_cases(self, case_ids: Sequence[str], /) -> dict[str, CaseRecord]:
        """Several stored cases by id; unknown ids are left out."""
        return {i: self._cases[i] for i in case_ids if i in self._cases}

    async def cases(
        self,
        *,
        status: CaseStatus | None = None,
        due_by: datetime | None = None,
        after: str | None = None,
        limit: int = 1000,
    ) -> list[CaseRecord]:
        """Cases in id order, optionally by status and with ``next_action_at <= due_by``."""
        due = maybe_aware(due_by, field="due_by", operation="cases")
        found = [
            r
            for key, r in sorted(self._cases.items())
            if (after is None or key > after)
            and (status is None or r.status == status)
            and (due is None or (r.next_action_at is not None and r.next_action_at <= due))
        ]
        return found[:limit]

    async def record_event(self, event: Event, /) -> JournalEntry:
        """Write a host event (payment, dispute, delivery status, ...) to the journal."""
        return self._write(
            JournalKind.EVENT,
            aware(event.at, field="event.at", operation="record_event"),
            case_id=event.case_id,
            idempotency_key=getattr(event, "idempotency_key", None),
            channel=getattr(event, "channel", None),
            provider_message_id=getattr(event, "provider_message_id", None),
            step_id=getattr(event, "step_id", None),
            event=event,
        )

    # -- actions ------------------------------------------------------------------------

    async def schedule(self, actions: Iterable[Action], /, *, at: datetime) -> int:
        """Plan actions; return how many were new (planned ones are replaced, others kept)."""
        at = aware(at, field="at", operation="schedule")
        new = 0
        for action in actions:
            due = aware(action.due_at, field="due_at", operation="schedule")
            row = self._actions.get(action.idempotency_key)
            if row is None:
                self._actions[action.idempotency_key] = ActionRow(
                    action, ActionStatus.PLANNED, due, at
                )
                self._case_keys.setdefault(action.case_id, set()).add(action.idempotency_key)
                self._write(JournalKind.PLANNED, at, action=action, reasons=action.reasons)
                new += 1
            elif row.status is ActionStatus.PLANNED:
                row.action, row.available_at, row.updated_at = action, due, at
            elif row.status in _UNSENT and row.attempting_since is None:
                self._revive(row, action, due, at)
        return new

    def _revive(self, row: ActionRow, action: Action, due: datetime, at: datetime) -> None:
        """Plan again an action that was skipped or cancelled before any provider call."""
        row.action, row.status, row.available_at, row.updated_at = (
            action,
            ActionStatus.PLANNED,
            due,
            at,
        )
        row.finished_at, row.lease_id, row.lease_owner, row.reasons = None, None, None, ()
        self._write(JournalKind.PLANNED, at, action=action, reasons=action.reasons)

    def _case_rows(self, case_id: str) -> list[ActionRow]:
        return [self._actions[k] for k in self._case_keys.get(case_id, ())]

    async def claim_due(
        self, now: datetime, /, *, limit: int, lease: timedelta, worker: str
    ) -> list[Claim]:
        """Lease up to ``limit`` actions due at ``now``, earliest first."""
        check_claim_options(limit=limit, lease=lease, worker=worker)
        now = aware(now, field="now", operation="claim_due")
        due = heapq.nsmallest(  # = sorted(...)[:limit], without sorting everything that is due
            limit,
            (r for r in self._actions.values() if r.status in _OPEN and r.available_at <= now),
            key=lambda r: (r.available_at, r.action.case_id, r.action.idempotency_key),
        )
        lease_id = uuid.uuid4().hex
        return [self._claim(row, now, lease, lease_id, worker) for row in due]

    def _claim(
        self, row: ActionRow, now: datetime, lease: timedelta, lease_id: str, worker: str
    ) -> Claim:
        taken_over = row.status is ActionStatus.CLAIMED
        row.status, row.attempts, row.lease_id, row.lease_owner = (
            ActionStatus.CLAIMED,
            row.attempts + 1,
            lease_id,
            worker,
        )
        row.available_at, row.updated_at = now + lease, now
        self._write(
            JournalKind.CLAIMED,
            now,
            action=row.action,
            attempt=row.attempts,
            worker=worker,
            reasons=(TAKEN_OVER,) if taken_over else (),
        )
        return Claim(
            action=row.action,
            lease_id=lease_id,
            attempt=row.attempts,
            worker=worker,
            lease_expires_at=row.available_at,
            uncertain_since=row.attempting_since,
        )

    def _held(self, claim: Claim, at: datetime) -> ActionRow:
        row = self._actions.get(claim.idempotency_key)
        if (
            row is None
            or row.status is not ActionStatus.CLAIMED
            or row.lease_id != claim.lease_id
            or row.available_at <= at
        ):
            raise LeaseLostError(lease_lost_message(claim.idempotency_key, claim.lease_id))
        return row

    async def extend_lease(self, claim: Claim, /, *, at: datetime, lease: timedelta) -> Claim:
        """Push the lease to ``at + lease``; return the claim with its new expiry."""
        check_claim_options(limit=1, lease=lease, worker=claim.worker)
        at = aware(at, field="at", operation="extend_lease")
        row = self._held(claim, at)
        row.available_at = at + lease
        return claim.model_copy(update={"lease_expires_at": row.available_at})

    async def mark_attempting(
        self, claim: Claim, /, *, at: datetime, channel: str | None = None
    ) -> None:
        """Record that the provider is about to be called, so a crash leaves a trace."""
        at = aware(at, field="at", operation="mark_attempting")
        row = self._held(claim, at)
        row.attempting_since = at
        self._write(
            JournalKind.ATTEMPTING,
            at,
            action=row.action,
            attempt=claim.attempt,
            worker=claim.worker,
            channel=channel or row.action.channel,
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
        """Mark the claimed action sent (on ``channel`` when a fallback was used)."""
        at = aware(at, field="at", operation="complete")
        row = self._finish(claim, at, ActionStatus.SENT, tuple(reasons))
        row.channel = channel or row.action.channel
        row.provider_message_id, row.cost = provider_message_id, cost
        self._write(
            JournalKind.SENT,
            at,
            action=row.action,
            attempt=claim.attempt,
            worker=claim.worker,
            channel=row.channel,
            provider_message_id=provider_message_id,
            cost=cost,
            reasons=row.reasons,
        )

    async def fail(
        self,
        claim: Claim,
        /,
        *,
        at: datetime,
        reasons: Sequence[Reason],
        retry_at: datetime | None = None,
    ) -> None:
        """Mark the claimed action failed, or planned again at ``retry_at`` when given."""
        found = check_reasons(reasons, operation="fail")
        at = aware(at, field="at", operation="fail")
        if retry_at is None:
            row = self._finish(claim, at, ActionStatus.FAILED, found)
            kind = JournalKind.FAILED
        else:
            retry = aware(retry_at, field="retry_at", operation="fail")
            row = self._held(claim, at)
            row.status, row.available_at, row.lease_id, row.lease_owner = (
                ActionStatus.PLANNED,
                retry,
                None,
                None,
            )
            row.attempting_since, row.reasons, row.updated_at = None, found, at
            kind = JournalKind.RETRY
        self._write(
            kind, at, action=row.action, attempt=claim.attempt, worker=claim.worker, reasons=found
        )

    async def skip(self, claim: Claim, /, *, at: datetime, reasons: Sequence[Reason]) -> None:
        """Mark the claimed action skipped (paid in the meantime, no consent, ...)."""
        found = check_reasons(reasons, operation="skip")
        at = aware(at, field="at", operation="skip")
        row = self._finish(claim, at, ActionStatus.SKIPPED, found)
        self._write(
            JournalKind.SKIPPED,
            at,
            action=row.action,
            attempt=claim.attempt,
            worker=claim.worker,
            reasons=found,
        )

    def _finish(
        self, claim: Claim, at: datetime, status: ActionStatus, reasons: tuple[Reason, ...]
    ) -> ActionRow:
        row = self._held(claim, at)
        row.status, row.finished_at, row.updated_at, row.reasons = status, at, at, reasons
        if status is not ActionStatus.SKIPPED:  # a skip keeps an earlier attempt's start
            row.attempting_since = None
        return row

    async def mark_attempting_many(
        self, claims: Sequence[Claim], /, *, at: datetime
    ) -> list[Claim]:
        """Record coming provider calls; return the claims still held."""
        held = []
        for claim in claims:
            try:
                await self.mark_attempting(claim, at=at)
            except LeaseLostError:
                continue
            held.append(claim)
        return held

    async def finish_many(self, completions: Sequence[Completion], /) -> list[Claim]:
        """Apply many outcomes; return the claims whose lease was lost."""
        lost = []
        for c in completions:
            try:
                if c.status is ActionStatus.SENT:
                    await self.complete(
                        c.claim,
                        at=c.at,
                        channel=c.channel,
                        provider_message_id=c.provider_message_id,
                        cost=c.cost,
                        reasons=c.reasons,
                    )
                elif c.status is ActionStatus.FAILED:
                    await self.fail(c.claim, at=c.at, reasons=c.reasons, retry_at=c.retry_at)
                else:
                    await self.skip(c.claim, at=c.at, reasons=c.reasons)
            except LeaseLostError:
                lost.append(c.claim)
        return lost

    async def cancel_pending(
        self, case_id: str, /, *, at: datetime, reasons: Sequence[Reason]
    ) -> int:
        """Cancel the case's planned actions (and claims whose lease has expired at ``at``)."""
        found = check_reasons(reasons, operation="cancel_pending")
        at = aware(at, field="at", operation="cancel_pending")
        rows = [
            r
            for r in self._case_rows(case_id)
            if (
                r.status is ActionStatus.PLANNED
                or (r.status is ActionStatus.CLAIMED and r.available_at <= at)
            )
        ]
        for row in sorted(rows, key=lambda r: (r.available_at, r.action.idempotency_key)):
            row.status, row.finished_at, row.updated_at = ActionStatus.CANCELLED, at, at
            row.reasons = found
            self._write(JournalKind.CANCELLED, at, action=row.action, reasons=found)
        return len(rows)

    async def next_due_at(self) -> datetime | None:
        """When the earliest unfinished action becomes claimable, or ``None``."""
        times = [r.available_at for r in self._actions.values() if r.status in _OPEN]
        return min(times, default=None)

    async def pending(self, case_id: str, /) -> list[ActionRecord]:
        """The case's unfinished (planned or claimed) actions, earliest first."""
        rows = [r for r in self._case_rows(case_id) if r.status in _OPEN]
        rows.sort(key=lambda r: (r.available_at, r.action.idempotency_key))
        return [r.record() for r in rows]

    async def get_action(self, idempotency_key: str, /) -> ActionRecord | None:
        """The action with this key, whatever its status, or ``None``."""
        row = self._actions.get(idempotency_key)
        return row.record() if row else None

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
        start = maybe_aware(since, field="since", operation="history")
        found = [
            e
            for e in self._journal
            if (case_id is None or e.case_id == case_id)
            and (start is None or e.at >= start)
            and (after_seq is None or e.seq > after_seq)
        ]
        return found if limit is None else found[:limit]

    async def purge(self, *, older_than: datetime) -> PurgeReport:
        """Delete journal entries, finished actions and closed cases last touched before then."""
        cutoff = aware(older_than, field="older_than", operation="purge")
        journal = [e for e in self._journal if e.at >= cutoff]
        actions = {
            k: r
            for k, r in self._actions.items()
            if not r.status.is_final or (r.finished_at is not None and r.finished_at >= cutoff)
        }
        busy = {r.action.case_id for r in actions.values() if not r.status.is_final}
        cases = {
            k: c
            for k, c in self._cases.items()
            if c.status not in _CLOSED_CASES or c.updated_at >= cutoff or k in busy
        }
        report = PurgeReport(
            journal_entries=len(self._journal) - len(journal),
            actions=len(self._actions) - len(actions),
            cases=len(self._cases) - len(cases),
        )
        self._journal, self._actions, self._cases = journal, actions, cases
        self._case_keys = {}
        for key, row in actions.items():
            self._case_keys.setdefault(row.action.case_id, set()).add(key)
        return report

    def _write(
        self, kind: JournalKind, at: datetime, *, action: Action | None = None, **fields: Any
    ) -> JournalEntry:
        if action is not None:
            fields = {
                "case_id": action.case_id,
                "idempotency_key": action.idempotency_key,
                "campaign_id": action.campaign_id,
                "campaign_version": action.campaign_version,
                "step_id": action.step_id,
                "channel": action.channel,
                "variant": action.variant,
                **fields,
            }
        self._seq += 1
        entry = JournalEntry(seq=self._seq, at=at, kind=kind, **fields)
        self._journal.append(entry)
        return entry
