"""A billing application's webhook endpoints, framework-free: payments, disputes, SMS reports.

Web frameworks differ only in how they hand over the request, so the handlers below take
what every framework gives (the raw body or form fields, the headers, the public URL) and
return ``(status code, JSON body)``. Wire them to Flask, FastAPI, Django or aiohttp routes
in a few lines each.

- ``POST /webhooks/payments``: the payment provider reports a payment or a dispute, signed
  with an HMAC header (here creditcomms' own ``X-CreditComms-Signature`` scheme).
- ``POST /twilio/status``: Twilio reports that an SMS was delivered or failed, signed with
  ``X-Twilio-Signature``.
- ``POST /twilio/reply``: a customer answers an SMS; "STOP" and its translations opt out.

Runs offline: Twilio is simulated with ``httpx.MockTransport`` and the store is in memory.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx

import creditcomms as cc
from creditcomms.transports import SIGNATURE_HEADER, TwilioSmsTransport, inbound, sign_webhook

# From your secret store; the defaults only serve this offline example.
PAYMENT_SECRET = os.environ.get("PAYMENT_WEBHOOK_SECRET", "whsec-example")
TWILIO_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "twilio-example-token")
PUBLIC_URL = "https://billing.example"

Response = tuple[int, dict[str, Any]]


class Webhooks:
    """The endpoints, bound to one engine. Every handler verifies before it reads."""

    def __init__(self, engine: cc.Engine, *, clock: Any = None) -> None:
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(UTC))
        self.phones: dict[str, str] = {}  # E.164 number -> case id, from the billing database

    async def payments(self, headers: Mapping[str, str], body: bytes) -> Response:
        """A payment or dispute from the payment provider."""
        try:
            inbound.verify_webhook(
                body, headers.get(SIGNATURE_HEADER), secret=PAYMENT_SECRET, now=self.clock()
            )
        except cc.WebhookSignatureError as error:
            return 403, {"error": str(error)}
        payload = json.loads(body)
        at = datetime.fromisoformat(payload["created"])
        event: cc.PaymentReceived | cc.DisputeOpened
        if payload["type"] == "payment.succeeded":
            event = cc.PaymentReceived(
                case_id=payload["customer"],
                at=at,
                amount=cc.Money(payload["amount"], payload["currency"]),
                invoice_ids=tuple(payload.get("invoices", ())),
            )
        elif payload["type"] == "payment.disputed":
            event = cc.DisputeOpened(
                case_id=payload["customer"], at=at, reason=payload.get("reason")
            )
        else:
            return 200, {"ignored": payload["type"]}  # acknowledge what we do not track
        case = await self.engine.record(event)
        return 200, {"case": event.case_id, "known": case is not None}

    async def twilio_status(self, url: str, form: Mapping[str, str], signature: str) -> Response:
        """An SMS delivery report; the callback URL carries the idempotency key and case."""
        try:
            inbound.verify_twilio_signature(url, form, signature, auth_token=TWILIO_TOKEN)
        except cc.WebhookSignatureError as error:
            return 403, {"error": str(error)}
        event = inbound.twilio_status_event(form, at=self.clock(), url=url)
        if event is None:
            return 204, {}  # an interim state such as "sent"
        await self.engine.record(event)
        return 200, {"status": str(event.status)}

    async def twilio_reply(self, url: str, form: Mapping[str, str], signature: str) -> Response:
        """An SMS reply: STOP, ABMELDEN, UITSCHRIJVEN... become an opt-out for SMS."""
        try:
            inbound.verify_twilio_signature(url, form, signature, auth_token=TWILIO_TOKEN)
        except cc.WebhookSignatureError as error:
            return 403, {"error": str(error)}
        event = inbound.twilio_reply_event(form, at=self.clock(), lookup=self.phones.get)
        if event is None:
            return 200, {"opt_out": False}
        await self.engine.record(event)
        return 200, {"opt_out": True, "channel": event.channel}


def twilio_signature(url: str, form: Mapping[str, str]) -> str:
    """What Twilio puts in X-Twilio-Signature (for the simulated callbacks below)."""
    signed = url + "".join(key + form[key] for key in sorted(form))
    digest = hmac.new(TWILIO_TOKEN.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def build(twilio_api: httpx.MockTransport) -> cc.Engine:
    """An engine that reminds by SMS, sent through Twilio (simulated)."""
    creditor = cc.Creditor(
        name="Muster GmbH",
        iban="DE89370400440532013000",
        payment_page="https://pay.muster.example/{token}",
        link_secret="a-long-random-secret-from-your-vault",
    )
    campaign = cc.Campaign(
        "b2c",
        steps=[
            cc.Step("reminder", cc.after_due(days=3), cc.SMS, template="reminder"),
            cc.Step("second", cc.after_due(days=14), cc.SMS, template="reminder", tone="firm"),
        ],
    )
    twilio = TwilioSmsTransport(
        account_sid="AC123",
        auth_token=TWILIO_TOKEN,
        sender="+15005550006",
        status_callback=f"{PUBLIC_URL}/twilio/status",
        client=httpx.AsyncClient(transport=twilio_api),
    )
    return cc.Engine(
        cc.Strategy([], default=campaign),
        cc.TemplateLibrary.builtin(),
        creditor,
        cc.Dispatcher({cc.SMS: twilio}),
        cc.MemoryStore(),
    )


async def main() -> None:
    """Send a reminder, receive its delivery report, a forged request and the payment."""
    callbacks: list[str] = []

    def twilio_api(request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode()))
        callbacks.append(form["StatusCallback"])
        return httpx.Response(201, json={"sid": "SM" + "0" * 32, "status": "queued"})

    engine = build(httpx.MockTransport(twilio_api))
    now = datetime(2026, 11, 3, 10, tzinfo=UTC)
    hooks = Webhooks(engine, clock=lambda: now)
    case = cc.Case(
        debtor=cc.Debtor(
            id="C-7",
            name="Erika Mustermann",
            locale="de_DE",
            timezone="Europe/Berlin",
            contacts=cc.Contacts(phone="+49 151 12345678"),
            consents={cc.SMS: True},
        ),
        invoices=[
            cc.Invoice(
                id="RE-77",
                amount=cc.Money("89.00", "EUR"),
                issued_on=date(2026, 10, 1),
                due_on=date(2026, 10, 31),
            )
        ],
    )
    hooks.phones["+4915112345678"] = case.id
    await engine.store.migrate()
    await engine.sync([case], at=now)
    report = await engine.run_due(at=now)
    assert report.sent == 1

    # Twilio calls back on the URL the transport gave it, with the key and case in the query.
    (status_url,) = callbacks
    form = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered", "To": "+4915112345678"}
    print(
        "status:", await hooks.twilio_status(status_url, form, twilio_signature(status_url, form))
    )

    # A forged payment notification is refused before its content is read.
    body = json.dumps(
        {
            "type": "payment.succeeded",
            "customer": "C-7",
            "amount": "89.00",
            "currency": "EUR",
            "invoices": ["RE-77"],
            "created": "2026-11-04T08:15:00+00:00",
        }
    ).encode()
    forged = {SIGNATURE_HEADER: sign_webhook(body, secret="guess", timestamp=int(now.timestamp()))}
    code, _ = await hooks.payments(forged, body)
    assert code == 403

    signed = {
        SIGNATURE_HEADER: sign_webhook(body, secret=PAYMENT_SECRET, timestamp=int(now.timestamp()))
    }
    print("payment:", await hooks.payments(signed, body))

    # A reply "STOP" would opt the number out of SMS; here the customer only says thanks.
    reply_url = f"{PUBLIC_URL}/twilio/reply"
    reply = {"From": "+4915112345678", "Body": "Danke, ist bezahlt", "MessageSid": "SM1"}
    print("reply:", await hooks.twilio_reply(reply_url, reply, twilio_signature(reply_url, reply)))

    # Paid: the second reminder never goes out, and the journal says why.
    later = await engine.run_due(at=datetime(2026, 11, 20, 10, tzinfo=UTC))
    assert later.sent == 0
    stored = await engine.store.get_case(case.id)
    assert stored is not None
    assert not stored.case.open_amount.is_positive
    print("after payment:", later.summary())


if __name__ == "__main__":
    asyncio.run(main())
