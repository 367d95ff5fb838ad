"""The store's data objects: stored cases and actions, claims, journal entries, statuses."""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import AwareDatetime, Field, model_validator

from creditcomms.campaigns import Action
from creditcomms.model import Case, Event, Model, Money, Reason
from creditcomms.model._base import FieldError

__all__ = [
    "ActionRecord",
    "ActionStatus",
    "CaseRecord",
    "CaseSave",
    "CaseStatus",
    "Claim",
    "Completion",
    "JournalEntry",
    "JournalKind",
    "PurgeReport",
]


class CaseStatus(enum.StrEnum):
    """Where a case stands in its sequence."""

    ACTIVE = "active"
    """Reminders run; ``next_action_at`` says when the planner should look again."""
    PAUSED = "paused"
    """A dispute, promise, plan or hold pauses reminders until it is lifted."""
    STOPPED = "stopped"
    """Paid, cancelled or written off: no further reminders."""
    COMPLETED = "completed"
    """Every step of the campaign has run."""


class ActionStatus(enum.StrEnum):
    """The life of one planned send: planned → claimed → sent | failed | skipped | cancelled."""

    PLANNED = "planned"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """True for the statuses an action never leaves."""
        return self not in {ActionStatus.PLANNED, ActionStatus.CLAIMED}


class JournalKind(enum.StrEnum):
    """What a journal entry records."""

    PLANNED = "planned"
    CLAIMED = "claimed"
    ATTEMPTING = "attempting"
    """Written just before the provider call: without a later outcome, the send is uncertain."""
    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"
    """A failed attempt that goes back to planned, due again at a later time."""
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    EVENT = "event"
    """A host event (payment, dispute, delivery status, ...) recorded for the case."""


class CaseRecord(Model):
    """A case as the store holds it: the data, the campaign pin, status and next look."""

    case: Case
    campaign_id: str
    campaign_version: int = Field(ge=1)
    status: CaseStatus = CaseStatus.ACTIVE
    next_action_at: AwareDatetime | None = None
    """When the planner should look at the case again (``None``: not scheduled)."""
    version: int = Field(default=1, ge=1)
    """Increases by one with every change, for optimistic concurrency."""
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @property
    def case_id(self) -> str:
        """The case's id."""
        return self.case.id


class ActionRecord(Model):
    """A scheduled action with its current state, looked up by idempotency key or case."""

    action: Action
    status: ActionStatus
    attempts: int = Field(ge=0)
    """How many times the action was claimed."""
    available_at: AwareDatetime
    """When it may be claimed: the due time, a retry time or the end of the current lease."""
    lease_owner: str | None = None
    lease_expires_at: AwareDatetime | None = None
    attempting_since: AwareDatetime | None = None
    """Set when an attempt called (or was about to call) the provider and has no outcome yet."""
    finished_at: AwareDatetime | None = None
    channel: str | None = None
    """The channel actually used (a fallback may differ from the planned one)."""
    provider_message_id: str | None = None
    cost: Money | None = None
    reasons: tuple[Reason, ...] = ()
    """The reasons given with the latest outcome (failure, skip, cancellation)."""

    @property
    def idempotency_key(self) -> str:
        """The action's idempotency key."""
        return self.action.idempotency_key

    @property
    def is_uncertain(self) -> bool:
        """True when an attempt may have reached the provider without its outcome recorded."""
        return self.attempting_since is not None and not self.status.is_final


class Claim(Model):
    """A worker's lease on one due action; pass it back to complete, fail or skip the action.

    ``lease_id`` is the fencing token: only the holder of the newest, unexpired lease can
    finish the action. ``uncertain_since`` is set when an earlier attempt recorded
    ``attempting`` and never finished: the provider may already have the message, so send it
    with the same idempotency key (or flag it, for channels without deduplication).
    """

    action: Action
    lease_id: str
    attempt: int = Field(ge=1)
    worker: str
    lease_expires_at: AwareDatetime
    uncertain_since: AwareDatetime | None = None

    @property
    def idempotency_key(self) -> str:
        """The claimed action's idempotency key."""
        return self.action.idempotency_key


class Completion(Model):
    """The outcome of one claimed action, for finishing many at once with ``finish_many``.

    ``status`` is ``sent``, ``failed`` or ``skipped``; a failure with ``retry_at`` plans the
    action again instead of ending it. Failures and skips need at least one reason.
    """

    claim: Claim
    status: ActionStatus
    at: AwareDatetime
    retry_at: AwareDatetime | None = None
    channel: str | None = None
    """The channel actually used, when a fallback replaced the planned one."""
    provider_message_id: str | None = None
    cost: Money | None = None
    reasons: tuple[Reason, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Completion:
        allowed = (ActionStatus.SENT, ActionStatus.FAILED, ActionStatus.SKIPPED)
        if self.status not in allowed:
            raise FieldError("status", self.status.value, "must be sent, failed or skipped")
        if self.status is not ActionStatus.SENT and not self.reasons:
            raise FieldError("reasons", (), f"a {self.status.value} action needs a reason")
        if self.retry_at is not None and self.status is not ActionStatus.FAILED:
            raise FieldError("retry_at", self.retry_at, "only a failed action can be retried")
        return self


class CaseSave(Model):
    """One case's changes for `Store.save_many`.

    The case data, status and next look are written; then either ``schedule``'s actions are
    planned or, when ``cancel`` gives reasons, the case's pending actions are cancelled.
    ``expected_version=0`` enrolls a new case, pinned to ``campaign_id`` at
    ``campaign_version``; it is left untouched when the store already has the case.
    """

    case: Case
    expected_version: int = Field(ge=0)
    """The version the changes were computed from; a case that moved on is left untouched.

    ``0``: the case is new (the store must not have it yet)."""
    status: CaseStatus
    next_action_at: AwareDatetime | None = None
    schedule: tuple[Action, ...] = ()
    cancel: tuple[Reason, ...] = ()
    campaign_id: str | None = None
    """The campaign a new case is pinned to (required with ``expected_version=0``)."""
    campaign_version: Annotated[int, Field(ge=1)] | None = None
    """The pinned campaign version of a new case (required with ``expected_version=0``)."""

    @model_validator(mode="after")
    def _new_case_pinned(self) -> CaseSave:
        if self.expected_version == 0 and (
            self.campaign_id is None or self.campaign_version is None
        ):
            raise FieldError(
                "campaign_id",
                self.campaign_id,
                "a new case (expected_version=0) needs campaign_id and campaign_version",
            )
        return self


class JournalEntry(Model):
    """One row of the journal: an attempt, an outcome or an event, with its reasons."""

    seq: int = Field(ge=0)
    """Position in the journal (increasing in commit order per store)."""
    at: AwareDatetime
    kind: JournalKind
    case_id: str
    idempotency_key: str | None = None
    campaign_id: str | None = None
    campaign_version: int | None = None
    step_id: str | None = None
    channel: str | None = None
    variant: str | None = None
    attempt: int | None = None
    worker: str | None = None
    cost: Money | None = None
    provider_message_id: str | None = None
    reasons: tuple[Reason, ...] = ()
    event: Annotated[Event | None, Field(default=None)] = None


class PurgeReport(Model):
    """What a retention purge removed."""

    journal_entries: int = Field(ge=0)
    actions: int = Field(ge=0)
    cases: int = Field(ge=0)

    @property
    def total(self) -> int:
        """Rows removed in all."""
        return self.journal_entries + self.actions + self.cases
