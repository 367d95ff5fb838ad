"""Delivery events for hooks, and the default hook that logs them without personal data."""

from __future__ import annotations

import enum
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from creditcomms.errors import DeliveryError
from creditcomms.transports import Receipt

__all__ = [
    "DeliveryEvent",
    "DeliveryEventKind",
    "DeliveryHook",
    "LoggingHook",
    "redact",
    "scrub",
]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_PHONE = re.compile(r"(?<![\w])\+?\d[\d ()/.-]{6,}\d")


def redact(value: str) -> str:
    """Mask a recipient for logs: ``e***@***.de``, ``+49********78``, ``DE89***00``.

    Examples:
        >>> redact("erika@example.de"), redact("+4915112345678")
        ('e***@***.de', '+49*********78')
    """
    if "@" in value:
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}***@***.{domain.rsplit('.', 1)[-1].rstrip('>')}"
    digits = value.replace(" ", "")
    if len(digits) > 6:
        return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]
    return "***"


def scrub(text: str) -> str:
    """Replace every email address, IBAN and phone number in ``text`` with a masked form."""
    text = _EMAIL.sub(lambda m: redact(m.group()), text)
    text = _IBAN.sub(lambda m: m.group()[:4] + "***", text)
    return _PHONE.sub(lambda m: redact(m.group()), text)


class DeliveryEventKind(enum.StrEnum):
    """What happened to a message."""

    ATTEMPT = "attempt"
    RETRY = "retry"
    SUCCESS = "success"
    FAILURE = "failure"
    FAILOVER = "failover"
    FALLBACK = "fallback"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True, repr=False)
class DeliveryEvent:
    """One step of one delivery, passed to every `DeliveryHook`.

    ``recipient`` holds personal data: the ``repr`` masks it, and hooks that log should too
    (see `redact`).
    """

    kind: DeliveryEventKind
    idempotency_key: str
    case_id: str
    channel: str
    recipient: str
    provider: str | None = None
    attempt: int = 0
    """The number of this call on this provider (1 for the first)."""
    wait: timedelta | None = None
    """For ``retry``: how long the dispatcher waits before the next attempt."""
    receipt: Receipt | None = None
    error: DeliveryError | None = None
    fallback_to: str | None = None
    """For ``fallback`` the next channel, for ``failover`` the next provider."""

    def __repr__(self) -> str:
        parts = [
            f"kind={self.kind.value!r}",
            f"channel={self.channel!r}",
            f"recipient={redact(self.recipient)!r}",
            f"key={self.idempotency_key!r}",
        ]
        if self.provider:
            parts.append(f"provider={self.provider!r}")
        if self.error is not None:
            parts.append(f"error={type(self.error).__name__}")
        return f"DeliveryEvent({', '.join(parts)})"


class DeliveryHook(Protocol):
    """**Protocol:** called with each `DeliveryEvent`; must not raise (errors are logged)."""

    def __call__(self, event: DeliveryEvent, /) -> None:
        """Observe ``event``."""


_LEVELS = {
    DeliveryEventKind.ATTEMPT: logging.DEBUG,
    DeliveryEventKind.RETRY: logging.INFO,
    DeliveryEventKind.SUCCESS: logging.INFO,
    DeliveryEventKind.DUPLICATE: logging.INFO,
    DeliveryEventKind.FAILOVER: logging.WARNING,
    DeliveryEventKind.FALLBACK: logging.WARNING,
    DeliveryEventKind.FAILURE: logging.WARNING,
}


class LoggingHook:
    """The default hook: log each event to ``logging.getLogger("creditcomms")``.

    Recipients, and any email address, phone number or IBAN inside provider error texts,
    are masked at every level above DEBUG. Structured fields go in ``extra`` as
    ``delivery_kind``, ``idempotency_key``, ``channel``, ``provider`` and ``attempt``.
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or logging.getLogger("creditcomms")

    def __call__(self, event: DeliveryEvent, /) -> None:
        """Log ``event`` at its level (attempts at DEBUG, failures at WARNING)."""
        level = _LEVELS[event.kind]
        if not self.logger.isEnabledFor(level):
            return
        private = level <= logging.DEBUG
        recipient = event.recipient if private else redact(event.recipient)
        text = f"{event.channel} to {recipient} via {event.provider or '-'}: {event.kind.value}"
        if event.receipt is not None:
            text += f" ({event.receipt.provider_message_id})"
        if event.error is not None:
            detail = str(event.error) if private else scrub(str(event.error))
            text += f": {type(event.error).__name__}: {detail}"
        if event.wait is not None:
            text += f"; next attempt in {event.wait.total_seconds():.1f} s"
        if event.fallback_to:
            text += f"; next: {event.fallback_to}"
        self.logger.log(level, "%s [key %s]", text, event.idempotency_key, extra=_extra(event))


def _extra(event: DeliveryEvent) -> dict[str, object]:
    return {
        "delivery_kind": event.kind.value,
        "idempotency_key": event.idempotency_key,
        "channel": event.channel,
        "provider": event.provider,
        "attempt": event.attempt,
    }
