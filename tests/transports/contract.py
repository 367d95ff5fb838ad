"""The transport contract: checks every adapter passes against a real local fake provider.

An adapter's test class subclasses `HttpContract` (or `TransportContract` for non-HTTP
transports) and supplies how to build the transport, a message, and the provider's own
answers for success, a rejected recipient and a rate limit.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

import httpx
import pytest
from fakeserver import HTML_200, HTML_503, Canned, FakeProvider

import creditcomms as cc
from creditcomms.transports import BaseTransport, Transport


class TransportContract:
    """Checks shared by every transport; subclasses provide the transport and a message."""

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> Transport:
        """Build the transport against the fake provider (own client when ``client`` is None)."""
        raise AssertionError("subclasses build their transport")

    def message(self) -> cc.Message:
        """A message this transport sends."""
        raise AssertionError("subclasses provide a message")

    def wrong_message(self) -> cc.Message:
        """A message of a channel this transport does not serve."""
        return cc.PortalMessage(
            idempotency_key="k-portal", case_id="C-1", user_id="u-1", title="Hi", body="Hello"
        )

    async def test_returns_a_receipt(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """A successful send returns a receipt carrying the provider id and the key."""
        self.succeed(provider)
        receipt = await self._send(provider, client)
        assert isinstance(receipt, cc.Receipt)
        assert receipt.provider_message_id
        assert receipt.idempotency_key == self.message().idempotency_key

    async def test_rejected_recipient(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """The provider's 'bad recipient' answer raises RecipientRejected."""
        self.reject(provider)
        with pytest.raises(cc.RecipientRejected):
            await self._send(provider, client)

    async def test_wrong_message_type(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """A message for another channel is refused as permanent, before any request."""
        before = len(provider.requests)
        with pytest.raises(cc.PermanentDeliveryError):
            await self._send(provider, client, self.wrong_message())
        assert len(provider.requests) == before

    async def test_aclose_is_idempotent(self, provider: FakeProvider) -> None:
        """Closing twice is harmless."""
        transport = self.make(provider, None)
        await transport.aclose()
        await transport.aclose()

    async def test_async_with(self, provider: FakeProvider) -> None:
        """The transport works as an async context manager."""
        self.succeed(provider)
        transport = self.make(provider, None)
        assert isinstance(transport, BaseTransport)
        async with transport as entered:
            assert isinstance(await entered.send(self.message()), cc.Receipt)

    async def _send(
        self,
        provider: FakeProvider,
        client: httpx.AsyncClient | None,
        message: cc.Message | None = None,
    ) -> cc.Receipt:
        transport = self.make(provider, client)
        try:
            return await transport.send(message or self.message())
        finally:
            await transport.aclose()

    def succeed(self, provider: FakeProvider) -> None:
        """Make the next answer a success."""
        raise AssertionError("subclasses set up success")

    def reject(self, provider: FakeProvider) -> None:
        """Make the next answer a rejected recipient."""
        raise AssertionError("subclasses set up rejection")


class HttpContract(TransportContract):
    """Checks for HTTP adapters: status codes, rate limits and malformed answers."""

    ok: ClassVar[Canned]
    rejected: ClassVar[Canned]
    rate_limited: ClassVar[Canned]

    def succeed(self, provider: FakeProvider) -> None:
        """Queue the provider's success answer."""
        provider.answer(self.ok)

    def reject(self, provider: FakeProvider) -> None:
        """Queue the provider's rejection answer."""
        provider.answer(self.rejected)

    async def test_rate_limit_carries_retry_after(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """The provider's rate-limit answer raises RateLimited with its Retry-After."""
        provider.answer(self.rate_limited)
        with pytest.raises(cc.RateLimited) as caught:
            await self._send(provider, client)
        assert caught.value.retry_after == timedelta(seconds=7)

    async def test_html_error_page_is_transient(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """A 503 HTML page from a load balancer is a clear transient error."""
        provider.answer(HTML_503)
        with pytest.raises(cc.TransientDeliveryError, match="503"):
            await self._send(provider, client)

    async def test_truncated_json_is_a_delivery_error(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """A success status with truncated JSON is a permanent error saying so."""
        provider.answer(
            Canned(self.ok.status, self.ok.payload()[:9] or b'{"id": "x', self.ok.headers)
        )
        with pytest.raises(cc.PermanentDeliveryError, match=r"not valid JSON|no message id"):
            await self._send(provider, client)

    async def test_html_success_page_is_a_delivery_error(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """A 200 HTML page (a captive proxy) is a permanent error, not a silent success."""
        provider.answer(HTML_200)
        with pytest.raises(cc.PermanentDeliveryError, match="not valid JSON"):
            await self._send(provider, client)

    async def test_connection_refused_is_transient(self, client: httpx.AsyncClient) -> None:
        """A provider that is down raises TransientDeliveryError."""
        closed = FakeProvider()
        closed.base_url = "http://127.0.0.1:9"
        with pytest.raises(cc.TransientDeliveryError):
            await self._send(closed, client)

    async def test_only_delivery_errors(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """Whatever the provider answers, the transport raises only DeliveryError subclasses."""
        answers = [Canned(s, b"") for s in (400, 401, 403, 404, 409, 413, 422, 500, 502, 504)]
        for answer in answers:
            provider.answer(answer)
            with pytest.raises(cc.DeliveryError):
                await self._send(provider, client)
