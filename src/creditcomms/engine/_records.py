"""What the engine writes: case saves, skips, contact records, and the reasons it gives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from creditcomms.campaigns import Action, Plan, PlanStatus
from creditcomms.dispatch import Outcome
from creditcomms.model import Case, CaseState, ContactRecord, Reason
from creditcomms.model._trusted import trusted
from creditcomms.stores import ActionStatus, CaseRecord, CaseSave, CaseStatus, Claim, Completion

from ._report import RunReport
from ._unconfirmed import RECONCILE_WITHIN, replay

__all__ = ["case_save", "contact", "fallback_reasons", "merge", "skip", "why_not"]

_CASE_STATUS = {
    PlanStatus.ACTIVE: CaseStatus.ACTIVE,
    PlanStatus.PAUSED: CaseStatus.PAUSED,
    PlanStatus.STOPPED: CaseStatus.STOPPED,
    PlanStatus.FINISHED: CaseStatus.COMPLETED,
    PlanStatus.UNASSIGNED: CaseStatus.STOPPED,
}


def case_save(case: Case, version: int, plan: Plan) -> CaseSave:
    """What to store for ``case`` after ``plan``: stopped cases cancel, others schedule.

    ``version=0`` enrolls a new case in the plan's campaign.
    """
    status = _CASE_STATUS[plan.status]
    pin: dict[str, Any] = (
        {"campaign_id": plan.campaign_id or "", "campaign_version": plan.campaign_version or 1}
        if version == 0
        else {}
    )
    if status is CaseStatus.STOPPED:
        reasons = plan.reasons[-1:] or (Reason(code="stopped", detail="case closed"),)
        return CaseSave(
            case=case, expected_version=version, status=status, cancel=tuple(reasons), **pin
        )
    # A validated case, the planner's actions and aware times: built without re-validation.
    return trusted(
        CaseSave,
        case=case,
        expected_version=version,
        status=status,
        next_action_at=plan.next_at,
        schedule=plan.actions,
        **pin,
    )


def skip(claim: Claim, reasons: Sequence[Reason], *, at: datetime, report: RunReport) -> Completion:
    """A skipped completion for ``claim``, counted in ``report`` under its first reason."""
    report.skipped[reasons[0].code if reasons else "skipped"] += 1
    return Completion(claim=claim, status=ActionStatus.SKIPPED, at=at, reasons=tuple(reasons))


def contact(action: Action, outcome: Outcome, at: datetime) -> ContactRecord:
    """The contact-history entry for a sent action (on the channel that really sent it)."""
    # Every field comes from a validated action and message, and ``at`` passed claim_due.
    return trusted(
        ContactRecord,
        at=at,
        channel=outcome.message.channel,
        campaign_id=action.campaign_id,
        step_id=action.step_id,
        idempotency_key=action.idempotency_key,
    )


def fallback_reasons(
    action: Action, outcome: Outcome, passed_over: Sequence[Reason] = ()
) -> list[Reason]:
    """Why a message went out on another channel than planned (empty when it did not).

    ``passed_over`` holds why the renderer left planned channels out (no contact, an SMS
    over its cap); the dispatcher's ``fallback_from`` names channels whose sending failed.
    """
    sent_by = outcome.message.channel
    if sent_by == action.channel:
        return []
    left = [reason.detail.partition(":")[0] for reason in passed_over]
    tried = ", ".join((*left, *outcome.fallback_from)) or action.channel
    return [Reason(code="fallback", detail=f"sent by {sent_by} after {tried}"), *passed_over]


def merge(
    case: Case,
    stored: CaseRecord | None,
    *,
    at: datetime,
    balances_as_of: datetime | None = None,
    reconcile_within: timedelta = RECONCILE_WITHIN,
) -> Case:
    """The host's ``case`` with the stored history and state it does not carry itself.

    Payments recorded through the engine that the host has not confirmed by ``at`` (see
    `replay`) are applied again on top of the host's invoices.
    """
    if stored is None:
        if case.state.unconfirmed_payments:  # the engine's memory, never the host's
            state = case.state.model_copy(update={"unconfirmed_payments": ()})
            return case.model_copy(update={"state": state})
        return case
    known = {r.idempotency_key for r in case.history if r.idempotency_key}
    kept = [
        r
        for r in stored.case.history
        if r.idempotency_key is None or r.idempotency_key not in known
    ]
    history = tuple(sorted((*case.history, *kept), key=lambda r: r.at))
    state = _state(case, stored.case)
    if _new_cycle(case, stored.case):
        state = state.model_copy(update={"cycle": state.cycle + 1})
    merged = case.model_copy(update={"history": history, "state": state})
    return replay(merged, at=at, balances_as_of=balances_as_of, window=reconcile_within)


def _new_cycle(case: Case, stored: Case) -> bool:
    """True when every open invoice the host brings is new to the stored case.

    The invoices the earlier sequence was about were paid (or dropped from the host's
    open items), so a fresh sequence starts from its first step. An invoice the case knew
    keeps the cycle, even when a payment recorded here closed it and the host still sends
    it as open.
    """
    fresh = {invoice.id for invoice in case.invoices if invoice.is_open}
    return bool(fresh) and fresh.isdisjoint(invoice.id for invoice in stored.invoices)


_ENGINE_OWNED = frozenset({"unconfirmed_payments"})


def _state(case: Case, stored: Case) -> CaseState:
    """The stored state with the fields the host's case sets itself; opt-outs only add up.

    A host that tracks promises in its billing app sets ``promised_on`` and nothing else: a
    dispute or a hold recorded through `Engine.record` stays. Opt-outs recorded from the
    customer are never dropped by a sync (lift one with `Store.update_case`), and the
    dunning cycle never goes back. ``unconfirmed_payments`` is the engine's own memory: a
    host's value is ignored (the host confirms payments with ``balances_as_of``).
    """
    own = case.state.model_fields_set - _ENGINE_OWNED
    if not own:
        return stored.state
    update = {name: getattr(case.state, name) for name in own}
    update["opted_out"] = stored.state.opted_out | case.state.opted_out
    update["bounced"] = stored.state.bounced | case.state.bounced
    update["cycle"] = max(stored.state.cycle, case.state.cycle)  # never back to used keys
    return stored.state.model_copy(update=update)


def why_not(plan: Plan, action: Action) -> list[Reason]:
    """Why a claimed action is no longer due under the fresh ``plan``."""
    for held in plan.held:
        if held.step_id == action.step_id and held.channel in {None, action.channel}:
            return list(held.reasons)
    if plan.reasons and plan.status is not PlanStatus.ACTIVE:
        return [plan.reasons[-1]]
    return [Reason(code="not_due", detail=f"step {action.step_id} is no longer due")]
