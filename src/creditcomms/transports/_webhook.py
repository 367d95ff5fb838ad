"""A signed JSON webhook to the host: phone tasks, portal messages, in-app notifications."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from creditcomms.channels import EmailMessage, Message
from creditcomms.errors import WebhookSignatureError

from ._base import Receipt, utc_now
from ._http import HttpTransport
from ._http_errors import error_for_response

__all__ = ["SIGNATURE_HEADER", "WebhookTransport", "sign_webhook", "verify_webhook"]

SIGNATURE_HEADER = "X-CreditComms-Signature"
"""The header carrying ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``."""

_EXCLUDED = {"pdf", "attachments"}


def sign_webhook(body: bytes, *, secret: str | bytes, timestamp: int) -> str:
    """The signature header value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    key = secret.encode() if isinstance(secret, str) else secret
    mac = hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_webhook(
    body: bytes,
    header: str | None,
    *,
    secret: str | bytes,
    now: datetime,
    tolerance: float = 300.0,
) -> None:
    """Check a `WebhookTransport` signature; raise `WebhookSignatureError` when it fails.

    Args:
        body: The raw request body, exactly as received.
        header: The ``X-CreditComms-Signature`` header value.
        secret: The shared secret.
        now: The current time (passed in, so checks are reproducible).
        tolerance: Largest accepted age in seconds, against replays.
    """
    parts = dict(p.split("=", 1) for p in (header or "").split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        raise WebhookSignatureError(f"missing or malformed {SIGNATURE_HEADER} header")
    timestamp = int(parts["t"])
    if abs(now.timestamp() - timestamp) > tolerance:
        raise WebhookSignatureError(
            f"signature timestamp {timestamp} is more than {tolerance:.0f} s from now;"
            " reject it (a replay) or check the clocks"
        )
    expected = sign_webhook(body, secret=secret, timestamp=timestamp)
    if not hmac.compare_digest(expected, f"t={timestamp},v1={parts['v1']}"):
        raise WebhookSignatureError("webhook signature does not match the body and secret")


class WebhookTransport(HttpTransport):
    """POST each message as JSON to a host URL, signed with HMAC-SHA256.

    Body: ``{"type", "idempotency_key", "case_id", "channel", "message"}``; headers
    ``X-CreditComms-Signature`` (see `sign_webhook`) and ``Idempotency-Key``. A 2xx answer is
    success; a JSON answer's ``id`` becomes the receipt id, else the idempotency key does.

    Args:
        url: The host endpoint.
        secret: The shared signing secret.
        **options: ``client``, ``timeout``, ``clock``.
    """

    name = "webhook"

    def __init__(
        self,
        url: str,
        /,
        *,
        secret: str | bytes,
        clock: Callable[[], datetime] = utc_now,
        **options: Any,
    ) -> None:
        super().__init__(base_url=url, clock=clock, **options)
        self._url = url
        self._secret = secret

    async def send(self, message: Message, /) -> Receipt:
        """Post ``message`` and return the receipt."""
        body = self.body(message)
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": message.idempotency_key,
            SIGNATURE_HEADER: sign_webhook(
                body, secret=self._secret, timestamp=int(self._clock().timestamp())
            ),
        }
        response = await self._request("POST", self._url, message, content=body, headers=headers)
        answer = self._json(response, message) if response.content else {}
        if not response.is_success:
            raise error_for_response(response, channel=message.channel, provider=self.name)
        answer_id = answer.get("id") if isinstance(answer, dict) else None
        receipt_id = str(answer_id) if answer_id else message.idempotency_key
        return self._receipt(message, receipt_id, raw_status=str(response.status_code))

    def body(self, message: Message) -> bytes:
        """The JSON document posted for ``message`` (binary fields left out).

        An email's HTML shows its inline images as ``data:`` URIs, since their parts are
        left out with the other binary fields.
        """
        exclude = _EXCLUDED & set(type(message).model_fields)
        dumped = message.model_dump(mode="json", exclude=exclude)
        if isinstance(message, EmailMessage):
            dumped["html"] = message.html_with_data_uris()
        document = {
            "type": getattr(message, "kind", message.channel),
            "idempotency_key": message.idempotency_key,
            "case_id": message.case_id,
            "channel": message.channel,
            "message": dumped,
        }
        return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
