"""Locale-aware formatting for templates, backed by babel and cached per locale.

babel's convenience functions parse the locale and the number or date pattern on every call;
a `Formatter` does that once per locale and keeps recent results, so formatting an amount
or a due date in a batch of ten thousand messages costs a dictionary look-up.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

import babel
import babel.dates
import babel.numbers

from creditcomms.campaigns import Tone
from creditcomms.model import CustomerKind, Debtor, Money

__all__ = ["Formatter", "formatter_for", "greeting_for", "language_of"]

_DATE_STYLES = frozenset({"short", "medium", "long", "full"})
_CACHE_LIMIT = 4096


class Formatter:
    r"""Formats money, numbers, percentages and dates for one locale.

    Get one with `formatter_for` (cached per locale); do not build one per message.

    Examples:
        >>> formatter_for("de_DE").money(Money("1234.50", "EUR"))
        '1.234,50\xa0€'
    """

    def __init__(self, locale: str, /) -> None:
        self.locale = babel.Locale.parse(locale)
        self.name = str(self.locale)
        self._currency_pattern = self.locale.currency_formats["standard"]
        self._decimal_pattern = self.locale.decimal_formats[None]
        self._percent_pattern = self.locale.percent_formats[None]
        self._money: dict[tuple[Decimal, str], str] = {}
        self._dates: dict[tuple[dt.date, str], str] = {}
        self._relative: dict[int, str] = {}

    def money(self, value: Money, /) -> str:
        """``Money("1234.5", "EUR")`` as ``'1.234,50 €'`` (de) or ``'€1,234.50'`` (en)."""
        key = (value.amount, value.currency)
        text = self._money.get(key)
        if text is None:
            text = self._currency_pattern.apply(
                value.amount, self.locale, currency=value.currency, currency_digits=True
            )
            self._remember(self._money, key, text)
        return text

    def number(self, value: Decimal | int, /, *, digits: int | None = None) -> str:
        """A number with the locale's grouping and decimal sign (``digits`` fixes decimals)."""
        if digits is None:
            return str(self._decimal_pattern.apply(value, self.locale))
        exact = Decimal(value).quantize(Decimal(1).scaleb(-digits))
        return str(
            babel.numbers.format_decimal(
                exact, format=f"#,##0.{'0' * digits}" if digits else "#,##0", locale=self.locale
            )
        )

    def percent(self, value: Decimal | int, /) -> str:
        """A ratio as a percentage: ``Decimal("0.125")`` → ``'12,5 %'`` in German."""
        return str(self._percent_pattern.apply(value, self.locale))

    def date(self, value: dt.date | dt.datetime, /, style: str = "medium") -> str:
        """A date in one of babel's styles: ``short``, ``medium`` (default), ``long``, ``full``."""
        if style not in _DATE_STYLES:
            raise ValueError(f"date style {style!r} is unknown; use one of {sorted(_DATE_STYLES)}")
        day = value.date() if isinstance(value, dt.datetime) else value
        key = (day, style)
        text = self._dates.get(key)
        if text is None:
            text = babel.dates.format_date(day, style, locale=self.locale)
            self._remember(self._dates, key, text)
        return text

    def relative(self, value: dt.date | dt.datetime, /, *, today: dt.date) -> str:
        """How far ``value`` is from ``today`` in words: ``'in 3 Tagen'``, ``'vor 5 Tagen'``."""
        day = value.date() if isinstance(value, dt.datetime) else value
        days = (day - today).days
        text = self._relative.get(days)
        if text is None:
            text = babel.dates.format_timedelta(
                dt.timedelta(days=days),
                granularity="day",
                threshold=1000,
                add_direction=True,
                locale=self.locale,
            )
            self._remember(self._relative, days, text)
        return text

    @staticmethod
    def _remember(cache: dict[Any, str], key: object, text: str) -> None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = text


@functools.cache
def formatter_for(locale: str, /) -> Formatter:
    """The shared `Formatter` of ``locale`` (built once, then reused)."""
    return Formatter(locale)


@functools.cache
def language_of(locale: str, /) -> str:
    """The language part of a locale name: ``de`` for ``de_CH``."""
    return locale.split("_", 1)[0]


# Locale customs for opening a message. B2C and a named B2B contact are addressed by name;
# a business without a named contact gets the language's formal collective salutation.
_NAMED = {
    ("de", Tone.FRIENDLY): "Hallo {name},",
    ("en", Tone.FRIENDLY): "Hello {name},",
    ("nl", Tone.FIRM): "Geachte {name},",
}
_NAMED_DEFAULT = {
    "de": "Guten Tag {name},",
    "nl": "Beste {name},",
    "en": "Dear {name},",
    "fr": "Bonjour {name},",
}
_COLLECTIVE = {
    "de": "Sehr geehrte Damen und Herren,",
    "nl": "Geachte heer, mevrouw,",
    "en": "Dear Sir or Madam,",
    "fr": "Madame, Monsieur,",
}


def greeting_for(debtor: Debtor, /, *, language: str, tone: Tone) -> str:
    """The opening line for ``debtor`` in ``language`` and ``tone``.

    ``Debtor.salutation`` wins when set; businesses are addressed through their contact
    person, or with the formal collective salutation when they have none.

    Examples:
        >>> greeting_for(Debtor(id="1", name="Jan Jansen"), language="nl", tone=Tone.NEUTRAL)
        'Beste Jan Jansen,'
    """
    if debtor.salutation:
        return debtor.salutation
    name = debtor.contact_person if debtor.kind is CustomerKind.B2B else debtor.name
    if not name:
        return _COLLECTIVE.get(language, _COLLECTIVE["en"])
    pattern = _NAMED.get((language, tone)) or _NAMED_DEFAULT.get(language, "{name},")
    return pattern.format(name=name)
