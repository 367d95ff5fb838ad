"""Events a host records: payments, disputes, promises, opt-outs, delivery status."""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, field_validator

from ._base import Model
from ._case import Instalment
from ._money import Money
from ._types import ChannelName

__all__ = [
    "ContactAttempted",
    "DeliveryStatus",
    "DeliveryStatusChanged",
    "DisputeOpened",
    "DisputeResolved",
    "Event",
    "EventBase",
    "Feedback",
    "HoldPlaced",
    "HoldReleased",
    "OptOut",
    "PaymentPlanAgreed",
    "PaymentReceived",
    "PromiseToPay",
]


class EventBase(Model):
    """Fields every event has: the case it concerns and when it happened."""

    case_id: Annotated[str, Field(min_length=1)]
    at: AwareDatetime


class PaymentReceived(EventBase):
    """Money arrived. Without ``invoice_ids`` it is applied to the oldest open invoices.

    Recorded through `Engine.record`, it also stays applied on top of the host's syncs
    until the host's books confirm it (`CaseState.unconfirmed_payments`).
    """

    type: Literal["payment_received"] = "payment_received"
    amount: Money
    invoice_ids: tuple[str, ...] = ()

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: Money) -> Money:
        if not value.is_positive:
            raise ValueError(
                "must be above zero; a refund or a reversed payment is a new sync of the"
                " invoice with its open amount and balances_as_of=<now>, so the engine stops"
                " applying the payments it recorded"
            )
        return value


class DisputeOpened(EventBase):
    """The customer contests the claim; reminders pause (or stop) until it is resolved."""

    type: Literal["dispute_opened"] = "dispute_opened"
    reason: str | None = None
    invoice_ids: tuple[str, ...] = ()


class DisputeResolved(EventBase):
    """A dispute ended.

    ``upheld=True`` (the default) means the creditor's claim was upheld: it stands and
    reminders resume. ``upheld=False`` means the customer was right: the case's open
    invoices are cancelled and reminders stop (sync corrected invoices to start again).
    """

    type: Literal["dispute_resolved"] = "dispute_resolved"
    upheld: bool = True


class PromiseToPay(EventBase):
    """The customer promised to pay by ``promised_on``; reminders pause until then."""

    type: Literal["promise_to_pay"] = "promise_to_pay"
    promised_on: date
    amount: Money | None = None


class PaymentPlanAgreed(EventBase):
    """An instalment plan was agreed; reminders pause while it is kept."""

    type: Literal["payment_plan_agreed"] = "payment_plan_agreed"
    instalments: tuple[Instalment, ...] = Field(min_length=1)


class HoldPlaced(EventBase):
    """A person put the case on hold (optionally until a date)."""

    type: Literal["hold_placed"] = "hold_placed"
    until: date | None = None
    reason: str | None = None


class HoldReleased(EventBase):
    """A manual hold was lifted."""

    type: Literal["hold_released"] = "hold_released"


class OptOut(EventBase):
    """The customer asked not to be contacted on ``channel`` any more."""

    type: Literal["opt_out"] = "opt_out"
    channel: ChannelName
    source: str | None = None
    """Where it came from: an inbound ``STOP`` SMS, a one-click unsubscribe, an agent."""


class DeliveryStatus(enum.StrEnum):
    """A provider's report about a message that left."""

    DELIVERED = "delivered"
    BOUNCED = "bounced"
    FAILED = "failed"
    READ = "read"
    OPENED = "opened"
    CLICKED = "clicked"
    COMPLAINED = "complained"


class DeliveryStatusChanged(EventBase):
    """A provider callback about a sent message, matched by idempotency key or provider id."""

    type: Literal["delivery_status_changed"] = "delivery_status_changed"
    status: DeliveryStatus
    channel: ChannelName | None = None
    idempotency_key: str | None = None
    provider_message_id: str | None = None
    detail: str | None = None


class ContactAttempted(EventBase):
    """A contact made outside creditcomms (an agent's call, a letter sent by hand)."""

    type: Literal["contact_attempted"] = "contact_attempted"
    channel: ChannelName
    conversation: bool = False
    """True when someone was actually reached (a call answered)."""
    step_id: str | None = None
    note: str | None = None


class Feedback(EventBase):
    """What the customer thought of a message: a 1-5 rating and an optional comment."""

    type: Literal["feedback"] = "feedback"
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)
    channel: ChannelName | None = None
    step_id: str | None = None


Event = Annotated[
    PaymentReceived
    | DisputeOpened
    | DisputeResolved
    | PromiseToPay
    | PaymentPlanAgreed
    | HoldPlaced
    | HoldReleased
    | OptOut
    | DeliveryStatusChanged
    | ContactAttempted
    | Feedback,
    Field(discriminator="type"),
]
"""Any event, discriminated by its ``type`` field (for storing and loading as JSON)."""
