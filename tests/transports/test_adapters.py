"""Every provider adapter passes the transport contract and sends its provider's shapes."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from contract import HttpContract
from fakeserver import Canned, FakeProvider, Recorded

import creditcomms as cc
from creditcomms import transports as tr
from qr_kit import decode_png

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
RETRY_7 = {"Retry-After": "7"}


def _sms() -> cc.SmsMessage:
    return cc.SmsMessage(
        idempotency_key="b2c@1:r1:sms:0:abc", case_id="C-1", to="+4915112345678", text="Hallo ✓"
    )


def _email() -> cc.EmailMessage:
    return cc.EmailMessage(
        idempotency_key="b2c@1:r1:email:0:abc",
        case_id="C-1",
        sender="Muster GmbH <billing@muster.example>",
        to="erika@example.de",
        subject="Erinnerung",
        text="Bitte zahlen.",
        html="<p>Bitte zahlen.</p>",
        attachments=(cc.Attachment(filename="r.pdf", data=b"%PDF-1.7"),),
    )


def _inline_qr(message: cc.EmailMessage) -> cc.Attachment:
    """The email's one inline image, checked to be the QR code its HTML shows."""
    (image,) = [a for a in message.attachments if a.inline]
    assert image.content_id is not None
    assert message.html is not None
    assert f'src="cid:{image.content_id}"' in message.html
    return image


def _qr_text(png: bytes) -> str:
    (payload,) = decode_png(png)
    return payload.decode()


def _form_files(request: Recorded) -> list[tuple[str, str, str, bytes]]:
    """The files of a multipart/form-data request: (field, file name, type, bytes)."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    parsed = BytesParser(policy=policy.HTTP).parsebytes(head + request.body)
    files = []
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        if filename is not None:
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            files.append((str(name), filename, part.get_content_type(), data))
    return files


def _whatsapp() -> cc.WhatsAppMessage:
    return cc.WhatsAppMessage(
        idempotency_key="b2c@1:r1:whatsapp:0:abc",
        case_id="C-1",
        to="+4915112345678",
        template_name="payment_reminder_1",
        language="de",
        parameters=("RE-1", "123,45 €"),
        buttons=(cc.WhatsAppButton(parameter="pay/abc"),),
    )


def _address(name: str) -> cc.PostalAddress:
    return cc.PostalAddress(
        name=name, street="Main St", house_number="1", postcode="94107", city="SF",
        country="US", region="CA",
    )  # fmt: skip


class TestTwilioSms(HttpContract):
    """Twilio Messaging: form-encoded create, 201 JSON, numeric error codes."""

    ok = Canned(201, {"sid": "SM" + "a" * 32, "status": "queued", "price": None})
    rejected = Canned(400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})
    rate_limited = Canned(429, {"code": 20429, "message": "Too Many Requests"}, RETRY_7)

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """Twilio against the fake."""
        return tr.TwilioSmsTransport(
            account_sid="AC123",
            auth_token="secret",
            sender="+15005550006",
            status_callback="https://host.example/twilio/status",
            client=client,
            base_url=provider.base_url,
        )

    def message(self) -> cc.Message:
        """An SMS."""
        return _sms()

    async def test_request_shape(self, provider: FakeProvider, client: httpx.AsyncClient) -> None:
        """The request is Twilio's: path, basic auth, form fields, correlated StatusCallback."""
        provider.answer(
            Canned(201, {"sid": "SM1", "status": "queued", "price": "-0.0750", "price_unit": "USD"})
        )
        receipt = await self.make(provider, client).send(_sms())
        request = provider.requests[-1]
        assert request.path == "/2010-04-01/Accounts/AC123/Messages.json"
        assert (
            request.headers["Authorization"]
            == "Basic " + base64.b64encode(b"AC123:secret").decode()
        )
        assert request.form["To"] == "+4915112345678"
        assert request.form["From"] == "+15005550006"
        query = parse_qs(urlsplit(request.form["StatusCallback"]).query)
        assert query == {"idempotency_key": ["b2c@1:r1:sms:0:abc"], "case_id": ["C-1"]}
        assert receipt.cost == cc.Money("0.08", "USD")


