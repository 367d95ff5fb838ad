"""Meta's WhatsApp Business Cloud API: approved template messages."""

from __future__ import annotations

import json
from typing import Any

import httpx

from creditcomms.channels import Message, WhatsAppButton, WhatsAppMessage

from ._base import Receipt, expect_message
from ._http import HttpTransport, correlation
from ._http_errors import Failure, error_for_response

__all__ = ["MetaWhatsAppTransport"]

# Cloud API error codes (developers.facebook.com "Error codes" and "Throughput").
_RECIPIENT = frozenset({131026, 131050})
_RATE = frozenset({4, 80007, 130429, 131048, 131056, 131057})
_TRANSIENT = frozenset({1, 2, 131000, 133004})


def _button(button: WhatsAppButton) -> dict[str, Any]:
    parameter = (
        {"type": "text", "text": button.parameter}
        if button.kind == "url"
        else {"type": "payload", "payload": button.parameter}
    )
    return {
        "type": "button",
        "sub_type": button.kind,
        "index": str(button.index),
        "parameters": [parameter],
    }


class MetaWhatsAppTransport(HttpTransport):
    """Send `WhatsAppMessage` templates through the WhatsApp Cloud API.

    The idempotency key and case id travel in ``biz_opaque_callback_data`` and come back in
    status webhooks. Error codes decide the class: 131026 (not on WhatsApp) rejects the
    recipient so the dispatcher can fall back to SMS; 130429/131056 are rate limits.

    Args:
        access_token: A system-user access token.
        phone_number_id: The sending business phone number's id.
        api_version: Graph API version, such as ``v21.0``.
        **options: ``client``, ``base_url``, ``timeout``, ``clock``.
    """

    name = "whatsapp-cloud"
    default_base_url = "https://graph.facebook.com"

    def __init__(
        self,
        *,
        access_token: str,
        phone_number_id: str,
        api_version: str = "v21.0",
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._path = f"/{api_version}/{phone_number_id}/messages"

    async def send(self, message: Message, /) -> Receipt:
        """Send the template and return its ``wamid``."""
        wa = expect_message(message, WhatsAppMessage, self.name)
        response = await self._request(
            "POST", self._path, wa, json=self.payload(wa), headers=self._headers
        )
        body = self._json(response, wa)
        if not response.is_success or not isinstance(body, dict):
            raise self._error(response, body, wa)
        messages = body.get("messages")
        first = messages[0] if isinstance(messages, list) and messages else None
        if not isinstance(first, dict) or not isinstance(first.get("id"), str):
            raise self._missing_id(wa, body)
        message_id: str = first["id"]
        return self._receipt(wa, message_id, raw_status=str(first.get("message_status", "")))

    def payload(self, message: WhatsAppMessage) -> dict[str, Any]:
        """The Cloud API request body for ``message``."""
        components: list[dict[str, Any]] = []
        if message.parameters:
            components.append(
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": p} for p in message.parameters],
                }
            )
        components.extend(_button(b) for b in message.buttons)
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.to.removeprefix("+"),
            "type": "template",
            "template": {
                "name": message.template_name,
                "language": {"code": message.language},
                "components": components,
            },
            "biz_opaque_callback_data": json.dumps(correlation(message), separators=(",", ":")),
        }

    def _error(self, response: httpx.Response, body: Any, message: Message) -> Exception:
        error = body.get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {}
        code = error.get("code")
        failure = None
        if code in _RECIPIENT:
            failure = Failure.RECIPIENT
        elif code in _RATE:
            failure = Failure.RATE_LIMITED
        elif code in _TRANSIENT:
            failure = Failure.TRANSIENT
        details = error.get("error_data", {})
        detail = details.get("details") if isinstance(details, dict) else None
        return error_for_response(
            response,
            channel=message.channel,
            provider=self.name,
            failure=failure,
            code=str(code) if code is not None else None,
            detail=detail or error.get("message"),
        )
