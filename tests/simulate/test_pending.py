"""The pending-event queue, and a small day-by-day loop that is reproducible end to end."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

import creditcomms as cc
from creditcomms.analytics import JournalBuilder, KpiTable, compute_kpis
from creditcomms.simulate import PendingEvents

DAY0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _payment(case_id: str, hours: int) -> cc.PaymentReceived:
    return cc.PaymentReceived(
        case_id=case_id, at=DAY0 + timedelta(hours=hours), amount=cc.Money("5.00", "EUR")
    )


class TestPendingEvents:
    """Events come out when the clock reaches them, oldest first."""

    def test_time_order(self) -> None:
        """Events added in any order leave in time order, ties in insertion order."""
        pending = PendingEvents()
        pending.add([_payment("b", 5), _payment("a", 1), _payment("c", 5)])
        assert [e.case_id for e in pending.pop_due(DAY0 + timedelta(hours=5))] == ["a", "b", "c"]
        assert len(pending) == 0

    def test_only_due_events(self) -> None:
        """Later events stay queued."""
        pending = PendingEvents()
        pending.add([_payment("a", 1), _payment("b", 48)])
        assert [e.case_id for e in pending.pop_due(DAY0 + timedelta(days=1))] == ["a"]
        assert len(pending) == 1

    def test_cancel(self) -> None:
        """Cancelling drops a case's queued events but keeps what is added afterwards."""
        pending = PendingEvents()
        pending.add([_payment("a", 1), _payment("b", 2)])
        pending.cancel("a")
        pending.add([_payment("a", 3)])
        due = pending.pop_due(DAY0 + timedelta(days=1))
        assert [(e.case_id, e.at.hour) for e in due] == [("b", 11), ("a", 12)]


def _simulate(seed: int) -> KpiTable:
    """Ten days: an email on day 0, an SMS on day 5 to cases still open, events fed back."""
    portfolio = cc.synthetic_portfolio(300, seed=seed, start=DAY0.date(), countries={"DE": 1})
    model = cc.ResponseModel(seed=seed)
    pending, builder = PendingEvents(), JournalBuilder()
    open_amount = {c.id: c.open_amount for c in portfolio}
    for day in range(10):
        today = DAY0.date() + timedelta(days=day)
        if day in (0, 5):
            channel = "email" if day == 0 else "sms"
            for case in portfolio:
                if open_amount[case.id].is_positive:
                    sent_at = datetime.combine(today, time(9), UTC)
                    key = f"{case.id}:{channel}"
                    builder.send(
                        key, at=sent_at, case_id=case.id, campaign="c", step=channel,
                        channel=channel, cost=model.cost(channel), variant="A",
                    )  # fmt: skip
                    pending.add(
                        model.respond(
                            case.id, profile=portfolio.profile(case.id), channel=channel,
                            tone="neutral", sent_at=sent_at, open_amount=open_amount[case.id],
                            idempotency_key=key,
                        )
                    )  # fmt: skip
        for event in pending.pop_due(datetime.combine(today, time(23, 59), UTC)):
            case = portfolio.case(event.case_id)
            if isinstance(event, cc.PaymentReceived):
                open_amount[case.id] = open_amount[case.id] - event.amount
                if not open_amount[case.id].is_positive:
                    pending.cancel(case.id)
            builder.record(event, due_on=case.oldest_due_on)
    return compute_kpis(builder.build(), by=("channel",))


def test_simulation_is_reproducible() -> None:
    """The same seed gives the same KPI table; another seed gives another."""
    first = _simulate(21)
    assert first == _simulate(21)
    assert first != _simulate(22)
    email, sms = first.groups
    assert email.attempts == 300
    assert 0 < sms.attempts < 300
    assert email.delivered + email.bounced == email.sent
    assert email.collected > Decimal(0)


def test_builder_needs_due_date() -> None:
    """A payment without its due date is refused with the fix."""
    builder = JournalBuilder()
    with pytest.raises(cc.ConfigurationError, match="due_on="):
        builder.record(_payment("a", 1))
    builder.record(_payment("a", 1), due_on=date(2026, 11, 1))
    assert len(builder.build().payments) == 1