class TestTwilioWhatsApp(HttpContract):
    """Twilio WhatsApp: Content API template with numbered variables."""

    ok = Canned(201, {"sid": "MM" + "b" * 32, "status": "queued"})
    rejected = Canned(400, {"code": 63024, "message": "Invalid message recipient"})
    rate_limited = Canned(429, {"code": 20429, "message": "Too Many Requests"}, RETRY_7)

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """Twilio WhatsApp against the fake."""
        return tr.TwilioWhatsAppTransport(
            account_sid="AC123",
            auth_token="secret",
            sender="+15005550006",
            content_sids={"payment_reminder_1": "HX123"},
            client=client,
            base_url=provider.base_url,
        )

    def message(self) -> cc.Message:
        """A WhatsApp template."""
        return _whatsapp()

    async def test_request_shape(self, provider: FakeProvider, client: httpx.AsyncClient) -> None:
        """The request names the whatsapp: addresses, Content SID and variables."""
        provider.answer(self.ok)
        await self.make(provider, client).send(_whatsapp())
        form = provider.requests[-1].form
        assert form["To"] == "whatsapp:+4915112345678"
        assert form["ContentSid"] == "HX123"
        assert json.loads(form["ContentVariables"]) == {
            "1": "RE-1",
            "2": "123,45 €",
            "3": "pay/abc",
        }


class TestTwilioVoice(HttpContract):
    """Twilio Calls: TwiML built from the SSML script."""

    ok = Canned(201, {"sid": "CA" + "c" * 32, "status": "queued"})
    rejected = Canned(400, {"code": 21217, "message": "Phone number does not appear to be valid"})
    rate_limited = Canned(429, {"code": 20429, "message": "Too Many Requests"}, RETRY_7)

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """Twilio Voice against the fake."""
        return tr.TwilioVoiceTransport(
            account_sid="AC123",
            auth_token="secret",
            caller_id="+15005550006",
            voice="Polly.Vicki",
            client=client,
            base_url=provider.base_url,
        )

    def message(self) -> cc.Message:
        """A voice message."""
        return cc.VoiceMessage(
            idempotency_key="k-voice",
            case_id="C-1",
            to="+4915112345678",
            ssml='<speak>Guten Tag. <break time="500ms"/> Ihre Rechnung ist offen.</speak>',
            language="de-DE",
        )

    async def test_twiml(self, provider: FakeProvider, client: httpx.AsyncClient) -> None:
        """The call's TwiML says the SSML content with language and voice."""
        provider.answer(self.ok)
        await self.make(provider, client).send(self.message())
        twiml = provider.requests[-1].form["Twiml"]
        assert twiml.startswith('<Response><Say language="de-DE" voice="Polly.Vicki">Guten Tag.')
        assert '<break time="500ms" />' in twiml
        assert provider.requests[-1].path.endswith("/Calls.json")


