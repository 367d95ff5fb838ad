"""Key figures per campaign, step, channel, segment, variant, locale, tone or day.

Definitions (all counts are per group of send records):

- ``attempts``: send records; ``sent``: those that left (not ``failed``); ``failed``;
  ``bounced``; ``delivered``: delivered, opened, read or clicked; ``opened``: opened, read or
  clicked (the recipient saw it); ``read``: read receipts; ``clicked``: pay-link clicks.
- ``cases``: distinct cases; ``paid_cases``: cases that paid within the window after one of
  the group's contacts; ``collection_rate`` = ``paid_cases / cases``.
- ``collected``: payments credited to the group by last touch (so groups add up to the
  attributed total); ``days_to_pay``: mean days from that contact to the payment;
  ``days_past_due``: mean days from the due date to the payment.
- ``cost`` and ``collected`` are in the table's reporting currency;
  ``cost_per_collected`` = ``cost / collected``.
- ``opt_outs``: opt-outs credited to the last contact on the same channel within the window.
- ``day`` is the send's calendar day in UTC.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, get_args

from creditcomms.errors import ConfigurationError
from creditcomms.model import Model

from ._index import CENT, Converter, JournalIndex, is_contact, utc_day
from ._records import Journal, PaymentRecord, SendRecord, SendStatus
from ._stats import Experiment, compare_variants
from ._tables import Table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["DIMENSIONS", "Dimension", "KpiRow", "KpiTable", "compute_kpis"]

Dimension = Literal["campaign", "step", "channel", "segment", "variant", "locale", "tone", "day"]
"""A column that KPIs can be grouped by."""
DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)
"""Every dimension, in display order."""

_COUNTS = ("attempts", "sent", "failed", "bounced", "delivered", "opened", "read", "clicked")
_FIGURES = (
    "cases", "paid_cases", "collection_rate", "cost", "collected", "cost_per_collected",
    "days_to_pay", "days_past_due", "opt_outs",
)  # fmt: skip


class KpiRow(Model):
    """The figures of one group; dimensions not grouped by are ``None``."""

    campaign: str | None = None
    step: str | None = None
    channel: str | None = None
    segment: str | None = None
    variant: str | None = None
    locale: str | None = None
    tone: str | None = None
    day: date | None = None
    attempts: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    delivered: int = 0
    opened: int = 0
    read: int = 0
    clicked: int = 0
    cases: int = 0
    paid_cases: int = 0
    collection_rate: float = 0.0
    cost: Decimal = Decimal(0)
    collected: Decimal = Decimal(0)
    cost_per_collected: Decimal | None = None
    days_to_pay: float | None = None
    days_past_due: float | None = None
    opt_outs: int = 0


class KpiTable(Model, Table):
    """KPIs grouped by ``by``, in one reporting currency, with the window used."""

    by: tuple[Dimension, ...]
    currency: str
    window: timedelta
    groups: tuple[KpiRow, ...]

    def header(self) -> tuple[str, ...]:
        """The grouping columns followed by every figure."""
        return (*self.by, *_COUNTS, *_FIGURES)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per group with the grouping columns and every figure."""
        columns = self.header()
        return [{c: getattr(row, c) for c in columns} for row in self.groups]

    def compare(self, *, control: str | None = None, confidence: float = 0.95) -> Experiment:
        """Compare the groups' collection rates (paid cases of cases) as an experiment.

        The table must be grouped by one dimension, such as ``by=("variant",)``; the control
        defaults to the first group.
        """
        if len(self.by) != 1:
            raise ConfigurationError(
                f"compare() needs a table grouped by one dimension, not {self.by};"
                " use compute_kpis(journal, by=('variant',))"
            )
        counts = {str(getattr(row, self.by[0])): (row.paid_cases, row.cases) for row in self.groups}
        return compare_variants(counts, control=control, confidence=confidence)

    def plot_funnel(self) -> Figure:
        """Bars per group: sent, delivered, opened, clicked and paid cases."""
        from ._plots import plot_funnel  # noqa: PLC0415 - matplotlib only when plotting

        return plot_funnel(self)

    def plot_cost_vs_recovery(self) -> Figure:
        """Each group's cost against the amount it collected."""
        from ._plots import plot_cost_vs_recovery  # noqa: PLC0415 - matplotlib only when plotting

        return plot_cost_vs_recovery(self)


