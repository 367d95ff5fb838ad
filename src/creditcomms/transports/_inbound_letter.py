"""Letter provider callbacks: Pingen's webhooks about issues, posted and returned letters."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from creditcomms.errors import WebhookError, WebhookSignatureError
from creditcomms.model import DeliveryStatus, DeliveryStatusChanged

from ._inbound import CaseLookup, _case_id, _mismatch

__all__ = ["PINGEN_SIGNATURE_HEADER", "pingen_event", "verify_pingen_signature"]

PINGEN_SIGNATURE_HEADER = "Signature"
"""The header with Pingen's hex HMAC-SHA256 of the raw webhook body."""

_PINGEN = {
    "webhook_issues": DeliveryStatus.FAILED,
    "webhook_sent": DeliveryStatus.DELIVERED,
    "webhook_undeliverable": DeliveryStatus.BOUNCED,
}


def verify_pingen_signature(body: bytes, signature: str | None, *, secret: str) -> None:
    """Check a Pingen webhook's ``Signature`` header: hex HMAC-SHA256 of the raw body.

    Args:
        body: The raw request body, exactly as received.
        signature: The ``Signature`` header.
        secret: The signature secret set on the webhook in the Pingen app.

    Raises:
        WebhookSignatureError: When the header is missing or does not match.
    """
    if not signature:
        raise WebhookSignatureError(
            "the Pingen webhook has no Signature header; set a secret on the webhook in the"
            " Pingen app or refuse the request"
        )
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise _mismatch("Pingen Signature header")


def _included(payload: Mapping[str, Any], kind: str, item_id: Any) -> Mapping[str, Any]:
    for item in payload.get("included") or ():
        if isinstance(item, Mapping) and item.get("type") == kind and item.get("id") == item_id:
            attributes = item.get("attributes")
            return attributes if isinstance(attributes, Mapping) else {}
    return {}


def _related_id(data: Mapping[str, Any], name: str) -> Any:
    relationships = data.get("relationships")
    related = relationships.get(name) if isinstance(relationships, Mapping) else None
    inner = related.get("data") if isinstance(related, Mapping) else None
    return inner.get("id") if isinstance(inner, Mapping) else None


def pingen_event(payload: Mapping[str, Any], *, lookup: CaseLookup) -> DeliveryStatusChanged | None:
    """Read a Pingen webhook (JSON:API) into a letter's status; None for other webhook types.

    ``webhook_issues`` (the letter could not be processed: page format, content in the
    restricted areas, no credit) becomes failed; ``webhook_sent`` (handed to the postal
    service, the last news a plain letter gets) becomes delivered; ``webhook_undeliverable``
    (returned by the post) becomes bounced. The detail is the letter event's code (such as
    ``file_too_many_pages``) or the webhook's reason. Pingen's webhook names the letter, not
    the case, so ``lookup`` receives the letter id (the receipt's provider message id).
    """
    data = payload.get("data")
    if not isinstance(data, Mapping):
        raise WebhookError("a Pingen webhook has a 'data' object; pass the decoded JSON body")
    status = _PINGEN.get(str(data.get("type", "")))
    if status is None:
        return None
    letter_id = _related_id(data, "letter")
    if not isinstance(letter_id, str) or not letter_id:
        raise WebhookError("the Pingen webhook names no letter (relationships.letter.data.id)")
    attributes = data.get("attributes")
    attributes = attributes if isinstance(attributes, Mapping) else {}
    event = _included(payload, "letters_events", _related_id(data, "event"))
    stamp = event.get("emitted_at") or attributes.get("created_at")
    try:
        at = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError as exc:
        raise WebhookError(f"Pingen webhook time {stamp!r} is not ISO 8601") from exc
    detail = event.get("code") or attributes.get("reason") or None
    return DeliveryStatusChanged(
        case_id=_case_id(None, (letter_id,), lookup),
        at=at if at.tzinfo else at.replace(tzinfo=UTC),
        status=status,
        channel="letter",
        provider_message_id=letter_id,
        detail=str(detail)[:200] if detail else None,
    )
