"""Holiday calendars: countries, subdivisions, business days and the missing extra."""

from __future__ import annotations

import sys
from datetime import date

import pytest

import creditcomms as cc


def test_public_holidays_by_country_and_subdivision() -> None:
    """Epiphany is a holiday in Bavaria but not in Berlin; Christmas is everywhere."""
    assert cc.Calendar("DE", subdivision="BY").is_holiday(date(2026, 1, 6))
    assert not cc.Calendar("DE", subdivision="BE").is_holiday(date(2026, 1, 6))
    assert cc.Calendar("NL").is_holiday(date(2026, 4, 27))  # King's Day
    assert cc.Calendar("DE").holiday_name(date(2026, 12, 25)) is not None
    assert cc.Calendar("DE").holiday_name(date(2026, 12, 23)) is None


def test_business_days_skip_weekends_and_holidays() -> None:
    """Around Christmas: the 25th, weekend and New Year's Day are not business days."""
    calendar = cc.Calendar("DE")
    assert calendar.add_business_days(date(2026, 12, 23), 5) == date(2026, 12, 31)
    assert calendar.add_business_days(date(2026, 12, 23), 6) == date(2027, 1, 4)
    assert calendar.add_business_days(date(2027, 1, 4), -6) == date(2026, 12, 23)
    assert calendar.add_business_days(date(2026, 12, 23), 0) == date(2026, 12, 23)


def test_custom_closing_days_need_no_package() -> None:
    """A calendar from explicit dates works without the holidays package."""
    calendar = cc.Calendar.from_dates([date(2026, 8, 3)])
    assert calendar.is_holiday(date(2026, 8, 3))
    assert calendar.add_business_days(date(2026, 7, 31), 1) == date(2026, 8, 4)
    assert calendar.holiday_name(date(2026, 8, 3)) == "closing day"


def test_unknown_country_or_subdivision_is_refused() -> None:
    """An unknown country or subdivision raises a configuration error at once."""
    with pytest.raises(cc.ConfigurationError, match="country"):
        cc.Calendar("XX")
    with pytest.raises(cc.ConfigurationError, match="subdivision"):
        cc.Calendar("DE", subdivision="ZZ")


def test_missing_holidays_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the holidays package a calendar raises MissingExtraError naming the extra."""
    monkeypatch.setitem(sys.modules, "holidays", None)
    with pytest.raises(cc.MissingExtraError, match=r"creditcomms\[holidays\]"):
        cc.Calendar("DE")
