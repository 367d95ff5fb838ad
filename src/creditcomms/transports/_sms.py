"""SMS providers besides Twilio: Vonage (SMS API) and MessageBird."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from creditcomms.channels import Message, SmsEncoding, SmsMessage
from creditcomms.errors import (
    DeliveryError,
    PermanentDeliveryError,
    RateLimited,
    RecipientRejected,
    TransientDeliveryError,
)

from ._base import Receipt, expect_message
from ._http import HttpTransport
from ._http_errors import Failure, error_for_response

__all__ = ["MessageBirdTransport", "VonageSmsTransport"]

# Vonage SMS API status codes (developer.vonage.com "SMS API errors").
_VONAGE_RETRY = frozenset({"5", "10", "13"})
_VONAGE_RECIPIENT = frozenset({"6", "7", "29"})


def _client_ref(key: str) -> str:
    """Vonage's ``client-ref`` holds at most 100 characters; longer keys are hashed."""
    return key if len(key) <= 100 else hashlib.sha256(key.encode()).hexdigest()


class VonageSmsTransport(HttpTransport):
    """Send `SmsMessage`s through the Vonage SMS API (``/sms/json``).

    Vonage answers HTTP 200 even when it refuses a message; the per-message ``status`` in the
    body decides (``"0"`` accepted, ``"1"`` throttled, others errors). The idempotency key goes
    in ``client-ref`` and comes back in delivery receipts.

    Args:
        api_key: The account's API key.
        api_secret: The API secret.
        sender: Number or alphanumeric sender id used when the message has none.
        **options: ``client``, ``base_url``, ``timeout``, ``clock``.
    """

    name = "vonage"
    default_base_url = "https://rest.nexmo.com"

    def __init__(self, *, api_key: str, api_secret: str, sender: str, **options: Any) -> None:
        super().__init__(**options)
        self._credentials = {"api_key": api_key, "api_secret": api_secret}
        self._sender = sender

    async def send(self, message: Message, /) -> Receipt:
        """Submit the SMS and return the first part's ``message-id``."""
        sms = expect_message(message, SmsMessage, self.name)
        form = self._credentials | {
            "from": sms.sender or self._sender,
            "to": sms.to.removeprefix("+"),
            "text": sms.text,
            "client-ref": _client_ref(sms.idempotency_key),
        }
        if sms.encoding is SmsEncoding.UCS2:
            form["type"] = "unicode"
        response = await self._request("POST", "/sms/json", sms, data=form)
        body = self._json(response, sms)
        if not response.is_success:
            raise error_for_response(response, channel=sms.channel, provider=self.name)
        return self._accepted(sms, body)

    def _accepted(self, message: SmsMessage, body: Any) -> Receipt:
        parts = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(parts, list) or not parts or not isinstance(parts[0], dict):
            raise self._missing_id(message, body)
        for part in parts:
            status = str(part.get("status", ""))
            if status != "0":
                raise _vonage_error(status, str(part.get("error-text", "")), message.channel)
        part_id = parts[0].get("message-id")
        if not isinstance(part_id, str) or not part_id:
            raise self._missing_id(message, body)
        return self._receipt(message, part_id, raw_status="0")


def _vonage_error(status: str, text: str, channel: str) -> DeliveryError:
    detail = f"vonage refused the message with status {status}: {text or 'no error text'}"
    if status == "1":
        return RateLimited(detail, channel=channel, provider_status=status)
    if status in _VONAGE_RETRY:
        return TransientDeliveryError(detail, channel=channel, provider_status=status)
    if status in _VONAGE_RECIPIENT:
        return RecipientRejected(detail, channel=channel, provider_status=status)
    return PermanentDeliveryError(detail, channel=channel, provider_status=status)


class MessageBirdTransport(HttpTransport):
    """Send `SmsMessage`s through the MessageBird SMS API (``POST /messages``).

    The idempotency key travels as ``reference`` and comes back in status reports.

    Args:
        access_key: The live or test access key (``Authorization: AccessKey …``).
        originator: Number or alphanumeric sender (at most 11 characters) used by default.
        **options: ``client``, ``base_url``, ``timeout``, ``clock``.
    """

    name = "messagebird"
    default_base_url = "https://rest.messagebird.com"

    def __init__(self, *, access_key: str, originator: str, **options: Any) -> None:
        super().__init__(**options)
        self._headers = {"Authorization": f"AccessKey {access_key}"}
        self._originator = originator

    async def send(self, message: Message, /) -> Receipt:
        """Create the message and return MessageBird's id."""
        sms = expect_message(message, SmsMessage, self.name)
        payload = {
            "originator": sms.sender or self._originator,
            "recipients": [sms.to.removeprefix("+")],
            "body": sms.text,
            "reference": sms.idempotency_key,
            "datacoding": "unicode" if sms.encoding is SmsEncoding.UCS2 else "plain",
        }
        response = await self._request(
            "POST", "/messages", sms, json=payload, headers=self._headers
        )
        body = self._json(response, sms)
        if not response.is_success:
            raise self._error(response, body, sms)
        message_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise self._missing_id(sms, body)
        return self._receipt(sms, message_id, raw_status="sent")

    def _error(self, response: httpx.Response, body: Any, message: Message) -> DeliveryError:
        errors = body.get("errors") if isinstance(body, dict) else None
        first = errors[0] if isinstance(errors, list) and errors else {}
        first = first if isinstance(first, dict) else {}
        code = first.get("code")
        failure = None
        if code == 9 and "recipient" in str(first.get("parameter", "")):
            failure = Failure.RECIPIENT
        return error_for_response(
            response,
            channel=message.channel,
            provider=self.name,
            failure=failure,
            code=str(code) if code is not None else None,
            detail=first.get("description"),
        )
