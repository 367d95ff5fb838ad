"""Per-transport limits: how many sends run at once and how many start per second."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Annotated

from pydantic import Field

from creditcomms.model import Model

from ._retry import Sleep

__all__ = ["Limits", "TokenBucket"]


class Limits(Model):
    """Limits applied to each transport separately.

    Examples:
        >>> Limits(concurrency=10, rate=50, burst=20).rate
        50.0
    """

    concurrency: Annotated[int, Field(ge=1)] | None = 64
    """Sends in flight at once on one transport; None for no limit."""
    rate: Annotated[float, Field(gt=0)] | None = None
    """Sends started per second (token bucket); None for no limit."""
    burst: Annotated[int, Field(ge=1)] = 1
    """How many sends may start at once after an idle period."""


class TokenBucket:
    """A token bucket: ``rate`` tokens per second, holding at most ``burst``.

    Args:
        rate: Tokens added per second.
        burst: Capacity; the bucket starts full.
        clock: Monotonic seconds (injectable for tests).
        sleep: Async sleep (injectable for tests).
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = asyncio.Lock()
        self._queued = 0  # callers inside the locked path below

    async def acquire(self) -> None:
        """Wait until a token is available and take it (first come, first served)."""
        if not self._queued:  # nobody waits: a free token is taken without the lock
            self._refill()
            if self._tokens >= 1:
                self._tokens -= 1
                return
        self._queued += 1
        try:
            async with self._lock:
                self._refill()
                if self._tokens < 1:
                    await self._sleep((1 - self._tokens) / self._rate)
                    self._refill()
                self._tokens -= 1
        finally:
            self._queued -= 1

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
