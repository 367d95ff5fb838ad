"""SMS provider callbacks: Vonage delivery receipts and Bird Channels status webhooks."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from creditcomms.errors import ConfigurationError, WebhookError, WebhookSignatureError
from creditcomms.model import DeliveryStatus, DeliveryStatusChanged

from ._inbound import CaseLookup, _case_id, _mismatch
from ._inbound_email import check_age

__all__ = [
    "BIRD_SIGNATURE_HEADER",
    "BIRD_TIMESTAMP_HEADER",
    "VONAGE_SIGNATURE_METHODS",
    "bird_status_event",
    "verify_bird_signature",
    "verify_vonage_signature",
    "vonage_dlr_event",
]

VONAGE_SIGNATURE_METHODS = ("md5hash", "md5", "sha1", "sha256", "sha512")
"""Vonage's signing methods: the legacy salted MD5 hash, or an HMAC with the named digest."""

BIRD_SIGNATURE_HEADER = "messagebird-signature"
"""The header with Bird's base64 HMAC-SHA256 webhook signature."""
BIRD_TIMESTAMP_HEADER = "messagebird-request-timestamp"
"""The header with the request time Bird signed along with the URL and body."""

_VONAGE = {
    "delivered": DeliveryStatus.DELIVERED,
    "failed": DeliveryStatus.FAILED,
    "rejected": DeliveryStatus.FAILED,
    "expired": DeliveryStatus.FAILED,
}
_HASHED_REF = re.compile(r"[0-9a-f]{64}")

_BIRD = {
    "delivered": DeliveryStatus.DELIVERED,
    "sending_failed": DeliveryStatus.FAILED,
    "delivery_failed": DeliveryStatus.FAILED,
    "rejected": DeliveryStatus.FAILED,
}
_BIRD_CHANNELS = frozenset({"sms", "whatsapp", "email"})


def verify_vonage_signature(
    params: Mapping[str, str],
    *,
    signature_secret: str,
    method: str = "md5hash",
    now: datetime | None = None,
    tolerance: float = 300.0,
) -> None:
    """Check the ``sig`` of a signed Vonage SMS API callback (delivery receipt or inbound).

    Vonage sorts every parameter but ``sig`` by name and joins them as ``&name=value`` (with
    ``&`` and ``=`` inside values replaced by ``_``); ``md5hash`` is the MD5 of that string
    plus the secret, the other methods an HMAC of it keyed with the secret.

    Args:
        params: The callback's parameters (query string, form or JSON, as strings).
        signature_secret: The account's signature secret (Vonage dashboard: API settings).
        method: The signing method chosen in the dashboard, one of `VONAGE_SIGNATURE_METHODS`.
        now: The current time; when given, callbacks whose ``timestamp`` is older than
            ``tolerance`` are refused.
        tolerance: Largest accepted age in seconds, against replays.

    Raises:
        WebhookSignatureError: When ``sig`` is missing, too old or does not match.
        ConfigurationError: For an unknown ``method``.
    """
    if method not in VONAGE_SIGNATURE_METHODS:
        raise ConfigurationError(
            f"Vonage signature method {method!r} is unknown; use one of"
            f" {', '.join(VONAGE_SIGNATURE_METHODS)} as set in the Vonage dashboard"
        )
    signature = params.get("sig")
    if not signature:
        raise WebhookSignatureError(
            "the Vonage callback has no 'sig' parameter; ask Vonage to sign callbacks or refuse it"
        )
    if now is not None:
        check_age(params.get("timestamp"), now, tolerance, "Vonage")
    joined = "".join(
        f"&{name}={str(params[name]).replace('&', '_').replace('=', '_')}"
        for name in sorted(params)
        if name != "sig"
    )
    if method == "md5hash":
        expected = hashlib.md5((joined + signature_secret).encode()).hexdigest()  # noqa: S324 - Vonage's scheme
    else:
        expected = hmac.new(signature_secret.encode(), joined.encode(), method).hexdigest()
    if not hmac.compare_digest(expected, signature.lower()):
        raise _mismatch("Vonage 'sig'")


