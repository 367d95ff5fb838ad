"""The ``fast`` extra's client sends through the adapters like any httpx client."""

from __future__ import annotations

import pytest
from fakeserver import Canned, FakeProvider

import creditcomms as cc
from creditcomms.transports import TwilioSmsTransport, fast_client

pytest.importorskip("aiohttp", reason="extra 'fast' not installed")


async def test_fast_client_with_twilio(provider: FakeProvider, sms: cc.SmsMessage) -> None:
    """An aiohttp-backed client carries a Twilio send and its error mapping."""
    provider.answer(
        Canned(201, {"sid": "SM1", "status": "queued"}),
        Canned(429, {"code": 20429, "message": "Too Many Requests"}, {"Retry-After": "3"}),
    )
    async with fast_client(max_connections=4) as client:
        twilio = TwilioSmsTransport(
            account_sid="AC1",
            auth_token="t",
            sender="+1500",
            client=client,
            base_url=provider.base_url,
        )
        receipt = await twilio.send(sms)
        with pytest.raises(cc.RateLimited):
            await twilio.send(sms)
    assert receipt.provider_message_id == "SM1"
    assert provider.requests[0].form["Body"] == sms.text