class TestVonage(HttpContract):
    """Vonage SMS API: always 200, the per-message status decides."""

    ok = Canned(
        200,
        {
            "message-count": "1",
            "messages": [{"to": "4915112345678", "message-id": "0A0000000123ABCD1", "status": "0"}],
        },
    )
    rejected = Canned(
        200, {"message-count": "1", "messages": [{"status": "7", "error-text": "Number barred"}]}
    )
    rate_limited = Canned(429, {"error-code": "429"}, RETRY_7)

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """Vonage against the fake."""
        return tr.VonageSmsTransport(
            api_key="k", api_secret="s", sender="Muster", client=client, base_url=provider.base_url
        )

    def message(self) -> cc.Message:
        """An SMS."""
        return _sms()

    async def test_200_with_error_status(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """A 200 whose body says 'throttled' is a rate limit, 'invalid credentials' permanent."""
        provider.answer(
            Canned(200, {"messages": [{"status": "1", "error-text": "Throttled"}]}),
            Canned(200, {"messages": [{"status": "4", "error-text": "Bad Credentials"}]}),
        )
        transport = self.make(provider, client)
        with pytest.raises(cc.RateLimited) as throttled:
            await transport.send(_sms())
        assert throttled.value.provider_status == "1"
        with pytest.raises(cc.PermanentDeliveryError, match="Bad Credentials") as refused:
            await transport.send(_sms())
        assert not isinstance(refused.value, cc.RecipientRejected)

    async def test_request_shape(self, provider: FakeProvider, client: httpx.AsyncClient) -> None:
        """Vonage gets the number without '+', unicode type and the key as client-ref."""
        provider.answer(self.ok)
        await self.make(provider, client).send(_sms())
        form = provider.requests[-1].form
        assert form["to"] == "4915112345678"
        assert form["type"] == "unicode"
        assert form["client-ref"] == "b2c@1:r1:sms:0:abc"


class TestMessageBird(HttpContract):
    """MessageBird: JSON create with AccessKey auth and the key as reference."""

    ok = Canned(201, {"id": "e8077d803532c0b5937c639b60216938", "reference": "k"})
    rejected = Canned(
        422,
        {
            "errors": [
                {
                    "code": 9,
                    "description": "no (correct) recipients found",
                    "parameter": "recipients",
                }
            ]
        },
    )
    rate_limited = Canned(429, {"errors": [{"code": 429, "description": "Too many"}]}, RETRY_7)

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """MessageBird against the fake."""
        return tr.MessageBirdTransport(
            access_key="live_x", originator="Muster", client=client, base_url=provider.base_url
        )

    def message(self) -> cc.Message:
        """An SMS."""
        return _sms()

    async def test_request_shape(self, provider: FakeProvider, client: httpx.AsyncClient) -> None:
        """The body has originator, recipients, body and reference."""
        provider.answer(self.ok)
        await self.make(provider, client).send(_sms())
        request = provider.requests[-1]
        assert request.headers["Authorization"] == "AccessKey live_x"
        body = request.json()
        assert body["recipients"] == ["4915112345678"]
        assert body["reference"] == "b2c@1:r1:sms:0:abc"


class TestSendGrid(HttpContract):
    """SendGrid v3: 202 with X-Message-Id, errors list, custom_args correlation."""

    ok = Canned(202, b"", {"X-Message-Id": "sg-123"})
    rejected = Canned(
        400,
        {
            "errors": [
                {
                    "message": "Does not contain a valid address.",
                    "field": "personalizations.0.to.0.email",
                }
            ]
        },
    )
    rate_limited = Canned(429, {"errors": [{"message": "too many requests"}]}, RETRY_7)

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """SendGrid against the fake."""
        return tr.SendGridTransport(api_key="SG.x", client=client, base_url=provider.base_url)

    def message(self) -> cc.Message:
        """An email."""
        return _email()

    def reject(self, provider: FakeProvider) -> None:
        """SendGrid has no per-recipient code at send time; 400 is permanent."""
        provider.answer(self.rejected)

    async def test_rejected_recipient(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """A 400 is a permanent error (SendGrid reports bad recipients only later)."""
        self.reject(provider)
        with pytest.raises(cc.PermanentDeliveryError, match="valid address"):
            await self._send(provider, client)

    async def test_request_shape(self, provider: FakeProvider, client: httpx.AsyncClient) -> None:
        """Plain text comes before HTML; custom_args carry the key; attachments are base64."""
        provider.answer(self.ok)
        receipt = await self._send(provider, client)
        body = provider.requests[-1].json()
        assert [c["type"] for c in body["content"]] == ["text/plain", "text/html"]
        assert (
            body["personalizations"][0]["custom_args"]["idempotency_key"] == "b2c@1:r1:email:0:abc"
        )
        assert body["attachments"][0]["content"] == base64.b64encode(b"%PDF-1.7").decode()
        assert "disposition" not in body["attachments"][0]
        assert receipt.provider_message_id == "sg-123"

    async def test_inline_qr_code(
        self, provider: FakeProvider, client: httpx.AsyncClient, qr_email: cc.EmailMessage
    ) -> None:
        """The QR code goes as an inline attachment whose content_id the HTML refers to."""
        provider.answer(self.ok)
        await self.make(provider, client).send(qr_email)
        body = provider.requests[-1].json()
        image = _inline_qr(qr_email)
        (sent,) = body["attachments"]
        assert {k: v for k, v in sent.items() if k != "content"} == {
            "filename": "payment-qr.png", "type": "image/png", "disposition": "inline",
            "content_id": image.content_id,
        }  # fmt: skip
        assert f'src="cid:{image.content_id}"' in body["content"][1]["value"]
        assert _qr_text(base64.b64decode(sent["content"])).startswith("BCD\n")


class TestPostmark(HttpContract):
    """Postmark: 200 with MessageID, 422 with ErrorCode (406 inactive recipient)."""

    ok = Canned(
        200,
        {
            "To": "erika@example.de",
            "SubmittedAt": "2026-11-22T09:30:00Z",
            "MessageID": "b7bc2f4a-e38e-4336-af7d-e6c392c2f817",
            "ErrorCode": 0,
            "Message": "OK",
        },
    )
    rejected = Canned(
        422, {"ErrorCode": 406, "Message": "You tried to send to an inactive recipient"}
    )
    rate_limited = Canned(429, {"ErrorCode": 429, "Message": "Rate limit exceeded"}, RETRY_7)

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """Postmark against the fake."""
        return tr.PostmarkTransport(
            server_token="POSTMARK_API_TEST", client=client, base_url=provider.base_url
        )

    def message(self) -> cc.Message:
        """An email."""
        return _email()

    async def test_request_shape(self, provider: FakeProvider, client: httpx.AsyncClient) -> None:
        """The token header and Metadata correlation are sent."""
        provider.answer(self.ok)
        await self._send(provider, client)
        request = provider.requests[-1]
        assert request.headers["X-Postmark-Server-Token"] == "POSTMARK_API_TEST"
        assert request.json()["Metadata"] == {
            "idempotency_key": "b2c@1:r1:email:0:abc",
            "case_id": "C-1",
        }
        assert "ContentID" not in request.json()["Attachments"][0]

    async def test_inline_qr_code(
        self, provider: FakeProvider, client: httpx.AsyncClient, qr_email: cc.EmailMessage
    ) -> None:
        """The QR code goes with ContentID ``cid:<id>``, as the HtmlBody refers to it."""
        provider.answer(self.ok)
        await self.make(provider, client).send(qr_email)
        body = provider.requests[-1].json()
        image = _inline_qr(qr_email)
        (sent,) = body["Attachments"]
        assert sent["ContentID"] == f"cid:{image.content_id}"
        assert (sent["Name"], sent["ContentType"]) == ("payment-qr.png", "image/png")
        assert f'src="{sent["ContentID"]}"' in body["HtmlBody"]
        assert _qr_text(base64.b64decode(sent["Content"])).startswith("BCD\n")


class TestMailgun(HttpContract):
    """Mailgun: multipart form, basic auth user 'api', v: variables."""

    ok = Canned(200, {"id": "<20261122.1@mg.muster.example>", "message": "Queued. Thank you."})
    rejected = Canned(
        400, {"message": "to parameter is not a valid address. please check documentation"}
    )
    rate_limited = Canned(429, {"message": "Too many requests"}, RETRY_7)

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """Mailgun against the fake."""
        return tr.MailgunTransport(
            api_key="key-x", domain="mg.muster.example", client=client, base_url=provider.base_url
        )

    def message(self) -> cc.Message:
        """An email."""
        return _email()

    async def test_rejected_recipient(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """Mailgun's 400 is permanent."""
        provider.answer(self.rejected)
        with pytest.raises(cc.PermanentDeliveryError, match="not a valid address"):
            await self._send(provider, client)

    async def test_request_shape(self, provider: FakeProvider, client: httpx.AsyncClient) -> None:
        """The form has v: variables and the deterministic Message-Id header."""
        provider.answer(self.ok)
        await self._send(provider, client)
        request = provider.requests[-1]
        assert request.path == "/v3/mg.muster.example/messages"
        assert request.form["v:idempotency_key"] == "b2c@1:r1:email:0:abc"
        assert request.form["h:Message-Id"] == _email().message_id
        assert [f[:3] for f in _form_files(request)] == [("attachment", "r.pdf", "application/pdf")]

    async def test_inline_qr_code(
        self, provider: FakeProvider, client: httpx.AsyncClient, qr_email: cc.EmailMessage
    ) -> None:
        """The QR code goes as an ``inline`` file named by its content id (Mailgun's cid)."""
        provider.answer(self.ok)
        await self.make(provider, client).send(qr_email)
        request = provider.requests[-1]
        image = _inline_qr(qr_email)
        ((field, filename, content_type, data),) = _form_files(request)
        assert (field, filename, content_type) == ("inline", image.content_id, "image/png")
        assert f'src="cid:{filename}"' in request.form["html"]
        assert _qr_text(data).startswith("BCD\n")


class TestMetaWhatsApp(HttpContract):
    """WhatsApp Cloud API: template body, error codes in the error object."""

    ok = Canned(
        200,
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "4915112345678", "wa_id": "4915112345678"}],
            "messages": [{"id": "wamid.HBgM"}],
        },
    )
    rejected = Canned(
        400,
        {
            "error": {
                "message": "(#131026) Message Undeliverable.",
                "type": "OAuthException",
                "code": 131026,
                "fbtrace_id": "A",
            }
        },
    )
    rate_limited = Canned(
        400, {"error": {"message": "(#130429) Rate limit hit", "code": 130429}}, RETRY_7
    )

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """Cloud API against the fake."""
        return tr.MetaWhatsAppTransport(
            access_token="EAAG", phone_number_id="1055", client=client, base_url=provider.base_url
        )

    def message(self) -> cc.Message:
        """A WhatsApp template."""
        return _whatsapp()

    async def test_request_shape(self, provider: FakeProvider, client: httpx.AsyncClient) -> None:
        """The body is a template message with body and URL-button parameters."""
        provider.answer(self.ok)
        await self._send(provider, client)
        request = provider.requests[-1]
        body = request.json()
        assert request.path == "/v21.0/1055/messages"
        assert body["to"] == "4915112345678"
        assert body["template"]["components"][1] == {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "pay/abc"}],
        }
        assert json.loads(body["biz_opaque_callback_data"])["case_id"] == "C-1"


