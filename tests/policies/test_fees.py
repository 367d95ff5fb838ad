"""Jurisdiction packs: statutory interest and fees per country, with their legal basis."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import creditcomms as cc


def _case(
    country: str, kind: str, amount: str, currency: str = "EUR", due: date = date(2024, 2, 1)
) -> cc.Case:
    address = cc.PostalAddress(name="X", postcode="1000", city="City", country=country)
    return cc.Case(
        debtor=cc.Debtor(id="D", name="X", kind=kind, contacts=cc.Contacts(address=address)),
        invoices=[
            cc.Invoice(
                id="I", amount=cc.Money(amount, currency), issued_on=date(2024, 1, 1), due_on=due
            )
        ],
    )


@pytest.fixture(name="calc")
def _calc() -> cc.FeeCalculator:
    """The calculator with the bundled data."""
    return cc.FeeCalculator()


def _amounts(fees: cc.Fees) -> dict[str, str]:
    return {item.kind: str(item.amount.amount) for item in fees.items}


def test_netherlands_business(calc: cc.FeeCalculator) -> None:
    """NL B2B: 12.5 % handelsrente for 30 days and the BIK scale (EUR 875 on EUR 10,000)."""
    fees = calc.fees(_case("NL", "b2b", "10000"), on=date(2024, 3, 2))
    assert _amounts(fees) == {"interest": "102.74", "collection_costs": "875.00"}
    assert fees.total == cc.Money("977.74", "EUR")
    assert all(item.basis.detail for item in fees.items)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("100", "40.00"),
        ("266.66", "40.00"),
        ("2500", "375.00"),
        ("5000", "625.00"),
        ("10000", "875.00"),
        ("200000", "2775.00"),
        ("1000000", "6775.00"),
    ],
)
def test_bik_scale_matches_the_published_examples(
    calc: cc.FeeCalculator, amount: str, expected: str
) -> None:
    """The verified BIK values from the Besluit, minimum EUR 40 and maximum EUR 6,775."""
    case = _case("NL", "b2b", amount, due=date(2024, 3, 1))
    assert _amounts(calc.fees(case, on=date(2024, 3, 1)))["collection_costs"] == expected


def test_dutch_consumers_need_the_fourteen_day_letter(calc: cc.FeeCalculator) -> None:
    """No collection costs from a consumer until 19 days after the 14-day letter."""
    case = _case("NL", "b2c", "1000")
    before = calc.fees(case, on=date(2024, 3, 1), notice_sent_on=date(2024, 2, 15))
    assert "collection_costs" not in _amounts(before)
    assert "collection_costs_not_yet" in [r.code for r in before.reasons]
    after = calc.fees(case, on=date(2024, 3, 5), notice_sent_on=date(2024, 2, 15))
    assert _amounts(after)["collection_costs"] == "150.00"


def test_germany_business(calc: cc.FeeCalculator) -> None:
    """DE B2B: default 30 days after due, base rate + 9 pp, and the EUR 40 flat fee."""
    case = _case("DE", "b2b", "1000", due=date(2025, 7, 1))
    fees = calc.fees(case, on=date(2025, 8, 10))
    expected = (Decimal(1000) * Decimal("10.27") / 100 * 10 / 365).quantize(Decimal("0.01"))
    assert _amounts(fees) == {"interest": str(expected), "flat_fee": "40.00"}
    assert calc.flat_fee("DE", "b2b") == cc.Money("40.00", "EUR")
    assert calc.flat_fee("DE", "b2c") is None


def test_germany_consumer_needs_a_reminder_first(calc: cc.FeeCalculator) -> None:
    """DE B2C: the first reminder creates default and is free; interest follows later ones."""
    case = _case("DE", "b2c", "1000", due=date(2025, 7, 1))
    first = calc.fees(case, on=date(2025, 7, 10), reminder=1)
    assert first.items == ()
    assert {"not_in_default", "first_reminder_free"} <= {r.code for r in first.reasons}
    second = calc.fees(case, on=date(2025, 7, 20), reminder=2, first_reminder_on=date(2025, 7, 10))
    expected = (Decimal(1000) * Decimal("6.27") / 100 * 10 / 365).quantize(Decimal("0.01"))
    assert _amounts(second) == {"interest": str(expected)}


def test_interest_follows_rate_periods(calc: cc.FeeCalculator) -> None:
    """Across 1 July 2025 the DE base rate changes from 2.27 % to 1.27 %."""
    case = _case("DE", "b2b", "3650", due=date(2025, 5, 1))
    fees = calc.fees(case, on=date(2025, 7, 10))
    # default from 2025-05-31: June 1-30 at 11.27 %, July 1-10 at 10.27 %
    expected = Decimal(3650) * (Decimal("11.27") * 30 + Decimal("10.27") * 10) / 100 / 365
    assert _amounts(fees)["interest"] == str(expected.quantize(Decimal("0.01")))


def test_unknown_rate_gives_a_reason_not_a_guess(calc: cc.FeeCalculator) -> None:
    """A date after the last published DE base rate yields no interest and rate_unknown."""
    fees = calc.fees(_case("DE", "b2b", "1000", due=date(2026, 8, 1)), on=date(2026, 11, 22))
    assert "interest" not in _amounts(fees)
    assert "rate_unknown" in [r.code for r in fees.reasons]
    updated = cc.FeeCalculator(
        rates={"DE-base": [cc.RatePeriod(date(2026, 7, 1), date(2026, 12, 31), Decimal("1.00"))]}
    )
    assert "interest" in _amounts(
        updated.fees(_case("DE", "b2b", "1000", due=date(2026, 8, 1)), on=date(2026, 11, 22))
    )


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("100", "20.00"), ("400", "55.00"), ("1000", "90.00"), ("100000", "2000.00")],
)
def test_belgian_consumer_compensation(calc: cc.FeeCalculator, amount: str, expected: str) -> None:
    """BE B2C: EUR 20 / 30 + 10 % / 65 + 5 % capped at EUR 2,000, after the 14-day grace."""
    case = _case("BE", "b2c", amount)
    fees = calc.fees(case, on=date(2024, 3, 20), reminder=2, first_reminder_on=date(2024, 3, 1))
    assert _amounts(fees) == {"compensation": expected}
    early = calc.fees(case, on=date(2024, 3, 10), reminder=2, first_reminder_on=date(2024, 3, 1))
    assert early.items == ()


def test_austria_switzerland_and_uk(calc: cc.FeeCalculator) -> None:
    """AT consumers 4 %; CH 5 % only after a reminder and no fees; UK B2B fixed compensation."""
    at = calc.fees(_case("AT", "b2c", "3650"), on=date(2024, 2, 11))
    assert _amounts(at) == {"interest": "4.00"}
    ch_case = _case("CH", "b2c", "3650", currency="CHF")
    assert calc.fees(ch_case, on=date(2024, 2, 11)).items == ()
    ch = calc.fees(ch_case, on=date(2024, 2, 21), reminder=2, first_reminder_on=date(2024, 2, 11))
    assert _amounts(ch) == {"interest": "5.00"}
    assert "no_fees" in [r.code for r in ch.reasons]
    uk = calc.fees(_case("GB", "b2b", "5000", currency="GBP"), on=date(2024, 2, 2), country="UK")
    assert _amounts(uk) == {
        "interest": str((Decimal(5000) * Decimal("13.25") / 100 / 365).quantize(Decimal("0.01"))),
        "compensation": "70.00",
    }


def test_wrong_country_or_currency_is_refused(calc: cc.FeeCalculator) -> None:
    """Unknown jurisdictions and currency mismatches raise configuration errors."""
    with pytest.raises(cc.ConfigurationError, match="no jurisdiction pack"):
        calc.fees(_case("FR", "b2b", "10"), on=date(2024, 3, 1))
    with pytest.raises(cc.ConfigurationError, match="CHF"):
        calc.fees(_case("DE", "b2b", "10", currency="CHF"), on=date(2024, 3, 1))
