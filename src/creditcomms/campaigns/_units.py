"""Units: what one sequence covers (a whole case, or one invoice of it), and its balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditcomms.model import Case, Invoice, Money

from ._step import Grouping

__all__ = ["Unit", "cycle_key", "open_balance", "units_of"]


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
    keyed: bool
    """Only history whose keys were made for this unit counts (per invoice, later cycles)."""


def units_of(
    case: Case, grouping: Grouping, invoices: tuple[Invoice, ...], balance: Money, /
) -> tuple[Unit, ...]:
    """The sequences a case runs under ``grouping`` (``invoices``: open, oldest first)."""
    if grouping is Grouping.INVOICE:
        return tuple(
            Unit(f"{case.id}/{i.id}", i.due_on, (i.id,), i.balance, True, True) for i in invoices
        )
    key = cycle_key(case)
    ids = tuple(i.id for i in invoices)
    return (Unit(key or case.id, invoices[0].due_on, ids, balance, False, key is not None),)


def cycle_key(case: Case, /) -> str | None:
    """The unit key of a case's later dunning cycle (``None`` in its first, the case id)."""
    cycle = case.state.cycle
    return f"{case.id}#{cycle}" if cycle else None


def open_balance(invoices: tuple[Invoice, ...], /) -> Money | None:
    """The total open over ``invoices`` (``None`` when there are none)."""
    if not invoices:
        return None
    if len(invoices) == 1:
        return invoices[0].balance
    first = invoices[0].balance
    total = sum((i.balance.amount for i in invoices), Decimal(0))
    return Money.model_construct(amount=total, currency=first.currency)
