"""Pay-link tokens: signed, expiring, rotating keys, no personal data."""

from __future__ import annotations

import base64
import hmac
import re
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditcomms as cc
from creditcomms.payments import PayClaim, sign_link, verify_link
from creditcomms.payments._links import _b64, _mac

NEW = "new-secret-0123456789abcdef"
OLD = "old-secret-0123456789abcdef"


@pytest.fixture(name="claim")
def _claim(now: datetime) -> PayClaim:
    """A claim for two invoices, valid for 30 days."""
    return PayClaim(
        case_id="C-1001",
        invoice_ids=("RE-2026-0001", "RE-2026-0002"),
        amount=cc.Money("222.45", "EUR"),
        expires_at=now + timedelta(days=30),
    )


def _flip(token: str, index: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    i = index % len(token)
    if token[i] == ".":
        i = (i + 1) % len(token)
    new = alphabet[(alphabet.index(token[i]) + 1) % len(alphabet)]
    return token[:i] + new + token[i + 1 :]


class TestRoundTrip:
    """A token verifies to exactly the claim it was signed for."""

    def test_sign_and_verify(self, claim: PayClaim, now: datetime) -> None:
        """Verification returns the same case, invoices, amount and expiry."""
        token = sign_link(claim, NEW)
        assert verify_link(token, NEW, at=now) == claim

    def test_url_safe_and_no_personal_data(
        self, claim: PayClaim, creditor: cc.Creditor, case: cc.Case
    ) -> None:
        """The token uses URL-safe characters only and carries ids and figures, no names."""
        token = sign_link(claim, creditor)
        assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token)
        payload = base64.urlsafe_b64decode(token.split(".")[0] + "==").decode()
        assert case.debtor.name not in payload
        assert "erika" not in payload.lower()
        assert "C-1001" in payload

    def test_creditor_rotation(self, claim: PayClaim, creditor: cc.Creditor, now: datetime) -> None:
        """Links signed with a retired secret still verify; the newest secret signs."""
        old_token = sign_link(claim, OLD)
        rotated = cc.Creditor.model_validate(
            {**creditor.model_dump(), "link_secret": NEW, "previous_link_secrets": [OLD]}
        )
        assert verify_link(old_token, rotated, at=now) == claim
        assert sign_link(claim, rotated) == sign_link(claim, NEW)
        assert verify_link(sign_link(claim, rotated), [NEW], at=now) == claim


class TestRejected:
    """Tampered, expired, malformed and foreign tokens each raise their own error."""

    def test_expired(self, claim: PayClaim, now: datetime) -> None:
        """A good signature past its expiry raises PayLinkExpiredError."""
        token = sign_link(claim, NEW)
        with pytest.raises(cc.PayLinkExpiredError, match="expired"):
            verify_link(token, NEW, at=now + timedelta(days=30))

    def test_wrong_key(self, claim: PayClaim, now: datetime) -> None:
        """A token signed with an unknown secret raises PayLinkSignatureError."""
        token = sign_link(claim, OLD)
        with pytest.raises(cc.PayLinkSignatureError):
            verify_link(token, [NEW], at=now)

    def test_changed_amount(self, claim: PayClaim, now: datetime) -> None:
        """Re-encoding the payload with a lower amount breaks the signature."""
        token = sign_link(claim, NEW)
        payload, mac = token.split(".")
        raw = base64.urlsafe_b64decode(payload + "==").replace(b"222.45", b"2.45")
        forged = base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + mac
        with pytest.raises(cc.PayLinkSignatureError):
            verify_link(forged, NEW, at=now)

    @pytest.mark.parametrize("token", ["", "abc", "a.b.c", "!!!.???", "e30.AAAA"])
    def test_malformed(self, token: str, now: datetime) -> None:
        """Garbage raises PayLinkSignatureError, never another exception."""
        with pytest.raises(cc.PayLinkSignatureError):
            verify_link(token, NEW, at=now)

    def test_no_secret(self, claim: PayClaim, now: datetime) -> None:
        """Verifying without any secret is a signature error that names the setting."""
        with pytest.raises(cc.PayLinkSignatureError, match="link_secret"):
            verify_link(sign_link(claim, NEW), [], at=now)

    @given(index=st.integers(min_value=0, max_value=10_000))
    def test_any_single_character_change(self, index: int) -> None:
        """Changing any one character of a token makes it fail verification."""
        at = datetime.fromisoformat("2026-11-22T09:30:00+00:00")
        claim = PayClaim(
            case_id="C-1",
            invoice_ids=("I-1",),
            amount=cc.Money("1.00", "EUR"),
            expires_at=at + timedelta(days=1),
        )
        token = sign_link(claim, NEW)
        with pytest.raises(cc.PayLinkSignatureError):
            verify_link(_flip(token, index), NEW, at=at)


def test_naive_time_is_refused(claim: PayClaim) -> None:
    """A naive ``at`` is a ValidationError naming the field, not a TypeError."""
    with pytest.raises(cc.ValidationError, match="timezone-aware"):
        verify_link(sign_link(claim, NEW), NEW, at=datetime(2026, 11, 22))  # noqa: DTZ001


@given(key=st.binary(min_size=1, max_size=200), payload=st.binary(max_size=300))
def test_mac_is_truncated_hmac_sha256(key: bytes, payload: bytes) -> None:
    """The MAC from saved pad states is ``hmac.digest``, for short keys and long ones."""
    assert _mac(key, payload) == hmac.digest(key, payload, "sha256")[:16]
    assert _mac(key, payload) == _mac(key, payload)  # the saved states are copied, not used up


@given(data=st.binary(max_size=300))
def test_b64_is_unpadded_urlsafe_base64(data: bytes) -> None:
    """Token parts are ``base64.urlsafe_b64encode`` without padding."""
    assert _b64(data) == base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
