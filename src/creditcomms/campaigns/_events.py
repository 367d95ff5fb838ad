"""Applying events to a case: the pure state transition the timeline (and hosts) use."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from creditcomms.channels import BUILTIN_CHANNELS
from creditcomms.errors import ConfigurationError
from creditcomms.model import (
    Case,
    ContactAttempted,
    ContactOutcome,
    ContactRecord,
    DeliveryStatus,
    DeliveryStatusChanged,
    DisputeOpened,
    DisputeResolved,
    EventBase,
    Feedback,
    HoldPlaced,
    HoldReleased,
    Invoice,
    InvoiceStatus,
    Money,
    OptOut,
    PaymentPlan,
    PaymentPlanAgreed,
    PaymentReceived,
    PromiseToPay,
)

__all__ = ["apply_event"]


def _state(case: Case, **changes: Any) -> Case:
    return case.model_copy(update={"state": case.state.model_copy(update=changes)})


def _pay(case: Case, event: PaymentReceived) -> Case:
    if event.amount.currency != case.currency:
        raise ConfigurationError(
            f"payment of {event.amount} for case {case.id} in {case.currency}; convert it first"
        )
    remaining = event.amount.amount
    order = sorted(
        case.invoices,
        key=lambda i: (bool(event.invoice_ids) and i.id not in event.invoice_ids, i.due_on),
    )
    paid: dict[str, Invoice] = {}
    for invoice in order:
        if remaining <= 0 or not invoice.is_open:
            continue
        used = min(remaining, invoice.balance.amount)
        remaining -= used
        paid[invoice.id] = _reduced(invoice, used)
    invoices = tuple(paid.get(i.id, i) for i in case.invoices)
    return case.model_copy(update={"invoices": invoices})


def _reduced(invoice: Invoice, used: Decimal) -> Invoice:
    left = invoice.balance.amount - used
    status = InvoiceStatus.PAID if left == 0 else invoice.status
    return invoice.model_copy(
        update={"open_amount": Money(left, invoice.amount.currency), "status": status}
    )


def _resolved(case: Case, event: DisputeResolved) -> Case:
    case = _state(case, disputed=False, dispute_reason=None)
    if event.upheld:
        return case
    cancelled = tuple(
        i.model_copy(update={"status": InvoiceStatus.CANCELLED}) if i.is_open else i
        for i in case.invoices
    )
    return case.model_copy(update={"invoices": cancelled})


def _contact(case: Case, event: ContactAttempted) -> Case:
    outcome = ContactOutcome.CONVERSATION if event.conversation else ContactOutcome.SENT
    record = ContactRecord(
        at=event.at, channel=event.channel, outcome=outcome, step_id=event.step_id
    )
    return case.model_copy(update={"history": (*case.history, record)})


_FAILED = {
    DeliveryStatus.BOUNCED: ContactOutcome.BOUNCED,
    DeliveryStatus.FAILED: ContactOutcome.FAILED,
}
_REACHED = {
    DeliveryStatus.DELIVERED: ContactOutcome.DELIVERED,
    DeliveryStatus.READ: ContactOutcome.READ,
}


def _delivery(case: Case, event: DeliveryStatusChanged) -> Case:
    outcome = _FAILED.get(event.status) or _REACHED.get(event.status)
    if outcome is None:
        return case
    key = event.idempotency_key
    sent = [r for r in case.history if key and r.idempotency_key == key]
    if event.status is DeliveryStatus.BOUNCED:
        case = _bounced(case, event.channel or (sent[0].channel if sent else None))
    if not sent:
        return case
    history = tuple(
        r.model_copy(update={"outcome": outcome}) if r.idempotency_key == key else r
        for r in case.history
    )
    return case.model_copy(update={"history": history})


def _bounced(case: Case, channel: str | None) -> Case:
    """Remember the address that bounced, so the channel is not used for it again."""
    known = BUILTIN_CHANNELS.get(channel) if channel else None
    address = known.contact_for(case.debtor) if known is not None else None
    if not isinstance(address, str):
        return case
    return _state(case, bounced=case.state.bounced | {f"{channel}:{address}"})


_HANDLERS: dict[type[EventBase], Callable[[Case, Any], Case]] = {
    PaymentReceived: _pay,
    DisputeOpened: lambda c, e: _state(c, disputed=True, dispute_reason=e.reason),
    DisputeResolved: _resolved,
    PromiseToPay: lambda c, e: _state(c, promised_on=e.promised_on, promised_amount=e.amount),
    PaymentPlanAgreed: lambda c, e: _state(
        c, payment_plan=PaymentPlan(instalments=e.instalments, agreed_at=e.at)
    ),
    HoldPlaced: lambda c, e: _state(c, on_hold=True, hold_until=e.until, hold_reason=e.reason),
    HoldReleased: lambda c, e: _state(c, on_hold=False, hold_until=None, hold_reason=None),
    OptOut: lambda c, e: _state(c, opted_out=c.state.opted_out | {e.channel}),
    ContactAttempted: _contact,
    DeliveryStatusChanged: _delivery,
    Feedback: lambda c, e: c,
}


def apply_event(case: Case, event: EventBase, /) -> Case:
    """The case after ``event``, as a new object (the input is not changed).

    Payments reduce balances oldest first (named invoices first), never below zero;
    disputes, promises, plans, holds and opt-outs change the state; contacts extend the
    history. A new promise made after an earlier one has passed counts up
    ``broken_promises``. (`Engine.record` also remembers a payment in
    ``CaseState.unconfirmed_payments`` until the host's books confirm it; applying an event
    here does not.)
    """
    if event.case_id != case.id:
        raise ConfigurationError(f"event for case {event.case_id!r} applied to case {case.id!r}")
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise ConfigurationError(f"no rule to apply {type(event).__name__} to a case")
    promised = case.state.promised_on
    if isinstance(event, PromiseToPay) and promised is not None and promised < event.at.date():
        case = _state(case, broken_promises=case.state.broken_promises + 1)
    return handler(case, event)
