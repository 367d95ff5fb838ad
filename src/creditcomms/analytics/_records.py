"""The plain in-memory journal analytics reads: one row per send, one per payment.

A store's journal is adapted to these rows; analytics never needs the store itself.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date

from pydantic import AwareDatetime, Field

from creditcomms.campaigns import Tone
from creditcomms.errors import ConfigurationError
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

        Examples:
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


def _text(value: object) -> str | None:
    return None if value is None else str(value)


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

    Examples:
        >>> Journal().sends
        ()
    """

    sends: tuple[SendRecord, ...] = ()
    payments: tuple[PaymentRecord, ...] = ()
    opt_outs: tuple[OptOut, ...] = ()
    feedback: tuple[Feedback, ...] = ()

    def only(self, **values: str | None) -> Journal:
        """The sends whose fields equal ``values`` (``campaign="b2c"``), with their cases' events.

        Examples:
            >>> Journal().only(campaign="b2c").sends
            ()
        """
        unknown = sorted(set(values) - set(SendRecord.model_fields))
        if unknown:
            raise ConfigurationError(
                f"cannot filter on {unknown}; use SendRecord fields such as campaign, step,"
                " channel, variant or segment"
            )
        sends = tuple(
            r for r in self.sends if all(_text(getattr(r, k)) == v for k, v in values.items())
        )
        cases = {r.case_id for r in sends}
        return Journal(
            sends=sends,
            payments=tuple(p for p in self.payments if p.case_id in cases),
            opt_outs=tuple(o for o in self.opt_outs if o.case_id in cases),
            feedback=tuple(f for f in self.feedback if f.case_id in cases),
        )

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
