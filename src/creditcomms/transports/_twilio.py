"""Twilio: Programmable Messaging (SMS and WhatsApp) and Programmable Voice calls."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

import httpx

from creditcomms.channels import Message, SmsMessage, VoiceMessage, WhatsAppMessage
from creditcomms.errors import PermanentDeliveryError
from creditcomms.model import Money

from ._base import Receipt, expect_message
from ._http import HttpTransport, correlation
from ._http_errors import Failure, error_for_response

__all__ = ["TwilioSmsTransport", "TwilioVoiceTransport", "TwilioWhatsAppTransport"]

# Twilio error codes (https://www.twilio.com/docs/api/errors) that blame the recipient.
_RECIPIENT_CODES = frozenset({21211, 21214, 21217, 21610, 21612, 21614, 63003, 63024})
_RATE_CODES = frozenset({20429, 14107})


class _TwilioBase(HttpTransport):
    """Shared by the Twilio adapters: account, auth, status callback, error codes."""

    default_base_url = "https://api.twilio.com"
    resource = "Messages"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        status_callback: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self._account_sid = account_sid
        self._auth = httpx.BasicAuth(account_sid, auth_token)
        self._status_callback = status_callback

    def _callback(self, message: Message) -> dict[str, str]:
        if self._status_callback is None:
            return {}
        joiner = "&" if "?" in self._status_callback else "?"
        return {"StatusCallback": self._status_callback + joiner + urlencode(correlation(message))}

    async def _create(self, message: Message, form: dict[str, str]) -> Receipt:
        path = f"/2010-04-01/Accounts/{self._account_sid}/{self.resource}.json"
        form |= self._callback(message)
        response = await self._request("POST", path, message, data=form, auth=self._auth)
        body = self._json(response, message)
        if not response.is_success or not isinstance(body, dict):
            raise self._error(response, body, message)
        sid = body.get("sid")
        if not isinstance(sid, str) or not sid:
            raise self._missing_id(message, body)
        return self._receipt(message, sid, raw_status=body.get("status"), cost=_price(body))

    def _error(self, response: httpx.Response, body: Any, message: Message) -> Exception:
        code = body.get("code") if isinstance(body, dict) else None
        detail = body.get("message") if isinstance(body, dict) else None
        failure = None
        if code in _RECIPIENT_CODES:
            failure = Failure.RECIPIENT
        elif code in _RATE_CODES:
            failure = Failure.RATE_LIMITED
        return error_for_response(
            response,
            channel=message.channel,
            provider=self.name,
            failure=failure,
            code=str(code) if code is not None else None,
            detail=detail,
        )


def _price(body: Mapping[str, Any]) -> Money | None:
    price, unit = body.get("price"), body.get("price_unit")
    if not price or not unit:
        return None
    try:
        return Money.rounded(abs(Decimal(str(price))), str(unit).upper())
    except (InvalidOperation, ValueError):
        return None


class TwilioSmsTransport(_TwilioBase):
    """Send `SmsMessage`s through Twilio Programmable Messaging (``Messages.json``).

    Args:
        account_sid: The account SID (also the path segment).
        auth_token: The auth token (or an API key secret with ``account_sid`` its SID).
        sender: A number, short code or alphanumeric sender id; used when the message has
            none and no ``messaging_service_sid`` is given.
        messaging_service_sid: Send through a Messaging Service instead of one number.
        status_callback: URL Twilio reports delivery to; the idempotency key and case id are
            added to its query so `creditcomms.transports.inbound` can match the report.
        **options: ``client``, ``base_url``, ``timeout``, ``clock`` (see `HttpTransport`).
    """

    name = "twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sender: str | None = None,
        messaging_service_sid: str | None = None,
        status_callback: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            account_sid=account_sid,
            auth_token=auth_token,
            status_callback=status_callback,
            **options,
        )
        self._sender = sender
        self._service = messaging_service_sid

    async def send(self, message: Message, /) -> Receipt:
        """Create the message at Twilio and return its ``SM…`` sid."""
        sms = expect_message(message, SmsMessage, self.name)
        form = {"To": sms.to, "Body": sms.text}
        form |= self._origin(sms.sender)
        return await self._create(sms, form)

    def _origin(self, sender: str | None) -> dict[str, str]:
        if sender or (self._sender and not self._service):
            return {"From": str(sender or self._sender)}
        if self._service:
            return {"MessagingServiceSid": self._service}
        raise PermanentDeliveryError(
            f"{self.name}: no sender; pass sender= or messaging_service_sid= to the transport",
            channel="sms",
            provider_status="no_sender",
        )


class TwilioWhatsAppTransport(_TwilioBase):
    """Send WhatsApp template messages through Twilio (Content API templates).

    Args:
        account_sid: The account SID.
        auth_token: The auth token.
        sender: The WhatsApp-enabled number, such as ``+4930123456``.
        content_sids: Maps a template name (or ``name:language``) to its ``HX…`` Content SID.
        status_callback: URL for delivery and read reports (see `TwilioSmsTransport`).
        **options: ``client``, ``base_url``, ``timeout``, ``clock``.
    """

    name = "twilio-whatsapp"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sender: str,
        content_sids: Mapping[str, str],
        status_callback: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            account_sid=account_sid,
            auth_token=auth_token,
            status_callback=status_callback,
            **options,
        )
        self._sender = sender.removeprefix("whatsapp:")
        self._content_sids = dict(content_sids)

    async def send(self, message: Message, /) -> Receipt:
        """Create the WhatsApp message from its approved template and return its sid."""
        wa = expect_message(message, WhatsAppMessage, self.name)
        values = [*wa.parameters, *(b.parameter for b in wa.buttons)]
        form = {
            "To": f"whatsapp:{wa.to}",
            "From": f"whatsapp:{self._sender}",
            "ContentSid": self._content_sid(wa),
            "ContentVariables": json.dumps({str(i): v for i, v in enumerate(values, start=1)}),
        }
        return await self._create(wa, form)

    def _content_sid(self, message: WhatsAppMessage) -> str:
        for key in (f"{message.template_name}:{message.language}", message.template_name):
            if key in self._content_sids:
                return self._content_sids[key]
        raise PermanentDeliveryError(
            f"{self.name}: no Content SID for template {message.template_name!r} in"
            f" {message.language!r}; add it to content_sids=",
            channel=message.channel,
            provider_status="no_template",
        )


class TwilioVoiceTransport(_TwilioBase):
    """Place automated calls through Twilio Programmable Voice, reading the message's SSML.

    The SSML body (without its ``<speak>`` wrapper) goes into a TwiML ``<Say>``; Twilio's
    Amazon Polly voices understand SSML tags such as ``<break>`` and ``<prosody>``.

    Args:
        account_sid: The account SID.
        auth_token: The auth token.
        caller_id: The number the call comes from.
        voice: A Twilio voice, such as ``Polly.Vicki-Neural``.
        status_callback: URL for call progress reports.
        **options: ``client``, ``base_url``, ``timeout``, ``clock``.
    """

    name = "twilio-voice"
    resource = "Calls"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        caller_id: str,
        voice: str | None = None,
        status_callback: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            account_sid=account_sid,
            auth_token=auth_token,
            status_callback=status_callback,
            **options,
        )
        self._caller_id = caller_id
        self._voice = voice

    async def send(self, message: Message, /) -> Receipt:
        """Start the call and return its ``CA…`` sid."""
        voice = expect_message(message, VoiceMessage, self.name)
        form = {"To": voice.to, "From": self._caller_id, "Twiml": self.twiml(voice)}
        return await self._create(voice, form)

    def twiml(self, message: VoiceMessage) -> str:
        """The TwiML document for ``message``: one ``<Say>`` with the SSML content."""
        root = _parse_ssml(message)
        say = ET.Element("Say", {"language": message.language})
        if self._voice:
            say.set("voice", self._voice)
        if root.tag != "speak":
            say.append(root)
        else:
            say.text = root.text
            say.extend(list(root))
        response = ET.Element("Response")
        response.append(say)
        return ET.tostring(response, encoding="unicode")


def _parse_ssml(message: VoiceMessage) -> ET.Element:
    for text in (message.ssml, f"<speak>{message.ssml}</speak>"):
        try:
            return ET.fromstring(text)  # noqa: S314 - our own rendered template, not input
        except ET.ParseError:
            continue
    raise PermanentDeliveryError(
        "twilio-voice: the message's SSML is not well-formed XML; check the voice template",
        channel=message.channel,
        provider_status="invalid_ssml",
    )
