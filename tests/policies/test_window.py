"""Send windows in the debtor's zone, across DST, weekdays and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

import creditcomms as cc

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 23, 7, 59, tzinfo=BERLIN), datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN)),
        (datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN), datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN)),
        (
            datetime(2026, 11, 23, 19, 59, tzinfo=BERLIN),
            datetime(2026, 11, 23, 19, 59, tzinfo=BERLIN),
        ),
        (datetime(2026, 11, 23, 20, 0, tzinfo=BERLIN), datetime(2026, 11, 24, 8, 0, tzinfo=BERLIN)),
        (datetime(2026, 11, 27, 21, 0, tzinfo=BERLIN), datetime(2026, 11, 30, 8, 0, tzinfo=BERLIN)),
        (datetime(2026, 11, 28, 12, 0, tzinfo=BERLIN), datetime(2026, 11, 30, 8, 0, tzinfo=BERLIN)),
    ],
)
def test_next_open_moves_to_the_next_allowed_moment(moment: datetime, expected: datetime) -> None:
    """Before, at, inside, at the end of the window and on weekends (mon-fri window)."""
    window = cc.SendWindow("08:00", "20:00", weekdays="mon-fri")
    assert window.next_open(moment, BERLIN) == expected


def test_window_is_read_in_the_debtors_zone() -> None:
    """09:00 in Berlin is 03:00 in New York: allowed for one, moved for the other."""
    window = cc.SendWindow("08:00", "20:00")
    moment = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert window.allows(moment, BERLIN)
    assert not window.allows(moment, NEW_YORK)
    assert window.next_open(moment, NEW_YORK) == datetime(2026, 11, 23, 8, 0, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("tz", "day"),
    [
        (BERLIN, date(2026, 3, 29)),
        (BERLIN, date(2026, 10, 25)),
        (NEW_YORK, date(2026, 3, 8)),
        (NEW_YORK, date(2026, 11, 1)),
    ],
)
def test_window_start_is_right_on_dst_days(tz: ZoneInfo, day: date) -> None:
    """On the days clocks change, the window still opens at 08:00 local wall time."""
    window = cc.SendWindow("08:00", "20:00")
    before = datetime(day.year, day.month, day.day, 0, 30, tzinfo=tz).astimezone(UTC)
    opened = window.next_open(before, tz).astimezone(tz)
    assert (opened.date(), opened.hour, opened.minute) == (day, 8, 0)


def test_a_wall_time_skipped_by_dst_moves_forward() -> None:
    """A window opening at 02:30 on the spring-forward night opens at 03:30 instead."""
    window = cc.SendWindow("02:30", "05:00")
    opened = window.next_open(datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN), BERLIN)
    assert opened.astimezone(BERLIN).hour == 3
    assert opened.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_holidays_are_skipped() -> None:
    """Christmas in Germany: a send due on the 25th moves to the 28th (after a weekend)."""
    window = cc.SendWindow("08:00", "20:00", weekdays="mon-fri")
    calendar = cc.Calendar("DE")
    moved = window.next_open(
        datetime(2026, 12, 24, 21, 0, tzinfo=BERLIN), BERLIN, calendar=calendar
    )
    assert moved == datetime(2026, 12, 28, 8, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("weekdays", "expected"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("sat,sun", {5, 6}),
        ("fri-mon", {4, 5, 6, 0}),
        ([0, "wed"], {0, 2}),
        (None, set(range(7))),
    ],
)
def test_weekday_spellings(weekdays: object, expected: set[int]) -> None:
    """Ranges, lists, names and numbers are accepted."""
    assert set(cc.SendWindow("08:00", "20:00", weekdays=weekdays).weekdays) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "end", "weekdays"),
    [
        ("8", "20:00", None),
        ("20:00", "08:00", None),
        ("08:00", "24:30", None),
        ("08:00", "20:00", "someday"),
        ("08:00", "20:00", []),
    ],
)
def test_bad_windows_are_refused(start: str, end: str, weekdays: object) -> None:
    """Malformed times, windows across midnight and unknown weekdays raise."""
    with pytest.raises(cc.ConfigurationError):
        cc.SendWindow(start, end, weekdays=weekdays)  # type: ignore[arg-type]


def test_describe_reads_well() -> None:
    """The window describes itself compactly."""
    assert cc.SendWindow("08:00", "24:00", weekdays="mon-fri").describe() == "08:00-24:00 mon-fri"
    assert repr(cc.SendWindow("09:00", "17:30")) == "SendWindow('09:00-17:30 every day')"
