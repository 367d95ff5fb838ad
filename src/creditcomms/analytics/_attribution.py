"""Who gets the credit for a payment, and how fast each variant's cases pay."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from creditcomms.errors import ConfigurationError
from creditcomms.model import Model

from ._index import CENT, Converter, JournalIndex, utc_day
from ._kpis import DIMENSIONS, Dimension
from ._records import Journal, SendRecord
from ._tables import Table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "NO_GROUP",
    "Attribution",
    "AttributionRow",
    "PaymentCurve",
    "PaymentCurves",
    "attribute_payments",
    "payment_curves",
]

NO_GROUP = "(none)"
"""The group name of cases whose send records have no value for the dimension."""


class AttributionRow(Model):
    """The credit one step on one channel earned."""

    campaign: str
    step: str
    channel: str
    payments: int
    """Payments whose last touch was this step on this channel."""
    amount: Decimal
    """Their amount (last touch), in the reporting currency."""
    share: float
    """``amount`` as a share of all collected money (attributed or not)."""
    linear_amount: Decimal
    """Credit when each payment is split equally over every contact in its window."""
    assisted: int
    """Payments with this step among the contacts in their window."""


class Attribution(Model, Table):
    """Last-touch and linear credit per (campaign, step, channel), plus what nobody earned."""

    currency: str
    window: timedelta
    steps: tuple[AttributionRow, ...]
    unattributed_payments: int
    """Payments with no contact in the window before them (they would have come anyway)."""
    unattributed_amount: Decimal
    total_amount: Decimal

    columns: ClassVar[tuple[str, ...]] = (
        "campaign", "step", "channel", "payments", "amount", "share", "linear_amount", "assisted",
    )  # fmt: skip

    def rows(self) -> list[dict[str, Any]]:
        """One dict per (campaign, step, channel)."""
        return [row.model_dump() for row in self.steps]


def _step_key(record: SendRecord) -> tuple[str, str, str]:
    return (record.campaign, record.step, record.channel)


_StepKey = tuple[str, str, str]


class _Credit:
    """Running credit per (campaign, step, channel) while payments are attributed."""

    def __init__(self, index: JournalIndex, money: Converter) -> None:
        self.last: dict[_StepKey, list[Decimal]] = defaultdict(list)
        self.linear: dict[_StepKey, Decimal] = defaultdict(Decimal)
        self.assisted: dict[_StepKey, int] = defaultdict(int)
        sends = index.journal.sends
        for number, payments in index.credited.items():
            self.last[_step_key(sends[number])] += [money(p.amount) for p in payments]
        for payment in index.journal.payments:
            touches = [_step_key(sends[n]) for n in index.touches(payment.case_id, payment.at)]
            for key in touches:
                self.linear[key] += money(payment.amount) / len(touches)
            for key in set(touches):
                self.assisted[key] += 1

    def row(self, key: _StepKey, total: Decimal) -> AttributionRow:
        amount = sum(self.last[key], Decimal(0))
        return AttributionRow(
            campaign=key[0],
            step=key[1],
            channel=key[2],
            payments=len(self.last[key]),
            amount=amount.quantize(CENT),
            share=float(amount / total) if total else 0.0,
            linear_amount=self.linear[key].quantize(CENT),
            assisted=self.assisted[key],
        )


def attribute_payments(
    journal: Journal,
    /,
    *,
    window: timedelta = timedelta(days=14),
    currency: str | None = None,
    rates: Mapping[str, Decimal] | None = None,
) -> Attribution:
    """Credit each payment to the contacts in the window before it.

    Last touch gives all of a payment to the latest contact; linear splits it equally over
    every contact in the window; ``assisted`` counts each step that was among them once.
    """
    money = Converter(journal, currency=currency, rates=rates)
    index = JournalIndex(journal, window=window)
    credit = _Credit(index, money)
    total = sum((money(p.amount) for p in journal.payments), Decimal(0))
    lost = [money(p.amount) for p in index.unattributed]
    return Attribution(
        currency=money.currency,
        window=window,
        steps=tuple(credit.row(key, total) for key in sorted(set(credit.linear))),
        unattributed_payments=len(lost),
        unattributed_amount=sum(lost, Decimal(0)).quantize(CENT),
        total_amount=total.quantize(CENT),
    )


class PaymentCurve(Model):
    """For one group: the share of its cases that had paid by each day since the due date."""

    group: str
    cases: int = Field(ge=0)
    days: tuple[int, ...]
    paid: tuple[int, ...]
    """Cases whose first payment came on or before each day."""

    @property
    def shares(self) -> tuple[float, ...]:
        """``paid / cases`` per day."""
        return tuple(p / self.cases if self.cases else 0.0 for p in self.paid)

    def share_on(self, day: int, /) -> float:
        """The share paid by ``day`` days after the due date (negative: before it)."""
        if day not in self.days:
            raise ConfigurationError(f"day {day} is outside {self.days[0]}..{self.days[-1]}")
        return self.shares[self.days.index(day)]


class PaymentCurves(Model, Table):
    """One payment curve per group of a dimension (by default: per variant)."""

    by: Dimension
    curves: tuple[PaymentCurve, ...]

    columns: ClassVar[tuple[str, ...]] = ("group", "day", "cases", "paid", "share")

    def rows(self) -> list[dict[str, Any]]:
        """Long format: one row per group and day."""
        return [
            {"group": c.group, "day": d, "cases": c.cases, "paid": p, "share": s}
            for c in self.curves
            for d, p, s in zip(c.days, c.paid, c.shares, strict=True)
        ]

    def curve(self, group: str, /) -> PaymentCurve:
        """The curve of ``group``."""
        for curve in self.curves:
            if curve.group == group:
                return curve
        raise KeyError(f"no group {group!r}; groups are {[c.group for c in self.curves]}")

    def plot(self) -> Figure:
        """The curves as a line chart (needs the ``analytics`` extra)."""
        from ._plots import plot_payment_curves  # noqa: PLC0415 - matplotlib only when plotting

        return plot_payment_curves(self)


def payment_curves(
    journal: Journal, /, *, by: Dimension = "variant", days: range = range(-14, 61)
) -> PaymentCurves:
    """Share of cases paid by each day since the due date, per group of ``by``.

    A case belongs to the group of its first send record and counts as paid from its first
    payment; ``day`` is the payment's UTC date minus the due date of what it paid.
    """
    if by not in DIMENSIONS:
        raise ConfigurationError(f"cannot group by {by!r}; choose from {', '.join(DIMENSIONS)}")
    if not days:
        raise ConfigurationError("days must be a non-empty range, e.g. range(-14, 61)")
    group_of: dict[str, str] = {}
    for record in sorted(journal.sends, key=lambda r: r.at):
        value = utc_day(record.at) if by == "day" else getattr(record, by)
        group_of.setdefault(record.case_id, NO_GROUP if value is None else str(value))
    first_day: dict[str, int] = {}
    for payment in sorted(journal.payments, key=lambda p: p.at):
        first_day.setdefault(payment.case_id, (utc_day(payment.at) - payment.due_on).days)
    members: dict[str, list[str]] = defaultdict(list)
    for case_id, group in group_of.items():
        members[group].append(case_id)
    curves = tuple(_curve(group, members[group], first_day, days) for group in sorted(members))
    return PaymentCurves(by=by, curves=curves)


def _curve(group: str, cases: list[str], first_day: dict[str, int], days: range) -> PaymentCurve:
    paid_on = sorted(first_day[c] for c in cases if c in first_day)
    counts = []
    position = 0
    for day in days:
        while position < len(paid_on) and paid_on[position] <= day:
            position += 1
        counts.append(position)
    return PaymentCurve(group=group, cases=len(cases), days=tuple(days), paid=tuple(counts))
