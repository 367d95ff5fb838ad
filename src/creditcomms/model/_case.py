"""Invoices and the case: one debtor's open invoices, their state and contact history."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, Field, field_validator, model_validator

from creditcomms.errors import PaymentReferenceError

from ._base import FieldError, Model
from ._money import Money
from ._parties import Debtor
from ._types import ChannelName

__all__ = [
    "Case",
    "CaseState",
    "ContactOutcome",
    "ContactRecord",
    "Instalment",
    "Invoice",
    "InvoiceStatus",
    "PaymentPlan",
    "RecordedPayment",
]

Identifier = Annotated[str, Field(min_length=1, max_length=128)]


class InvoiceStatus(enum.StrEnum):
    """Where an invoice stands in the host's books."""

    OPEN = "open"
    PAID = "paid"
    CANCELLED = "cancelled"
    WRITTEN_OFF = "written_off"


class Invoice(Model):
    """One invoice. ``open_amount`` defaults to ``amount``; a partly paid invoice has less."""

    id: Identifier
    amount: Money
    open_amount: Money | None = None
    issued_on: date
    due_on: date
    status: InvoiceStatus = InvoiceStatus.OPEN
    reference: str | None = None
    """A structured payment reference already printed on the invoice, if any: RF (ISO
    11649), Swiss QR, Belgian OGM or Dutch betalingskenmerk. Free text goes in
    ``description``."""
    description: str | None = None

    @field_validator("reference")
    @classmethod
    def _structured(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from creditcomms.payments import detect_scheme  # noqa: PLC0415 - payments needs model

        try:
            detect_scheme(value)
        except PaymentReferenceError:
            raise ValueError(
                "is not a structured payment reference (RF..., Swiss QR, Belgian OGM or Dutch"
                " betalingskenmerk); leave it empty to have an RF reference made from the"
                " invoice id, and put free text in description"
            ) from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Invoice:
        if not self.amount.is_positive:
            raise FieldError(
                "amount", str(self.amount), "must be above zero (record credits apart)"
            )
        open_amount = self.open_amount if self.open_amount is not None else self.amount
        if open_amount.currency != self.amount.currency:
            raise FieldError(
                "open_amount",
                str(open_amount),
                f"is in {open_amount.currency} but amount is in {self.amount.currency};"
                " one invoice has one currency",
            )
        if open_amount.amount < 0 or open_amount > self.amount:
            raise FieldError(
                "open_amount", str(open_amount), f"must be between 0 and amount {self.amount}"
            )
        if self.due_on < self.issued_on:
            raise FieldError(
                "due_on", self.due_on, f"is before issued_on {self.issued_on}; fix one of the dates"
            )
        if self.status is InvoiceStatus.PAID and open_amount.amount:
            raise FieldError("open_amount", str(open_amount), "must be 0 for a paid invoice")
        object.__setattr__(self, "open_amount", open_amount)
        return self

    @property
    def balance(self) -> Money:
        """The amount still open (never ``None`` after validation)."""
        return self.open_amount if self.open_amount is not None else self.amount

    @property
    def is_open(self) -> bool:
        """True while the invoice is open and has a balance."""
        return self.status is InvoiceStatus.OPEN and self.balance.is_positive

    def days_past_due(self, on: date, /) -> int:
        """Days since the due date on ``on`` (negative before it)."""
        return (on - self.due_on).days


class Instalment(Model):
    """One agreed instalment of a payment plan."""

    due_on: date
    amount: Money


class PaymentPlan(Model):
    """An agreed payment plan; reminders pause while it is kept."""

    instalments: tuple[Instalment, ...] = Field(min_length=1)
    agreed_at: AwareDatetime

    @property
    def ends_on(self) -> date:
        """The due date of the last instalment."""
        return max(i.due_on for i in self.instalments)


class ContactOutcome(enum.StrEnum):
    """What became of one contact attempt."""

    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    BOUNCED = "bounced"
    CONVERSATION = "conversation"
    """A person-to-person conversation took place (phone call answered)."""


class ContactRecord(Model):
    """One earlier contact with the customer, on any channel (the shared history)."""

    at: AwareDatetime
    channel: ChannelName
    outcome: ContactOutcome = ContactOutcome.SENT
    campaign_id: str | None = None
    step_id: str | None = None
    idempotency_key: str | None = None


class RecordedPayment(Model):
    """A payment `Engine.record` applied that the host's books may not show yet.

    ``amount`` is what the payment took off the case's balances (an overpayment beyond them
    is not carried), ``invoice_ids`` the invoices it reduced. `Engine.sync` applies it
    again to the host's invoices until the host confirms it: a sync with
    ``balances_as_of`` at or after ``at``, or one after the engine's ``reconcile_within``.
    """

    at: AwareDatetime
    amount: Money
    invoice_ids: tuple[str, ...] = ()

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: Money) -> Money:
        if not value.is_positive:
            raise ValueError("must be above zero (what the payment took off the balances)")
        return value


