"""The planner: from a case, its history and a time to due, upcoming and held sends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from creditcomms.errors import ConfigurationError
from creditcomms.model import Case, Reason, zone
from creditcomms.policies._window import local_date

from ._action import Action
from ._fast import build_held, build_plan
from ._guards import GuardState, evaluate_guards
from ._history import sent_steps
from ._plan import Held, HeldKind, Plan, PlanStatus
from ._run import Run, cursor
from ._units import cycle_key, open_balance, units_of

if TYPE_CHECKING:
    from ._campaign import Campaign

__all__ = ["plan_case"]

_ACTIVE = PlanStatus.ACTIVE


def plan_case(
    campaign: Campaign,
    case: Case,
    /,
    *,
    at: datetime,
    segment: str | None = None,
    variant: str | None = None,
    full: bool = True,
    extra_reasons: tuple[Reason, ...] = (),
) -> Plan:
    """Plan ``case`` in ``campaign`` at ``at`` (see `Campaign.plan`)."""
    if at.tzinfo is None:
        raise ConfigurationError(f"at={at!r} has no time zone; pass an aware datetime")
    at = at.astimezone(UTC)
    tz = zone(case.debtor.timezone)
    today = local_date(at, tz)
    invoices = case.open_invoices
    balance = open_balance(invoices)
    guard = evaluate_guards(campaign.guards, case, balance, today, tz)
    reasons = (
        (*extra_reasons, *guard.reasons)
        if guard.reasons or type(extra_reasons) is not tuple
        else extra_reasons
    )
    status = guard.status
    if status is _ACTIVE:
        held: tuple[Held, ...] = ()
    else:
        held = _paused_step(campaign, case, guard, today)
        if status is PlanStatus.STOPPED or guard.resume_at is None:
            return build_plan(
                case.id,
                at,
                status,
                campaign.id,
                campaign.version,
                segment,
                variant,
                (),
                (),
                held,
                reasons,
                None,
                None,
                tz,
            )
    run = Run(campaign, case, at, tz, guard, segment, variant)
    run.held.extend(held)
    for unit in units_of(case, campaign.grouping, invoices, balance):  # type: ignore[arg-type]
        run.run(unit, full=full)
    return _finish(run, guard, reasons)


def _paused_step(
    campaign: Campaign, case: Case, guard: GuardState, today: date
) -> tuple[Held, ...]:
    """The step a pause holds back, as a blocked entry (nothing when not paused)."""
    if guard.status is not PlanStatus.PAUSED:
        return ()
    sent = sent_steps(case, campaign.id, campaign.step_ids, unit_key=cycle_key(case))
    index, _, _ = cursor(campaign.steps, sent)
    expired = today > case.oldest_due_on
    for step in campaign.steps[index + 1 :]:
        if not (expired and campaign.expires(step)):
            return (build_held(HeldKind.BLOCKED, step.id, None, 0, guard.reasons),)
    return ()


def _finish(run: Run, guard: GuardState, reasons: tuple[Reason, ...]) -> Plan:
    found = run.due
    due = tuple(sorted(found, key=_order) if len(found) > 1 else found)
    found = run.upcoming
    upcoming = tuple(sorted(found, key=_order) if len(found) > 1 else found)
    if guard.status is PlanStatus.PAUSED:
        status = PlanStatus.PAUSED
    else:
        status = PlanStatus.ACTIVE if due or upcoming else PlanStatus.FINISHED
    campaign = run.campaign
    return build_plan(
        run.case_id,
        run.at,
        status,
        campaign.id,
        campaign.version,
        run.segment,
        run.variant,
        due,
        upcoming,
        tuple(run.held),
        reasons,
        upcoming[0].due_at if upcoming else guard.resume_at,
        guard.resume_at,
        run.tz,
    )


def _order(action: Action) -> datetime:
    return action.due_at
