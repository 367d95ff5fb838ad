"""The plain in-memory journal analytics reads: one row per send, one per payment.

A store's journal is adapted to these rows; analytics never needs the store itself.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date

from pydantic import AwareDatetime, Field

from creditcomms.campaigns import Tone
from creditcomms.model import DeliveryStatus, Feedback, Model, Money, OptOut
from creditcomms.model._types import ChannelName

__all__ = ["Journal", "PaymentRecord", "SendRecord", "SendStatus"]


class SendStatus(enum.StrEnum):
    """The furthest a send got. Statuses form a ladder: sent < delivered < opened/read < clicked.

    ``failed`` (never left) and ``bounced`` (left, never arrived) are terminal.
    """

    SENT = "sent"
    DELIVERED = "delivered"
    OPENED = "opened"
    READ = "read"
    CLICKED = "clicked"
    FAILED = "failed"
    BOUNCED = "bounced"

    @classmethod
    def furthest(cls, reports: Iterable[DeliveryStatus | str], /) -> SendStatus:
        """The status of a send from its provider reports, in any order.

        A bounce or failure wins; otherwise the highest rung reached (``complained`` counts as
        delivered). No reports means ``sent``.

        Example:
            >>> SendStatus.furthest(["opened", "delivered", "clicked"])
            <SendStatus.CLICKED: 'clicked'>
        """
        statuses = {cls(_REPORTED.get(str(r), str(r))) for r in reports}
        for terminal in (cls.FAILED, cls.BOUNCED):
            if terminal in statuses:
                return terminal
        return max(statuses, key=_RUNG.__getitem__, default=cls.SENT)

    @property
    def left(self) -> bool:
        """True when the message left us (everything but ``failed``)."""
        return self is not SendStatus.FAILED

    @property
    def delivered(self) -> bool:
        """True when the message arrived (delivered, opened, read or clicked)."""
        return self in _ARRIVED

    @property
    def opened(self) -> bool:
        """True when the recipient saw it (opened, read or clicked)."""
        return self in _SEEN


_REPORTED = {"complained": "delivered"}
_RUNG = {
    SendStatus.SENT: 0,
    SendStatus.DELIVERED: 1,
    SendStatus.OPENED: 2,
    SendStatus.READ: 2,
    SendStatus.CLICKED: 3,
    SendStatus.FAILED: 0,
    SendStatus.BOUNCED: 0,
}
_SEEN = frozenset({SendStatus.OPENED, SendStatus.READ, SendStatus.CLICKED})
_ARRIVED = _SEEN | {SendStatus.DELIVERED}


class SendRecord(Model):
    """One send attempt as the journal recorded it, with its furthest status."""

    at: AwareDatetime
    case_id: str = Field(min_length=1)
    campaign: str
    step: str
    channel: ChannelName
    variant: str | None = None
    segment: str | None = None
    locale: str | None = None
    tone: Tone | None = None
    cost: Money
    status: SendStatus = SendStatus.SENT


class PaymentRecord(Model):
    """Money received for a case, with the due date of what it paid."""

    at: AwareDatetime
    case_id: str = Field(min_length=1)
    amount: Money
    due_on: date


class Journal(Model):
    """Everything analytics reads: sends, payments, opt-outs and feedback.

    Example:
        >>> Journal().sends
        ()
    """

    sends: tuple[SendRecord, ...] = ()
    payments: tuple[PaymentRecord, ...] = ()
    opt_outs: tuple[OptOut, ...] = ()
    feedback: tuple[Feedback, ...] = ()

    @classmethod
    def of(
        cls,
        sends: Iterable[SendRecord] = (),
        payments: Iterable[PaymentRecord] = (),
        *,
        opt_outs: Iterable[OptOut] = (),
        feedback: Iterable[Feedback] = (),
    ) -> Journal:
        """Build a journal from any iterables of records and events."""
        return cls(
            sends=tuple(sends),
            payments=tuple(payments),
            opt_outs=tuple(opt_outs),
            feedback=tuple(feedback),
        )
