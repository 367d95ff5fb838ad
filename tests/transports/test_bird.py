"""Bird Channels API SMS: the transport contract and Bird's request and answer shapes."""

from __future__ import annotations

import httpx
import pytest
from contract import HttpContract
from fakeserver import Canned, FakeProvider

import creditcomms as cc
from creditcomms import transports as tr

WORKSPACE = "3f5a6d3e-1c2b-4a5d-8e9f-0a1b2c3d4e5f"
CHANNEL = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
ACCEPTED = {
    "id": "4c1b4d7e-2b8a-4f6e-9d3c-5e7a1b2c3d4e",
    "channelId": CHANNEL,
    "status": "accepted",
    "reference": "b2c@1:r1:sms:0:abc",
}


def _sms() -> cc.SmsMessage:
    return cc.SmsMessage(
        idempotency_key="b2c@1:r1:sms:0:abc", case_id="C-1", to="+4915112345678", text="Hallo ✓"
    )


class TestBirdSms(HttpContract):
    """Bird Channels API: JSON create with AccessKey auth, 202 with the message id."""

    ok = Canned(202, ACCEPTED)
    rejected = Canned(
        422,
        {
            "code": "InvalidPayload",
            "message": "The payload is invalid",
            "details": {"receiver.contacts[0].identifierValue": ["is not a valid phone number"]},
        },
    )
    rate_limited = Canned(
        429, {"code": "TooManyRequests", "message": "slow down"}, {"Retry-After": "7"}
    )

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """Bird against the fake."""
        return tr.BirdSmsTransport(
            access_key="ak_live",
            workspace_id=WORKSPACE,
            channel_id=CHANNEL,
            client=client,
            base_url=provider.base_url,
        )

    def message(self) -> cc.Message:
        """An SMS."""
        return _sms()

    async def test_request_shape(self, provider: FakeProvider, client: httpx.AsyncClient) -> None:
        """Path, AccessKey header, receiver, text body, reference and correlation metadata."""
        provider.answer(self.ok)
        receipt = await self._send(provider, client)
        request = provider.requests[-1]
        assert request.method == "POST"
        assert request.path == f"/workspaces/{WORKSPACE}/channels/{CHANNEL}/messages"
        assert request.headers["Authorization"] == "AccessKey ak_live"
        assert request.json() == {
            "receiver": {
                "contacts": [{"identifierKey": "phonenumber", "identifierValue": "+4915112345678"}]
            },
            "body": {"type": "text", "text": {"text": "Hallo ✓"}},
            "reference": "b2c@1:r1:sms:0:abc",
            "meta": {
                "extraInformation": {"idempotency_key": "b2c@1:r1:sms:0:abc", "case_id": "C-1"}
            },
        }
        assert receipt.provider_message_id == ACCEPTED["id"]
        assert receipt.raw_status == "accepted"
        assert receipt.provider == "bird"

    async def test_nested_error_envelope(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """An ``{"error": {...}}`` envelope naming the recipient is a rejected recipient too."""
        provider.answer(
            Canned(
                422,
                {"error": {"type": "invalid_recipient", "code": "E01002", "message": "bad number"}},
            )
        )
        with pytest.raises(cc.RecipientRejected, match="bad number") as caught:
            await self._send(provider, client)
        assert caught.value.provider_status == "E01002"

    async def test_other_validation_error_is_permanent(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """A 422 about something else (the body) is permanent but not a recipient problem."""
        provider.answer(
            Canned(422, {"code": "InvalidPayload", "message": "body.text.text is too long"})
        )
        with pytest.raises(cc.PermanentDeliveryError, match="too long") as caught:
            await self._send(provider, client)
        assert not isinstance(caught.value, cc.RecipientRejected)

    async def test_auth_failure_is_permanent(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """A revoked access key is permanent (repeating cannot fix it)."""
        provider.answer(Canned(401, {"code": "Unauthorized", "message": "invalid access key"}))
        with pytest.raises(cc.PermanentDeliveryError, match="invalid access key"):
            await self._send(provider, client)

    async def test_accepted_without_id(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """A 202 without an id is a permanent error telling the host to reconcile."""
        provider.answer(Canned(202, {"status": "accepted"}))
        with pytest.raises(cc.PermanentDeliveryError, match="no message id"):
            await self._send(provider, client)
