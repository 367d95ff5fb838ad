"""Inbound callbacks: signatures are verified, statuses and STOP replies become events."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditcomms as cc
from creditcomms.transports import inbound

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
URL = "https://host.example/twilio/status?idempotency_key=b2c%401%3Ar1%3Asms%3A0%3Aabc&case_id=C-1"
PARAMS = {"MessageSid": "SM123", "MessageStatus": "delivered", "To": "+4915112345678"}


def _twilio_signature(url: str, params: dict[str, str], token: str) -> str:
    data = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


CORRELATION = json.dumps({"idempotency_key": "k1", "case_id": "C-1"})
META_PAYLOAD = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "1",
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "statuses": [
                            {
                                "id": "wamid.1",
                                "status": "read",
                                "timestamp": "1795426200",
                                "recipient_id": "4915112345678",
                                "biz_opaque_callback_data": CORRELATION,
                            }
                        ],
                        "messages": [
                            {
                                "from": "4915112345678",
                                "id": "wamid.2",
                                "timestamp": "1795426260",
                                "type": "text",
                                "text": {"body": "ABMELDEN"},
                            }
                        ],
                    },
                }
            ],
        }
    ],
}


class TestTwilio:
    """Twilio status callbacks and replies."""

    def test_valid_signature_passes(self) -> None:
        """A correctly signed callback verifies."""
        signature = _twilio_signature(URL, PARAMS, "tok")
        inbound.verify_twilio_signature(URL, PARAMS, signature, auth_token="tok")

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda p: p | {"MessageStatus": "failed"},
            lambda p: p | {"Extra": "1"},
            lambda p: {k: v for k, v in p.items() if k != "To"},
        ],
    )
    def test_tampered_params_fail(self, tamper: object) -> None:
        """Changing, adding or removing a parameter breaks the signature."""
        signature = _twilio_signature(URL, PARAMS, "tok")
        with pytest.raises(cc.WebhookSignatureError):
            inbound.verify_twilio_signature(URL, tamper(PARAMS), signature, auth_token="tok")  # type: ignore[operator]

    def test_missing_signature_fails(self) -> None:
        """No header, no trust."""
        with pytest.raises(cc.WebhookSignatureError, match="missing"):
            inbound.verify_twilio_signature(URL, PARAMS, None, auth_token="tok")

    def test_status_event_uses_correlation_query(self) -> None:
        """The StatusCallback query we added names the key and the case."""
        event = inbound.twilio_status_event(PARAMS, at=NOW, url=URL)
        assert event is not None
        assert (event.case_id, event.status, event.channel) == (
            "C-1",
            cc.DeliveryStatus.DELIVERED,
            "sms",
        )
        assert event.idempotency_key == "b2c@1:r1:sms:0:abc"

    def test_status_event_falls_back_to_lookup(self) -> None:
        """Without correlation the host's lookup maps the message sid to a case."""
        params = PARAMS | {"MessageStatus": "undelivered", "ErrorCode": "30003"}
        event = inbound.twilio_status_event(params, at=NOW, lookup={"SM123": "C-9"}.get)
        assert event is not None
        assert (event.case_id, event.status, event.detail) == (
            "C-9",
            cc.DeliveryStatus.FAILED,
            "30003",
        )

    def test_unmatched_status_raises(self) -> None:
        """A callback that names no case raises instead of being dropped."""
        with pytest.raises(cc.WebhookError, match="lookup="):
            inbound.twilio_status_event(PARAMS, at=NOW)

    def test_interim_status_is_ignored(self) -> None:
        """'sent' is not a final status."""
        assert (
            inbound.twilio_status_event(PARAMS | {"MessageStatus": "sent"}, at=NOW, url=URL) is None
        )

    def test_stop_reply_is_an_opt_out(self) -> None:
        """A WhatsApp 'STOP' reply becomes an OptOut for the whatsapp channel."""
        params = {"From": "whatsapp:+4915112345678", "Body": " Stop! ", "MessageSid": "SM9"}
        event = inbound.twilio_reply_event(params, at=NOW, lookup={"+4915112345678": "C-1"}.get)
        assert event == cc.OptOut(case_id="C-1", at=NOW, channel="whatsapp", source="reply:stop")

    def test_ordinary_reply_is_not(self) -> None:
        """'I will pay at the end of the month' is not an opt-out."""
        params = {"From": "+4915112345678", "Body": "End of month I will pay, sorry"}
        assert inbound.twilio_reply_event(params, at=NOW, lookup=lambda _: "C-1") is None


