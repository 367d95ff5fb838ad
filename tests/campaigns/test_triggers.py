"""Every trigger, as a table: when does a step become due?"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from campaign_kit import make_case, record

import creditcomms as cc

BERLIN = ZoneInfo("Europe/Berlin")
DUE = date(2026, 10, 30)  # a Friday
EARLY = datetime(2026, 10, 1, 12, tzinfo=UTC)


def _first_time(trigger: cc.Trigger, *, policy: cc.ContactPolicy | None = None) -> datetime:
    campaign = cc.Campaign("t", steps=[cc.Step("s", trigger, cc.EMAIL)], policy=policy)
    plan = campaign.plan(make_case(due=DUE), at=EARLY)
    assert len(plan.upcoming) == 1
    return plan.upcoming[0].due_at.astimezone(BERLIN)


@pytest.mark.parametrize(
    ("trigger", "expected_day"),
    [
        (cc.before_due(days=3), date(2026, 10, 27)),
        (cc.at_due(), DUE),
        (cc.after_due(days=3), date(2026, 11, 2)),
        (cc.after_due(days=0), DUE),
    ],
    ids=repr,
)
def test_due_anchored_triggers(trigger: cc.Trigger, expected_day: date) -> None:
    """Offsets count calendar days from the due date, at the start of the local day."""
    moment = _first_time(trigger)
    assert (moment.date(), moment.hour) == (expected_day, 0)


@pytest.mark.parametrize(
    ("trigger", "expected_day"),
    [
        (cc.after_due(business_days=1), date(2026, 11, 2)),  # Friday + 1 business day = Monday
        (cc.after_due(business_days=5), date(2026, 11, 6)),
        (cc.before_due(business_days=5), date(2026, 10, 23)),
    ],
    ids=repr,
)
def test_business_day_triggers_use_the_policy_calendar(
    trigger: cc.Trigger, expected_day: date
) -> None:
    """Business days skip weekends and the calendar's holidays."""
    policy = cc.ContactPolicy(calendar=cc.Calendar("DE"))
    assert _first_time(trigger, policy=policy).date() == expected_day


def test_business_days_skip_holidays() -> None:
    """Christmas and the weekend do not count: due 2026-12-23, 3 business days → 2026-12-29."""
    campaign = cc.Campaign(
        "t",
        steps=[cc.Step("s", cc.after_due(business_days=3), cc.EMAIL)],
        policy=cc.ContactPolicy(calendar=cc.Calendar("DE")),
    )
    plan = campaign.plan(make_case(due=date(2026, 12, 23)), at=EARLY)
    assert plan.upcoming[0].due_at.astimezone(BERLIN).date() == date(2026, 12, 29)


def test_after_previous_counts_from_the_actual_send() -> None:
    """The second step is due 7 days after the first one really went out (from history)."""
    campaign = cc.Campaign(
        "t",
        steps=[
            cc.Step("a", cc.after_due(days=1), cc.EMAIL),
            cc.Step("b", cc.after_previous(days=7), cc.EMAIL),
        ],
    )
    sent_at = datetime(2026, 11, 4, 15, 30, tzinfo=UTC)  # late, not on day 1
    case = make_case(due=DUE, history=[record(campaign, "a", sent_at)])
    plan = campaign.plan(case, at=sent_at + timedelta(hours=1))
    assert [(a.step_id, a.due_at) for a in plan.upcoming] == [("b", sent_at + timedelta(days=7))]


def test_after_previous_chains_planned_times_when_not_yet_sent() -> None:
    """Before anything is sent, the projection chains from the previous step's planned time."""
    campaign = cc.Campaign(
        "t",
        steps=[
            cc.Step("a", cc.after_due(days=1), cc.EMAIL),
            cc.Step("b", cc.after_previous(business_days=2), cc.EMAIL),
        ],
        policy=cc.ContactPolicy(calendar=cc.Calendar("DE")),
    )
    plan = campaign.plan(make_case(due=DUE), at=EARLY)
    days = [a.due_at.astimezone(BERLIN).date() for a in plan.upcoming]
    assert days == [date(2026, 10, 31), date(2026, 11, 3)]


