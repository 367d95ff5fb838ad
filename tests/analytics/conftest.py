"""A small journal whose figures are worked out by hand in the tests.

Four cases, two steps. Day 0 is 2 November 2026, 09:00 UTC.

| # | case | step | channel | variant | day | status    | cost |
|---|------|------|---------|---------|-----|-----------|------|
| 0 | c1   | s1   | email   | A       | 0   | opened    | 0.00 |
| 1 | c2   | s1   | email   | B       | 0   | bounced   | 0.00 |
| 2 | c3   | s1   | email   | A       | 0   | clicked   | 0.00 |
| 3 | c4   | s1   | email   | B       | 0   | failed    | 0.00 |
| 4 | c1   | s2   | sms     | A       | 3   | delivered | 0.10 |
| 5 | c2   | s2   | sms     | B       | 3   | delivered | 0.10 |
| 6 | c4   | s2   | sms     | B       | 3   | delivered | 0.10 |

Payments: c1 100.00 on day 4 (due 30 Oct), c3 50.00 on day 1 (due 31 Oct), c2 20.00 on
day 30 (due 1 Nov; 27 days after its last contact, outside a 14-day window).
Opt-out: c4 from SMS on day 3 plus one hour. Feedback: three ratings.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

import creditcomms as cc
from creditcomms.analytics import Journal, PaymentRecord, SendRecord, SendStatus

DAY0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _send(case: str, step: str, variant: str, day: int, status: SendStatus) -> SendRecord:
    channel = "email" if step == "s1" else "sms"
    return SendRecord(
        at=DAY0 + timedelta(days=day),
        case_id=case,
        campaign="camp",
        step=step,
        channel=channel,
        variant=variant,
        segment="all",
        locale="de_DE",
        tone=cc.Tone.FRIENDLY if variant == "A" else cc.Tone.FIRM,
        cost=cc.Money("0.00" if channel == "email" else "0.10", "EUR"),
        status=status,
    )


@pytest.fixture(name="journal")
def _journal() -> Journal:
    """The hand-computed journal described in this module's docstring."""
    sends = [
        _send("c1", "s1", "A", 0, SendStatus.OPENED),
        _send("c2", "s1", "B", 0, SendStatus.BOUNCED),
        _send("c3", "s1", "A", 0, SendStatus.CLICKED),
        _send("c4", "s1", "B", 0, SendStatus.FAILED),
        _send("c1", "s2", "A", 3, SendStatus.DELIVERED),
        _send("c2", "s2", "B", 3, SendStatus.DELIVERED),
        _send("c4", "s2", "B", 3, SendStatus.DELIVERED),
    ]
    payments = [
        PaymentRecord(
            at=DAY0 + timedelta(days=4),
            case_id="c1",
            amount=cc.Money("100.00", "EUR"),
            due_on=date(2026, 10, 30),
        ),
        PaymentRecord(
            at=DAY0 + timedelta(days=1),
            case_id="c3",
            amount=cc.Money("50.00", "EUR"),
            due_on=date(2026, 10, 31),
        ),
        PaymentRecord(
            at=DAY0 + timedelta(days=30),
            case_id="c2",
            amount=cc.Money("20.00", "EUR"),
            due_on=date(2026, 11, 1),
        ),
    ]
    opt_outs = [cc.OptOut(case_id="c4", at=DAY0 + timedelta(days=3, hours=1), channel="sms")]
    feedback = [
        cc.Feedback(
            case_id="c1", at=DAY0, rating=5, comment="great", channel="email", step_id="s1"
        ),
        cc.Feedback(case_id="c3", at=DAY0, rating=4, channel="email", step_id="s1"),
        cc.Feedback(case_id="c4", at=DAY0, rating=1, comment="stop", channel="sms"),
    ]
    return Journal.of(sends, payments, opt_outs=opt_outs, feedback=feedback)
