"""Pingen letter webhooks: the Signature check; issues, posted and returned letters."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

import creditcomms as cc
from creditcomms.transports import inbound

ORG = "5c1f0a7e-8b2d-4c3e-9f1a-2b3c4d5e6f70"
LETTER_ID = "0f8e7d6c-5b4a-4321-9876-543210fedcba"


def _pingen_webhook(kind: str, **attributes: object) -> dict[str, object]:
    event_id = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
    return {
        "data": {
            "type": kind,
            "id": "309a31e0-1abe-4034-8e7e-1fd473a802fd",
            "attributes": {
                "reason": "Page limit exceeded",
                "created_at": "2026-11-22T09:54:38+0100",
            }
            | attributes,
            "relationships": {
                "organisation": {"data": {"type": "organisations", "id": ORG}},
                "letter": {"data": {"type": "letters", "id": LETTER_ID}},
                "event": {"data": {"type": "letters_events", "id": event_id}},
            },
        },
        "included": [
            {"type": "letters", "id": LETTER_ID, "attributes": {"status": "invalid"}},
            {
                "type": "letters_events",
                "id": event_id,
                "attributes": {
                    "code": "file_too_many_pages",
                    "name": "Page limit exceeded",
                    "emitted_at": "2026-11-22T09:54:40+0100",
                },
            },
        ],
    }


class TestPingenWebhooks:
    """Pingen's webhooks: hex HMAC of the body, letter issues, posted and returned letters."""

    def test_signature(self) -> None:
        """The hex HMAC of the raw body verifies; another body, secret or none fails."""
        body = json.dumps(_pingen_webhook("webhook_issues")).encode()
        signature = hmac.new(b"pingen-secret", body, hashlib.sha256).hexdigest()
        inbound.verify_pingen_signature(body, signature, secret="pingen-secret")
        with pytest.raises(cc.WebhookSignatureError, match="does not match"):
            inbound.verify_pingen_signature(body + b" ", signature, secret="pingen-secret")
        with pytest.raises(cc.WebhookSignatureError, match="does not match"):
            inbound.verify_pingen_signature(body, signature, secret="other")
        with pytest.raises(cc.WebhookSignatureError, match="no Signature header"):
            inbound.verify_pingen_signature(body, None, secret="pingen-secret")

    @pytest.mark.parametrize(
        ("kind", "status"),
        [
            ("webhook_issues", cc.DeliveryStatus.FAILED),
            ("webhook_sent", cc.DeliveryStatus.DELIVERED),
            ("webhook_undeliverable", cc.DeliveryStatus.BOUNCED),
        ],
    )
    def test_kinds_map_to_statuses(self, kind: str, status: cc.DeliveryStatus) -> None:
        """Each webhook category maps; the letter id is looked up; the event time is used."""
        seen: list[str] = []

        def lookup(value: str) -> str | None:
            seen.append(value)
            return "C-1"

        event = inbound.pingen_event(_pingen_webhook(kind), lookup=lookup)
        assert event is not None
        assert event.status is status
        assert (event.case_id, event.channel) == ("C-1", "letter")
        assert event.provider_message_id == LETTER_ID
        assert seen == [LETTER_ID]
        assert event.detail == "file_too_many_pages"
        assert event.at == datetime(2026, 11, 22, 8, 54, 40, tzinfo=UTC)

    def test_other_types_and_bad_shapes(self) -> None:
        """Unknown webhook types are None; missing data, letter or time are clear errors."""
        assert (
            inbound.pingen_event(_pingen_webhook("webhook_other"), lookup=lambda _: "C-1") is None
        )
        with pytest.raises(cc.WebhookError, match="'data'"):
            inbound.pingen_event({}, lookup=lambda _: "C-1")
        no_letter = _pingen_webhook("webhook_sent")
        data = no_letter["data"]
        assert isinstance(data, dict)
        del data["relationships"]
        with pytest.raises(cc.WebhookError, match="names no letter"):
            inbound.pingen_event(no_letter, lookup=lambda _: "C-1")
        without_event = _pingen_webhook("webhook_sent", created_at="later")
        without_event["included"] = []
        with pytest.raises(cc.WebhookError, match="ISO 8601"):
            inbound.pingen_event(without_event, lookup=lambda _: "C-1")
        with pytest.raises(cc.WebhookError, match="which case"):
            inbound.pingen_event(_pingen_webhook("webhook_sent"), lookup=lambda _: None)
