"""Dry runs: what a case receives over a period if nothing happens, or if events happen."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from creditcomms.errors import ConfigurationError
from creditcomms.model import Case, ContactRecord, EventBase

from ._action import Action
from ._events import apply_event
from ._plan import Plan

if TYPE_CHECKING:
    from ._campaign import Campaign

__all__ = ["Timeline", "simulate"]

_MAX_ROUNDS = 100_000


@dataclass(frozen=True, slots=True)
class Timeline:
    """The sends and events of a dry run, in time order, and the case at its end."""

    start: datetime
    end: datetime
    sent: tuple[Action, ...]
    events: tuple[EventBase, ...]
    case: Case
    last_plan: Plan

    def explain(self) -> str:
        """One line per send or event, in the debtor's local time."""
        tz = self.last_plan.timezone or UTC
        rows: list[tuple[datetime, str]] = [
            (a.due_at, f"{a.step_id}{f' #{a.repeat}' if a.repeat else ''} via {a.channel}")
            for a in self.sent
        ]
        rows += [(e.at, f"event {type(e).__name__}") for e in self.events]
        rows.sort(key=lambda r: r[0])
        lines = [f"{at.astimezone(tz):%Y-%m-%d %H:%M}  {text}" for at, text in rows]
        lines.append(f"final: {self.last_plan.status.value}")
        return "\n".join(lines)


def simulate(
    campaign: Campaign,
    case: Case,
    /,
    *,
    start: datetime,
    end: datetime,
    events: Iterable[EventBase] = (),
    tick: timedelta = timedelta(days=1),
) -> Timeline:
    """Run the campaign from ``start`` to ``end``, sending every due action (see `timeline`)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ConfigurationError("timeline start and end must be timezone-aware datetimes")
    pending = sorted(events, key=lambda e: e.at)
    applied: list[EventBase] = []
    sent: list[Action] = []
    now = start.astimezone(UTC)
    plan = campaign.plan(case, at=now)
    for _ in range(_MAX_ROUNDS):
        while pending and pending[0].at <= now:
            event = pending.pop(0)
            case = apply_event(case, event)
            applied.append(event)
        plan = campaign.plan(case, at=now, upcoming=False)
        if plan.due:
            sent.extend(plan.due)
            case = case.model_copy(update={"history": (*case.history, *map(_record, plan.due))})
        following = [now + tick]
        if plan.next_at is not None:
            following.append(plan.next_at)
        if pending:
            following.append(pending[0].at)
        now = max(min(following), now + timedelta(seconds=1))
        if now > end:
            break
    return Timeline(start, end, tuple(sent), tuple(applied), case, plan)


def _record(action: Action) -> ContactRecord:
    return ContactRecord(
        at=action.due_at,
        channel=action.channel,
        campaign_id=action.campaign_id,
        step_id=action.step_id,
        idempotency_key=action.idempotency_key,
    )