class CaseState(Model):
    """What pauses or stops reminders: disputes, promises, plans, holds, opt-outs."""

    disputed: bool = False
    dispute_reason: str | None = None
    promised_on: date | None = None
    """The date the customer promised to pay by."""
    promised_amount: Money | None = None
    broken_promises: int = Field(default=0, ge=0)
    payment_plan: PaymentPlan | None = None
    on_hold: bool = False
    hold_until: date | None = None
    hold_reason: str | None = None
    opted_out: frozenset[ChannelName] = frozenset()
    bounced: frozenset[str] = frozenset()
    """Addresses a provider reported as bouncing, as ``channel:address``
    (``email:erika@example.de``). The channel is not used for that address again; the
    step's fallback goes out instead, until the host syncs another address."""
    cycle: int = Field(default=0, ge=0)
    """Which dunning cycle the case is in (0: the first). `Engine.sync` counts it up when
    every open invoice it brings is new to the case, so a customer who paid and fell
    behind again gets the sequence from its first step; steps and idempotency keys are
    per cycle."""
    unconfirmed_payments: tuple[RecordedPayment, ...] = ()
    """Payments recorded through `Engine.record` that the host has not confirmed yet, oldest
    first. `Engine.sync` applies them again to the host's invoices, so books that have not
    booked a payment yet do not bring the debt back; the host's own state never sets them
    (see docs/howto/payments-webhooks.md)."""


class Case(Model):
    """A debtor with their open invoices, the state that guards reminders, and history.

    ``id`` defaults to the debtor's id (one case per debtor); give one per invoice when the
    campaign groups per invoice. All invoices of a case share one currency.
    """

    id: Identifier
    debtor: Debtor
    invoices: tuple[Invoice, ...] = Field(min_length=1)
    state: CaseState = CaseState()
    history: tuple[ContactRecord, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _default_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and "id" not in data:
            debtor = data.get("debtor")
            debtor_id = (
                debtor.get("id") if isinstance(debtor, dict) else getattr(debtor, "id", None)
            )
            if debtor_id is not None:
                return {**data, "id": debtor_id}
        return data

    @model_validator(mode="after")
    def _one_currency(self) -> Case:
        currencies = {i.amount.currency for i in self.invoices}
        if len(currencies) > 1:
            raise FieldError(
                "invoices",
                sorted(currencies),
                "mix currencies; make one case per currency, each with its own"
                ' id= (say f"{debtor.id}-EUR"), since a case id defaults to the debtor id',
            )
        ids = [i.id for i in self.invoices]
        if len(set(ids)) != len(ids):
            raise FieldError("invoices", ids, "invoice ids must be unique within a case")
        return self

    @property
    def currency(self) -> str:
        """The currency of every invoice in the case."""
        return self.invoices[0].amount.currency

    @property
    def open_invoices(self) -> tuple[Invoice, ...]:
        """The invoices that are still open, oldest due date first."""
        invoices = self.invoices
        if len(invoices) == 1:  # most cases: no generator, no sort
            return invoices if invoices[0].is_open else ()
        return tuple(sorted((i for i in invoices if i.is_open), key=lambda i: i.due_on))

    @property
    def open_amount(self) -> Money:
        """The total still open."""
        return sum((i.balance for i in self.open_invoices), Money.zero(self.currency))

    @property
    def total_amount(self) -> Money:
        """The total invoiced amount of the case's invoices."""
        return sum((i.amount for i in self.invoices), Money.zero(self.currency))

    @property
    def is_paid(self) -> bool:
        """True when nothing is open any more."""
        return not self.open_invoices

    @property
    def oldest_due_on(self) -> date:
        """The earliest due date among open invoices (or all invoices when none is open)."""
        oldest: date | None = None
        for invoice in self.invoices:  # a minimum needs no sorted tuple of open invoices
            if invoice.is_open and (oldest is None or invoice.due_on < oldest):
                oldest = invoice.due_on
        return oldest if oldest is not None else min(i.due_on for i in self.invoices)

    def days_past_due(self, on: date, /) -> int:
        """Days past the oldest open due date on ``on`` (negative before it)."""
        return (on - self.oldest_due_on).days

    def contacts_since(self, since: datetime, /) -> tuple[ContactRecord, ...]:
        """History entries at or after ``since``."""
        return tuple(r for r in self.history if r.at >= since)