class TestFcm(HttpContract):
    """FCM HTTP v1: bearer token from the host, FcmError codes."""

    ok = Canned(200, {"name": "projects/demo/messages/0:1500415314455276%31bd1c9631bd1c96"})
    rejected = Canned(
        404,
        {
            "error": {
                "code": 404,
                "message": "Requested entity was not found.",
                "status": "NOT_FOUND",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                        "errorCode": "UNREGISTERED",
                    }
                ],
            }
        },
    )
    rate_limited = Canned(
        429,
        {
            "error": {
                "code": 429,
                "status": "RESOURCE_EXHAUSTED",
                "details": [{"errorCode": "QUOTA_EXCEEDED"}],
            }
        },
        RETRY_7,
    )

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """FCM against the fake, with an async token provider."""

        async def token() -> str:
            return "ya29.token"

        return tr.FcmTransport(
            project_id="demo", token_provider=token, client=client, base_url=provider.base_url
        )

    def message(self) -> cc.Message:
        """A push message."""
        return cc.PushMessage(
            idempotency_key="k-push",
            case_id="C-1",
            token="fcm-token",
            title="Erinnerung",
            body="Rechnung offen",
            deep_link="app://invoice/1",
        )

    async def test_request_shape(self, provider: FakeProvider, client: httpx.AsyncClient) -> None:
        """The bearer token and message body are FCM's."""
        provider.answer(self.ok)
        receipt = await self._send(provider, client)
        request = provider.requests[-1]
        assert request.path == "/v1/projects/demo/messages:send"
        assert request.headers["Authorization"] == "Bearer ya29.token"
        assert request.json()["message"]["data"]["link"] == "app://invoice/1"
        assert receipt.provider_message_id == "0:1500415314455276%31bd1c9631bd1c96"


