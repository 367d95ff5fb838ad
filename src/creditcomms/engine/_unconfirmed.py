"""Payments recorded through the engine that the host's books may not show yet.

A payment webhook reaches `Engine.record` at once; the host's ERP books the money when it
reconciles its bank statements, a day or more later. Until then its nightly sync still
shows the old open amounts. The case remembers each payment it applied
(`CaseState.unconfirmed_payments`) and `merge` applies them again on top of the host's
invoices, so stale books cannot bring back a debt that was paid. A payment is let go once
the host confirms it: a sync whose ``balances_as_of`` is at or after the payment, or any
sync once ``reconcile_within`` has passed since it (the host's books are then the truth; a
payment still missing from them may have been reversed).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from creditcomms.campaigns import apply_event
from creditcomms.errors import FieldProblem, ValidationError
from creditcomms.model import Case, Money, PaymentReceived, RecordedPayment

__all__ = ["RECONCILE_WITHIN", "check_window", "remember", "replay"]

RECONCILE_WITHIN = timedelta(days=7)
"""How long the engine applies a recorded payment the host's books do not confirm."""


def check_window(window: timedelta, /) -> timedelta:
    """Return ``window``, refusing anything but a positive `timedelta`."""
    value: object = window
    if not isinstance(value, timedelta) or window <= timedelta(0):
        raise ValidationError(
            "Engine",
            [
                FieldProblem(
                    "reconcile_within",
                    window,
                    "must be a positive timedelta, the time the host's books take to show a"
                    " payment, such as timedelta(days=7)",
                )
            ],
        )
    return window


def remember(before: Case, after: Case, event: PaymentReceived, /, *, window: timedelta) -> Case:
    """``after`` (``before`` with ``event`` applied) remembering what the payment took off.

    The memory holds the amount the balances went down by and the invoices that went down,
    so a payment to a case that was already paid is not remembered, and an overpayment is
    remembered up to what was open. Payments whose window has passed by ``event.at`` are
    let go: the next sync would drop them anyway.
    """
    reduced = [
        (old.id, old.balance.amount - new.balance.amount)
        for old, new in zip(before.invoices, after.invoices, strict=True)
        if new.balance.amount < old.balance.amount
    ]
    payments = _unconfirmed(after.state.unconfirmed_payments, at=event.at, window=window)
    if reduced:
        taken = Money(sum(amount for _, amount in reduced), after.currency)
        ids = tuple(invoice_id for invoice_id, _ in reduced)
        payment = RecordedPayment(at=event.at, amount=taken, invoice_ids=ids)
        payments = tuple(sorted((*payments, payment), key=lambda p: p.at))
    if payments == after.state.unconfirmed_payments:
        return after
    state = after.state.model_copy(update={"unconfirmed_payments": payments})
    return after.model_copy(update={"state": state})


def replay(
    case: Case, /, *, at: datetime, balances_as_of: datetime | None, window: timedelta
) -> Case:
    """``case`` (the host's invoices, the stored state) with its unconfirmed payments applied.

    Each payment the host has not confirmed is applied again, oldest first, as
    `apply_event` applies a `PaymentReceived`: its invoices first, then the oldest open
    ones, never below zero. Confirmed payments, and any in another currency than the host's
    invoices now have, are dropped from the state.
    """
    remembered = case.state.unconfirmed_payments
    if not remembered:
        return case
    kept = tuple(
        payment
        for payment in _unconfirmed(remembered, at=at, window=window, balances_as_of=balances_as_of)
        if payment.amount.currency == case.currency
    )
    for payment in kept:
        event = PaymentReceived(
            case_id=case.id, at=payment.at, amount=payment.amount, invoice_ids=payment.invoice_ids
        )
        case = apply_event(case, event)
    state = case.state.model_copy(update={"unconfirmed_payments": kept})
    return case.model_copy(update={"state": state})


def _unconfirmed(
    payments: Iterable[RecordedPayment],
    /,
    *,
    at: datetime,
    window: timedelta,
    balances_as_of: datetime | None = None,
) -> tuple[RecordedPayment, ...]:
    """The payments neither inside the host's balances nor past their window at ``at``."""
    return tuple(
        payment
        for payment in payments
        if (balances_as_of is None or payment.at > balances_as_of) and payment.at + window > at
    )
