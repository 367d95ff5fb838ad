"""Adapter set-up mistakes fail before anything is sent, with errors naming the fix."""

from __future__ import annotations

import httpx
import pytest

import creditcomms as cc
from creditcomms import transports as tr


def _client(sent: list[httpx.Request]) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(201, json={"sid": "SM1", "id": "x", "name": "projects/p/messages/1"})

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def _sms() -> cc.SmsMessage:
    return cc.SmsMessage(idempotency_key="k", case_id="C-1", to="+4915112345678", text="Hi")


async def test_twilio_needs_a_sender() -> None:
    """Without sender or messaging service the SMS is refused locally."""
    sent: list[httpx.Request] = []
    async with tr.TwilioSmsTransport(account_sid="AC1", auth_token="t", client=_client(sent)) as t:
        with pytest.raises(cc.PermanentDeliveryError, match="messaging_service_sid"):
            await t.send(_sms())
    assert sent == []


async def test_twilio_messaging_service() -> None:
    """A messaging service SID replaces From."""
    sent: list[httpx.Request] = []
    transport = tr.TwilioSmsTransport(
        account_sid="AC1", auth_token="t", messaging_service_sid="MG1", client=_client(sent)
    )
    await transport.send(_sms())
    assert b"MessagingServiceSid=MG1" in sent[0].content
    assert b"From=" not in sent[0].content


async def test_twilio_whatsapp_needs_a_content_sid() -> None:
    """A template without a Content SID mapping is refused, naming the template."""
    transport = tr.TwilioWhatsAppTransport(
        account_sid="AC1",
        auth_token="t",
        sender="+15005550006",
        content_sids={},
        client=_client([]),
    )
    message = cc.WhatsAppMessage(
        idempotency_key="k",
        case_id="C-1",
        to="+4915112345678",
        template_name="reminder",
        language="de",
    )
    with pytest.raises(cc.PermanentDeliveryError, match="'reminder'"):
        await transport.send(message)


async def test_voice_rejects_broken_ssml() -> None:
    """SSML that is not XML is a permanent error, not a malformed call."""
    transport = tr.TwilioVoiceTransport(
        account_sid="AC1", auth_token="t", caller_id="+15005550006", client=_client([])
    )
    message = cc.VoiceMessage(
        idempotency_key="k", case_id="C-1", to="+4915112345678", ssml="<speak><b>", language="de-DE"
    )
    with pytest.raises(cc.PermanentDeliveryError, match="SSML"):
        await transport.send(message)


async def test_fcm_token_provider_failure_is_transient() -> None:
    """A token provider that raises (an expired refresh) is a transient delivery error."""

    def broken() -> str:
        raise OSError("metadata server unreachable")

    transport = tr.FcmTransport(project_id="p", token_provider=broken, client=_client([]))
    push = cc.PushMessage(idempotency_key="k", case_id="C-1", token="t", title="T", body="B")
    with pytest.raises(cc.TransientDeliveryError, match="token provider"):
        await transport.send(push)


async def test_lob_needs_a_return_address() -> None:
    """A letter without any return address is refused before upload."""
    address = cc.PostalAddress(name="Erika", postcode="94107", city="SF", country="US")
    letter = cc.LetterMessage(
        idempotency_key="k", case_id="C-1", recipient_address=address, subject="S", body="B"
    )
    with pytest.raises(cc.PermanentDeliveryError, match="return address"):
        await tr.LobTransport(api_key="k", client=_client([])).send(letter)


async def test_closed_transport_refuses() -> None:
    """A closed HTTP transport says so instead of failing inside httpx."""
    transport = tr.VonageSmsTransport(api_key="k", api_secret="s", sender="Muster")
    await transport.aclose()
    with pytest.raises(cc.PermanentDeliveryError, match="closed"):
        await transport.send(_sms())


async def test_token_bucket_waits_for_tokens() -> None:
    """A bucket of burst 1 at 4/s makes the second taker wait a quarter second."""
    from creditcomms.dispatch import TokenBucket

    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(4, 1, clock=lambda: now[0], sleep=sleep)
    await bucket.acquire()
    await bucket.acquire()
    now[0] += 1.0
    await bucket.acquire()
    assert waits == [0.25]