class TestLob(HttpContract):
    """Lob letters: Idempotency-Key header, PDF upload, address fields."""

    ok = Canned(200, {"id": "ltr_4868c3b754655f90", "status": "processed"})
    rejected = Canned(422, {"error": {"message": "address_zip is invalid", "status_code": 422}})
    rate_limited = Canned(
        429, {"error": {"message": "rate limit exceeded", "status_code": 429}}, RETRY_7
    )

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """Lob against the fake."""
        return tr.LobTransport(
            api_key="test_x",
            sender=_address("Muster Inc"),
            client=client,
            base_url=provider.base_url,
        )

    def message(self) -> cc.Message:
        """A letter with its PDF."""
        return cc.LetterMessage(
            idempotency_key="k-letter",
            case_id="C-1",
            recipient_address=_address("Erika M"),
            subject="Final notice",
            body="Please pay.",
            pdf=b"%PDF-1.7 letter",
        )

    async def test_rejected_recipient(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """Lob's 422 for a bad address is permanent."""
        provider.answer(self.rejected)
        with pytest.raises(cc.PermanentDeliveryError, match="address_zip"):
            await self._send(provider, client)

    async def test_request_shape(self, provider: FakeProvider, client: httpx.AsyncClient) -> None:
        """The idempotency key travels in Lob's Idempotency-Key header."""
        provider.answer(self.ok)
        await self._send(provider, client)
        request = provider.requests[-1]
        assert request.headers["Idempotency-Key"] == "k-letter"
        assert request.form["to[address_zip]"] == "94107"
        assert request.form["to[address_line1]"] == "1 Main St"  # Lob reads it US-style
        assert request.form["to[address_state]"] == "CA"
        assert b"%PDF-1.7 letter" in request.body


class TestWebhook(HttpContract):
    """Our own webhook: signed JSON POST, verified by verify_webhook."""

    ok = Canned(200, {"id": "task-17"})
    rejected = Canned(410, {"error": "gone"})
    rate_limited = Canned(429, {"error": "slow down"}, RETRY_7)

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """A webhook to the fake."""
        return tr.WebhookTransport(
            provider.base_url + "/hooks/creditcomms",
            secret="s3cret",
            client=client,
            clock=lambda: NOW,
        )

    def message(self) -> cc.Message:
        """A phone task."""
        return cc.PhoneTask(
            idempotency_key="k-task",
            case_id="C-1",
            contact_name="Erika",
            phone="+4915112345678",
            reason="3 reminders unanswered",
            script="Guten Tag ...",
        )

    async def test_rejected_recipient(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """A 4xx from the host is permanent."""
        provider.answer(self.rejected)
        with pytest.raises(cc.PermanentDeliveryError):
            await self._send(provider, client)

    async def test_wrong_message_type(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """The webhook serves every channel, so a portal message is posted too."""
        provider.answer(self.ok)
        receipt = await self.make(provider, client).send(self.wrong_message())
        assert receipt.provider_message_id == "task-17"
        assert provider.requests[-1].json()["channel"] == "portal"

    async def test_signature_verifies(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """The host can verify the signature; a tampered body fails."""
        provider.answer(self.ok)
        await self._send(provider, client)
        request = provider.requests[-1]
        header = request.headers[tr.SIGNATURE_HEADER]
        tr.verify_webhook(request.body, header, secret="s3cret", now=NOW)
        with pytest.raises(cc.WebhookSignatureError):
            tr.verify_webhook(request.body + b" ", header, secret="s3cret", now=NOW)
        assert request.json()["message"]["phone"] == "+4915112345678"

    async def test_email_html_shows_inline_images_as_data_uris(
        self, provider: FakeProvider, client: httpx.AsyncClient, qr_email: cc.EmailMessage
    ) -> None:
        """Binary parts are left out of the JSON, so the HTML carries the QR code itself."""
        provider.answer(self.ok)
        await self.make(provider, client).send(qr_email)
        posted = provider.requests[-1].json()["message"]
        image = _inline_qr(qr_email)
        assert "attachments" not in posted
        assert "cid:" not in posted["html"]
        start = posted["html"].index('src="data:image/png;base64,') + len('src="')
        uri = posted["html"][start : posted["html"].index('"', start)]
        assert uri == image.data_uri
        assert _qr_text(base64.b64decode(uri.split(",", 1)[1])).startswith("BCD\n")
