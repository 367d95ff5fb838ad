"""Transports for tests and notebooks: record in memory, or answer with a handler."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Awaitable, Callable
from datetime import datetime

from creditcomms.channels import Message
from creditcomms.errors import DeliveryError, PermanentDeliveryError

from ._base import BaseTransport, Receipt, utc_now

__all__ = ["Handler", "InMemoryTransport", "MockTransport"]

Handler = Callable[[Message], Receipt | Awaitable[Receipt]]
"""A function (sync or async) that answers `MockTransport.send`: a receipt or a raise."""


class InMemoryTransport(BaseTransport):
    """Record every message in ``sent`` and return a deterministic receipt.

    The receipt's id is derived from the idempotency key, so the same message always gets
    the same id.

    Examples:
        >>> transport = InMemoryTransport()
        >>> transport.sent
        []
    """

    def __init__(self, *, name: str = "memory", clock: Callable[[], datetime] = utc_now) -> None:
        self.name = name
        self.sent: list[Message] = []
        self.closed = False
        self._clock = clock

    async def send(self, message: Message, /) -> Receipt:
        """Record ``message`` and return its receipt."""
        if self.closed:
            raise PermanentDeliveryError(
                f"{self.name}: the transport is closed", channel=message.channel
            )
        self.sent.append(message)
        digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:16]
        return Receipt(
            provider=self.name,
            provider_message_id=f"{self.name}-{digest}",
            accepted_at=self._clock(),
            idempotency_key=message.idempotency_key,
            cost=message.cost,
            raw_status="accepted",
        )

    async def aclose(self) -> None:
        """Mark the transport closed (sending afterwards fails)."""
        self.closed = True


class MockTransport(BaseTransport):
    """Answer each send with ``handler(message)``, which may be sync or async.

    The handler returns a `Receipt` or raises a `DeliveryError`; raising anything else is a
    bug in the handler and surfaces as a `PermanentDeliveryError` naming it.

    Examples:
        >>> def reject(message):
        ...     raise RecipientRejected("unsubscribed", channel=message.channel)
        >>> transport = MockTransport(reject)
    """

    def __init__(self, handler: Handler, /, *, name: str = "mock") -> None:
        self.name = name
        self.calls: list[Message] = []
        self._handler = handler

    async def send(self, message: Message, /) -> Receipt:
        """Pass ``message`` to the handler and return its receipt."""
        self.calls.append(message)
        try:
            result = self._handler(message)
            if inspect.isawaitable(result):
                result = await result
        except DeliveryError:
            raise
        except Exception as exc:
            raise PermanentDeliveryError(
                f"{self.name}: the handler raised {type(exc).__name__}: {exc}; a handler must"
                " return a Receipt or raise a DeliveryError",
                channel=message.channel,
            ) from exc
        if not isinstance(result, Receipt):
            raise PermanentDeliveryError(
                f"{self.name}: the handler returned {type(result).__name__}, not a Receipt",
                channel=message.channel,
            )
        return result
