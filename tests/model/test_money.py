"""Money: exact, single-currency, never float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditcomms as cc

CURRENCIES = ["EUR", "CHF", "GBP", "JPY", "USD", "BHD"]


@st.composite
def money(draw: st.DrawFn, currency: str | None = None) -> cc.Money:
    """Any Money in one of a few currencies with different minor units."""
    code = currency or draw(st.sampled_from(CURRENCIES))
    places = {"JPY": 0, "BHD": 3}.get(code, 2)
    units = draw(st.integers(min_value=-(10**12), max_value=10**12))
    return cc.Money(Decimal(units).scaleb(-places), code)


class TestConstruction:
    """Money accepts exact input and rejects the rest with a named field."""

    def test_positional_and_parse_agree(self) -> None:
        """``Money("12.50", "EUR")`` equals ``Money.parse("12.50 EUR")``."""
        assert cc.Money("12.50", "EUR") == cc.Money.parse("12.50 EUR")
        assert cc.Money.parse("EUR 12.5") == cc.Money("12.50", "EUR")

    def test_quantised_to_minor_unit(self) -> None:
        """Amounts carry exactly the currency's minor unit."""
        assert str(cc.Money("12.5", "EUR").amount) == "12.50"
        assert str(cc.Money("1200", "JPY").amount) == "1200"
        assert str(cc.Money("1.5", "BHD").amount) == "1.500"

    def test_float_is_refused(self) -> None:
        """A float amount raises and suggests a string."""
        with pytest.raises(cc.ValidationError) as info:
            cc.Money(0.1, "EUR")  # type: ignore[arg-type]
        assert info.value.fields == ("amount",)
        assert "'0.10'" in str(info.value)

    def test_unknown_currency(self) -> None:
        """An unknown currency code names the field and the expected form."""
        with pytest.raises(cc.ValidationError) as info:
            cc.Money("1", "EUX")
        assert info.value.fields == ("currency",)
        assert "ISO 4217" in str(info.value)

    def test_too_many_decimals(self) -> None:
        """Excess precision is an error pointing at ``Money.rounded``."""
        with pytest.raises(cc.ValidationError, match=r"Money\.rounded"):
            cc.Money("1.005", "EUR")
        assert cc.Money.rounded("1.005", "EUR") == cc.Money("1.01", "EUR")

    @pytest.mark.parametrize("text", ["12.50", "twelve EUR", "1 2 EUR", "NaN EUR", "Infinity EUR"])
    def test_parse_rejects_garbage(self, text: str) -> None:
        """Unparseable text raises a ValidationError."""
        with pytest.raises(cc.ValidationError):
            cc.Money.parse(text)

    def test_validates_inside_models(self) -> None:
        """A string such as ``"12.50 EUR"`` works wherever Money is a field."""
        invoice = cc.Invoice.model_validate(
            {"id": "1", "amount": "12.50 EUR", "issued_on": "2026-01-01", "due_on": "2026-01-31"}
        )
        assert invoice.amount == cc.Money("12.50", "EUR")

    @pytest.mark.parametrize("text", ["1.005 EUR", "12.5 JPY", "0.001 CHF"])
    def test_text_gets_the_minor_unit_check(self, text: str) -> None:
        """Money given as text is checked like Money given as fields, nested or not."""
        with pytest.raises(cc.ValidationError, match=r"Money\.rounded"):
            cc.Money.model_validate(text)
        with pytest.raises(cc.ValidationError, match=r"amount\.amount"):
            cc.Invoice.model_validate(
                {"id": "1", "amount": text, "issued_on": "2026-01-01", "due_on": "2026-01-31"}
            )


class TestArithmetic:
    """Arithmetic is exact and within one currency."""

    def test_mixing_currencies_raises(self) -> None:
        """EUR + CHF is refused."""
        with pytest.raises(ValueError, match="different currencies"):
            cc.Money("1", "EUR") + cc.Money("1", "CHF")
        with pytest.raises(ValueError, match="different currencies"):
            assert cc.Money("1", "EUR") < cc.Money("1", "CHF")

    def test_multiplying_by_float_raises(self) -> None:
        """Floats never enter, not even as factors."""
        with pytest.raises(TypeError):
            cc.Money("1", "EUR") * 1.5  # type: ignore[operator]

    def test_multiplication_rounds_half_up(self) -> None:
        """Interest-style multiplication rounds commercially."""
        assert cc.Money("10.05", "EUR") * Decimal("0.5") == cc.Money("5.03", "EUR")

    def test_sum_works(self) -> None:
        """``sum()`` of Money works from the integer 0."""
        assert sum([cc.Money("1.10", "EUR"), cc.Money("2.20", "EUR")]) == cc.Money("3.30", "EUR")

    @given(money("EUR"), money("EUR"), money("EUR"))
    def test_addition_is_associative_and_commutative(
        self, a: cc.Money, b: cc.Money, c: cc.Money
    ) -> None:
        """Addition of same-currency money is exact."""
        assert (a + b) + c == a + (b + c)
        assert a + b == b + a
        assert a + b - b == a

    @given(money())
    def test_negation_and_zero(self, m: cc.Money) -> None:
        """``m + -m`` is zero in m's currency."""
        assert m + -m == cc.Money.zero(m.currency)
        assert abs(m) >= cc.Money.zero(m.currency)

    @given(money())
    def test_parse_round_trip(self, m: cc.Money) -> None:
        """``Money.parse(str(m)) == m`` for every money value."""
        assert cc.Money.parse(str(m)) == m

    @given(money())
    def test_json_round_trip(self, m: cc.Money) -> None:
        """Money survives JSON without ever becoming a float."""
        dumped = m.model_dump_json()
        assert "." in dumped or m.currency == "JPY"
        assert cc.Money.model_validate_json(dumped) == m


def test_format_uses_locale() -> None:
    """Formatting follows babel for the locale."""
    assert cc.Money("1234.50", "EUR").format("de_DE") == "1.234,50\xa0€"
    assert cc.Money("1234.50", "EUR").format("nl_NL") == "€\xa01.234,50"