class TestMeta:
    """WhatsApp Cloud API webhooks."""

    def test_signature(self) -> None:
        """X-Hub-Signature-256 verifies the raw body; a changed body fails."""
        body = json.dumps(META_PAYLOAD).encode()
        header = "sha256=" + hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
        inbound.verify_meta_signature(body, header, app_secret="app-secret")
        with pytest.raises(cc.WebhookSignatureError):
            inbound.verify_meta_signature(
                body.replace(b"read", b"sent"), header, app_secret="app-secret"
            )

    def test_events(self) -> None:
        """A read status and a German opt-out reply come out as two events."""
        read, opt_out = inbound.meta_events(META_PAYLOAD, lookup={"+4915112345678": "C-1"}.get)
        assert isinstance(read, cc.DeliveryStatusChanged)
        assert (read.status, read.idempotency_key, read.case_id) == (
            cc.DeliveryStatus.READ,
            "k1",
            "C-1",
        )
        assert read.at == datetime.fromtimestamp(1795426200, UTC)
        assert isinstance(opt_out, cc.OptOut)
        assert opt_out.source == "reply:abmelden"


class TestPostmark:
    """Postmark webhooks with basic auth."""

    def test_basic_auth(self) -> None:
        """The right credentials pass; wrong or missing ones fail."""
        good = "Basic " + base64.b64encode(b"hook:pw").decode()
        inbound.verify_basic_auth(good, username="hook", password="pw")
        for header in (None, "Basic " + base64.b64encode(b"hook:nope").decode()):
            with pytest.raises(cc.WebhookSignatureError):
                inbound.verify_basic_auth(header, username="hook", password="pw")

    def test_bounce(self) -> None:
        """A hard bounce becomes a bounced status with its type."""
        event = inbound.postmark_event(
            {
                "RecordType": "Bounce",
                "Type": "HardBounce",
                "MessageID": "pm-1",
                "BouncedAt": "2026-11-22T09:31:00Z",
                "Metadata": {"idempotency_key": "k", "case_id": "C-1"},
            }
        )
        assert isinstance(event, cc.DeliveryStatusChanged)
        assert (event.status, event.detail) == (cc.DeliveryStatus.BOUNCED, "HardBounce")

    def test_unsubscribe(self) -> None:
        """A suppressing subscription change is an email opt-out."""
        event = inbound.postmark_event(
            {
                "RecordType": "SubscriptionChange",
                "SuppressSending": True,
                "MessageID": "pm-1",
                "ChangedAt": "2026-11-22T09:31:00Z",
                "Metadata": {"case_id": "C-1"},
            }
        )
        assert isinstance(event, cc.OptOut)
        assert event.channel == "email"


class TestOptOutKeywords:
    """Opt-out keywords in four languages."""

    @pytest.mark.parametrize(
        "text",
        ["STOP", "quit", "End", "revoke", "Opt out", "cancel", "UNSUBSCRIBE", "Stopp", "Abmelden",
         "afmelden", "Uitschrijven", "ARRÊT", "stop sms", "Désabonner", "stop please"],
    )  # fmt: skip
    def test_keywords(self, text: str) -> None:
        """Each standard keyword, in any case and with accents, is recognised."""
        assert inbound.opt_out_keyword(text) is not None

    @pytest.mark.parametrize(
        "text", ["", "Ich zahle morgen", "stop sending me these long messages please"]
    )
    def test_not_keywords(self, text: str) -> None:
        """Ordinary replies and long sentences are not opt-outs."""
        assert inbound.opt_out_keyword(text) is None

    @given(st.sampled_from(sorted(inbound.OPT_OUT_KEYWORDS)), st.sampled_from(["", "!", ".", "  "]))
    def test_every_keyword_with_punctuation(self, keyword: str, tail: str) -> None:
        """Every listed keyword, upper-cased and with trailing punctuation, is recognised."""
        assert inbound.opt_out_keyword(keyword.upper() + tail) is not None


def test_our_webhook_rejects_stale_signatures() -> None:
    """A signature older than the tolerance is refused as a replay."""
    from creditcomms.transports import sign_webhook, verify_webhook

    header = sign_webhook(b"{}", secret="s", timestamp=int(NOW.timestamp()) - 3600)
    with pytest.raises(cc.WebhookSignatureError, match="replay"):
        verify_webhook(b"{}", header, secret="s", now=NOW)
