"""Built-in rules over a case, for segments: ``cc.rules.days_past_due() >= 14``.

Functions named after a number return a `Measure` to compare (``>=``, ``<``, ``between``);
functions named after a property return a ready `Rule`. A value the case does not have (an
on-time ratio without payment history, a missing attribute) matches no comparison.

Examples:
    >>> from creditcomms import rules
    >>> rule = (rules.days_past_due() >= 14) & ~rules.tag("vip")
    >>> rule
    days_past_due >= 14 & ~tag('vip')
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from creditcomms.channels import BUILTIN_CHANNELS, Channel
from creditcomms.errors import ConfigurationError
from creditcomms.model import Case, Money
from creditcomms.model._money import minor_unit
from creditcomms.model._types import normalize_country, normalize_currency, normalize_locale

from ._rules import _SYMBOLS, Compare, Context, Measure, Predicate, Rule

__all__ = [
    "attr",
    "country",
    "customer_kind",
    "days_past_due",
    "has_contact",
    "invoice_count",
    "late_payments",
    "locale",
    "on_time_ratio",
    "open_amount",
    "preferred_channel",
    "reminders_sent",
    "tag",
]


def days_past_due() -> Measure:
    """Days past the oldest open due date, on the debtor's local date (negative before it)."""
    return Measure("days_past_due", _days_past_due)


def _days_past_due(case: Case, ctx: Context) -> int:
    return case.days_past_due(ctx.on)


class _MoneyMeasure(Measure):
    """A money amount compared per currency: other currencies never match.

    ``number`` may give the amount's number without building `Money` (``None`` when it
    cannot tell, and the comparison falls back to ``read``).
    """

    __slots__ = ("number",)

    def __init__(
        self,
        label: str,
        read: Callable[[Case, Context], Any],
        /,
        *,
        number: Callable[[Case], Decimal | None] | None = None,
    ) -> None:
        super().__init__(label, read)
        self.number = number

    def _compare(self, op: Any, value: Any) -> Compare:
        return _MoneyCompare(self, op, _thresholds(value))


def _thresholds(value: Any) -> dict[str, Money]:
    if isinstance(value, Money):
        return {value.currency: value}
    if isinstance(value, str):
        money = Money.parse(value)
        return {money.currency: money}
    if isinstance(value, Mapping):
        return {str(cur).upper(): Money(str(amount), str(cur)) for cur, amount in value.items()}
    raise ConfigurationError(
        f"cannot compare an amount with {value!r}; use Money('100', 'EUR'), '100 EUR'"
        " or a mapping per currency such as {'EUR': '100', 'CHF': '120'}"
    )


class _MoneyCompare(Compare):
    __slots__ = ()

    def matches(self, case: Case, ctx: Context, /) -> bool:
        currency = case.currency
        threshold = self.value.get(currency)
        if threshold is None:
            return False
        number = getattr(self.measure, "number", None)
        if number is not None and threshold.currency == currency:
            # Money in one currency compares by its amount: no Money need be built.
            found = number(case)
            if found is not None:
                return bool(self.op(found, threshold.amount))
        return bool(self.op(self.measure.read(case, ctx), threshold))

    def __repr__(self) -> str:
        shown = ", ".join(str(m) for m in self.value.values())
        return f"{self.measure.label} {_SYMBOLS[self.op]} {shown}"


def open_amount() -> Measure:
    """The total still open; compare with `Money`, ``'100 EUR'`` or ``{'EUR': '100', ...}``.

    Thresholds apply per currency: a case in a currency without a threshold does not match.
    """
    return _MoneyMeasure("open_amount", lambda case, ctx: case.open_amount, number=_open_number)


@functools.cache
def _zero(currency: str) -> Decimal | None:
    """The amount of ``Money.zero(currency)``; ``None`` when Money refuses the code as given."""
    try:
        if normalize_currency(currency) != currency:
            return None
    except (TypeError, ValueError):
        return None
    return Decimal(0).quantize(minor_unit(currency))