def _vonage_time(params: Mapping[str, str]) -> datetime:
    stamp = params.get("message-timestamp")
    if stamp:
        try:
            return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError as exc:
            raise WebhookError(
                f"Vonage message-timestamp {stamp!r} is not 'YYYY-MM-DD HH:MM:SS'"
            ) from exc
    if params.get("timestamp"):
        try:
            return datetime.fromtimestamp(int(params["timestamp"]), UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise WebhookError(
                f"Vonage timestamp {params['timestamp']!r} is not Unix seconds"
            ) from exc
    raise WebhookError("the Vonage delivery receipt has no message-timestamp or timestamp")


def vonage_dlr_event(
    params: Mapping[str, str], *, lookup: CaseLookup
) -> DeliveryStatusChanged | None:
    """Read a Vonage SMS API delivery receipt; None for interim states.

    ``delivered`` becomes delivered; ``failed``, ``rejected`` and ``expired`` become failed,
    with ``err-code`` as the detail. ``accepted``, ``buffered`` and ``unknown`` are interim or
    inconclusive and give None. A receipt names no case, so ``lookup`` receives the
    ``client-ref`` (the idempotency key the transport sent, or its SHA-256 when the key was
    longer than 100 characters) and then the ``messageId``.
    """
    status = _VONAGE.get(str(params.get("status", "")).lower())
    if status is None:
        return None
    reference = params.get("client-ref") or None
    message_id = params.get("messageId") or None
    key = None if reference is None or _HASHED_REF.fullmatch(reference) else reference
    error = params.get("err-code")
    return DeliveryStatusChanged(
        case_id=_case_id(None, (reference, message_id), lookup),
        at=_vonage_time(params),
        status=status,
        channel="sms",
        idempotency_key=key,
        provider_message_id=message_id,
        detail=f"err-code {error}" if error and error != "0" else None,
    )


def verify_bird_signature(
    body: bytes,
    url: str,
    signature: str | None,
    timestamp: str | None,
    *,
    signing_key: str,
    now: datetime | None = None,
    tolerance: float = 300.0,
) -> None:
    """Check a Bird webhook: HMAC-SHA256 over timestamp, URL and the body's SHA-256.

    Args:
        body: The raw request body, exactly as received.
        url: The full URL Bird called, as configured on the subscription.
        signature: The ``messagebird-signature`` header (base64).
        timestamp: The ``messagebird-request-timestamp`` header.
        signing_key: The subscription's ``signingKey``.
        now: The current time; when given, requests older than ``tolerance`` are refused.
        tolerance: Largest accepted age in seconds, against replays.

    Raises:
        WebhookSignatureError: When a header is missing, too old or does not match.
    """
    if not signature or not timestamp:
        raise WebhookSignatureError(
            f"the {BIRD_SIGNATURE_HEADER} or {BIRD_TIMESTAMP_HEADER} header is missing; create"
            " the webhook subscription with a signingKey or refuse the request"
        )
    check_age(timestamp, now, tolerance, "Bird")
    signed = f"{timestamp}\n{url}\n".encode() + hashlib.sha256(body).digest()
    expected = hmac.new(signing_key.encode(), signed, hashlib.sha256).digest()
    try:
        received = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise _mismatch(BIRD_SIGNATURE_HEADER) from None
    if not hmac.compare_digest(expected, received):
        raise _mismatch(BIRD_SIGNATURE_HEADER)


def _bird_time(value: Any) -> datetime:
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise WebhookError(f"Bird webhook time {value!r} is not ISO 8601") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def bird_status_event(
    payload: Mapping[str, Any], *, lookup: CaseLookup | None = None
) -> DeliveryStatusChanged | None:
    """Read a Bird Channels ``<channel>.outbound`` status webhook; None for interim states.

    ``delivered`` becomes delivered; ``sending_failed``, ``delivery_failed`` and ``rejected``
    become failed. Other states (``accepted``, ``processing``, ``sent``, ``scheduled``) and
    inbound messages give None. The case id and idempotency key come from
    ``meta.extraInformation`` as `BirdSmsTransport` sends them, else from ``reference``.
    """
    event = str(payload.get("event", ""))
    message = payload.get("payload")
    if not isinstance(message, Mapping):
        raise WebhookError("a Bird webhook has a 'payload' object; pass the decoded JSON body")
    if not event.endswith(".outbound"):
        return None
    status = _BIRD.get(str(message.get("status", "")))
    if status is None:
        return None
    meta = message.get("meta") or {}
    extra = meta.get("extraInformation") if isinstance(meta, Mapping) else None
    extra = extra if isinstance(extra, Mapping) else {}
    key = extra.get("idempotency_key") or message.get("reference") or None
    prefix = event.split(".", 1)[0]
    reason = message.get("reason") or message.get("failure")
    return DeliveryStatusChanged(
        case_id=_case_id(extra.get("case_id"), (key, message.get("id")), lookup),
        at=_bird_time(message.get("updatedAt") or message.get("createdAt")),
        status=status,
        channel=prefix if prefix in _BIRD_CHANNELS else None,
        idempotency_key=key,
        provider_message_id=message.get("id"),
        detail=str(reason)[:200] if reason else None,
    )
