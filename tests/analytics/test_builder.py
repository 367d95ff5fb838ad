"""The journal builder: sends by key, delivery reports, payments, opt-outs and feedback."""

from __future__ import annotations

from datetime import UTC, date, datetime

import creditcomms as cc
from creditcomms.analytics import JournalBuilder, SendStatus

AT = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)


def _builder() -> JournalBuilder:
    builder = JournalBuilder()
    for key, channel in (("k-email", "email"), ("k-sms", "sms")):
        builder.send(
            key,
            at=AT,
            case_id="C-1",
            campaign="b2c",
            step="reminder-1",
            channel=channel,
            cost=cc.Money("0.10", "EUR"),
            variant="A",
            tone="friendly",
        )
    return builder


def _report(key: str | None, status: str) -> cc.DeliveryStatusChanged:
    return cc.DeliveryStatusChanged(case_id="C-1", at=AT, status=status, idempotency_key=key)


class TestJournalBuilder:
    """Events update or extend the journal under construction."""

    def test_reports_move_status_up_the_ladder(self) -> None:
        """Delivered, then clicked, then a late 'opened' leaves the send at clicked."""
        builder = _builder()
        for status in ("delivered", "clicked", "opened"):
            builder.record(_report("k-email", status))
        builder.record(_report("k-sms", "bounced"))
        statuses = {s.channel: s.status for s in builder.build().sends}
        assert statuses == {"email": SendStatus.CLICKED, "sms": SendStatus.BOUNCED}

    def test_unknown_reports_are_ignored(self) -> None:
        """Reports without a key, or for another journal's key, change nothing."""
        builder = _builder()
        builder.record(_report(None, "delivered"))
        builder.record(_report("elsewhere", "delivered"))
        assert {s.status for s in builder.build().sends} == {SendStatus.SENT}

    def test_payments_opt_outs_feedback(self) -> None:
        """Payments get their due date; opt-outs and feedback are kept; others are skipped."""
        builder = _builder()
        builder.record(
            cc.PaymentReceived(case_id="C-1", at=AT, amount=cc.Money("9.00", "EUR")),
            due_on=date(2026, 11, 1),
        )
        builder.record(cc.OptOut(case_id="C-1", at=AT, channel="sms"))
        builder.record(cc.Feedback(case_id="C-1", at=AT, rating=4))
        builder.record(cc.HoldPlaced(case_id="C-1", at=AT))
        journal = builder.build()
        assert [(p.amount, p.due_on) for p in journal.payments] == [
            (cc.Money("9.00", "EUR"), date(2026, 11, 1))
        ]
        assert (len(journal.opt_outs), len(journal.feedback)) == (1, 1)
        assert len(journal.sends) == 2
