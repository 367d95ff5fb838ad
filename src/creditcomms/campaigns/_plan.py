"""Plans: what is due now, what comes later, and what is held back, each with reasons."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, tzinfo

from creditcomms.model import Reason

from ._action import Action

__all__ = ["Held", "HeldKind", "Plan", "PlanStatus"]


class PlanStatus(enum.StrEnum):
    """Where a case stands in its campaign."""

    ACTIVE = "active"
    """Something is due now or later."""
    PAUSED = "paused"
    """A guard holds the campaign (dispute, promise, plan, hold); see ``resume_at``."""
    STOPPED = "stopped"
    """Paid, below the stop threshold, or stopped by a dispute: nothing more will go out."""
    FINISHED = "finished"
    """Every step was sent or skipped."""
    UNASSIGNED = "unassigned"
    """No segment of the strategy matched and it has no default campaign."""


class HeldKind(enum.StrEnum):
    """Whether a held-back send may still happen."""

    BLOCKED = "blocked"
    """Held by a guard or policy; it goes out once the reason passes."""
    SKIPPED = "skipped"
    """Will not go out: expired, superseded, no channel can reach the case."""


@dataclass(frozen=True, slots=True)
class Held:
    """A send that is not planned, with the reasons."""

    kind: HeldKind
    step_id: str
    channel: str | None
    repeat: int
    reasons: tuple[Reason, ...]

    def describe(self) -> str:
        """One line: ``skipped pre-due/email: expired: ...``."""
        where = f"{self.step_id}/{self.channel}" if self.channel else self.step_id
        suffix = f" #{self.repeat}" if self.repeat else ""
        why = "; ".join(str(r) for r in self.reasons)
        return f"{self.kind.value} {where}{suffix}: {why}"


@dataclass(frozen=True, slots=True)
class Plan:
    """What a case should receive: due actions, later actions, and held-back ones.

    ``due`` holds actions whose ``due_at`` is at or before the planning time ``at``: send
    them now. ``upcoming`` holds the rest of the sequence as it would run if nothing
    happens, times already moved to allowed moments. ``next_at`` is when planning again can
    change something (the earliest upcoming action or the end of a pause).
    """

    case_id: str
    at: datetime
    status: PlanStatus
    campaign_id: str | None = None
    campaign_version: int | None = None
    segment: str | None = None
    variant: str | None = None
    due: tuple[Action, ...] = ()
    upcoming: tuple[Action, ...] = ()
    held: tuple[Held, ...] = ()
    reasons: tuple[Reason, ...] = ()
    """Plan-level reasons: segment assignment, stop and pause guards."""
    next_at: datetime | None = None
    resume_at: datetime | None = None
    """When a pause ends (promised date plus grace, hold end, payment plan end)."""
    timezone: tzinfo | None = None
    """The debtor's zone, for showing local times."""

    @property
    def actions(self) -> tuple[Action, ...]:
        """Due and upcoming actions, earliest first."""
        return self.due + self.upcoming

    @property
    def blocked(self) -> tuple[Held, ...]:
        """Held sends that may still go out later."""
        return tuple(h for h in self.held if h.kind is HeldKind.BLOCKED)

    @property
    def skipped(self) -> tuple[Held, ...]:
        """Held sends that will not go out."""
        return tuple(h for h in self.held if h.kind is HeldKind.SKIPPED)

    def _local(self, moment: datetime) -> str:
        shown = moment.astimezone(self.timezone) if self.timezone else moment
        name = getattr(self.timezone, "key", "UTC") if self.timezone else "UTC"
        return f"{shown:%Y-%m-%d %H:%M} {name}"

    def explain(self) -> str:
        """Every decision in words, one per line, for people and logs."""
        head = f"case {self.case_id} at {self._local(self.at)}: {self.status.value}"
        if self.campaign_id:
            head += f" in {self.campaign_id}@{self.campaign_version}"
        if self.segment:
            head += f" (segment {self.segment}"
            head += f", variant {self.variant})" if self.variant else ")"
        lines = [head, *(f"  - {r}" for r in self.reasons)]
        for title, actions in (("due now", self.due), ("upcoming", self.upcoming)):
            for action in actions:
                lines.append(f"{title}: {self._describe(action)}")
                lines.extend(f"    - {r}" for r in action.reasons)
        lines.extend(h.describe() for h in self.held)
        if self.next_at is not None:
            lines.append(f"plan again at {self._local(self.next_at)}")
        return "\n".join(lines)

    def _describe(self, action: Action) -> str:
        repeat = f" (repeat {action.repeat})" if action.repeat else ""
        return (
            f"{action.step_id}{repeat} via {action.channel} at {self._local(action.due_at)}"
            f" [template {action.template}, tone {action.tone.value}]"
        )

    def __str__(self) -> str:
        return self.explain()
