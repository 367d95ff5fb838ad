"""Every guard, as a table: paid, threshold, dispute, hold, payment plan, promise, opt-out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from campaign_kit import make_case, open_policy, record, six_steps

import creditcomms as cc

AT = datetime(2026, 11, 10, 10, tzinfo=UTC)  # 11 days after the due date 2026-10-30
PLAN = cc.PaymentPlan(
    instalments=[cc.Instalment(due_on=date(2026, 12, 1), amount=cc.Money("50", "EUR"))],
    agreed_at=datetime(2026, 11, 1, tzinfo=UTC),
)


@pytest.mark.parametrize(
    ("state", "guards", "status", "code", "resume"),
    [
        (
            cc.CaseState(disputed=True, dispute_reason="wrong amount"),
            cc.Guards(),
            "paused",
            "dispute",
            None,
        ),
        (cc.CaseState(disputed=True), cc.Guards(on_dispute="stop"), "stopped", "dispute", None),
        (cc.CaseState(on_hold=True, hold_reason="agent"), cc.Guards(), "paused", "hold", None),
        (
            cc.CaseState(on_hold=True, hold_until=date(2026, 11, 20)),
            cc.Guards(),
            "paused",
            "hold",
            date(2026, 11, 20),
        ),
        (
            cc.CaseState(hold_until=date(2026, 11, 20)),
            cc.Guards(),
            "paused",
            "hold",
            date(2026, 11, 20),
        ),
        (cc.CaseState(payment_plan=PLAN), cc.Guards(), "paused", "payment_plan", date(2026, 12, 2)),
        (
            cc.CaseState(promised_on=date(2026, 11, 15)),
            cc.Guards(),
            "paused",
            "promise_to_pay",
            date(2026, 11, 17),
        ),
        (
            cc.CaseState(promised_on=date(2026, 11, 15)),
            cc.Guards(promise_grace_days=0),
            "paused",
            "promise_to_pay",
            date(2026, 11, 16),
        ),
    ],
)
def test_pausing_and_stopping_guards(
    state: cc.CaseState, guards: cc.Guards, status: str, code: str, resume: date | None
) -> None:
    """Each guard gives its status, its reason code and, for timed pauses, the resume day."""
    campaign = six_steps(guards=guards)
    plan = campaign.plan(make_case(state=state), at=AT)
    assert plan.status == status
    assert code in [r.code for r in plan.reasons]
    assert plan.due == ()
    if status == "paused":
        assert [(h.kind, h.step_id) for h in plan.blocked] == [("blocked", "reminder-1")]
    if resume is None:
        assert plan.resume_at is None
        assert plan.upcoming == ()
    else:
        assert plan.resume_at is not None
        assert (
            plan.resume_at.astimezone(
                cc.Debtor(id="x", name="x", timezone="Europe/Berlin").zone
            ).date()
            == resume
        )
        assert all(a.due_at >= plan.resume_at for a in plan.upcoming)


def test_guards_not_active_any_more() -> None:
    """An expired hold, a finished payment plan or resolved dispute let reminders go out."""
    for state in (
        cc.CaseState(on_hold=True, hold_until=date(2026, 11, 1)),
        cc.CaseState(
            payment_plan=PLAN.model_copy(
                update={
                    "instalments": (
                        cc.Instalment(due_on=date(2026, 11, 1), amount=cc.Money("5", "EUR")),
                    )
                }
            )
        ),
        cc.CaseState(promised_on=date(2026, 11, 15)),
    ):
        plan = six_steps(guards=cc.Guards(pause_on_promise=False)).plan(
            make_case(state=state), at=AT
        )
        assert plan.status == "active", state


def test_paid_stops() -> None:
    """A case with nothing open is stopped with reason ``paid``."""
    paid = cc.Invoice(
        id="I-1",
        amount=cc.Money("100", "EUR"),
        open_amount=cc.Money("0", "EUR"),
        issued_on=date(2026, 10, 1),
        due_on=date(2026, 10, 30),
        status="paid",
    )
    plan = six_steps().plan(make_case(invoices=[paid]), at=AT)
    assert (plan.status, [r.code for r in plan.reasons]) == ("stopped", ["paid"])


def test_balance_below_threshold_stops() -> None:
    """``stop_below`` ends the campaign for small remaining balances, per currency."""
    guards = cc.Guards(stop_below=cc.Money("5.00", "EUR"))
    plan = six_steps(guards=guards).plan(make_case(amount="4.99"), at=AT)
    assert [r.code for r in plan.reasons] == ["below_threshold"]
    chf_only = cc.Guards(stop_below=("5.00 CHF",))
    assert six_steps(guards=chf_only).plan(make_case(amount="4.99"), at=AT).status == "active"


def test_broken_promise_escalates_to_the_next_step() -> None:
    """After a broken promise the next step goes out at once instead of at its trigger."""
    campaign = six_steps(policy=open_policy())
    reminder = record(campaign, "reminder-1", datetime(2026, 11, 2, 8, tzinfo=UTC))
    state = cc.CaseState(promised_on=date(2026, 11, 4))  # broken from 2026-11-06 (1 day grace)
    at = datetime(2026, 11, 7, 10, tzinfo=UTC)
    plan = campaign.plan(make_case(state=state, history=[reminder]), at=at)
    assert [(a.step_id, a.due_at) for a in plan.due] == [("reminder-2", at)]
    assert "promise_broken" in [r.code for r in plan.due[0].reasons]
    resumed = six_steps(policy=open_policy(), guards=cc.Guards(on_broken_promise="resume"))
    plan = resumed.plan(make_case(state=state, history=[reminder]), at=at)
    assert plan.due == ()
    assert plan.upcoming[0].step_id == "reminder-2"
    assert plan.upcoming[0].due_at == reminder.at + timedelta(days=7)


def test_escalation_happens_once() -> None:
    """Once a step went out after the promise broke, the sequence runs on its triggers again."""
    campaign = six_steps(policy=open_policy())
    history = [
        record(campaign, "reminder-1", datetime(2026, 11, 2, 8, tzinfo=UTC)),
        record(campaign, "reminder-2", datetime(2026, 11, 6, 8, tzinfo=UTC), channel="sms"),
    ]
    plan = campaign.plan(
        make_case(state=cc.CaseState(promised_on=date(2026, 11, 4)), history=history), at=AT
    )
    assert plan.due == ()
    assert plan.upcoming[0].due_at == datetime(2026, 11, 13, 8, tzinfo=UTC)


def test_opt_out_switches_to_the_fallback() -> None:
    """An SMS opt-out sends the SMS step by its email fallback and says why."""
    campaign = six_steps(policy=open_policy())
    history = [record(campaign, "reminder-1", datetime(2026, 11, 2, 8, tzinfo=UTC))]
    state = cc.CaseState(opted_out=frozenset({"sms"}))
    plan = campaign.plan(
        make_case(state=state, history=history), at=datetime(2026, 11, 9, 9, tzinfo=UTC)
    )
    assert [(a.step_id, a.channel) for a in plan.due] == [("reminder-2", "email")]
    codes = [r.code for r in plan.due[0].reasons]
    assert "fallback_used" in codes
    assert "opted out" in plan.due[0].reasons[codes.index("fallback_used")].detail


def test_bad_guards_are_refused() -> None:
    """Unknown dispute modes and negative grace are definition errors."""
    with pytest.raises(ValueError, match=r"."):
        cc.Guards(on_dispute="ignore")  # type: ignore[arg-type]
    with pytest.raises(cc.CampaignDefinitionError):
        cc.Guards(promise_grace_days=-1)


@pytest.mark.parametrize(
    ("stop_below", "message"),
    [
        (5, "give an amount with its currency"),
        ([5.0], "give an amount with its currency"),
        (["5.00 EUR", "3.00 EUR"], "give one amount per currency"),
    ],
)
def test_stop_below_needs_one_amount_per_currency(stop_below: object, message: str) -> None:
    """A bare number or two amounts in one currency are refused with the fix."""
    with pytest.raises(cc.CampaignDefinitionError, match=message):
        cc.Guards(stop_below=stop_below)  # type: ignore[arg-type]
