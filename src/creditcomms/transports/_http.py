"""Shared plumbing of the HTTP provider transports: the client, requests, receipts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from creditcomms.channels import Message
from creditcomms.errors import PermanentDeliveryError
from creditcomms.model import Money

from ._base import BaseTransport, Receipt, utc_now
from ._http_errors import _HTTPX_ERRORS, delivery_error, read_json

__all__ = ["HttpTransport", "correlation"]

Clock = Callable[[], datetime]
_KEPT_URLS = 64  # parsed request URLs kept per transport (most adapters use one or two)


def correlation(message: Message) -> dict[str, str]:
    """The non-personal ids sent along as provider metadata and echoed in status callbacks."""
    return {"idempotency_key": message.idempotency_key, "case_id": message.case_id}


class HttpTransport(BaseTransport):
    """Base of the HTTP provider adapters.

    Args:
        client: An ``httpx.AsyncClient`` to share (its owner closes it); without one the
            transport makes its own and closes it in `aclose`.
        base_url: The provider's API root; point it at a local fake in tests.
        timeout: Seconds per request for a client the transport makes itself.
        clock: Returns the current time, for receipts.
    """

    default_base_url = "https://localhost"

    def __init__(
        self,
        *,
        client: httpx.AsyncClient | None = None,
        base_url: str | None = None,
        timeout: float = 15.0,
        clock: Clock = utc_now,
    ) -> None:
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._base_url = (base_url or self.default_base_url).rstrip("/")
        self._clock = clock
        self._closed = False
        self._urls: dict[str, httpx.URL] = {}

    async def aclose(self) -> None:
        """Close the client if this transport made it; calling it again does nothing."""
        if not self._closed:
            self._closed = True
            if self._owns_client:
                await self._client.aclose()

    async def _request(
        self, method: str, path: str, message: Message, **kwargs: Any
    ) -> httpx.Response:
        if self._closed:
            raise PermanentDeliveryError(
                f"{self.name}: the transport is closed; create a new one to send again",
                channel=message.channel,
                provider_status="closed",
            )
        # A plain try (not map_httpx_errors) and parsed URLs kept per path: both run per send.
        try:
            url = self._urls.get(path) or self._parse_url(path)
            return await self._client.request(method, url, **kwargs)
        except _HTTPX_ERRORS as exc:
            raise delivery_error(exc, channel=message.channel, provider=self.name) from exc

    def _parse_url(self, path: str) -> httpx.URL:
        url = httpx.URL(path if path.startswith(("http://", "https://")) else self._base_url + path)
        if len(self._urls) < _KEPT_URLS:
            self._urls[path] = url
        return url

    def _json(self, response: httpx.Response, message: Message) -> Any:
        return read_json(response, channel=message.channel, provider=self.name)

    def _receipt(
        self,
        message: Message,
        provider_message_id: str,
        *,
        raw_status: str | None = None,
        cost: Money | None = None,
    ) -> Receipt:
        return Receipt(
            provider=self.name,
            provider_message_id=provider_message_id,
            accepted_at=self._clock(),
            idempotency_key=message.idempotency_key,
            cost=cost,
            raw_status=raw_status,
        )

    def _missing_id(self, message: Message, body: object) -> PermanentDeliveryError:
        shown = repr(body)[:80]
        return PermanentDeliveryError(
            f"{self.name} accepted the request but its answer has no message id ({shown}); the"
            " message may have been accepted, so check the provider's log before resending",
            channel=message.channel,
            provider_status="malformed_response",
        )
