"""`RetryPolicy`: a small declarative retry rule, turned into tenacity privately."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

import tenacity
from pydantic import Field

from creditcomms.errors import RateLimited, TransientDeliveryError
from creditcomms.model import Model

from ._switches import switches

__all__ = ["RetryPolicy", "Sleep", "build_retrying"]

Sleep = Callable[[float], Awaitable[None]]
"""An async sleep: ``asyncio.sleep`` or a fake for tests."""


class RetryPolicy(Model):
    """How a transient failure is retried on one provider before failing over.

    Only `TransientDeliveryError` (timeouts, 5xx) and `RateLimited` are retried; permanent
    errors never are. Waits grow exponentially from ``wait_initial`` to ``wait_max`` seconds
    with up to ``wait_jitter`` seconds of random jitter, except after `RateLimited` with a
    ``retry_after``, which is waited exactly. No retry starts whose wait would end after
    ``timeout``.

    Examples:
        >>> RetryPolicy(attempts=3, wait_initial=0.5).attempts
        3
    """

    attempts: Annotated[int, Field(ge=1, le=100)] = 5
    """Calls to one provider at most, the first included."""
    timeout: timedelta | None = timedelta(minutes=2)
    """Total time budget per provider, waits included; None for no limit."""
    wait_initial: Annotated[float, Field(ge=0)] = 1.0
    wait_max: Annotated[float, Field(ge=0)] = 30.0
    wait_jitter: Annotated[float, Field(ge=0)] = 1.0


class _WaitHonouringRetryAfter(tenacity.wait.wait_base):
    """Exponential back-off with jitter, except a rate limit's own ``retry_after``."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._backoff = tenacity.wait_exponential(
            multiplier=policy.wait_initial, max=policy.wait_max
        ) + tenacity.wait_random(0, policy.wait_jitter)

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return error.retry_after.total_seconds()
        return float(self._backoff(retry_state))


def build_retrying(
    policy: RetryPolicy,
    *,
    sleep: Sleep = asyncio.sleep,
    before_sleep: Callable[[tenacity.RetryCallState], None] | None = None,
) -> tenacity.AsyncRetrying:
    """The tenacity engine for ``policy`` (private: users never import tenacity)."""
    stop: tenacity.stop.stop_base = tenacity.stop_after_attempt(policy.attempts)
    if policy.timeout is not None:
        stop = stop | tenacity.stop_before_delay(policy.timeout.total_seconds())
    return tenacity.AsyncRetrying(
        stop=stop,
        wait=_WaitHonouringRetryAfter(policy),
        retry=tenacity.retry_if_exception_type(TransientDeliveryError),
        reraise=True,
        sleep=_switchable(sleep),
        before_sleep=before_sleep,
    )


def _switchable(sleep: Sleep) -> Sleep:
    async def maybe_sleep(seconds: float) -> None:
        if not switches.no_backoff:
            await sleep(seconds)

    return maybe_sleep
