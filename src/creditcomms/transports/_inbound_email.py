"""Email provider callbacks: SendGrid's Event Webhook and Mailgun's webhooks."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from creditcomms.errors import (
    ConfigurationError,
    MissingExtraError,
    WebhookError,
    WebhookSignatureError,
)
from creditcomms.model import DeliveryStatus, DeliveryStatusChanged, OptOut

from ._inbound import CaseLookup, _case_id, _mismatch

__all__ = [
    "SENDGRID_SIGNATURE_HEADER",
    "SENDGRID_TIMESTAMP_HEADER",
    "check_age",
    "mailgun_event",
    "sendgrid_events",
    "unix_time",
    "verify_mailgun_signature",
    "verify_sendgrid_signature",
]

SENDGRID_SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
"""The header with SendGrid's base64 ECDSA signature of the Event Webhook post."""
SENDGRID_TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
"""The header with the Unix time SendGrid signed along with the body."""

_DETAIL_LENGTH = 200

_SENDGRID = {
    "delivered": DeliveryStatus.DELIVERED,
    "bounce": DeliveryStatus.BOUNCED,
    "dropped": DeliveryStatus.FAILED,
    "open": DeliveryStatus.OPENED,
    "click": DeliveryStatus.CLICKED,
    "spamreport": DeliveryStatus.COMPLAINED,
}
_SENDGRID_OPT_OUT = frozenset({"unsubscribe", "group_unsubscribe"})

_MAILGUN = {
    "delivered": DeliveryStatus.DELIVERED,
    "rejected": DeliveryStatus.FAILED,
    "opened": DeliveryStatus.OPENED,
    "clicked": DeliveryStatus.CLICKED,
    "complained": DeliveryStatus.COMPLAINED,
}


def unix_time(value: Any, provider: str) -> datetime:
    """A provider's Unix timestamp (seconds, maybe fractional) as an aware UTC datetime."""
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise WebhookError(f"{provider} webhook timestamp {value!r} is not Unix seconds") from exc


def check_age(timestamp: Any, now: datetime | None, tolerance: float, what: str) -> None:
    """Reject a signed timestamp further than ``tolerance`` seconds from ``now`` (a replay)."""
    if now is None:
        return
    try:
        when = unix_time(timestamp, what)
    except WebhookError as exc:
        raise WebhookSignatureError(
            f"{what} signed timestamp {timestamp!r} is missing or not Unix seconds; refuse the"
            " callback"
        ) from exc
    if abs(now.timestamp() - when.timestamp()) > tolerance:
        raise WebhookSignatureError(
            f"{what} timestamp {timestamp} is more than {tolerance:.0f} s from now; reject it"
            " (a replay) or check the clocks"
        )


def _detail(*values: Any) -> str | None:
    for value in values:
        if value not in (None, ""):
            return str(value)[:_DETAIL_LENGTH]
    return None


