"""Bird (the current MessageBird platform): SMS through the Channels API."""

from __future__ import annotations

from typing import Any

import httpx

from creditcomms.channels import Message, SmsMessage
from creditcomms.errors import DeliveryError

from ._base import Receipt, expect_message
from ._http import HttpTransport, correlation
from ._http_errors import Failure, error_for_response

__all__ = ["BirdSmsTransport"]

# Error types and codes in Bird's error answers that mean the receiver itself is wrong.
_RECIPIENT_WORDS = ("receiver", "identifiervalue", "recipient")


def _error_fields(body: Any) -> tuple[str | None, str | None, str]:
    """Return (code, message, searchable text) from either of Bird's error envelopes."""
    if not isinstance(body, dict):
        return None, None, ""
    inner = body.get("error")
    envelope = inner if isinstance(inner, dict) else body
    code = envelope.get("code") or envelope.get("type")
    message = envelope.get("message")
    text = " ".join(
        str(envelope.get(k, "")) for k in ("code", "type", "param", "details", "message")
    ).lower()
    return (str(code) if code else None), (str(message) if message else None), text


class BirdSmsTransport(HttpTransport):
    """Send `SmsMessage`s through Bird's Channels API on an installed SMS channel.

    ``POST /workspaces/{workspace_id}/channels/{channel_id}/messages`` with
    ``Authorization: AccessKey …``; Bird answers ``202 Accepted`` with the message's ``id``.
    The idempotency key travels as ``reference`` and, with the case id, in
    ``meta.extraInformation``, so Bird's status webhooks carry both back. The sender is the
    number or sender id configured on the channel, so a message's ``sender`` is not used.

    Args:
        access_key: An access key whose role may send on the channel.
        workspace_id: The workspace (a UUID) the channel belongs to.
        channel_id: The SMS channel's id (a UUID).
        **options: ``client``, ``base_url``, ``timeout``, ``clock``.
    """

    name = "bird"
    default_base_url = "https://api.bird.com"

    def __init__(
        self, *, access_key: str, workspace_id: str, channel_id: str, **options: Any
    ) -> None:
        super().__init__(**options)
        self._headers = {"Authorization": f"AccessKey {access_key}", "Accept": "application/json"}
        self._path = f"/workspaces/{workspace_id}/channels/{channel_id}/messages"

    async def send(self, message: Message, /) -> Receipt:
        """Submit the SMS and return Bird's message id."""
        sms = expect_message(message, SmsMessage, self.name)
        response = await self._request(
            "POST", self._path, sms, json=self.payload(sms), headers=self._headers
        )
        body = self._json(response, sms)
        if not response.is_success:
            raise self._error(response, body, sms)
        message_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise self._missing_id(sms, body)
        return self._receipt(sms, message_id, raw_status=str(body.get("status") or "accepted"))

    def payload(self, message: SmsMessage) -> dict[str, Any]:
        """The Channels API request body for ``message``."""
        return {
            "receiver": {
                "contacts": [{"identifierKey": "phonenumber", "identifierValue": message.to}]
            },
            "body": {"type": "text", "text": {"text": message.text}},
            "reference": message.idempotency_key,
            "meta": {"extraInformation": correlation(message)},
        }

    def _error(self, response: httpx.Response, body: Any, message: Message) -> DeliveryError:
        code, detail, text = _error_fields(body)
        failure = None
        if response.status_code in (400, 422) and any(w in text for w in _RECIPIENT_WORDS):
            failure = Failure.RECIPIENT
        return error_for_response(
            response,
            channel=message.channel,
            provider=self.name,
            failure=failure,
            code=code,
            detail=detail,
        )
