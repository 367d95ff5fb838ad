"""Rules that hold for any journal: groups add up, rates stay in range, credit is conserved."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import creditcomms as cc
from creditcomms.analytics import (
    Journal,
    PaymentRecord,
    SendRecord,
    SendStatus,
    attribute_payments,
    compute_kpis,
)

DAY0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CASES = ("c0", "c1", "c2", "c3")

sends = st.builds(
    lambda case, hours, channel, variant, status: SendRecord(
        at=DAY0 + timedelta(hours=hours),
        case_id=case,
        campaign="camp",
        step=f"step-{channel}",
        channel=channel,
        variant=variant,
        cost=cc.Money("0.10", "EUR"),
        status=status,
    ),
    st.sampled_from(CASES),
    st.integers(min_value=0, max_value=24 * 30),
    st.sampled_from(("email", "sms", "letter")),
    st.sampled_from(("A", "B")),
    st.sampled_from(list(SendStatus)),
)
payments = st.builds(
    lambda case, hours, cents: PaymentRecord(
        at=DAY0 + timedelta(hours=hours),
        case_id=case,
        amount=cc.Money(Decimal(cents) / 100, "EUR"),
        due_on=date(2026, 11, 1),
    ),
    st.sampled_from(CASES),
    st.integers(min_value=0, max_value=24 * 40),
    st.integers(min_value=1, max_value=100_000),
)
journals = st.builds(
    Journal.of,
    st.lists(sends, min_size=1, max_size=25),
    st.lists(payments, max_size=10),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journal=journals)
def test_groups_add_up(journal: Journal) -> None:
    """Attempts, cost and collected over the channel groups equal the totals."""
    (total,) = compute_kpis(journal, by=()).groups
    groups = compute_kpis(journal, by=("channel",)).groups
    assert sum(g.attempts for g in groups) == total.attempts == len(journal.sends)
    assert sum((g.cost for g in groups), Decimal(0)) == total.cost
    assert sum((g.collected for g in groups), Decimal(0)) == total.collected
    for row in (total, *groups):
        assert row.sent + row.failed == row.attempts
        assert row.clicked + row.read <= row.opened <= row.delivered <= row.sent
        assert 0 <= row.paid_cases <= row.cases
        assert 0.0 <= row.collection_rate <= 1.0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journal=journals)
def test_credit_is_conserved(journal: Journal) -> None:
    """Last-touch credit plus the unattributed rest is every payment; linear credit agrees."""
    result = attribute_payments(journal)
    attributed = sum((row.amount for row in result.steps), Decimal(0))
    assert attributed + result.unattributed_amount == result.total_amount
    linear = sum((row.linear_amount for row in result.steps), Decimal(0))
    assert abs(linear - attributed) <= Decimal("0.01") * max(1, len(result.steps))
    (total,) = compute_kpis(journal, by=()).groups
    assert total.collected == attributed
