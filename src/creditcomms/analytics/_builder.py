"""Collect sends and events as they happen, then hand analytics a `Journal`."""

from __future__ import annotations

from datetime import date, datetime

from creditcomms.campaigns import Tone
from creditcomms.errors import ConfigurationError
from creditcomms.model import (
    DeliveryStatusChanged,
    EventBase,
    Feedback,
    Money,
    OptOut,
    PaymentReceived,
)

from ._records import Journal, PaymentRecord, SendRecord, SendStatus

__all__ = ["JournalBuilder"]


class JournalBuilder:
    """An in-memory journal filled during a run: sends by idempotency key, then events.

    Delivery reports (`DeliveryStatusChanged` with an ``idempotency_key``) move the matching
    send to its furthest status; payments become `PaymentRecord` rows (they need the due date
    of what they pay); opt-outs and feedback are kept; other events are not needed here.

    Examples:
        >>> from datetime import UTC, date, datetime
        >>> builder = JournalBuilder()
        >>> at = datetime(2026, 11, 5, 9, tzinfo=UTC)
        >>> builder.send(
        ...     "k1", at=at, case_id="C-1", campaign="b2c", step="reminder-1", channel="sms",
        ...     cost=Money("0.10", "EUR"),
        ... )
        >>> builder.record(DeliveryStatusChanged(case_id="C-1", at=at, status="delivered",
        ...                                      idempotency_key="k1"))
        >>> builder.build().sends[0].status
        <SendStatus.DELIVERED: 'delivered'>
    """

    def __init__(self) -> None:
        self._sends: dict[str, SendRecord] = {}
        self._reports: dict[str, list[str]] = {}
        self._payments: list[PaymentRecord] = []
        self._opt_outs: list[OptOut] = []
        self._feedback: list[Feedback] = []

    def send(
        self,
        key: str,
        /,
        *,
        at: datetime,
        case_id: str,
        campaign: str,
        step: str,
        channel: str,
        cost: Money,
        variant: str | None = None,
        segment: str | None = None,
        locale: str | None = None,
        tone: Tone | str | None = None,
        status: SendStatus | str = SendStatus.SENT,
    ) -> None:
        """Record one send under its idempotency ``key`` (a repeated key replaces the row)."""
        self._sends[key] = SendRecord(
            at=at,
            case_id=case_id,
            campaign=campaign,
            step=step,
            channel=channel,
            variant=variant,
            segment=segment,
            locale=locale,
            tone=tone,
            cost=cost,
            status=status,
        )
        self._reports[key] = [str(status)]

    def record(self, event: EventBase, /, *, due_on: date | None = None) -> None:
        """Take one event; a `PaymentReceived` needs ``due_on``, the due date it pays."""
        if isinstance(event, DeliveryStatusChanged):
            self._report(event)
        elif isinstance(event, PaymentReceived):
            if due_on is None:
                raise ConfigurationError(
                    f"payment for case {event.case_id!r} needs due_on=, the due date of the"
                    " invoice it pays (e.g. case.oldest_due_on), for payment curves"
                )
            self._payments.append(
                PaymentRecord(
                    at=event.at, case_id=event.case_id, amount=event.amount, due_on=due_on
                )
            )
        elif isinstance(event, OptOut):
            self._opt_outs.append(event)
        elif isinstance(event, Feedback):
            self._feedback.append(event)

    def _report(self, event: DeliveryStatusChanged) -> None:
        key = event.idempotency_key
        if key is None or key not in self._sends:
            return  # a report about a message this journal never saw
        self._reports[key].append(str(event.status))
        status = SendStatus.furthest(self._reports[key])
        self._sends[key] = self._sends[key].model_copy(update={"status": status})

    def build(self) -> Journal:
        """The journal so far (the builder keeps collecting)."""
        return Journal.of(
            self._sends.values(), self._payments, opt_outs=self._opt_outs, feedback=self._feedback
        )