def _ratio(cost: Decimal, collected: Decimal) -> Decimal | None:
    return (cost / collected).quantize(Decimal("0.0001")) if collected else None


def _key(record: SendRecord, by: tuple[Dimension, ...]) -> tuple[Any, ...]:
    values: list[Any] = []
    for dimension in by:
        if dimension == "day":
            values.append(utc_day(record.at))
        else:
            value = getattr(record, dimension)
            values.append(None if value is None else str(value))
    return tuple(values)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _counts(records: list[SendRecord]) -> dict[str, int]:
    statuses = [r.status for r in records]
    return {
        "attempts": len(statuses),
        "sent": sum(s.left for s in statuses),
        "failed": sum(not s.left for s in statuses),
        "bounced": statuses.count(SendStatus.BOUNCED),
        "delivered": sum(s.delivered for s in statuses),
        "opened": sum(s.opened for s in statuses),
        "read": statuses.count(SendStatus.READ),
        "clicked": statuses.count(SendStatus.CLICKED),
    }


def _money_figures(
    records: list[SendRecord], credited: list[tuple[SendRecord, PaymentRecord]], money: Converter
) -> dict[str, Any]:
    cost = sum((money(r.cost) for r in records), Decimal(0)).quantize(CENT)
    collected = sum((money(p.amount) for _, p in credited), Decimal(0)).quantize(CENT)
    return {
        "cost": cost,
        "collected": collected,
        "cost_per_collected": _ratio(cost, collected),
        "days_to_pay": _mean([(p.at - r.at) / timedelta(days=1) for r, p in credited]),
        "days_past_due": _mean([float((p.at.date() - p.due_on).days) for _, p in credited]),
    }


def _row(
    key: tuple[Any, ...],
    numbers: list[int],
    index: JournalIndex,
    money: Converter,
    by: tuple[Dimension, ...],
) -> KpiRow:
    sends = index.journal.sends
    records = [sends[i] for i in numbers]
    cases = {r.case_id for r in records}
    paid = {sends[i].case_id for i in numbers if is_contact(sends[i]) and index.paid_after(i)}
    credited = [(sends[i], p) for i in numbers for p in index.credited.get(i, ())]
    return KpiRow(
        **dict(zip(by, key, strict=True)),
        **_counts(records),
        **_money_figures(records, credited, money),
        cases=len(cases),
        paid_cases=len(paid),
        collection_rate=len(paid) / len(cases),
        opt_outs=sum(len(index.opt_outs.get(i, ())) for i in numbers),
    )


def compute_kpis(
    journal: Journal,
    /,
    *,
    by: Dimension | Iterable[Dimension] = ("campaign", "channel"),
    window: timedelta = timedelta(days=14),
    currency: str | None = None,
    rates: Mapping[str, Decimal] | None = None,
) -> KpiTable:
    """Compute the KPIs of ``journal`` per group of ``by`` (see the module notes).

    ``by=()`` gives one row with the totals.

    Args:
        journal: The sends, payments, opt-outs and feedback.
        by: The dimensions to group by, in column order (`DIMENSIONS`), or one of them.
        window: How long after a contact a payment or opt-out still counts for it.
        currency: The reporting currency; defaults to the journal's only currency.
        rates: Value of one unit of each other currency in ``currency``.

    Raises:
        ConfigurationError: an unknown dimension, a non-positive window, or mixed currencies
            without ``currency`` and ``rates``.
    """
    dims = (by,) if isinstance(by, str) else tuple(by)  # "channel" is one dimension
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise ConfigurationError(f"cannot group by {unknown}; choose from {', '.join(DIMENSIONS)}")
    money = Converter(journal, currency=currency, rates=rates)
    index = JournalIndex(journal, window=window)
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for number, record in enumerate(journal.sends):
        groups[_key(record, dims)].append(number)
    ordered = sorted(groups.items(), key=lambda item: tuple(str(v) for v in item[0]))
    rows = tuple(_row(key, numbers, index, money, dims) for key, numbers in ordered)
    return KpiTable(by=dims, currency=money.currency, window=window, groups=rows)
