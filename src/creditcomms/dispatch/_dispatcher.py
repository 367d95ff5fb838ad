"""The `Dispatcher`: routes messages to transports with retries, limits, failover, fallback."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from types import TracebackType
from typing import Any, Self, TypeVar

import tenacity

from creditcomms.channels import Channel, Message
from creditcomms.errors import (
    ConfigurationError,
    DeliveryError,
    FieldProblem,
    PermanentDeliveryError,
    TransientDeliveryError,
    ValidationError,
)
from creditcomms.transports import Receipt, Transport
from creditcomms.transports._base import utc_now

from ._events import DeliveryEvent, DeliveryEventKind, DeliveryHook, LoggingHook
from ._limits import Limits
from ._outcome import Envelope, Fallback, Outcome, OutcomeStatus
from ._retry import RetryPolicy, Sleep, build_retrying
from ._route import Provider
from ._switches import switches

__all__ = ["Dispatcher"]

_log = logging.getLogger("creditcomms")
Kind = DeliveryEventKind
_Chain = Transport | Sequence[Transport]
# A mapping's key type is invariant, so the key type is a type variable: users write
# {SMS: ...} or {"sms": ...} (inline or as a variable) and both type-check.
RouteKey = TypeVar("RouteKey", bound=Channel | str)
LimitKey = TypeVar("LimitKey", bound=Channel | str)
_TRAIL: Any = object()  # _emit's default provider: the trail's current one


@dataclass(slots=True)
class _Trail:
    """What happened so far to one submitted item."""

    key: str
    attempts: int = 0
    provider: str | None = None
    fallback_from: list[str] = field(default_factory=list)
    errors: list[DeliveryError] = field(default_factory=list)

    def outcome(self, status: OutcomeStatus, message: Message, **extra: Any) -> Outcome:
        return Outcome(
            key=self.key,
            status=status,
            message=message,
            provider=extra.pop("provider", self.provider),
            attempts=self.attempts,
            fallback_from=tuple(self.fallback_from),
            errors=tuple(self.errors),
            **extra,
        )


def _channel_name(channel: Channel | str) -> str:
    return channel.name if isinstance(channel, Channel) else str(channel)


class Dispatcher:
    """Send messages through transports, one `Outcome` per submitted item.

    Args:
        transports: Channel (or channel name) to a transport, or to a list of transports
            tried in order: the next one takes over when the previous one's retries are
            exhausted on transient errors (provider failover).
        retry: How transient errors and rate limits are retried on one provider.
        hooks: Receive every `DeliveryEvent`; None means one `LoggingHook`, and an explicit
            list replaces it.
        limits: One `Limits` for every transport, or per channel (others get ``Limits()``).
        sleep: The async sleep used for back-off and rate limits (inject a fake in tests).
        clock: Monotonic seconds for the rate limiter.

    Each key is sent at most once per dispatcher: an item whose key was already accepted
    (or is being sent right now) returns a ``duplicate`` outcome with the earlier receipt.

    Raises:
        ConfigurationError: When a channel maps to no transport or to something that is not
            a transport.
    """

    def __init__(
        self,
        transports: Mapping[RouteKey, _Chain],
        *,
        retry: RetryPolicy | None = None,
        hooks: Sequence[DeliveryHook] | None = None,
        limits: Limits | Mapping[LimitKey, Limits] | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self._hooks = tuple(hooks) if hooks is not None else (LoggingHook(),)
        self._sleep = sleep
        self._routes = self._build_routes(transports, limits or Limits(), sleep, clock)
        self._sent: dict[str, Outcome] = {}
        # Keys being sent; a future only once another item with the same key waits.
        self._inflight: dict[str, asyncio.Future[None] | None] = {}

    @staticmethod
    def _build_routes(
        transports: Mapping[RouteKey, _Chain],
        limits: Limits | Mapping[LimitKey, Limits],
        sleep: Sleep,
        clock: Callable[[], float],
    ) -> dict[str, tuple[Provider, ...]]:
        per_channel = (
            {} if isinstance(limits, Limits) else {_channel_name(k): v for k, v in limits.items()}
        )
        routes: dict[str, tuple[Provider, ...]] = {}
        for channel, value in transports.items():
            name = _channel_name(channel)
            chain = list(value) if isinstance(value, Sequence) else [value]
            if not chain or not all(isinstance(t, Transport) for t in chain):
                raise ConfigurationError(
                    f"transports[{name!r}] must be a transport or a non-empty list of"
                    " transports (objects with async send() and aclose())"
                )
            chosen = limits if isinstance(limits, Limits) else per_channel.get(name, Limits())
            routes[name] = tuple(Provider(t, chosen, clock=clock, sleep=sleep) for t in chain)
        return routes

    @property
    def channels(self) -> tuple[str, ...]:
        """The channel names this dispatcher can send on."""
        return tuple(self._routes)

    def sent(self, key: str, /) -> Outcome | None:
        """The outcome under which ``key`` was accepted by this dispatcher, or None."""
        return self._sent.get(key)

    async def send(self, items: Iterable[Message | Envelope], /) -> list[Outcome]:
        """Send every item concurrently; one `Outcome` per item, in order, never raising.

        Raises:
            ValidationError: When an item is neither a `Message` nor an `Envelope` (checked
                before anything is sent).
        """
        batch: list[object] = list(items)
        problems = [
            FieldProblem(f"items[{i}]", item, "must be a creditcomms Message or an Envelope")
            for i, item in enumerate(batch)
            if not isinstance(item, Message | Envelope)
        ]
        if problems:
            raise ValidationError("Dispatcher.send", problems)
        checked = [item for item in batch if isinstance(item, Message | Envelope)]
        return list(await asyncio.gather(*(self._deliver(item) for item in checked)))

    async def send_one(self, item: Message | Envelope, /) -> Outcome:
        """Send one item and return its outcome (sent or duplicate).

        Raises:
            DeliveryError: The last error, when nothing was accepted.
        """
        (outcome,) = await self.send([item])
        if outcome.error is not None and outcome.status is OutcomeStatus.FAILED:
            raise outcome.error
        return outcome

    def send_sync(self, items: Iterable[Message | Envelope], /) -> list[Outcome]:
        """`send` for scripts and notebooks without a running event loop.

        Raises:
            ConfigurationError: When called while an event loop runs (use ``await send``).
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.send(items))
        raise ConfigurationError(
            "send_sync() cannot run inside a running event loop (a notebook cell or async"
            " code); use 'await dispatcher.send(...)' there instead"
        )

    async def aclose(self) -> None:
        """Close every transport once."""
        seen: set[int] = set()
        for chain in self._routes.values():
            for provider in chain:
                if id(provider.transport) not in seen:
                    seen.add(id(provider.transport))
                    await provider.transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- one item ---------------------------------------------------------------------------

    async def _deliver(self, item: Message | Envelope) -> Outcome:
        if isinstance(item, Envelope):
            first, candidates = item.message, (item.message, *item.fallbacks)
        else:
            first, candidates = item, (item,)
        trail = _Trail(first.idempotency_key)
        failed: Message | None = None
        for candidate in candidates:
            message = self._resolve(candidate, trail)
            if message is None:
                continue
            if failed is not None:
                trail.fallback_from.append(failed.channel)
                self._emit(Kind.FALLBACK, failed, trail, fallback_to=message.channel)
            outcome = await self._deliver_message(message, trail)
            if outcome is not None:
                if outcome.status is OutcomeStatus.SENT:
                    # A repeat of this item is a duplicate even when a fallback carried it.
                    self._sent.setdefault(trail.key, outcome)
                return outcome
            failed = message
        return trail.outcome(
            OutcomeStatus.FAILED,
            failed or first,
            error=trail.errors[-1] if trail.errors else None,
        )

    def _resolve(self, candidate: Fallback, trail: _Trail) -> Message | None:
        if isinstance(candidate, Message):
            return candidate
        try:
            message = candidate()
        except Exception as exc:
            trail.errors.append(_no_message(f"{type(exc).__name__}: {exc}", exc))
            return None
        if message is None:
            trail.errors.append(_no_message("the renderer found no contact for it", None))
        return message

    async def _deliver_message(self, message: Message, trail: _Trail) -> Outcome | None:
        key = message.idempotency_key
        inflight = self._inflight
        while key in inflight:  # the same key is being sent: wait for that send to end
            waiting = inflight[key]
            if waiting is None:  # the first to wait makes the future
                waiting = inflight[key] = asyncio.get_running_loop().create_future()
            await waiting
        if (earlier := self._sent.get(key)) is not None:
            self._emit(Kind.DUPLICATE, message, trail, provider=earlier.provider)
            return trail.outcome(
                OutcomeStatus.DUPLICATE,
                earlier.message,
                receipt=earlier.receipt,
                provider=earlier.provider,
            )
        inflight[key] = None
        try:
            return await self._through_channel(message, trail)
        finally:
            done = inflight.pop(key)
            if done is not None:
                done.set_result(None)

    async def _through_channel(self, message: Message, trail: _Trail) -> Outcome | None:
        if switches.captures:
            return self._captured(message, trail)
        chain = self._routes.get(message.channel)
        if not chain:
            trail.errors.append(_no_transport(message.channel))
            return None
        for position, provider in enumerate(chain):
            trail.provider = provider.name
            try:
                receipt = await self._with_retries(provider, message, trail)
            except TransientDeliveryError as exc:
                trail.errors.append(exc)
                if position + 1 < len(chain):
                    nxt = chain[position + 1].name
                    self._emit(Kind.FAILOVER, message, trail, error=exc, fallback_to=nxt)
                    continue
                self._emit(Kind.FAILURE, message, trail, error=exc)
                return trail.outcome(OutcomeStatus.FAILED, message, error=exc)
            except DeliveryError as exc:
                trail.errors.append(exc)
                self._emit(Kind.FAILURE, message, trail, error=exc)
                return None
            return self._accepted(message, trail, receipt)
        return None  # unreachable: a chain is never empty

    def _accepted(self, message: Message, trail: _Trail, receipt: Receipt) -> Outcome:
        outcome = Outcome(
            trail.key,
            OutcomeStatus.SENT,
            message,
            receipt,
            None,
            trail.provider,
            trail.attempts,
            tuple(trail.fallback_from),
            tuple(trail.errors),
        )
        self._sent[message.idempotency_key] = outcome
        if self._hooks:
            self._emit(Kind.SUCCESS, message, trail, receipt=receipt)
        return outcome

    def _captured(self, message: Message, trail: _Trail) -> Outcome:
        switches.captures[-1].append(message)
        trail.provider = "capture"
        receipt = Receipt(
            provider="capture",
            provider_message_id=f"capture-{len(switches.captures[-1])}",
            accepted_at=message.created_at or utc_now(),
            idempotency_key=message.idempotency_key,
            raw_status="captured",
        )
        return self._accepted(message, trail, receipt)

    async def _with_retries(self, provider: Provider, message: Message, trail: _Trail) -> Receipt:
        # The first attempt runs directly: most sends succeed, and tenacity's per-call set-up
        # costs more than a loopback request. A transient failure is replayed into tenacity
        # as its first attempt, so attempts, waits and the time budget stay the policy's.
        trail.attempts += 1
        if self._hooks:
            self._emit(Kind.ATTEMPT, message, trail, attempt=1)
        try:
            return await provider.send(message)
        except TransientDeliveryError as exc:
            first_failure = exc
        return await self._retry(provider, message, trail, first_failure)

    async def _retry(
        self,
        provider: Provider,
        message: Message,
        trail: _Trail,
        first_failure: TransientDeliveryError,
    ) -> Receipt:
        calls = 1
        replay: TransientDeliveryError | None = first_failure

        async def attempt() -> Receipt:
            nonlocal calls, replay
            if replay is not None:
                failure, replay = replay, None
                raise failure
            calls += 1
            trail.attempts += 1
            if self._hooks:
                self._emit(Kind.ATTEMPT, message, trail, attempt=calls)
            return await provider.send(message)

        def before_sleep(state: tenacity.RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            wait = timedelta(seconds=state.upcoming_sleep)
            failure = error if isinstance(error, DeliveryError) else None
            self._emit(Kind.RETRY, message, trail, attempt=calls, wait=wait, error=failure)

        retrying = build_retrying(self.retry, sleep=self._sleep, before_sleep=before_sleep)
        receipt: Receipt = await retrying(attempt)
        return receipt

    def _emit(
        self,
        kind: DeliveryEventKind,
        message: Message,
        trail: _Trail,
        *,
        provider: str | None = _TRAIL,
        attempt: int = 0,
        wait: timedelta | None = None,
        receipt: Receipt | None = None,
        error: DeliveryError | None = None,
        fallback_to: str | None = None,
    ) -> None:
        if not self._hooks:
            return
        event = DeliveryEvent(
            kind,
            message.idempotency_key,
            message.case_id,
            message.channel,
            message.recipient,
            trail.provider if provider is _TRAIL else provider,
            attempt,
            wait,
            receipt,
            error,
            fallback_to,
        )
        for hook in self._hooks:
            try:
                hook(event)
            except Exception:
                _log.exception("delivery hook %r failed on a %s event", hook, kind.value)


def _no_transport(channel: str) -> PermanentDeliveryError:
    return PermanentDeliveryError(
        f"no transport for channel {channel!r}; add one to Dispatcher(transports=...)",
        channel=channel,
        provider_status="no_transport",
    )


def _no_message(reason: str, cause: Exception | None) -> PermanentDeliveryError:
    error = PermanentDeliveryError(
        f"a fallback message could not be made: {reason}", provider_status="no_contact"
    )
    error.__cause__ = cause
    return error
