"""Provider callbacks in: signature checks, delivery status events and opt-out replies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from creditcomms.errors import WebhookError, WebhookSignatureError
from creditcomms.model import DeliveryStatus, DeliveryStatusChanged, OptOut

from ._optout import opt_out_keyword

__all__ = [
    "CaseLookup",
    "meta_events",
    "postmark_event",
    "twilio_reply_event",
    "twilio_status_event",
    "verify_basic_auth",
    "verify_meta_signature",
    "verify_twilio_signature",
]

CaseLookup = Callable[[str], str | None]
"""Host function from an idempotency key, provider message id or phone number to a case id."""

_TWILIO_STATUS = {
    "delivered": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
    "read": DeliveryStatus.READ,
    "completed": DeliveryStatus.DELIVERED,
    "busy": DeliveryStatus.FAILED,
    "no-answer": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}
_META_STATUS = {
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}


def _mismatch(what: str) -> WebhookSignatureError:
    return WebhookSignatureError(f"{what} does not match; the callback was altered or forged")


def verify_twilio_signature(
    url: str, params: Mapping[str, str], signature: str | None, *, auth_token: str
) -> None:
    """Check ``X-Twilio-Signature``: base64 HMAC-SHA1 of the URL plus sorted POST params.

    Args:
        url: The full URL Twilio called, query string included, as Twilio saw it.
        params: The form parameters of the POST.
        signature: The ``X-Twilio-Signature`` header.
        auth_token: The account's auth token.

    Raises:
        WebhookSignatureError: When the header is missing or does not match.
    """
    if not signature:
        raise WebhookSignatureError("the X-Twilio-Signature header is missing")
    data = url + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    if not hmac.compare_digest(base64.b64encode(digest).decode(), signature):
        raise _mismatch("X-Twilio-Signature")


def verify_meta_signature(body: bytes, header: str | None, *, app_secret: str) -> None:
    """Check Meta's ``X-Hub-Signature-256`` (``sha256=`` + hex HMAC of the raw body)."""
    if not header or not header.startswith("sha256="):
        raise WebhookSignatureError("the X-Hub-Signature-256 header is missing or malformed")
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, header.removeprefix("sha256=")):
        raise _mismatch("X-Hub-Signature-256")


def verify_basic_auth(header: str | None, *, username: str, password: str) -> None:
    """Check the HTTP Basic ``Authorization`` header of a Postmark (or any) webhook."""
    expected = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
    if not header or not hmac.compare_digest(header.encode(), expected.encode()):
        raise WebhookSignatureError("the webhook's basic-auth credentials are missing or wrong")


def _case_id(case_id: str | None, keys: tuple[str | None, ...], lookup: CaseLookup | None) -> str:
    if case_id:
        return case_id
    for key in keys:
        if key and lookup is not None and (found := lookup(key)):
            return found
    raise WebhookError(
        "cannot tell which case this callback belongs to: it carries no case_id; pass"
        " lookup= to map the idempotency key or provider message id to a case id"
    )


def twilio_status_event(
    params: Mapping[str, str],
    *,
    at: datetime,
    url: str | None = None,
    lookup: CaseLookup | None = None,
) -> DeliveryStatusChanged | None:
    """Read a Twilio message or call status callback; None for interim states (``sent``).

    The idempotency key and case id come from the ``StatusCallback`` query the transports add
    (pass the called ``url``), else from ``lookup(message sid)``.
    """
    status = _TWILIO_STATUS.get(params.get("MessageStatus") or params.get("CallStatus", ""))
    if status is None:
        return None
    query = dict(parse_qsl(urlsplit(url).query)) if url else {}
    sid = params.get("MessageSid") or params.get("CallSid")
    key = query.get("idempotency_key")
    channel = "voice" if "CallSid" in params and "MessageSid" not in params else _channel(params)
    return DeliveryStatusChanged(
        case_id=_case_id(query.get("case_id"), (key, sid), lookup),
        at=at,
        status=status,
        channel=channel,
        idempotency_key=key,
        provider_message_id=sid,
        detail=params.get("ErrorCode") or None,
    )


def _channel(params: Mapping[str, str]) -> str:
    whatsapp = any(params.get(k, "").startswith("whatsapp:") for k in ("To", "From"))
    return "whatsapp" if whatsapp else "sms"