def _ecdsa_verifier(public_key: str) -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415 - optional extra
        from cryptography.hazmat.primitives.serialization import (  # noqa: PLC0415
            load_der_public_key,
            load_pem_public_key,
        )
    except ImportError:
        raise MissingExtraError(
            "SendGrid Event Webhook signature verification", "webhooks", "cryptography"
        ) from None
    try:
        text = public_key.strip()
        if text.startswith("-----BEGIN"):
            key = load_pem_public_key(text.encode())
        else:
            key = load_der_public_key(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ConfigurationError(
            f"public_key {public_key[:24]!r}... is not SendGrid's verification key; copy the"
            " base64 key from Settings > Mail Settings > Event Webhook > Signature Verification"
        ) from exc
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ConfigurationError(
            "public_key is not an elliptic-curve key; SendGrid signs with ECDSA P-256, so use"
            " the key shown under Event Webhook > Signature Verification"
        )
    return key


def verify_sendgrid_signature(
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    *,
    public_key: str,
    now: datetime | None = None,
    tolerance: float = 300.0,
) -> None:
    """Check a signed SendGrid Event Webhook post (ECDSA P-256 over timestamp + raw body).

    Needs the ``webhooks`` extra (the ``cryptography`` package).

    Args:
        body: The raw request body, exactly as received.
        signature: The ``X-Twilio-Email-Event-Webhook-Signature`` header.
        timestamp: The ``X-Twilio-Email-Event-Webhook-Timestamp`` header.
        public_key: The verification key from SendGrid's settings (base64 DER, or PEM).
        now: The current time; when given, posts older than ``tolerance`` are refused.
        tolerance: Largest accepted age in seconds, against replays.

    Raises:
        WebhookSignatureError: When a header is missing, the post is too old or the
            signature does not match.
        ConfigurationError: When ``public_key`` is not an EC public key.
        MissingExtraError: When ``cryptography`` is not installed.
    """
    if not signature or not timestamp:
        raise WebhookSignatureError(
            f"the {SENDGRID_SIGNATURE_HEADER} or {SENDGRID_TIMESTAMP_HEADER} header is missing;"
            " enable Signed Event Webhook Requests in SendGrid"
        )
    check_age(timestamp, now, tolerance, "SendGrid")
    key = _ecdsa_verifier(public_key)
    from cryptography.exceptions import InvalidSignature  # noqa: PLC0415 - optional extra
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415

    try:
        raw = base64.b64decode(signature, validate=True)
        key.verify(raw, timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError):
        raise _mismatch(SENDGRID_SIGNATURE_HEADER) from None


def sendgrid_events(
    payload: Sequence[Mapping[str, Any]], *, lookup: CaseLookup | None = None
) -> list[DeliveryStatusChanged | OptOut]:
    """Read a SendGrid Event Webhook post (a JSON array) into events, in order.

    ``delivered``, ``bounce`` (``blocked`` bounces as failed), ``dropped``, ``open``,
    ``click`` and ``spamreport`` become `DeliveryStatusChanged`; ``unsubscribe`` and
    ``group_unsubscribe`` become `OptOut`. Interim events (``processed``, ``deferred``) and
    ones creditcomms does not track are left out. The ``custom_args`` the transport sends
    (idempotency key, case id) come back as top-level fields; the provider id is the
    ``X-Message-Id`` part of ``sg_message_id``, as in the send receipt.
    """
    if isinstance(payload, Mapping) or not isinstance(payload, Sequence):
        raise WebhookError(
            f"a SendGrid Event Webhook post is a JSON array of events, not"
            f" {type(payload).__name__}; pass the decoded body as it is"
        )
    events: list[DeliveryStatusChanged | OptOut] = []
    for item in payload:
        if not isinstance(item, Mapping):
            raise WebhookError(f"SendGrid event {item!r:.60} is not a JSON object")
        event = _sendgrid_event(item, lookup)
        if event is not None:
            events.append(event)
    return events


def _sendgrid_event(
    item: Mapping[str, Any], lookup: CaseLookup | None
) -> DeliveryStatusChanged | OptOut | None:
    name = str(item.get("event", ""))
    if name not in _SENDGRID and name not in _SENDGRID_OPT_OUT:
        return None
    key = item.get("idempotency_key")
    raw_id = item.get("sg_message_id")
    message_id = str(raw_id).split(".", 1)[0] if raw_id else None
    case_id = _case_id(item.get("case_id"), (key, message_id), lookup)
    at = unix_time(item.get("timestamp"), "SendGrid")
    if name in _SENDGRID_OPT_OUT:
        return OptOut(case_id=case_id, at=at, channel="email", source=f"sendgrid:{name}")
    status = _SENDGRID[name]
    if name == "bounce" and item.get("type") == "blocked":
        status = DeliveryStatus.FAILED
    return DeliveryStatusChanged(
        case_id=case_id,
        at=at,
        status=status,
        channel="email",
        idempotency_key=key,
        provider_message_id=message_id,
        detail=_detail(item.get("reason"), item.get("status"), item.get("type")),
    )


def verify_mailgun_signature(
    payload: Mapping[str, Any],
    *,
    signing_key: str,
    now: datetime | None = None,
    tolerance: float = 300.0,
) -> None:
    """Check a Mailgun webhook: hex HMAC-SHA256 of timestamp + token with the signing key.

    Args:
        payload: The decoded JSON body (its ``signature`` object is read), or the form fields
            of a legacy form-encoded webhook (``timestamp``, ``token``, ``signature``).
        signing_key: The HTTP webhook signing key (Mailgun: Sending > Webhooks).
        now: The current time; when given, posts older than ``tolerance`` are refused.
        tolerance: Largest accepted age in seconds, against replays (also cache ``token``s
            to refuse a token seen before).

    Raises:
        WebhookSignatureError: When the fields are missing, too old or do not match.
    """
    nested = payload.get("signature")
    fields = nested if isinstance(nested, Mapping) else payload
    timestamp, token, signature = (fields.get(k) for k in ("timestamp", "token", "signature"))
    if not (timestamp and token and isinstance(signature, str)):
        raise WebhookSignatureError(
            "the Mailgun webhook has no signature (timestamp, token, signature); refuse it"
        )
    check_age(timestamp, now, tolerance, "Mailgun")
    expected = hmac.new(
        signing_key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, signature.lower()):
        raise _mismatch("Mailgun webhook signature")


def mailgun_event(
    payload: Mapping[str, Any], *, lookup: CaseLookup | None = None
) -> DeliveryStatusChanged | OptOut | None:
    """Read a Mailgun webhook's ``event-data``; None for events creditcomms does not track.

    ``delivered`` becomes delivered; a ``failed`` event with ``severity: permanent`` becomes
    bounced (failed when its reason is not a bounce), while temporary failures are None
    because Mailgun retries them; ``rejected``, ``opened``, ``clicked`` and ``complained``
    map by name and ``unsubscribed`` becomes an `OptOut`. The ``user-variables`` carry the
    idempotency key and case id the transport sent as ``v:`` variables.
    """
    data = payload.get("event-data")
    if not isinstance(data, Mapping):
        raise WebhookError(
            "a Mailgun webhook has an 'event-data' object; pass the decoded JSON body"
        )
    name = str(data.get("event", ""))
    severity = str(data.get("severity", ""))
    if name == "failed" and severity != "permanent":
        return None
    if name not in _MAILGUN and name not in ("failed", "unsubscribed"):
        return None
    variables = data.get("user-variables") or {}
    variables = variables if isinstance(variables, Mapping) else {}
    key = variables.get("idempotency_key")
    message = data.get("message") or {}
    headers = message.get("headers") if isinstance(message, Mapping) else None
    raw_id = headers.get("message-id") if isinstance(headers, Mapping) else None
    message_id = f"<{str(raw_id).strip('<>')}>" if raw_id else None
    case_id = _case_id(variables.get("case_id"), (key, message_id), lookup)
    at = unix_time(data.get("timestamp"), "Mailgun")
    if name == "unsubscribed":
        return OptOut(case_id=case_id, at=at, channel="email", source="mailgun:unsubscribe")
    reason = str(data.get("reason", ""))
    if name == "failed":
        status = DeliveryStatus.BOUNCED if "bounce" in reason else DeliveryStatus.FAILED
    else:
        status = _MAILGUN[name]
    delivery = data.get("delivery-status") or {}
    delivery = delivery if isinstance(delivery, Mapping) else {}
    return DeliveryStatusChanged(
        case_id=case_id,
        at=at,
        status=status,
        channel="email",
        idempotency_key=key,
        provider_message_id=message_id,
        detail=_detail(delivery.get("description"), delivery.get("message"), reason),
    )
