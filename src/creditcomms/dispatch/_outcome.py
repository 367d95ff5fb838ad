"""What goes into the dispatcher (`Envelope`) and what comes out (`Outcome`)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from creditcomms.channels import Message
from creditcomms.errors import DeliveryError
from creditcomms.model import Reason
from creditcomms.transports import Receipt

__all__ = ["Envelope", "Fallback", "Outcome", "OutcomeStatus"]

Fallback = Message | Callable[[], Message | None]
"""A fallback message, or a function rendering it on demand (None: no contact for it)."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """A message plus the messages to try, in order, if its channel fails permanently.

    A fallback is a ready `Message` or a zero-argument callable that renders one only when
    needed; the callable returns None (or raises a creditcomms error) when the case has no
    contact for that channel, and the dispatcher moves on to the next fallback.

    Examples:
        ``Envelope(sms, fallbacks=(email, lambda: render_letter(case)))``
    """

    message: Message
    fallbacks: tuple[Fallback, ...] = ()
    passed_over: tuple[Reason, ...] = ()
    """Planned channels left out before ``message`` was made, each with why (no phone
    number, an SMS over its segment cap): journalled when the message goes out."""

    @property
    def key(self) -> str:
        """The idempotency key of the primary message (the planned action's key)."""
        return self.message.idempotency_key


class OutcomeStatus(enum.StrEnum):
    """How one submitted item ended."""

    SENT = "sent"
    """A provider accepted a message (``fallback_from`` says if it was a fallback)."""
    DUPLICATE = "duplicate"
    """The key was already sent by this dispatcher; nothing was sent again."""
    FAILED = "failed"
    """Nothing was accepted; ``error`` says why."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one submitted item: which message left, through whom, or why not.

    Attributes:
        key: The idempotency key of the submitted item (its primary message's key).
        status: Sent, duplicate or failed.
        message: The message sent (a fallback's, after a fallback), or the last one tried.
        receipt: The provider's receipt (the earlier receipt for a duplicate).
        error: The last error when ``status`` is failed.
        provider: The name of the transport that accepted (or last refused) the message.
        attempts: Calls made to transports for this item, across providers and channels.
        fallback_from: Channels tried before ``message.channel``, in order.
        errors: Every error met on the way (failovers and fallbacks), oldest first.
    """

    key: str
    status: OutcomeStatus
    message: Message
    receipt: Receipt | None = None
    error: DeliveryError | None = None
    provider: str | None = None
    attempts: int = 0
    fallback_from: tuple[str, ...] = ()
    errors: tuple[DeliveryError, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the message is with a provider (sent now or earlier)."""
        return self.status is not OutcomeStatus.FAILED

    @property
    def channel(self) -> str:
        """The channel of ``message``."""
        return self.message.channel

    @property
    def case_id(self) -> str:
        """The case the message concerns."""
        return self.message.case_id

    @property
    def fell_back(self) -> bool:
        """True when a fallback channel's message was sent instead of the primary."""
        return bool(self.fallback_from)