def twilio_reply_event(
    params: Mapping[str, str], *, at: datetime, lookup: CaseLookup
) -> OptOut | None:
    """Read an inbound Twilio SMS/WhatsApp reply; an `OptOut` when it is a stop keyword.

    ``lookup`` receives the sender's E.164 number and returns the case id (or None, which
    raises `WebhookError`: an opt-out must never be dropped silently).
    """
    keyword = opt_out_keyword(params.get("Body", ""))
    if keyword is None and params.get("OptOutType", "").upper() != "STOP":
        return None
    sender = params.get("From", "").removeprefix("whatsapp:")
    return OptOut(
        case_id=_case_id(None, (sender,), lookup),
        at=at,
        channel=_channel(params),
        source=f"reply:{keyword or 'STOP'}",
    )


def meta_events(
    payload: Mapping[str, Any], *, lookup: CaseLookup | None = None
) -> list[DeliveryStatusChanged | OptOut]:
    """Read a WhatsApp Cloud API webhook: status changes and opt-out replies, in order."""
    events: list[DeliveryStatusChanged | OptOut | None] = []
    for entry in payload.get("entry") or ():
        for change in entry.get("changes") or ():
            value = change.get("value") or {}
            events.extend(_meta_status(s, lookup) for s in value.get("statuses") or ())
            events.extend(_meta_reply(m, lookup) for m in value.get("messages") or ())
    return [e for e in events if e is not None]


def _meta_time(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError) as exc:
        raise WebhookError(f"WhatsApp webhook timestamp {value!r} is not Unix seconds") from exc


def _meta_status(
    item: Mapping[str, Any], lookup: CaseLookup | None
) -> DeliveryStatusChanged | None:
    status = _META_STATUS.get(str(item.get("status")))
    if status is None:
        return None
    try:
        sent = json.loads(item.get("biz_opaque_callback_data") or "{}")
    except ValueError:
        sent = {}
    sent = sent if isinstance(sent, dict) else {}
    errors = item.get("errors") or ()
    detail = str(errors[0].get("code")) if errors and isinstance(errors[0], dict) else None
    key = sent.get("idempotency_key")
    return DeliveryStatusChanged(
        case_id=_case_id(sent.get("case_id"), (key, item.get("id")), lookup),
        at=_meta_time(item.get("timestamp")),
        status=status,
        channel="whatsapp",
        idempotency_key=key,
        provider_message_id=item.get("id"),
        detail=detail,
    )


def _meta_reply(item: Mapping[str, Any], lookup: CaseLookup | None) -> OptOut | None:
    text = (item.get("text") or {}).get("body") or (item.get("button") or {}).get("text") or ""
    keyword = opt_out_keyword(str(text))
    if keyword is None:
        return None
    sender = "+" + str(item.get("from", "")).removeprefix("+")
    return OptOut(
        case_id=_case_id(None, (sender,), lookup),
        at=_meta_time(item.get("timestamp")),
        channel="whatsapp",
        source=f"reply:{keyword}",
    )


_POSTMARK = {
    "Delivery": (DeliveryStatus.DELIVERED, "DeliveredAt"),
    "Bounce": (DeliveryStatus.BOUNCED, "BouncedAt"),
    "SpamComplaint": (DeliveryStatus.COMPLAINED, "BouncedAt"),
    "Open": (DeliveryStatus.OPENED, "ReceivedAt"),
    "Click": (DeliveryStatus.CLICKED, "ReceivedAt"),
}


def postmark_event(
    payload: Mapping[str, Any], *, lookup: CaseLookup | None = None
) -> DeliveryStatusChanged | OptOut | None:
    """Read a Postmark webhook (delivery, bounce, spam complaint, open, click, unsubscribe)."""
    record = str(payload.get("RecordType", ""))
    metadata = payload.get("Metadata") or {}
    key = metadata.get("idempotency_key")
    case_id = _case_id(metadata.get("case_id"), (key, payload.get("MessageID")), lookup)
    if record == "SubscriptionChange":
        if not payload.get("SuppressSending"):
            return None
        at = _iso(payload.get("ChangedAt"))
        return OptOut(case_id=case_id, at=at, channel="email", source="postmark:unsubscribe")
    if record not in _POSTMARK:
        return None
    status, time_field = _POSTMARK[record]
    return DeliveryStatusChanged(
        case_id=case_id,
        at=_iso(payload.get(time_field)),
        status=status,
        channel="email",
        idempotency_key=key,
        provider_message_id=payload.get("MessageID"),
        detail=payload.get("Type") or None,
    )


def _iso(value: Any) -> datetime:
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise WebhookError(f"Postmark webhook time {value!r} is not ISO 8601") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)
