"""Vonage and Bird SMS callbacks: signatures and status mapping."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

import creditcomms as cc
from creditcomms.transports import inbound

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
STAMP = str(int(NOW.timestamp()))


def _never(_: str) -> str | None:
    return None


# --- Vonage --------------------------------------------------------------------------------


def _dlr(**extra: str) -> dict[str, str]:
    return {
        "msisdn": "4915112345678",
        "to": "Muster",
        "network-code": "26201",
        "messageId": "0A0000000123ABCD1",
        "price": "0.03330000",
        "status": "delivered",
        "scts": "2611220931",
        "err-code": "0",
        "api-key": "abcd1234",
        "client-ref": "b2c@1:r1:sms:0:abc",
        "message-timestamp": "2026-11-22 09:31:05",
        **extra,
    }


def _vonage_sign(params: dict[str, str], secret: str, method: str) -> dict[str, str]:
    joined = "".join(
        "&" + k + "=" + params[k].replace("&", "_").replace("=", "_") for k in sorted(params)
    )
    if method == "md5hash":
        sig = hashlib.md5((joined + secret).encode()).hexdigest()  # noqa: S324
    else:
        sig = hmac.new(secret.encode(), joined.encode(), method).hexdigest().upper()
    return {**params, "sig": sig}


class TestVonage:
    """Vonage SMS API delivery receipts and signed callbacks."""

    @pytest.mark.parametrize("method", inbound.VONAGE_SIGNATURE_METHODS)
    def test_signed_receipt_verifies_with_each_method(self, method: str) -> None:
        """Every dashboard method verifies; a changed status or another secret fails."""
        params = _vonage_sign(_dlr(timestamp=STAMP, nonce="n-1"), "sigsecret", method)
        inbound.verify_vonage_signature(
            params, signature_secret="sigsecret", method=method, now=NOW
        )
        with pytest.raises(cc.WebhookSignatureError, match="does not match"):
            inbound.verify_vonage_signature(
                {**params, "status": "failed"}, signature_secret="sigsecret", method=method
            )
        with pytest.raises(cc.WebhookSignatureError, match="does not match"):
            inbound.verify_vonage_signature(params, signature_secret="other", method=method)

    def test_values_with_ampersand_and_equals(self) -> None:
        """'&' and '=' inside values are replaced by '_' before signing, as Vonage does."""
        params = _dlr(text="a=b&c", timestamp=STAMP)
        signed = _vonage_sign(params, "s", "sha256")
        inbound.verify_vonage_signature(signed, signature_secret="s", method="sha256")
        raw = "".join(f"&{k}={params[k]}" for k in sorted(params))
        naive = hmac.new(b"s", raw.encode(), "sha256").hexdigest()
        with pytest.raises(cc.WebhookSignatureError):
            inbound.verify_vonage_signature(
                {**params, "sig": naive}, signature_secret="s", method="sha256"
            )

    def test_unsigned_old_or_misconfigured(self) -> None:
        """No sig, an old timestamp or an unknown method are refused clearly."""
        with pytest.raises(cc.WebhookSignatureError, match="no 'sig'"):
            inbound.verify_vonage_signature(_dlr(), signature_secret="s")
        old = _vonage_sign(_dlr(timestamp=str(int(STAMP) - 3600)), "s", "md5hash")
        with pytest.raises(cc.WebhookSignatureError, match="replay"):
            inbound.verify_vonage_signature(old, signature_secret="s", now=NOW)
        with pytest.raises(cc.ConfigurationError, match="sha256"):
            inbound.verify_vonage_signature(old, signature_secret="s", method="sha384")
        unstamped = _vonage_sign(_dlr(), "s", "md5hash")
        inbound.verify_vonage_signature(unstamped, signature_secret="s")
        with pytest.raises(cc.WebhookSignatureError, match="missing or not Unix seconds"):
            inbound.verify_vonage_signature(unstamped, signature_secret="s", now=NOW)

    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            ("delivered", cc.DeliveryStatus.DELIVERED),
            ("failed", cc.DeliveryStatus.FAILED),
            ("rejected", cc.DeliveryStatus.FAILED),
            ("expired", cc.DeliveryStatus.FAILED),
            ("accepted", None),
            ("buffered", None),
            ("unknown", None),
        ],
    )
    def test_status_mapping(self, status: str, expected: cc.DeliveryStatus | None) -> None:
        """Final states map; interim and inconclusive ones give None."""
        event = inbound.vonage_dlr_event(
            _dlr(status=status, **{"err-code": "6"}), lookup=lambda _: "C-1"
        )
        assert (event.status if event else None) is expected
        if event is not None and expected is cc.DeliveryStatus.FAILED:
            assert event.detail == "err-code 6"

    def test_receipt_fields_and_lookup_order(self) -> None:
        """The client-ref is the key; lookup tries it before the message id; time is UTC."""
        seen: list[str] = []

        def lookup(value: str) -> str | None:
            seen.append(value)
            return "C-1" if value == "0A0000000123ABCD1" else None

        event = inbound.vonage_dlr_event(_dlr(), lookup=lookup)
        assert event is not None
        assert seen == ["b2c@1:r1:sms:0:abc", "0A0000000123ABCD1"]
        assert event.idempotency_key == "b2c@1:r1:sms:0:abc"
        assert event.provider_message_id == "0A0000000123ABCD1"
        assert event.channel == "sms"
        assert event.detail is None
        assert event.at == datetime(2026, 11, 22, 9, 31, 5, tzinfo=UTC)

    def test_hashed_client_ref_is_not_taken_for_a_key(self) -> None:
        """A SHA-256 client-ref (a key over 100 characters) is looked up but not echoed."""
        hashed = hashlib.sha256(b"x" * 120).hexdigest()
        event = inbound.vonage_dlr_event(_dlr(**{"client-ref": hashed}), lookup=lambda _: "C-1")
        assert event is not None
        assert event.idempotency_key is None

    def test_unknown_case_and_bad_time(self) -> None:
        """A receipt no lookup can place, or with a bad time, is a WebhookError."""
        with pytest.raises(cc.WebhookError, match="which case"):
            inbound.vonage_dlr_event(_dlr(), lookup=_never)
        with pytest.raises(cc.WebhookError, match="message-timestamp"):
            inbound.vonage_dlr_event(
                _dlr(**{"message-timestamp": "22.11.2026"}), lookup=lambda _: "C-1"
            )
        no_time = _dlr()
        del no_time["message-timestamp"]
        with pytest.raises(cc.WebhookError, match="no message-timestamp"):
            inbound.vonage_dlr_event(no_time, lookup=lambda _: "C-1")
        no_time["timestamp"] = STAMP
        event = inbound.vonage_dlr_event(no_time, lookup=lambda _: "C-1")
        assert event is not None
        assert event.at == NOW


# --- Bird ----------------------------------------------------------------------------------

BIRD_URL = "https://host.example/webhooks/bird"


def _bird(status: str, event: str = "sms.outbound", **extra: object) -> dict[str, object]:
    return {
        "service": "channels",
        "event": event,
        "payload": {
            "id": "4c1b4d7e-2b8a-4f6e-9d3c-5e7a1b2c3d4e",
            "channelId": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
            "status": status,
            "reference": "b2c@1:r1:sms:0:abc",
            "meta": {
                "extraInformation": {"idempotency_key": "b2c@1:r1:sms:0:abc", "case_id": "C-1"}
            },
            "createdAt": "2026-11-22T09:30:00.000Z",
            "updatedAt": "2026-11-22T09:30:07.250Z",
            **extra,
        },
    }


def _bird_sign(body: bytes, key: str, stamp: str = STAMP, url: str = BIRD_URL) -> str:
    signed = f"{stamp}\n{url}\n".encode() + hashlib.sha256(body).digest()
    return base64.b64encode(hmac.new(key.encode(), signed, hashlib.sha256).digest()).decode()


class TestBird:
    """Bird Channels webhooks: signature over timestamp, URL and body hash; statuses."""

    def test_signature_verifies_and_tampering_fails(self) -> None:
        """The right key, URL and body verify; changing any of them fails."""
        body = json.dumps(_bird("delivered")).encode()
        signature = _bird_sign(body, "bird-key")
        inbound.verify_bird_signature(
            body, BIRD_URL, signature, STAMP, signing_key="bird-key", now=NOW
        )
        for changed in (
            (body + b" ", BIRD_URL, "bird-key"),
            (body, BIRD_URL + "?x=1", "bird-key"),
            (body, BIRD_URL, "other-key"),
        ):
            with pytest.raises(cc.WebhookSignatureError, match="does not match"):
                inbound.verify_bird_signature(
                    changed[0], changed[1], signature, STAMP, signing_key=changed[2]
                )
        with pytest.raises(cc.WebhookSignatureError, match="header is missing"):
            inbound.verify_bird_signature(body, BIRD_URL, None, STAMP, signing_key="bird-key")
        with pytest.raises(cc.WebhookSignatureError, match="does not match"):
            inbound.verify_bird_signature(body, BIRD_URL, "%%%", STAMP, signing_key="bird-key")
        with pytest.raises(cc.WebhookSignatureError, match="replay"):
            inbound.verify_bird_signature(
                body,
                BIRD_URL,
                signature,
                STAMP,
                signing_key="bird-key",
                now=NOW - timedelta(minutes=10),
            )

    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            ("delivered", cc.DeliveryStatus.DELIVERED),
            ("sending_failed", cc.DeliveryStatus.FAILED),
            ("delivery_failed", cc.DeliveryStatus.FAILED),
            ("rejected", cc.DeliveryStatus.FAILED),
            ("accepted", None),
            ("processing", None),
            ("sent", None),
        ],
    )
    def test_status_mapping(self, status: str, expected: cc.DeliveryStatus | None) -> None:
        """Final states map; interim ones give None."""
        event = inbound.bird_status_event(_bird(status))
        assert (event.status if event else None) is expected

    def test_fields_come_from_the_transport_metadata(self) -> None:
        """Case id and key come from meta.extraInformation; channel from the event name."""
        event = inbound.bird_status_event(_bird("delivery_failed", reason="unreachable"))
        assert event is not None
        assert event.case_id == "C-1"
        assert event.idempotency_key == "b2c@1:r1:sms:0:abc"
        assert event.provider_message_id == "4c1b4d7e-2b8a-4f6e-9d3c-5e7a1b2c3d4e"
        assert event.channel == "sms"
        assert event.detail == "unreachable"
        assert event.at == datetime(2026, 11, 22, 9, 30, 7, 250000, tzinfo=UTC)
        whatsapp = inbound.bird_status_event(_bird("delivered", event="whatsapp.outbound"))
        assert whatsapp is not None
        assert whatsapp.channel == "whatsapp"

    def test_inbound_messages_and_bad_shapes(self) -> None:
        """Inbound messages are not status reports; a body without payload is an error."""
        assert inbound.bird_status_event(_bird("delivered", event="sms.inbound")) is None
        with pytest.raises(cc.WebhookError, match="'payload'"):
            inbound.bird_status_event({"event": "sms.outbound"})
        stripped = _bird("delivered")
        payload = stripped["payload"]
        assert isinstance(payload, dict)
        del payload["meta"]
        found = inbound.bird_status_event(
            stripped, lookup=lambda v: "C-5" if v == "b2c@1:r1:sms:0:abc" else None
        )
        assert found is not None
        assert found.case_id == "C-5"
        payload["updatedAt"] = "yesterday"
        with pytest.raises(cc.WebhookError, match="ISO 8601"):
            inbound.bird_status_event(stripped, lookup=lambda _: "C-5")
