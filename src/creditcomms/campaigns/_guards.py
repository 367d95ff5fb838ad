"""Stop and pause guards evaluated on a case at a time: paid, disputes, promises, holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from creditcomms._reasons import reason
from creditcomms.model import Case, Money, Reason
from creditcomms.policies._window import midnight

from ._plan import PlanStatus
from ._step import BrokenPromise, Guards, OnDispute

__all__ = ["GuardState", "evaluate_guards"]


@dataclass(frozen=True, slots=True)
class GuardState:
    """The outcome of the guards: go on, pause (until when) or stop, and why."""

    status: PlanStatus
    reasons: tuple[Reason, ...] = ()
    resume_at: datetime | None = None
    """End of a pause (UTC); ``None`` with ``PAUSED`` means until someone lifts it."""
    broken_at: datetime | None = None
    """When a broken promise should escalate the sequence (UTC), if it should."""


_GO = GuardState(PlanStatus.ACTIVE)


def _midnight(day: date, tz: tzinfo) -> datetime:
    return midnight(day, tz)


def evaluate_guards(
    guards: Guards, case: Case, balance: Money | None, today: date, tz: tzinfo, /
) -> GuardState:
    """Apply payment, threshold, dispute, hold, payment-plan and promise guards.

    ``balance`` is the open amount (``None`` when nothing is open).
    """
    stop = _stop(guards, case, balance)
    if stop is not None:
        return stop
    state = case.state
    if state.on_hold and state.hold_until is None:
        detail = f"on hold: {state.hold_reason}" if state.hold_reason else "on manual hold"
        return GuardState(PlanStatus.PAUSED, (reason("hold", detail),))
    pauses: list[tuple[datetime, Reason]] = []
    if state.hold_until is not None and state.hold_until > today:
        pauses.append(
            (_midnight(state.hold_until, tz), reason("hold", f"on hold until {state.hold_until}"))
        )
    plan = state.payment_plan
    if guards.pause_during_payment_plan and plan is not None and today <= plan.ends_on:
        detail = f"a payment plan runs until {plan.ends_on}"
        pauses.append(
            (_midnight(plan.ends_on + timedelta(days=1), tz), reason("payment_plan", detail))
        )
    broken_at = None
    if guards.pause_on_promise and state.promised_on is not None:
        end = state.promised_on + timedelta(days=guards.promise_grace_days)
        if today <= end:
            detail = f"the customer promised to pay by {state.promised_on}"
            pauses.append(
                (_midnight(end + timedelta(days=1), tz), reason("promise_to_pay", detail))
            )
        elif guards.on_broken_promise is BrokenPromise.ESCALATE:
            broken_at = _midnight(end + timedelta(days=1), tz)
    if pauses:
        resume = max(p[0] for p in pauses)
        return GuardState(PlanStatus.PAUSED, tuple(p[1] for p in pauses), resume_at=resume)
    if broken_at is not None:
        return GuardState(PlanStatus.ACTIVE, broken_at=broken_at)
    return _GO


def _stop(guards: Guards, case: Case, balance: Money | None) -> GuardState | None:
    if balance is None:
        return GuardState(PlanStatus.STOPPED, (reason("paid", "nothing is open any more"),))
    threshold = guards.threshold(balance.currency)
    if threshold is not None and balance < threshold:
        detail = f"the open balance {balance} is below {threshold}"
        return GuardState(PlanStatus.STOPPED, (reason("below_threshold", detail),))
    state = case.state
    if state.disputed:
        why = f"disputed: {state.dispute_reason}" if state.dispute_reason else "disputed"
        status = PlanStatus.STOPPED if guards.on_dispute is OnDispute.STOP else PlanStatus.PAUSED
        return GuardState(status, (reason("dispute", why),))
    return None
