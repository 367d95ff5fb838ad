"""Dispatch: send rendered messages through transports, reliably.

`Dispatcher` routes each message to its channel's transports with retries (`RetryPolicy`),
per-transport limits (`Limits`), provider failover, channel fallback (`Envelope`), in-process
idempotency and `DeliveryEvent` hooks, and returns one `Outcome` per item.
"""

from ._dispatcher import Dispatcher
from ._events import (
    DeliveryEvent,
    DeliveryEventKind,
    DeliveryHook,
    LoggingHook,
    redact,
    scrub,
)
from ._limits import Limits, TokenBucket
from ._outcome import Envelope, Fallback, Outcome, OutcomeStatus
from ._retry import RetryPolicy

__all__ = [
    "DeliveryEvent",
    "DeliveryEventKind",
    "DeliveryHook",
    "Dispatcher",
    "Envelope",
    "Fallback",
    "Limits",
    "LoggingHook",
    "Outcome",
    "OutcomeStatus",
    "RetryPolicy",
    "TokenBucket",
    "redact",
    "scrub",
]
