"""SendGrid and Mailgun callbacks: signatures and status mapping."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import creditcomms as cc
from creditcomms.transports import inbound

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
STAMP = str(int(NOW.timestamp()))
KEY = "b2c@1:r1:email:0:abc"


def _never(_: str) -> str | None:
    return None


# --- SendGrid ------------------------------------------------------------------------------


@pytest.fixture(name="sg_key", scope="module")
def _sg_key() -> ec.EllipticCurvePrivateKey:
    """A P-256 key standing in for SendGrid's signing key."""
    return ec.generate_private_key(ec.SECP256R1())


def _public_b64(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def _sg_sign(key: ec.EllipticCurvePrivateKey, body: bytes, stamp: str = STAMP) -> str:
    signature = key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(signature).decode()


SG_EVENTS = [
    {
        "email": "erika@example.de",
        "timestamp": 1795253400,
        "event": "processed",
        "sg_message_id": "sg-123.filterdrecv-1-2",
        "idempotency_key": KEY,
        "case_id": "C-1",
    },
    {
        "email": "erika@example.de",
        "timestamp": 1795253460,
        "event": "delivered",
        "response": "250 OK",
        "sg_message_id": "sg-123.filterdrecv-1-2",
        "idempotency_key": KEY,
        "case_id": "C-1",
    },
    {
        "email": "erika@example.de",
        "timestamp": 1795253500,
        "event": "bounce",
        "type": "blocked",
        "reason": "550 5.7.1 blocked by policy",
        "status": "5.7.1",
        "sg_message_id": "sg-124.filterdrecv-1-2",
        "idempotency_key": "k-2",
        "case_id": "C-2",
    },
    {
        "email": "max@example.de",
        "timestamp": 1795253520,
        "event": "bounce",
        "type": "bounce",
        "reason": "550 5.1.1 user unknown",
        "sg_message_id": "sg-125.filterdrecv-1-2",
        "idempotency_key": "k-3",
        "case_id": "C-3",
    },
    {"timestamp": 1795253530, "event": "deferred", "case_id": "C-3"},
    {
        "timestamp": 1795253540,
        "event": "open",
        "sg_message_id": "sg-123.x",
        "idempotency_key": KEY,
        "case_id": "C-1",
    },
    {
        "timestamp": 1795253550,
        "event": "click",
        "url": "https://pay",
        "sg_message_id": "sg-123.x",
        "case_id": "C-1",
    },
    {"timestamp": 1795253560, "event": "spamreport", "sg_message_id": "sg-123.x", "case_id": "C-1"},
    {"timestamp": 1795253570, "event": "dropped", "reason": "Bounced Address", "case_id": "C-4"},
    {"timestamp": 1795253580, "event": "group_unsubscribe", "asm_group_id": 7, "case_id": "C-1"},
]


class TestSendGrid:
    """The Event Webhook: ECDSA signature and the event array."""

    def test_signed_post_verifies_and_tampering_fails(
        self, sg_key: ec.EllipticCurvePrivateKey
    ) -> None:
        """The signature over timestamp + body verifies; any change to either fails."""
        body = json.dumps(SG_EVENTS).encode()
        signature = _sg_sign(sg_key, body)
        public = _public_b64(sg_key)
        inbound.verify_sendgrid_signature(body, signature, STAMP, public_key=public, now=NOW)
        with pytest.raises(cc.WebhookSignatureError, match="does not match"):
            inbound.verify_sendgrid_signature(body + b" ", signature, STAMP, public_key=public)
        with pytest.raises(cc.WebhookSignatureError, match="does not match"):
            inbound.verify_sendgrid_signature(
                body, signature, str(int(STAMP) + 1), public_key=public
            )
        other = ec.generate_private_key(ec.SECP256R1())
        with pytest.raises(cc.WebhookSignatureError):
            inbound.verify_sendgrid_signature(body, signature, STAMP, public_key=_public_b64(other))
        with pytest.raises(cc.WebhookSignatureError):
            inbound.verify_sendgrid_signature(body, "not base64!", STAMP, public_key=public)

    def test_pem_key_is_accepted(self, sg_key: ec.EllipticCurvePrivateKey) -> None:
        """A PEM public key works as well as SendGrid's bare base64."""
        body = b"[]"
        pem = sg_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        inbound.verify_sendgrid_signature(
            body, _sg_sign(sg_key, body), STAMP, public_key=pem.decode()
        )

    def test_missing_headers_and_replays_are_refused(
        self, sg_key: ec.EllipticCurvePrivateKey
    ) -> None:
        """No header, or a timestamp outside the tolerance, is a signature error."""
        body = b"[]"
        public = _public_b64(sg_key)
        with pytest.raises(cc.WebhookSignatureError, match="header is missing"):
            inbound.verify_sendgrid_signature(body, None, STAMP, public_key=public)
        with pytest.raises(cc.WebhookSignatureError, match="header is missing"):
            inbound.verify_sendgrid_signature(body, _sg_sign(sg_key, body), "", public_key=public)
        with pytest.raises(cc.WebhookSignatureError, match="replay"):
            inbound.verify_sendgrid_signature(
                body,
                _sg_sign(sg_key, body),
                STAMP,
                public_key=public,
                now=NOW + timedelta(minutes=6),
            )
        with pytest.raises(cc.WebhookSignatureError, match="not Unix seconds"):
            inbound.verify_sendgrid_signature(
                body, _sg_sign(sg_key, body, "soon"), "soon", public_key=public, now=NOW
            )

    def test_wrong_key_kinds_are_configuration_errors(self) -> None:
        """Garbage or an RSA key is a configuration error naming where the key is found."""
        with pytest.raises(cc.ConfigurationError, match="Event Webhook"):
            inbound.verify_sendgrid_signature(b"[]", "c2ln", STAMP, public_key="not-a-key")
        rsa_der = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            .public_key()
            .public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        with pytest.raises(cc.ConfigurationError, match="ECDSA"):
            inbound.verify_sendgrid_signature(
                b"[]", "c2ln", STAMP, public_key=base64.b64encode(rsa_der).decode()
            )

    def test_without_cryptography_names_the_extra(
        self, monkeypatch: pytest.MonkeyPatch, sg_key: ec.EllipticCurvePrivateKey
    ) -> None:
        """Without the webhooks extra the check raises MissingExtraError with the fix."""
        monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.asymmetric", None)
        with pytest.raises(cc.MissingExtraError, match=r"creditcomms\[webhooks\]"):
            inbound.verify_sendgrid_signature(
                b"[]", _sg_sign(sg_key, b"[]"), STAMP, public_key=_public_b64(sg_key)
            )

    def test_events_map_to_statuses_and_opt_outs(self) -> None:
        """Each tracked event maps; interim ones are left out; order is kept."""
        events = inbound.sendgrid_events(SG_EVENTS)
        assert [(type(e).__name__, getattr(e, "status", None)) for e in events] == [
            ("DeliveryStatusChanged", cc.DeliveryStatus.DELIVERED),
            ("DeliveryStatusChanged", cc.DeliveryStatus.FAILED),
            ("DeliveryStatusChanged", cc.DeliveryStatus.BOUNCED),
            ("DeliveryStatusChanged", cc.DeliveryStatus.OPENED),
            ("DeliveryStatusChanged", cc.DeliveryStatus.CLICKED),
            ("DeliveryStatusChanged", cc.DeliveryStatus.COMPLAINED),
            ("DeliveryStatusChanged", cc.DeliveryStatus.FAILED),
            ("OptOut", None),
        ]
        delivered = events[0]
        assert isinstance(delivered, cc.DeliveryStatusChanged)
        assert delivered.case_id == "C-1"
        assert delivered.idempotency_key == KEY
        assert delivered.provider_message_id == "sg-123"
        assert delivered.channel == "email"
        assert delivered.at == datetime.fromtimestamp(1795253460, UTC)
        blocked = events[1]
        assert isinstance(blocked, cc.DeliveryStatusChanged)
        assert blocked.detail == "550 5.7.1 blocked by policy"
        opt_out = events[-1]
        assert isinstance(opt_out, cc.OptOut)
        assert opt_out.source == "sendgrid:group_unsubscribe"
        assert opt_out.channel == "email"

    def test_lookup_and_bad_shapes(self) -> None:
        """Without custom_args the lookup maps the message id; bad shapes are clear errors."""
        event = {"timestamp": 1795253460, "event": "delivered", "sg_message_id": "sg-9.f"}
        seen: list[str] = []

        def lookup(value: str) -> str | None:
            seen.append(value)
            return "C-9" if value == "sg-9" else None

        (found,) = inbound.sendgrid_events([event], lookup=lookup)
        assert found.case_id == "C-9"
        assert seen == ["sg-9"]
        with pytest.raises(cc.WebhookError, match="which case"):
            inbound.sendgrid_events([event], lookup=_never)
        with pytest.raises(cc.WebhookError, match="JSON array"):
            inbound.sendgrid_events({"event": "delivered"})  # type: ignore[arg-type]
        with pytest.raises(cc.WebhookError, match="Unix seconds"):
            inbound.sendgrid_events([{"event": "delivered", "case_id": "C-1", "timestamp": "x"}])


# --- Mailgun -------------------------------------------------------------------------------


def _mailgun(event_data: dict[str, object], key: str = "mg-signing-key") -> dict[str, object]:
    token = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), f"{STAMP}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": STAMP, "token": token, "signature": signature},
        "event-data": event_data,
    }


