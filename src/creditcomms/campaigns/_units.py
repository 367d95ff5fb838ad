"""Units: what one sequence covers (a whole case, or one invoice of it), and its balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditcomms.model import Case, Invoice, Money

from ._step import Grouping

__all__ = ["Unit", "open_balance", "units_of"]


@dataclass(slots=True)
class Unit:
    """What one sequence covers: the whole case, or one invoice of it.

    Not frozen: one is made per plan, and a frozen dataclass costs twice as much to make.
    """

    key: str
    due_on: date
    invoice_ids: tuple[str, ...]
    balance: Money
    per_invoice: bool


def units_of(
    case: Case, grouping: Grouping, invoices: tuple[Invoice, ...], balance: Money, /
) -> tuple[Unit, ...]:
    """The sequences a case runs under ``grouping`` (``invoices``: open, oldest first)."""
    if grouping is Grouping.INVOICE:
        return tuple(
            Unit(f"{case.id}/{i.id}", i.due_on, (i.id,), i.balance, True) for i in invoices
        )
    return (Unit(case.id, invoices[0].due_on, tuple(i.id for i in invoices), balance, False),)


def open_balance(invoices: tuple[Invoice, ...], /) -> Money | None:
    """The total open over ``invoices`` (``None`` when there are none)."""
    if not invoices:
        return None
    if len(invoices) == 1:
        return invoices[0].balance
    first = invoices[0].balance
    total = sum((i.balance.amount for i in invoices), Decimal(0))
    return Money.model_construct(amount=total, currency=first.currency)
