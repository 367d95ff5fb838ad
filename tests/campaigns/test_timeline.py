"""Dry runs: what a case receives over a period, with and without events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from campaign_kit import make_case

import creditcomms as cc

START = datetime(2026, 10, 20, 9, tzinfo=UTC)


def test_nothing_happens_for_60_days(campaign: cc.Campaign) -> None:
    """Without events the case receives the sequence in order, each step once."""
    timeline = campaign.timeline(make_case(), start=START, end=START + timedelta(days=60))
    steps = [a.step_id for a in timeline.sent]
    assert steps == [
        "pre-due",
        "reminder-1",
        "reminder-1",
        "reminder-2",
        "reminder-3",
        "final",
        "call",
    ]
    assert len({a.idempotency_key for a in timeline.sent}) == len(timeline.sent)
    assert timeline.last_plan.status == "finished"
    assert "reminder-2 via sms" in timeline.explain()


def test_payment_stops_the_sequence(campaign: cc.Campaign) -> None:
    """A full payment on day 16 stops everything after it."""
    paid = cc.PaymentReceived(
        case_id="C-1", at=START + timedelta(days=16), amount=cc.Money("100", "EUR")
    )
    timeline = campaign.timeline(
        make_case(), start=START, end=START + timedelta(days=60), events=[paid]
    )
    assert all(a.due_at < paid.at for a in timeline.sent)
    assert timeline.last_plan.status == "stopped"
    assert timeline.case.is_paid


def test_partial_payment_keeps_reminding(campaign: cc.Campaign) -> None:
    """A partial payment lowers the balance; reminders continue."""
    part = cc.PaymentReceived(
        case_id="C-1", at=START + timedelta(days=16), amount=cc.Money("40", "EUR")
    )
    timeline = campaign.timeline(
        make_case(), start=START, end=START + timedelta(days=60), events=[part]
    )
    assert timeline.case.open_amount == cc.Money("60", "EUR")
    assert timeline.sent[-1].step_id == "call"


def test_promise_on_day_10_pauses_then_escalates(campaign: cc.Campaign) -> None:
    """A promise on day 10 to pay by day 20 pauses; once broken, the next step goes out at once."""
    promise = cc.PromiseToPay(
        case_id="C-1", at=START + timedelta(days=10), promised_on=date(2026, 11, 9)
    )
    timeline = campaign.timeline(
        make_case(), start=START, end=START + timedelta(days=60), events=[promise]
    )
    during = [
        a for a in timeline.sent if promise.at <= a.due_at < datetime(2026, 11, 10, 23, tzinfo=UTC)
    ]
    assert during == []
    after = [a for a in timeline.sent if a.due_at >= promise.at]
    assert after[0].step_id == "reminder-1"  # the pre-due step went out before the promise
    assert "promise_broken" in [r.code for r in after[0].reasons]


def test_dispute_pauses_until_resolved(campaign: cc.Campaign) -> None:
    """Nothing goes out while a dispute is open; reminders resume when it is resolved."""
    opened = cc.DisputeOpened(case_id="C-1", at=START + timedelta(days=12), reason="never arrived")
    resolved = cc.DisputeResolved(case_id="C-1", at=START + timedelta(days=30))
    timeline = campaign.timeline(
        make_case(), start=START, end=START + timedelta(days=60), events=[opened, resolved]
    )
    assert not [a for a in timeline.sent if opened.at <= a.due_at < resolved.at]
    assert [a for a in timeline.sent if a.due_at >= resolved.at]
    rejected = cc.DisputeResolved(case_id="C-1", at=START + timedelta(days=30), upheld=False)
    stopped = campaign.timeline(
        make_case(), start=START, end=START + timedelta(days=60), events=[opened, rejected]
    )
    assert stopped.last_plan.status == "stopped"


def test_hold_opt_out_and_plan_events(campaign: cc.Campaign) -> None:
    """Holds pause, an SMS opt-out moves SMS steps to email, a payment plan pauses."""
    events = [
        cc.OptOut(case_id="C-1", at=START + timedelta(days=1), channel="sms"),
        cc.HoldPlaced(case_id="C-1", at=START + timedelta(days=20), until=date(2026, 11, 20)),
    ]
    timeline = campaign.timeline(
        make_case(), start=START, end=START + timedelta(days=60), events=events
    )
    assert "sms" not in {a.channel for a in timeline.sent}
    assert not [
        a
        for a in timeline.sent
        if events[1].at <= a.due_at < datetime(2026, 11, 19, 23, tzinfo=UTC)
    ]
    plan_agreed = cc.PaymentPlanAgreed(
        case_id="C-1",
        at=START + timedelta(days=14),
        instalments=[cc.Instalment(due_on=date(2026, 12, 31), amount=cc.Money("100", "EUR"))],
    )
    paused = campaign.timeline(
        make_case(), start=START, end=START + timedelta(days=60), events=[plan_agreed]
    )
    assert all(a.due_at < plan_agreed.at for a in paused.sent)
    assert paused.last_plan.status == "paused"


def test_events_for_another_case_are_refused(campaign: cc.Campaign) -> None:
    """Applying an event of another case is a mistake worth an error."""
    wrong = cc.OptOut(case_id="C-2", at=START, channel="sms")
    with pytest.raises(cc.ConfigurationError, match="C-2"):
        campaign.timeline(make_case(), start=START, end=START + timedelta(days=5), events=[wrong])


def test_contact_and_delivery_events_update_history(campaign: cc.Campaign) -> None:
    """An answered call lands in the history; a bounce marks the sent record."""
    call = cc.ContactAttempted(case_id="C-1", at=START, channel="phone_task", conversation=True)
    case = cc.apply_event(make_case(), call)
    assert case.history[-1].outcome == "conversation"
    first = campaign.timeline(make_case(), start=START, end=START + timedelta(days=10)).sent[0]
    bounced = cc.DeliveryStatusChanged(
        case_id="C-1", at=first.due_at, status="bounced", idempotency_key=first.idempotency_key
    )
    record = cc.ContactRecord(
        at=first.due_at, channel="email", idempotency_key=first.idempotency_key
    )
    updated = cc.apply_event(make_case(history=[record]), bounced)
    assert updated.history[0].outcome == "bounced"
