"""Locale formatting: cached babel patterns give babel's own results; greetings follow customs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import babel.dates
import babel.numbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditcomms as cc
from creditcomms.templates import formatter_for, greeting_for

LOCALES = ["de_DE", "de_CH", "de_AT", "nl_NL", "nl_BE", "en", "en_GB", "fr_FR", "fr_CH"]


@given(
    cents=st.integers(min_value=1, max_value=10**11),
    locale=st.sampled_from(LOCALES),
    currency=st.sampled_from(["EUR", "CHF", "GBP", "USD"]),
)
def test_money_matches_babel(cents: int, locale: str, currency: str) -> None:
    """The cached formatter prints exactly what babel.numbers.format_currency prints."""
    money = cc.Money(Decimal(cents).scaleb(-2), currency)
    expected = babel.numbers.format_currency(money.amount, currency, locale=locale)
    assert formatter_for(locale).money(money) == expected
    assert formatter_for(locale).money(money) == expected  # and again from the cache


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_dates_match_babel(day: date) -> None:
    """Short, medium and long dates equal babel's format_date."""
    for locale in ("de_DE", "nl_NL", "fr_FR"):
        for style in ("short", "medium", "long"):
            expected = babel.dates.format_date(day, style, locale=locale)
            assert formatter_for(locale).date(day, style) == expected


def test_relative_dates() -> None:
    """Relative dates read naturally in each language, in both directions."""
    today = date(2026, 11, 22)
    assert formatter_for("de_DE").relative(date(2026, 11, 25), today=today) == "in 3 Tagen"
    assert formatter_for("de_DE").relative(date(2026, 11, 17), today=today) == "vor 5 Tagen"
    assert formatter_for("en").relative(date(2026, 11, 17), today=today) == "5 days ago"
    assert formatter_for("nl_NL").relative(date(2026, 11, 23), today=today) == "over 1 dag"


def test_numbers_and_percent() -> None:
    """Numbers and percentages use the locale's signs."""
    assert formatter_for("de_DE").number(Decimal("1234.5")) == "1.234,5"
    assert formatter_for("de_DE").number(Decimal("1234.5"), digits=2) == "1.234,50"
    assert formatter_for("fr_FR").percent(Decimal("0.25")) == "25\u00a0%"
    assert formatter_for("en").percent(Decimal("0.5")) == "50%"


def test_unknown_date_style() -> None:
    """A date style babel does not know is refused with the valid ones."""
    with pytest.raises(ValueError, match="'full', 'long', 'medium', 'short'"):
        formatter_for("en").date(date(2026, 1, 1), "tiny")


def test_formatter_is_cached_per_locale() -> None:
    """The same locale returns the same formatter object."""
    assert formatter_for("nl_BE") is formatter_for("nl_BE")


@pytest.mark.parametrize(
    ("language", "tone", "expected"),
    [
        ("de", cc.Tone.FRIENDLY, "Hallo Jo Berg,"),
        ("de", cc.Tone.FIRM, "Guten Tag Jo Berg,"),
        ("nl", cc.Tone.NEUTRAL, "Beste Jo Berg,"),
        ("nl", cc.Tone.FIRM, "Geachte Jo Berg,"),
        ("en", cc.Tone.NEUTRAL, "Dear Jo Berg,"),
        ("fr", cc.Tone.FIRM, "Bonjour Jo Berg,"),
    ],
)
def test_consumer_greetings(language: str, tone: cc.Tone, expected: str) -> None:
    """Consumers are greeted by name in the language's custom for the tone."""
    assert greeting_for(cc.Debtor(id="1", name="Jo Berg"), language=language, tone=tone) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Sehr geehrte Damen und Herren,"),
        ("nl", "Geachte heer, mevrouw,"),
        ("en", "Dear Sir or Madam,"),
        ("fr", "Madame, Monsieur,"),
    ],
)
def test_business_without_contact(language: str, expected: str) -> None:
    """A business without a contact person gets the formal collective salutation."""
    firm = cc.Debtor(id="1", name="Berg BV", kind=cc.CustomerKind.B2B)
    assert greeting_for(firm, language=language, tone=cc.Tone.NEUTRAL) == expected


def test_salutation_override_wins() -> None:
    """An explicit Debtor.salutation is used as given."""
    debtor = cc.Debtor(id="1", name="Anna Weber", salutation="Sehr geehrte Frau Weber,")
    assert greeting_for(debtor, language="de", tone=cc.Tone.FRIENDLY) == "Sehr geehrte Frau Weber,"