def _open_number(case: Case) -> Decimal | None:
    """The amount of ``case.open_amount``, added up as `Money` adds, without building Money.

    ``None`` (use ``case.open_amount``) when an invoice is in another currency or the
    currency is not a valid code: then ``case.open_amount`` raises, and so must the rule.
    """
    currency = case.currency
    total = _zero(currency)
    if total is None:
        return None
    invoices = case.open_invoices  # in their order: each sum is rounded as Money rounds
    unit = minor_unit(currency)
    for invoice in invoices:
        balance = invoice.balance
        if balance.currency != currency:
            return None
        total = (total + balance.amount).quantize(unit)
    return total


def on_time_ratio() -> Measure:
    """Share of earlier invoices paid on time (0 to 1); unknown without payment history."""
    return Measure("on_time_ratio", lambda case, ctx: case.debtor.behaviour.on_time_ratio)


def late_payments() -> Measure:
    """How many earlier invoices were paid late."""
    return Measure("late_payments", lambda case, ctx: case.debtor.behaviour.paid_late)


def invoice_count() -> Measure:
    """How many invoices of the case are open."""
    return Measure("invoice_count", lambda case, ctx: len(case.open_invoices))


def reminders_sent(
    *, campaign_id: str | None = None, channel: Channel | str | None = None
) -> Measure:
    """How many contacts the history holds (optionally of one campaign or on one channel)."""
    name = channel.name if isinstance(channel, Channel) else channel

    def read(case: Case, ctx: Context) -> int:
        return sum(
            1
            for r in case.history
            if (campaign_id is None or r.campaign_id == campaign_id)
            and (name is None or r.channel == name)
            and r.at <= ctx.at
        )

    details = [f"{k}={v!r}" for k, v in (("campaign_id", campaign_id), ("channel", name)) if v]
    return Measure(f"reminders_sent({', '.join(details)})", read)


def attr(name: str, /) -> Measure:
    """A debtor attribute set by the host (``rules.attr("risk_score") > 0.7``)."""
    return Measure(f"attr({name!r})", lambda case, ctx: _number(case.debtor.attributes.get(name)))


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def customer_kind(kind: str, /) -> Rule:
    """The debtor is a consumer (``"b2c"``) or a business (``"b2b"``)."""
    wanted = str(kind).lower()
    if wanted not in {"b2c", "b2b"}:
        raise ConfigurationError(f"customer_kind {kind!r} must be 'b2c' or 'b2b'")
    return Predicate(lambda case: case.debtor.kind == wanted, name=f"customer_kind({wanted!r})")


def country(*codes: str) -> Rule:
    """The debtor's postal address is in one of ``codes`` (ISO 3166-1 alpha-2)."""
    wanted = frozenset(normalize_country(c) for c in codes)
    shown = ", ".join(repr(c) for c in sorted(wanted))
    return Predicate(lambda case: case.debtor.country in wanted, name=f"country({shown})")


def locale(*names: str) -> Rule:
    """The debtor's locale is one of ``names``; a bare language (``"de"``) matches its regions."""
    wanted = tuple(normalize_locale(n) for n in names)

    def read(case: Case) -> bool:
        own = case.debtor.locale
        return any(own == w or own.startswith(w + "_") for w in wanted)

    shown = ", ".join(repr(w) for w in wanted)
    return Predicate(read, name=f"locale({shown})")


def tag(name: str, /) -> Rule:
    """The debtor carries the tag ``name``."""
    return Predicate(lambda case: name in case.debtor.tags, name=f"tag({name!r})")


def _channel_name(channel: Channel | str) -> str:
    name = channel.name if isinstance(channel, Channel) else channel
    if name not in BUILTIN_CHANNELS and not isinstance(channel, Channel):
        raise ConfigurationError(
            f"unknown channel {name!r}; use one of {', '.join(sorted(BUILTIN_CHANNELS))}"
            " or pass a Channel object"
        )
    return name


def preferred_channel(channel: Channel | str, /) -> Rule:
    """The debtor's first preferred channel is ``channel``."""
    name = _channel_name(channel)
    return Predicate(
        lambda case: case.debtor.preferred_channels[:1] == (name,),
        name=f"preferred_channel({name!r})",
    )


def has_contact(channel: Channel | str, /) -> Rule:
    """The debtor has the contact ``channel`` needs (an email address for email, ...)."""
    resolved = channel if isinstance(channel, Channel) else BUILTIN_CHANNELS[_channel_name(channel)]
    return Predicate(
        lambda case: resolved.contact_for(case.debtor) is not None,
        name=f"has_contact({resolved.name!r})",
    )
