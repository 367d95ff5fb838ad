"""The journal indexed per case: contacts in time order, last-touch attribution, currency.

A *contact* is a send that reached the customer's provider: every status except ``failed``
and ``bounced``. A payment is attributed to the last contact with the same case at or before
it, within the attribution window; an opt-out, to the last contact on its channel.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from creditcomms.errors import ConfigurationError
from creditcomms.model import Money, OptOut

from ._records import Journal, PaymentRecord, SendRecord, SendStatus

__all__ = ["CENT", "Converter", "JournalIndex", "is_contact", "utc_day"]


CENT = Decimal("0.01")
"""Reported amounts are rounded to cents (after conversion into the reporting currency)."""


def is_contact(record: SendRecord) -> bool:
    """True when the send reached the customer's side (not failed, not bounced)."""
    return record.status.left and record.status is not SendStatus.BOUNCED


def utc_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in UTC (the ``day`` dimension)."""
    return moment.astimezone(UTC).date()


class Converter:
    """Turns money into plain amounts of one reporting currency."""

    def __init__(
        self, journal: Journal, *, currency: str | None, rates: Mapping[str, Decimal] | None
    ) -> None:
        seen = {r.cost.currency for r in journal.sends} | {
            p.amount.currency for p in journal.payments
        }
        if currency is None:
            if len(seen) > 1:
                raise ConfigurationError(
                    f"the journal mixes currencies {sorted(seen)}; pass currency='EUR' (the"
                    " reporting currency) and rates={'CHF': Decimal('1.05'), ...} giving the"
                    " value of one unit of each other currency in it"
                )
            currency = next(iter(seen), "EUR")
        self.currency = currency
        self.rates = {currency: Decimal(1), **_rates(rates or {})}
        missing = sorted(seen - set(self.rates))
        if missing:
            raise ConfigurationError(
                f"no exchange rate for {missing} into {currency};"
                f" add them to rates=, e.g. rates={{{missing[0]!r}: Decimal('1.05')}}"
            )

    def __call__(self, money: Money, /) -> Decimal:
        """The amount of ``money`` in the reporting currency."""
        return money.amount * self.rates[money.currency]


def _rates(rates: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Exchange rates as decimals: ``Decimal("1.05")``, ``"1.05"``, ``1.05`` or ``1`` each."""
    checked: dict[str, Decimal] = {}
    for code, rate in rates.items():
        value: object = rate
        number: object = value
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            try:
                number = Decimal(str(value))
            except ArithmeticError:
                number = None
        if not isinstance(number, Decimal) or not number > 0:
            raise ConfigurationError(
                f"rates[{code!r}] = {rate!r}: give the value of one {code} in the reporting"
                f" currency as a positive number, e.g. rates={{{code!r}: Decimal('1.05')}}"
            )
        checked[code] = number
    return checked


class JournalIndex:
    """Per-case contacts and payments, and who gets the credit for each payment."""

    def __init__(self, journal: Journal, *, window: timedelta) -> None:
        if window <= timedelta(0):
            raise ConfigurationError(f"window={window} must be positive, e.g. timedelta(days=14)")
        self.journal = journal
        self.window = window
        self.contacts: dict[str, list[int]] = defaultdict(list)
        for number, record in sorted(enumerate(journal.sends), key=lambda item: item[1].at):
            if is_contact(record):
                self.contacts[record.case_id].append(number)
        self._times = {
            case: [journal.sends[i].at for i in numbers] for case, numbers in self.contacts.items()
        }
        self.payments: dict[str, list[PaymentRecord]] = defaultdict(list)
        for payment in sorted(journal.payments, key=lambda p: p.at):
            self.payments[payment.case_id].append(payment)
        self.credited: dict[int, list[PaymentRecord]] = defaultdict(list)
        self.unattributed: list[PaymentRecord] = []
        for payment in journal.payments:
            touch = self.last_touch(payment.case_id, payment.at)
            if touch is None:
                self.unattributed.append(payment)
            else:
                self.credited[touch].append(payment)
        self.opt_outs: dict[int, list[OptOut]] = defaultdict(list)
        for opt_out in journal.opt_outs:
            touch = self.last_touch(opt_out.case_id, opt_out.at, channel=opt_out.channel)
            if touch is not None:
                self.opt_outs[touch].append(opt_out)

    def touches(self, case_id: str, at: datetime, /) -> list[int]:
        """The contacts with ``case_id`` in the window before ``at``, oldest first."""
        times = self._times.get(case_id, [])
        end = bisect.bisect_right(times, at)
        start = bisect.bisect_left(times, at - self.window)
        return self.contacts[case_id][start:end]

    def last_touch(
        self, case_id: str, at: datetime, /, *, channel: str | None = None
    ) -> int | None:
        """The latest contact (on ``channel``, if given) within the window before ``at``."""
        for number in reversed(self.touches(case_id, at)):
            if channel is None or self.journal.sends[number].channel == channel:
                return number
        return None

    def paid_after(self, number: int, /) -> bool:
        """True when the case paid within the window after send ``number``."""
        record = self.journal.sends[number]
        payments = self.payments.get(record.case_id, [])
        return any(record.at <= p.at <= record.at + self.window for p in payments)