def test_balance_condition() -> None:
    """``balance_at_least`` skips the step for smaller balances and keeps it for larger."""
    campaign = cc.Campaign(
        "t",
        steps=[
            cc.Step("a", cc.after_due(days=1), cc.EMAIL),
            cc.Step("big", cc.after_due(days=5) & cc.balance_at_least("500 EUR"), cc.LETTER),
            cc.Step("c", cc.after_due(days=9), cc.EMAIL),
        ],
    )
    small = campaign.plan(make_case(due=DUE, amount="100.00"), at=EARLY)
    assert [a.step_id for a in small.upcoming] == ["a", "c"]
    assert [h.reasons[0].code for h in small.skipped] == ["balance_below"]
    large = campaign.plan(make_case(due=DUE, amount="900.00"), at=EARLY)
    assert [a.step_id for a in large.upcoming] == ["a", "big", "c"]


def test_balance_trigger_alone_follows_the_previous_step() -> None:
    """Alone, a balance condition is due as soon as the sequence reaches the step."""
    campaign = cc.Campaign(
        "t",
        steps=[
            cc.Step("a", cc.after_due(days=1), cc.EMAIL),
            cc.Step("b", cc.balance_at_least("50 EUR"), cc.LETTER),
        ],
    )
    plan = campaign.plan(make_case(due=DUE), at=EARLY)
    assert plan.upcoming[0].due_at == plan.upcoming[1].due_at


@pytest.mark.parametrize(
    "make",
    [
        cc.after_due,
        lambda: cc.after_due(days=1, business_days=1),
        lambda: cc.after_due(days=-1),
        lambda: cc.before_due(days=1.5),
        lambda: cc.balance_at_least("0 EUR"),
        lambda: cc.after_due(days=1) & cc.after_previous(days=1),
        lambda: cc.balance_at_least("1 EUR") & cc.balance_at_least("2 EUR"),
        lambda: cc.Repeat(every=timedelta(minutes=5), times=2),
        lambda: cc.Repeat(every=timedelta(days=1), times=0),
    ],
)
def test_bad_triggers_are_refused(make: object) -> None:
    """Missing or doubled offsets, negative days, two time conditions, silly repeats."""
    with pytest.raises(cc.CampaignDefinitionError):
        make()  # type: ignore[operator]


def test_trigger_reprs_and_descriptions() -> None:
    """Triggers show as the code that builds them and describe themselves in words."""
    assert repr(cc.after_due(business_days=5)) == "after_due(business_days=5)"
    assert repr(cc.before_due(days=3)) == "before_due(days=3)"
    assert repr(cc.at_due()) == "at_due()"
    assert repr(cc.after_previous(days=7)) == "after_previous(days=7)"
    assert cc.before_due(days=1).describe() == "1 day before the due date"
    assert (
        "when at least 500.00 EUR is open"
        in (cc.at_due() & cc.balance_at_least("500 EUR")).describe()
    )


def test_after_previous_keeps_the_local_time_across_dst() -> None:
    """Seven days after a Friday 10:00 send before the October change is the next Friday 10:00."""
    campaign = cc.Campaign(
        "t",
        steps=[
            cc.Step("a", cc.after_due(days=1), cc.EMAIL),
            cc.Step("b", cc.after_previous(days=7), cc.EMAIL),
        ],
    )
    sent_at = datetime(2026, 10, 23, 10, tzinfo=BERLIN)
    case = make_case(due=date(2026, 10, 20), history=[record(campaign, "a", sent_at)])
    plan = campaign.plan(case, at=sent_at + timedelta(hours=1))
    local = plan.upcoming[0].due_at.astimezone(BERLIN)
    assert (local.date(), local.hour) == (date(2026, 10, 30), 10)
    assert plan.upcoming[0].due_at - sent_at == timedelta(days=7, hours=1)
