"""Jurisdiction packs: what interest and fees a reminder may state on a date, and why."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

from creditcomms._reasons import reason
from creditcomms.errors import ConfigurationError
from creditcomms.model import Case, CustomerKind, Invoice, Money, Reason

__all__ = ["FeeCalculator", "FeeItem", "Fees", "RatePeriod"]

_ALIASES = {"UK": "GB"}
_YEAR = Decimal(365)


@dataclass(frozen=True, slots=True)
class RatePeriod:
    """One published rate (percent a year) and the days it is valid."""

    start: date
    end: date
    rate: Decimal


@dataclass(frozen=True, slots=True)
class FeeItem:
    """One amount a reminder may state: its kind, the amount and its legal basis."""

    kind: str
    """``interest``, ``flat_fee``, ``compensation`` or ``collection_costs``."""
    amount: Money
    basis: Reason


@dataclass(frozen=True, slots=True)
class Fees:
    """Everything a reminder may claim on a date, with a reason for each item and omission."""

    country: str
    on: date
    items: tuple[FeeItem, ...]
    reasons: tuple[Reason, ...]
    """Why something was left out (no rate published, 14-day letter not yet expired, ...)."""
    total: Money


def _load_bundled() -> dict[str, Any]:
    text = (
        resources.files("creditcomms.policies")
        .joinpath("_data/jurisdictions.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


def _periods(rows: list[dict[str, str]]) -> tuple[RatePeriod, ...]:
    return tuple(
        RatePeriod(
            date.fromisoformat(r["from"]), date.fromisoformat(r["until"]), Decimal(r["rate"])
        )
        for r in rows
    )


class FeeCalculator:
    """Late-payment interest and fees per country and customer kind, from dated data.

    The bundled data covers DE, NL, BE, AT, CH and GB (``"UK"`` is accepted). Rates change
    twice a year: pass newer ones with ``rates={"DE-base": [RatePeriod(...)]}`` (they are
    added to the bundled periods). A date no period covers gives no interest and a
    ``rate_unknown`` reason instead of a guess.

    Examples:
        >>> calc = FeeCalculator()
        >>> calc.flat_fee("DE", "b2b")
        Money('40.00', 'EUR')
    """

    def __init__(self, *, rates: Mapping[str, list[RatePeriod]] | None = None) -> None:
        data = _load_bundled()
        self._rules: dict[str, Any] = data["jurisdictions"]
        self._scales: dict[str, Any] = data["scales"]
        self._rates = {k: _periods(v) for k, v in data["rates"].items()}
        for table, periods in (rates or {}).items():
            self._rates[table] = tuple(
                sorted((*self._rates.get(table, ()), *periods), key=lambda p: p.start)
            )

    @property
    def countries(self) -> tuple[str, ...]:
        """The countries with a jurisdiction pack."""
        return tuple(sorted(self._rules))

    def _rule(self, country: str, kind: str) -> tuple[str, dict[str, Any]]:
        code = _ALIASES.get(country.upper(), country.upper())
        if code not in self._rules:
            raise ConfigurationError(
                f"no jurisdiction pack for {country!r}; available: {', '.join(self.countries)}"
            )
        return code, self._rules[code][CustomerKind(kind).value]

    def rate_on(self, table: str, day: date, /) -> Decimal | None:
        """The published rate of ``table`` valid on ``day``, or ``None`` when unknown."""
        for period in self._rates.get(table, ()):
            if period.start <= day <= period.end:
                return period.rate
        return None

    def flat_fee(self, country: str, kind: str, /) -> Money | None:
        """The statutory lump sum for ``kind`` customers in ``country``, if there is one."""
        code, rule = self._rule(country, kind)
        fee = rule.get("flat_fee")
        return Money(fee["amount"], self._rules[code]["currency"]) if fee else None

    def fees(
        self,
        case: Case,
        /,
        *,
        on: date,
        country: str | None = None,
        reminder: int = 1,
        first_reminder_on: date | None = None,
        notice_sent_on: date | None = None,
    ) -> Fees:
        """What a reminder sent on ``on`` may state for ``case``.

        Args:
            case: The case; its open invoices are the principal.
            on: The date the reminder states amounts for.
            country: The jurisdiction (default: the debtor's address country).
            reminder: Which reminder this is (1 = the first).
            first_reminder_on: When the first reminder went out (starts default where the
                law needs a reminder: DE consumers, CH; starts the Belgian 14-day grace).
            notice_sent_on: When the Dutch 14-day letter went out (needed before
                collection costs from consumers).
        """
        where = country or case.debtor.country
        if where is None:
            raise ConfigurationError(
                f"case {case.id}: no country given and the debtor has no address"
            )
        code, rule = self._rule(where, case.debtor.kind.value)
        currency = self._rules[code]["currency"]
        if case.currency != currency:
            raise ConfigurationError(
                f"case {case.id} is in {case.currency} but {code} rules are in {currency}"
            )
        ctx = _Context(
            on, reminder, first_reminder_on, notice_sent_on, case.open_invoices, currency
        )
        items: list[FeeItem] = []
        notes: list[Reason] = []
        self._interest(rule.get("interest"), ctx, items, notes)
        self._lump(rule, ctx, items, notes)
        notes.extend(
            reason(key, rule[key])
            for key in ("first_reminder_free", "no_fees")
            if key in rule and (key == "no_fees" or reminder == 1)
        )
        total = sum((i.amount for i in items), Money.zero(currency))
        return Fees(code, on, tuple(items), tuple(notes), total)

    def _interest(
        self, rule: dict[str, Any] | None, ctx: _Context, items: list[FeeItem], notes: list[Reason]
    ) -> None:
        if rule is None:
            return
        total = Decimal(0)
        for invoice in ctx.invoices:
            start = _default_start(rule["default"], invoice, ctx)
            if start is None:
                notes.append(
                    reason("not_in_default", "default needs a reminder first; no interest yet")
                )
                return
            amount = self._accrued(rule, invoice.balance.amount, start, ctx.on, notes)
            if amount is None:
                return
            total += amount
        if total > 0:
            money = Money.rounded(total, ctx.currency)
            items.append(FeeItem("interest", money, reason("interest", rule["basis"])))

    def _accrued(
        self, rule: dict[str, Any], principal: Decimal, start: date, on: date, notes: list[Reason]
    ) -> Decimal | None:
        total = Decimal(0)
        day = start + timedelta(days=1)
        fixed_rate = self._rate(rule, start, notes) if rule.get("fixed_at_default") else None
        while day <= on:
            rate = fixed_rate if fixed_rate is not None else self._rate(rule, day, notes)
            if rate is None:
                return None
            total += principal * rate / 100 / _YEAR
            day += timedelta(days=1)
        return total

    def _rate(self, rule: dict[str, Any], day: date, notes: list[Reason]) -> Decimal | None:
        if "fixed" in rule:
            return Decimal(rule["fixed"])
        base = self.rate_on(rule["table"], day)
        if base is None:
            notes.append(
                reason(
                    "rate_unknown",
                    f"no {rule['table']} rate is known for {day}; update the data or pass"
                    " FeeCalculator(rates=...)",
                )
            )
            return None
        return base + Decimal(rule["margin"])

    def _lump(
        self, rule: dict[str, Any], ctx: _Context, items: list[FeeItem], notes: list[Reason]
    ) -> None:
        principal = sum((i.balance.amount for i in ctx.invoices), Decimal(0))
        if "flat_fee" in rule:
            fee = rule["flat_fee"]
            items.append(
                FeeItem(
                    "flat_fee", Money(fee["amount"], ctx.currency), reason("flat_fee", fee["basis"])
                )
            )
        for kind in ("compensation", "collection_costs"):
            spec = rule.get(kind)
            if spec is None:
                continue
            waiting = _waiting(spec, ctx, kind)
            if waiting is not None:
                notes.append(waiting)
                continue
            amounts = (
                [i.balance.amount for i in ctx.invoices] if spec.get("per_invoice") else [principal]
            )
            value = sum((self._scale(spec["scale"], a) for a in amounts), Decimal(0))
            items.append(
                FeeItem(kind, Money.rounded(value, ctx.currency), reason(kind, spec["basis"]))
            )

    def _scale(self, name: str, principal: Decimal) -> Decimal:
        scale = self._scales[name]
        if "bands" in scale:
            return _bands(scale, principal)
        if "steps" in scale:
            return _steps(scale, principal)
        return next(
            Decimal(fee)
            for limit, fee in scale["fixed"]
            if limit is None or principal < Decimal(limit)
        )


@dataclass(frozen=True, slots=True)
class _Context:
    on: date
    reminder: int
    first_reminder_on: date | None
    notice_sent_on: date | None
    invoices: tuple[Invoice, ...]
    currency: str


def _default_start(kind: str, invoice: Invoice, ctx: _Context) -> date | None:
    if kind == "due":
        return invoice.due_on
    if kind == "due+30":
        return invoice.due_on + timedelta(days=30)
    if ctx.first_reminder_on is None or ctx.reminder <= 1:
        return None
    return max(ctx.first_reminder_on, invoice.due_on)


def _waiting(spec: dict[str, Any], ctx: _Context, kind: str) -> Reason | None:
    days = spec.get("notice_days")
    if days is None:
        return None
    sent = ctx.notice_sent_on if kind == "collection_costs" else ctx.first_reminder_on
    if sent is None:
        return reason(f"{kind}_not_yet", f"{spec['basis']}; no such notice has been sent")
    if ctx.on < sent + timedelta(days=days):
        return reason(
            f"{kind}_not_yet", f"{spec['basis']}; allowed from {sent + timedelta(days=days)}"
        )
    return None


def _bands(scale: dict[str, Any], principal: Decimal) -> Decimal:
    left, total = principal, Decimal(0)
    for size, percent in scale["bands"]:
        part = left if size is None else min(left, Decimal(size))
        total += part * Decimal(percent) / 100
        left -= part
        if left <= 0:
            break
    return min(max(total, Decimal(scale["minimum"])), Decimal(scale["maximum"]))


def _steps(scale: dict[str, Any], principal: Decimal) -> Decimal:
    lower = Decimal(0)
    for limit, base, percent in scale["steps"]:
        if limit is None or principal <= Decimal(limit):
            value = Decimal(base) + (principal - lower) * Decimal(percent) / 100
            return min(value, Decimal(scale["maximum"]))
        lower = Decimal(limit)
    raise ConfigurationError("a step scale must end with an open-ended step")