def _mg_data(event: str, **extra: object) -> dict[str, object]:
    return {
        "event": event,
        "timestamp": 1795253460.908181,
        "id": "CPgfbmQMTCKtHW6uIWtuVe",
        "recipient": "erika@example.de",
        "message": {"headers": {"message-id": "20261122.1@mg.muster.example"}},
        "user-variables": {"idempotency_key": KEY, "case_id": "C-1"},
        **extra,
    }


class TestMailgun:
    """Mailgun webhooks: HMAC of timestamp + token, event-data mapping."""

    def test_signature_verifies_and_tampering_fails(self) -> None:
        """The right key verifies; a wrong key, a changed token or a replay fails."""
        payload = _mailgun(_mg_data("delivered"))
        inbound.verify_mailgun_signature(payload, signing_key="mg-signing-key", now=NOW)
        with pytest.raises(cc.WebhookSignatureError, match="does not match"):
            inbound.verify_mailgun_signature(payload, signing_key="other-key")
        forged = dict(payload)
        forged["signature"] = {**payload["signature"], "token": "b" * 50}  # type: ignore[dict-item]
        with pytest.raises(cc.WebhookSignatureError, match="does not match"):
            inbound.verify_mailgun_signature(forged, signing_key="mg-signing-key")
        with pytest.raises(cc.WebhookSignatureError, match="replay"):
            inbound.verify_mailgun_signature(
                payload, signing_key="mg-signing-key", now=NOW + timedelta(hours=1)
            )
        with pytest.raises(cc.WebhookSignatureError, match="no signature"):
            inbound.verify_mailgun_signature({"event-data": _mg_data("delivered")}, signing_key="k")

    def test_legacy_form_fields_verify(self) -> None:
        """A form-encoded webhook carries timestamp, token and signature at the top level."""
        signed = _mailgun({})["signature"]
        assert isinstance(signed, dict)
        inbound.verify_mailgun_signature(dict(signed), signing_key="mg-signing-key")

    @pytest.mark.parametrize(
        ("event", "extra", "status"),
        [
            ("delivered", {}, cc.DeliveryStatus.DELIVERED),
            (
                "failed",
                {"severity": "permanent", "reason": "bounce"},
                cc.DeliveryStatus.BOUNCED,
            ),
            (
                "failed",
                {"severity": "permanent", "reason": "generic"},
                cc.DeliveryStatus.FAILED,
            ),
            ("rejected", {}, cc.DeliveryStatus.FAILED),
            ("opened", {}, cc.DeliveryStatus.OPENED),
            ("clicked", {}, cc.DeliveryStatus.CLICKED),
            ("complained", {}, cc.DeliveryStatus.COMPLAINED),
        ],
    )
    def test_event_mapping(
        self, event: str, extra: dict[str, object], status: cc.DeliveryStatus
    ) -> None:
        """Each tracked event maps to its status, with the receipt's id form."""
        found = inbound.mailgun_event(_mailgun(_mg_data(event, **extra)))
        assert isinstance(found, cc.DeliveryStatusChanged)
        assert found.status is status
        assert found.case_id == "C-1"
        assert found.idempotency_key == KEY
        assert found.provider_message_id == "<20261122.1@mg.muster.example>"
        assert found.at == datetime.fromtimestamp(1795253460.908181, UTC)

    def test_bounce_detail_and_interim_events(self) -> None:
        """A bounce quotes the SMTP description; temporary failures and accepted are None."""
        bounce = inbound.mailgun_event(
            _mailgun(
                _mg_data(
                    "failed",
                    severity="permanent",
                    reason="suppress-bounce",
                    **{"delivery-status": {"code": 605, "description": "Not delivering"}},
                )
            )
        )
        assert isinstance(bounce, cc.DeliveryStatusChanged)
        assert bounce.detail == "Not delivering"
        assert inbound.mailgun_event(_mailgun(_mg_data("failed", severity="temporary"))) is None
        assert inbound.mailgun_event(_mailgun(_mg_data("accepted"))) is None

    def test_unsubscribe_is_an_opt_out(self) -> None:
        """An unsubscribed event becomes an OptOut for the case."""
        found = inbound.mailgun_event(_mailgun(_mg_data("unsubscribed")))
        assert isinstance(found, cc.OptOut)
        assert (found.case_id, found.channel, found.source) == (
            "C-1",
            "email",
            "mailgun:unsubscribe",
        )

    def test_lookup_and_missing_event_data(self) -> None:
        """Without user variables the lookup gets the message id; no event-data is an error."""
        data = _mg_data("delivered")
        data["user-variables"] = {}
        found = inbound.mailgun_event(
            _mailgun(data),
            lookup=lambda v: "C-7" if v == "<20261122.1@mg.muster.example>" else None,
        )
        assert found is not None
        assert found.case_id == "C-7"
        with pytest.raises(cc.WebhookError, match="event-data"):
            inbound.mailgun_event({"signature": {}})
