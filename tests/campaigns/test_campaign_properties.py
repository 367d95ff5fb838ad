"""Properties over many cases: windows, holidays, caps and gaps hold; plans are deterministic."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from campaign_kit import make_case, six_steps, standard_policy
from hypothesis import given, settings
from hypothesis import strategies as st

import creditcomms as cc

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Europe/London",
    "UTC",
]
CALENDAR = cc.Calendar("DE")
WINDOW = cc.SendWindow("08:00", "20:00", weekdays="mon-fri")
CAMPAIGN = six_steps(standard_policy())

zones = st.sampled_from(ZONES)
due_dates = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))
offsets = st.integers(min_value=-20 * 24 * 60, max_value=80 * 24 * 60)  # minutes from the due date


def _allowed(moment: datetime, zone: str) -> bool:
    local = moment.astimezone(ZoneInfo(zone))
    return WINDOW.allows(moment, ZoneInfo(zone)) and not CALENDAR.is_holiday(local.date())


@settings(max_examples=120, deadline=None)
@given(zone=zones, due=due_dates, offset=offsets)
def test_no_send_outside_the_window_or_on_a_holiday(zone: str, due: date, offset: int) -> None:
    """Every due and upcoming action lies inside Mon-Fri 08:00-20:00 local, off holidays."""
    at = datetime(due.year, due.month, due.day, tzinfo=UTC) + timedelta(minutes=offset)
    plan = CAMPAIGN.plan(make_case(due=due, timezone=zone), at=at)
    for action in plan.actions:
        assert _allowed(action.due_at, zone), (
            action.step_id,
            action.due_at.astimezone(ZoneInfo(zone)),
        )
        assert action.due_at >= at


@settings(max_examples=120, deadline=None)
@given(zone=zones, due=due_dates, offset=offsets)
def test_same_inputs_same_plan(zone: str, due: date, offset: int) -> None:
    """Planning the same case at the same time twice gives the same plan and keys."""
    at = datetime(due.year, due.month, due.day, tzinfo=UTC) + timedelta(minutes=offset)
    one = CAMPAIGN.plan(make_case(due=due, timezone=zone), at=at)
    two = CAMPAIGN.plan(make_case(due=due, timezone=zone), at=at)
    assert one.actions == two.actions
    assert one.held == two.held
    assert one.next_at == two.next_at


@settings(max_examples=25, deadline=None)
@given(zone=zones, due=due_dates, start_offset=st.integers(min_value=-10, max_value=20))
def test_caps_and_gaps_hold_over_90_days(zone: str, due: date, start_offset: int) -> None:
    """In a simulated 90 days: 2-day gaps between contacts, at most 2 SMS a week, in window."""
    start = datetime(due.year, due.month, due.day, 6, tzinfo=UTC) + timedelta(days=start_offset)
    timeline = CAMPAIGN.timeline(
        make_case(due=due, timezone=zone), start=start, end=start + timedelta(days=90)
    )
    moments = sorted({a.due_at for a in timeline.sent})
    for earlier, later in itertools.pairwise(moments):
        assert later - earlier >= timedelta(days=2)
    sms = sorted(a.due_at for a in timeline.sent if a.channel == "sms")
    for index, moment in enumerate(sms):
        assert sum(1 for t in sms[: index + 1] if moment - t < timedelta(days=7)) <= 2
    assert all(_allowed(a.due_at, zone) for a in timeline.sent)
    assert len({a.idempotency_key for a in timeline.sent}) == len(timeline.sent)


@settings(max_examples=25, deadline=None)
@given(due=due_dates, history_days=st.lists(st.integers(min_value=0, max_value=60), max_size=6))
def test_rolling_cap_with_foreign_history(due: date, history_days: list[int]) -> None:
    """SMS sent by other systems count against the cap: the planned SMS never breaks it."""
    base = datetime(due.year, due.month, due.day, 10, tzinfo=UTC)
    history = [cc.ContactRecord(at=base + timedelta(days=d), channel="sms") for d in history_days]
    at = base + timedelta(days=30)
    plan = CAMPAIGN.plan(make_case(due=due, history=history), at=at)
    times = sorted(r.at for r in history)
    for action in plan.actions:
        if action.channel == "sms":
            recent = [
                t for t in times if action.due_at - t < timedelta(days=7) and t <= action.due_at
            ]
            assert len(recent) < 2
            times = sorted([*times, action.due_at])


def test_dst_change_keeps_local_send_times() -> None:
    """Due-date steps around the autumn DST changes (Berlin, New York) open at 08:00 local."""
    for zone, due in (
        ("Europe/Berlin", date(2026, 10, 22)),
        ("America/New_York", date(2026, 10, 29)),
    ):
        timeline = CAMPAIGN.timeline(
            make_case(due=due, timezone=zone),
            start=datetime(2026, 10, 1, tzinfo=UTC),
            end=datetime(2026, 12, 31, tzinfo=UTC),
        )
        local = [a.due_at.astimezone(ZoneInfo(zone)) for a in timeline.sent]
        due_anchored = [
            t
            for a, t in zip(timeline.sent, local, strict=True)
            if a.step_id in {"pre-due", "reminder-1", "final", "call"}
        ]
        assert due_anchored
        assert all((t.hour, t.minute) == (8, 0) for t in due_anchored)
