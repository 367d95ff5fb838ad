"""Send windows: the hours and weekdays a debtor may be contacted, in their own time zone."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from creditcomms.errors import ConfigurationError, PolicyError

if TYPE_CHECKING:
    from ._calendar import Calendar

__all__ = ["SendWindow", "local_date", "local_moment", "midnight", "opening", "parse_weekdays"]

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_SEARCH_DAYS = 400
_ONE_DAY = timedelta(days=1)


def _parse_time(value: str | time, field: str) -> time:
    if isinstance(value, time):
        return value
    match = _HHMM.match(str(value).strip())
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise ConfigurationError(f"SendWindow {field}={value!r} must be a time like '08:00'")
    if match.group(1) == "24":
        return time.max
    return time(int(match.group(1)), int(match.group(2)))


def parse_weekdays(value: str | Iterable[int | str] | None) -> frozenset[int]:
    """Read weekdays given as ``"mon-fri"``, ``"mon,wed"`` or numbers 0 (Monday) to 6."""
    if value is None:
        return frozenset(range(7))
    items: list[int | str] = (
        [p.strip() for p in value.split(",")] if isinstance(value, str) else list(value)
    )
    days: set[int] = set()
    for item in items:
        days |= _weekday_item(item)
    if not days:
        raise ConfigurationError("weekdays is empty; allow at least one day such as 'mon-fri'")
    return frozenset(days)


def _weekday_item(item: int | str) -> set[int]:
    if isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 6:
        return {item}
    text = str(item).lower()
    first, _, last = text.partition("-")
    if first in _DAY_NAMES and (not last or last in _DAY_NAMES):
        start = _DAY_NAMES.index(first)
        end = _DAY_NAMES.index(last) if last else start
        return {d % 7 for d in range(start, end + 1 if end >= start else end + 8)}
    raise ConfigurationError(
        f"weekday {item!r} is not understood; use 'mon'..'sun', a range 'mon-fri' or 0..6"
    )


def _day_ranges(weekdays: frozenset[int]) -> str:
    runs: list[list[int]] = []
    for day in sorted(weekdays):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(
        _DAY_NAMES[r[0]] if len(r) == 1 else f"{_DAY_NAMES[r[0]]}-{_DAY_NAMES[r[-1]]}" for r in runs
    )


def local_moment(day: date, at: time, tz: tzinfo) -> datetime:
    """The moment ``at`` on ``day`` in ``tz``; a wall time skipped by DST moves forward."""
    naive = datetime.combine(day, at)
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


@functools.lru_cache(maxsize=4096)
def local_date(moment: datetime, tz: tzinfo, /) -> date:
    """The date of ``moment`` in ``tz`` (cached: a run plans many cases at one time)."""
    return moment.astimezone(tz).date()


def opening(day: date, at: time, tz: tzinfo, /) -> datetime:
    """`local_moment`, cached for plain wall times: windows open at a few times on few dates.

    A time with a zone or ``fold=1`` is not cached: equal times could then stand for
    different wall clocks, which `local_moment` reads.
    """
    if at.tzinfo is None and not at.fold:
        return _opening(day, at, tz)
    return local_moment(day, at, tz)


@functools.lru_cache(maxsize=65536)
def _opening(day: date, at: time, tz: tzinfo, /) -> datetime:
    return local_moment(day, at, tz)


@functools.lru_cache(maxsize=65536)
def midnight(day: date, tz: tzinfo, /) -> datetime:
    """The start of ``day`` in ``tz``, in UTC (cached: campaigns reuse few dates)."""
    return local_moment(day, time.min, tz).astimezone(UTC)


class SendWindow:
    """Hours and weekdays when contact is allowed, read in the debtor's own time zone.

    ``end`` is exclusive: with ``SendWindow("08:00", "20:00")`` a message may leave at 19:59
    but not at 20:00. Weekdays default to every day.

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> window = SendWindow("08:00", "20:00", weekdays="mon-fri")
        >>> berlin = ZoneInfo("Europe/Berlin")
        >>> window.next_open(datetime(2026, 11, 21, 10, 0, tzinfo=berlin), berlin).isoformat()
        '2026-11-23T08:00:00+01:00'
    """

    __slots__ = ("_text", "end", "start", "weekdays")

    def __init__(
        self,
        start: str | time = "08:00",
        end: str | time = "20:00",
        /,
        *,
        weekdays: str | Iterable[int | str] | None = None,
    ) -> None:
        self.start = _parse_time(start, "start")
        self.end = _parse_time(end, "end")
        if self.end <= self.start:
            raise ConfigurationError(
                f"SendWindow end {self.end:%H:%M} must be after start {self.start:%H:%M};"
                " windows across midnight are not supported"
            )
        self.weekdays = parse_weekdays(weekdays)
        self._text = self._describe()

    def allows(self, moment: datetime, tz: tzinfo, /) -> bool:
        """True when ``moment`` falls inside the window in ``tz``."""
        local = moment.astimezone(tz)
        return local.weekday() in self.weekdays and self.start <= local.time() < self.end

    def next_open(
        self, moment: datetime, tz: tzinfo, /, *, calendar: Calendar | None = None
    ) -> datetime:
        """The first moment at or after ``moment`` inside the window (and not a holiday)."""
        local = moment.astimezone(tz)
        found = self.open_after(moment, local, tz, calendar)
        return local if found is None else found

    def open_after(
        self, moment: datetime, local: datetime, tz: tzinfo, calendar: Calendar | None, /
    ) -> datetime | None:
        """`next_open` for ``moment`` (``local``: the same moment in ``tz``); ``None`` if open.

        ``None`` stands for ``local`` itself: the window is open at ``moment``. A moment
        found later is in ``tz``, as `next_open` gives it.
        """
        day, clock = local.date(), local.time()
        weekdays, start, end = self.weekdays, self.start, self.end
        if day.weekday() in weekdays and (calendar is None or not calendar.is_holiday(day)):
            if clock < start:
                return opening(day, start, tz)
            if clock < end:
                return None
        for _ in range(_SEARCH_DAYS - 1):
            day += _ONE_DAY
            if day.weekday() in weekdays and (calendar is None or not calendar.is_holiday(day)):
                return opening(day, start, tz)  # from midnight on, the window opens at start
        raise PolicyError(f"no allowed send moment within {_SEARCH_DAYS} days of {moment}")

    def describe(self) -> str:
        """The window as text: ``08:00-20:00 mon-fri``."""
        return self._text

    def _describe(self) -> str:
        days = _day_ranges(self.weekdays)
        end = "24:00" if self.end == time.max else f"{self.end:%H:%M}"
        shown = "every day" if len(self.weekdays) == 7 else days
        return f"{self.start:%H:%M}-{end} {shown}"

    def __repr__(self) -> str:
        return f"SendWindow({self.describe()!r})"
