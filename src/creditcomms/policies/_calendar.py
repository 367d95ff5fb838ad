"""Public-holiday calendars per country and subdivision, via the ``holidays`` package."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from datetime import date, timedelta
from types import ModuleType

from creditcomms.errors import ConfigurationError, MissingExtraError

from ._window import parse_weekdays

__all__ = ["Calendar"]

_PROBE_YEAR = 2024
_MOVES_KEPT = 100_000


def _holidays_module() -> ModuleType:
    try:
        return importlib.import_module("holidays")
    except ImportError:
        raise MissingExtraError("Public-holiday calendars", "holidays", "holidays") from None


class Calendar:
    """Business days of one country (and subdivision): no weekend days, no public holidays.

    Holidays come from the ``holidays`` package (extra ``creditcomms[holidays]``), computed
    per year on first use; ``extra`` adds closing days of your own (company holidays).

    Examples:
        >>> Calendar("DE", subdivision="BY").is_holiday(date(2026, 1, 6))
        True
    """

    __slots__ = ("_module", "_moves", "_years", "country", "extra", "subdivision", "workdays")

    def __init__(
        self,
        country: str | None,
        /,
        *,
        subdivision: str | None = None,
        extra: Iterable[date] = (),
        workdays: str | Iterable[int | str] = "mon-fri",
    ) -> None:
        self.country = country.upper() if country else None
        self.subdivision = subdivision
        self.extra = frozenset(extra)
        self.workdays = parse_weekdays(workdays)
        self._years: dict[int, frozenset[date]] = {}
        self._moves: dict[tuple[date, int], date] = {}
        self._module = _holidays_module() if self.country else None
        if self._module is not None:
            self._load(_PROBE_YEAR)  # fail at definition time on an unknown country

    @classmethod
    def from_dates(
        cls, dates: Iterable[date], /, *, workdays: str | Iterable[int | str] = "mon-fri"
    ) -> Calendar:
        """A calendar with exactly the given closing days (no ``holidays`` package needed)."""
        return cls(None, extra=dates, workdays=workdays)

    def _load(self, year: int) -> frozenset[date]:
        found = self._years.get(year)
        if found is None:
            found = self.extra
            if self._module is not None:
                try:
                    table = self._module.country_holidays(
                        self.country, subdiv=self.subdivision, years=year
                    )
                except NotImplementedError as exc:
                    if self.subdivision and "subdivision" in str(exc):
                        raise ConfigurationError(
                            f"{self.country} has no subdivision {self.subdivision!r}; use its"
                            " ISO 3166-2 code without the country, such as 'BY' for Bavaria"
                        ) from None
                    raise ConfigurationError(
                        f"no public holidays known for country {self.country!r}; use an"
                        " ISO 3166-1 alpha-2 code such as 'DE'"
                    ) from None
                except ValueError as exc:
                    raise ConfigurationError(
                        f"subdivision {self.subdivision!r} of {self.country}: {exc}"
                    ) from None
                found = found | frozenset(table)
            self._years[year] = found
        return found

    def is_holiday(self, day: date, /) -> bool:
        """True on a public holiday or an extra closing day."""
        return day in self._load(day.year)

    def holiday_name(self, day: date, /) -> str | None:
        """The holiday's name, when ``day`` is one."""
        if not self.is_holiday(day):
            return None
        if self._module is not None and day not in self.extra:
            table = self._module.country_holidays(
                self.country, subdiv=self.subdivision, years=day.year
            )
            return str(table.get(day))
        return "closing day"

    def is_business_day(self, day: date, /) -> bool:
        """True on a workday that is not a holiday."""
        return day.weekday() in self.workdays and not self.is_holiday(day)

    def add_business_days(self, day: date, count: int, /) -> date:
        """The date ``count`` business days after ``day`` (before it when negative)."""
        found = self._moves.get((day, count))
        if found is None:
            found = self._move(day, count)
            if len(self._moves) < _MOVES_KEPT:
                self._moves[(day, count)] = found
        return found

    def _move(self, day: date, count: int) -> date:
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day

    def __repr__(self) -> str:
        where = self.country or "custom"
        return f"Calendar({where!r}, subdivision={self.subdivision!r})"
