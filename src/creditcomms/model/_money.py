"""Money: a ``Decimal`` amount in one ISO 4217 currency. Never a float, in or out."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Self

import babel.numbers
from pydantic import model_validator

from creditcomms.errors import FieldProblem, ValidationError

from ._base import FieldError, Model
from ._trusted import trusted
from ._types import CurrencyCode, normalize_currency

__all__ = ["Money", "minor_unit"]


@functools.cache
def minor_unit(currency: str) -> Decimal:
    """Return the smallest amount of ``currency`` (``Decimal("0.01")`` for EUR, ``1`` for JPY)."""
    digits = babel.numbers.get_currency_precision(currency)
    return Decimal(1).scaleb(-digits)


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError(
            f"amount {value!r} is a float, which cannot hold money exactly;"
            f" pass a string or Decimal such as '{value:.2f}'"
        )
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValueError(f"amount must be a Decimal, int or string, not {type(value).__name__}")
    try:
        amount = (
            Decimal(value.strip().replace("_", "")) if isinstance(value, str) else Decimal(value)
        )
    except InvalidOperation:
        raise ValueError(f"amount {value!r} is not a number; write it like '1234.50'") from None
    if not amount.is_finite():
        raise ValueError(f"amount {value!r} must be a finite number")
    return amount


class Money(Model):
    r"""An exact amount of money in one currency.

    Amounts are ``Decimal`` quantised to the currency's minor unit (cents for EUR, none for
    JPY). Arithmetic mixes only equal currencies; multiplying rounds half up, the commercial
    convention for interest and fees. Floats are refused on the way in and never returned.

    Examples:
        >>> Money("12.5", "EUR") + Money("0.75", "EUR")
        Money('13.25', 'EUR')
        >>> Money.parse("1234.50 CHF").format("de_CH")
        'CHF\xa01’234.50'
    """

    amount: Decimal
    """The amount, quantised to the currency's minor unit."""
    currency: CurrencyCode
    """The ISO 4217 currency code."""

    def __init__(
        self, amount: Decimal | int | str | None = None, currency: str | None = None, /, **data: Any
    ) -> None:
        if amount is not None:
            data["amount"] = amount
        if currency is not None:
            data["currency"] = currency
        super().__init__(**data)

    # Nested Money (in a case, a fee...) arrives as a dict or text, which ``_normalise`` takes
    # as it is: pydantic need not call this positional front door for it.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if isinstance(data, str):
            data = cls._split(data)
        if isinstance(data, dict) and "amount" in data and "currency" in data:
            try:
                currency = normalize_currency(data["currency"])
            except (TypeError, ValueError) as exc:
                raise FieldError("currency", data["currency"], str(exc)) from None
            try:
                amount = _to_decimal(data["amount"])
            except ValueError as exc:
                raise FieldError("amount", data["amount"], str(exc)) from None
            unit = minor_unit(currency)
            quantised = amount.quantize(unit)
            if quantised != amount:
                raise FieldError(
                    "amount",
                    data["amount"],
                    f"{amount} has more decimals than {currency} allows ({unit});"
                    f" round it first, e.g. Money.rounded({str(amount)!r}, {currency!r})",
                )
            return {"amount": quantised, "currency": currency}
        return data

    @staticmethod
    def _split(text: str) -> dict[str, str]:
        parts = text.split()
        if len(parts) != 2:
            raise ValueError(f"{text!r} is not money; write the amount and currency as '12.50 EUR'")
        first, second = parts
        if first[:1].isalpha():
            first, second = second, first
        return {"amount": first, "currency": second}

    @classmethod
    def parse(cls, text: str, /) -> Self:
        """Read ``"12.50 EUR"`` (or ``"EUR 12.50"``) into Money."""
        try:
            data = cls._split(text)
        except ValueError as exc:
            problem = FieldProblem(field="(text)", value=text, message=str(exc))
            raise ValidationError(cls.__name__, [problem]) from None
        return cls(data["amount"], data["currency"])

    @classmethod
    def rounded(cls, amount: Decimal | int | str, currency: str, /) -> Self:
        """Create Money from an amount with any precision, rounding half up to the minor unit."""
        code = normalize_currency(currency)
        return cls(_to_decimal(amount).quantize(minor_unit(code), ROUND_HALF_UP), code)

    @classmethod
    def zero(cls, currency: str, /) -> Self:
        """Zero in ``currency``."""
        return cls(0, currency)

    @staticmethod
    def _make(amount: Decimal, currency: str) -> Money:
        # Fast path for results of arithmetic: inputs were validated, the amount is exact.
        return trusted(Money, amount=amount.quantize(minor_unit(currency)), currency=currency)

    def _same(self, other: object, op: str) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {op} Money and {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(
                f"cannot {op} {self} and {other}: different currencies; convert one first"
            )
        return other

    def __add__(self, other: Money) -> Money:
        return self._make(self.amount + self._same(other, "add").amount, self.currency)

    def __radd__(self, other: object) -> Money:
        if other == 0:  # so that sum(moneys) works
            return self
        return self._same(other, "add") + self

    def __sub__(self, other: Money) -> Money:
        return self._make(self.amount - self._same(other, "subtract").amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float | Money) or not isinstance(factor, Decimal | int):
            raise TypeError("Money can be multiplied by an int or Decimal only (never a float)")
        exact = self.amount * factor
        return self._make(exact.quantize(minor_unit(self.currency), ROUND_HALF_UP), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return self._make(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return self._make(abs(self.amount), self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other, "compare").amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other, "compare").amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other, "compare").amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other, "compare").amount

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.amount == other.amount and self.currency == other.currency

    def __hash__(self) -> int:
        return hash((self.amount, self.currency))

    def __bool__(self) -> bool:
        return bool(self.amount)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def __repr__(self) -> str:
        return f"Money({str(self.amount)!r}, {self.currency!r})"

    @property
    def is_positive(self) -> bool:
        """True when the amount is above zero."""
        return self.amount > 0

    def format(self, locale: str = "en", /) -> str:
        """Format for people in ``locale`` (``'1.234,50 €'`` in ``de_DE``), via babel."""
        return babel.numbers.format_currency(self.amount, self.currency, locale=locale)
