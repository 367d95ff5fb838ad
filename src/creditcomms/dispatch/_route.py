"""One transport with its limits: the unit the dispatcher sends through."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from creditcomms.channels import Message
from creditcomms.errors import DeliveryError, PermanentDeliveryError
from creditcomms.transports import Receipt, Transport

from ._limits import Limits, TokenBucket
from ._retry import Sleep

__all__ = ["Provider"]

_NO_GATE = contextlib.nullcontext()  # stands in for the semaphore without a concurrency limit


class Provider:
    """A transport, its name, and its concurrency and rate gates.

    The gates are asyncio objects bound to one event loop, so they are rebuilt when the
    dispatcher is used from a new loop (each ``send_sync`` call runs its own).
    """

    def __init__(
        self,
        transport: Transport,
        limits: Limits,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.transport = transport
        self.name = str(getattr(transport, "name", type(transport).__name__))
        self._limits = limits
        self._clock = clock
        self._sleep = sleep
        self._loop: asyncio.AbstractEventLoop | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._bucket: TokenBucket | None = None

    def _bind(self) -> None:
        self._loop = asyncio.get_running_loop()
        limits = self._limits
        self._semaphore = asyncio.Semaphore(limits.concurrency) if limits.concurrency else None
        self._bucket = None
        if limits.rate is not None:
            self._bucket = TokenBucket(
                limits.rate, limits.burst, clock=self._clock, sleep=self._sleep
            )

    async def send(self, message: Message) -> Receipt:
        """Send through the gates; anything but a `DeliveryError` becomes a permanent one."""
        if self._loop is not asyncio.get_running_loop():
            self._bind()
        if self._bucket is not None:
            await self._bucket.acquire()
        async with self._semaphore or _NO_GATE:
            try:
                receipt = await self.transport.send(message)
            except DeliveryError:
                raise
            except Exception as exc:
                raise PermanentDeliveryError(
                    f"{self.name} raised {type(exc).__name__}: {exc}; a transport must raise"
                    " DeliveryError subclasses only",
                    channel=message.channel,
                    provider_status="transport_bug",
                ) from exc
        if not isinstance(receipt, Receipt):
            raise PermanentDeliveryError(
                f"{self.name} returned {type(receipt).__name__}, not a Receipt",
                channel=message.channel,
                provider_status="transport_bug",
            )
        return receipt
