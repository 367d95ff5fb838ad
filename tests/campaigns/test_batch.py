"""Batch planning gives exactly the plans of one-by-one planning, only faster."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from campaign_kit import make_case, record, six_steps
from hypothesis import given, settings
from hypothesis import strategies as st

import creditcomms as cc

CAMPAIGN = six_steps()
STATES = [
    cc.CaseState(),
    cc.CaseState(promised_on=date(2026, 11, 12)),
    cc.CaseState(opted_out=frozenset({"sms"})),
    cc.CaseState(disputed=True),
]


def _cases(specs: list[tuple[int, int, int, int]]) -> list[cc.Case]:
    cases = []
    for number, (due_shift, state, sent_days, zone) in enumerate(specs):
        case_id = f"C-{number}"
        due = date(2026, 10, 1) + timedelta(days=due_shift)
        history = [
            record(
                CAMPAIGN,
                "reminder-1",
                datetime(2026, 10, 5, 9, tzinfo=UTC) + timedelta(days=d),
                case_id=case_id,
            )
            for d in range(sent_days)
        ][:1]
        cases.append(
            make_case(
                case_id=case_id,
                due=due,
                state=STATES[state],
                history=history,
                timezone=["Europe/Berlin", "America/New_York"][zone],
            )
        )
    return cases


spec = st.tuples(
    st.integers(min_value=0, max_value=4),
    st.integers(min_value=0, max_value=len(STATES) - 1),
    st.integers(min_value=0, max_value=1),
    st.integers(min_value=0, max_value=1),
)


@settings(max_examples=30, deadline=None)
@given(specs=st.lists(spec, min_size=1, max_size=25), full=st.booleans())
def test_batch_equals_one_by_one(specs: list[tuple[int, int, int, int]], full: bool) -> None:
    """Look-alike cases share work, yet every plan equals its one-by-one plan."""
    cases = _cases(specs)
    at = datetime(2026, 11, 10, 9, tzinfo=UTC)
    batch = list(CAMPAIGN.plan_many(iter(cases), at=at, upcoming=full))
    single = [CAMPAIGN.plan(case, at=at, upcoming=full) for case in cases]
    assert batch == single
    keys = [a.idempotency_key for plan in batch for a in plan.actions]
    assert len(keys) == len(set(keys))


def test_per_invoice_campaigns_are_planned_one_by_one() -> None:
    """Per-invoice grouping reads history through case ids, so it is never shared."""
    campaign = six_steps(grouping="invoice")
    cases = [make_case(case_id=f"C-{i}") for i in range(3)]
    at = datetime(2026, 11, 10, 9, tzinfo=UTC)
    assert list(campaign.plan_many(cases, at=at)) == [campaign.plan(c, at=at) for c in cases]
