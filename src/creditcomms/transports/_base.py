"""The transport contract: the `Transport` protocol, `BaseTransport` and `Receipt`."""

from __future__ import annotations

import abc
from datetime import UTC, datetime
from types import TracebackType
from typing import Annotated, Protocol, Self, TypeVar, runtime_checkable

from pydantic import AwareDatetime, Field

from creditcomms.channels import Message
from creditcomms.errors import PermanentDeliveryError
from creditcomms.model import Model, Money

__all__ = ["BaseTransport", "Receipt", "Transport", "expect_message", "utc_now"]

M = TypeVar("M", bound=Message)


class Receipt(Model):
    """A provider's acknowledgement that it accepted one message (not that it was delivered).

    Delivery comes later, through a status callback (see `creditcomms.transports.inbound`).
    """

    provider: Annotated[str, Field(min_length=1)]
    """The transport's name, such as ``twilio`` or ``sendgrid``."""
    provider_message_id: Annotated[str, Field(min_length=1)]
    """The provider's id for the message; status callbacks refer to it."""
    accepted_at: AwareDatetime
    idempotency_key: str | None = None
    cost: Money | None = None
    """What the provider says the send cost, when its answer says so."""
    raw_status: str | None = None
    """The provider's own status word (``queued``, ``accepted``, ``0``)."""


@runtime_checkable
class Transport(Protocol):
    """**Protocol:** deliver one rendered message on one channel.

    ``send`` returns a `Receipt` or raises a `creditcomms.DeliveryError` subclass, nothing
    else. ``aclose`` releases connections and may be called more than once.
    """

    async def send(self, message: Message, /) -> Receipt:
        """Hand ``message`` to the provider and return its receipt."""
        ...

    async def aclose(self) -> None:
        """Release connections; calling it again does nothing."""
        ...


class BaseTransport(abc.ABC):
    """Optional base class: ``async with`` support, a no-op ``aclose`` and a ``name``.

    Subclasses implement `send`; those holding connections override `aclose`.
    """

    name: str = "transport"
    """A short provider name used in receipts, events and logs."""

    @abc.abstractmethod
    async def send(self, message: Message, /) -> Receipt:
        """Hand ``message`` to the provider and return its receipt."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook with a sensible default
        """Release connections (nothing to release here)."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def expect_message(message: Message, kind: type[M], transport: str) -> M:
    """Return ``message`` as ``kind`` or raise a `PermanentDeliveryError` naming the mix-up."""
    if not isinstance(message, kind):
        raise PermanentDeliveryError(
            f"{transport} sends {kind.__name__}, not {type(message).__name__}; route the"
            f" {message.channel!r} channel to a transport made for it",
            channel=message.channel,
            provider_status="wrong_message_type",
        )
    return message


def utc_now() -> datetime:
    """The current time in UTC (the default clock of the built-in transports)."""
    return datetime.now(UTC)
