"""Signed, expiring pay-link tokens: HMAC-SHA256, URL-safe, no personal data.

A token is ``<payload>.<mac>``, both base64url without padding. The payload is a compact JSON
array ``[version, case id, [invoice ids], amount, currency, expiry]``: ids and figures only,
never names, addresses or contacts. The MAC is HMAC-SHA256 over the payload bytes with the
creditor's link secret, truncated to 128 bits (RFC 2104 allows truncation to half the hash).
The newest secret signs; every secret in the rotation verifies.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import json.encoder
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import AwareDatetime, Field, SecretStr

from creditcomms.errors import (
    FieldProblem,
    PayLinkExpiredError,
    PayLinkSignatureError,
    ValidationError,
)
from creditcomms.model import Creditor, Model, Money

__all__ = [
    "PayClaim",
    "SecretsLike",
    "creditor_key",
    "require_aware",
    "sign_claim",
    "sign_link",
    "verify_link",
]

_VERSION = 1
_json_string = json.encoder.encode_basestring_ascii
"""How ``json.dumps(..., ensure_ascii=True)`` writes a string (the C version when present)."""
_MAC_BYTES = 16

SecretsLike = Creditor | str | SecretStr | Sequence[str | SecretStr]
"""Where the link secrets come from: a `Creditor` (``link_secret`` + previous), or secrets."""


class PayClaim(Model):
    """What a pay-link token promises: which case and invoices, how much, until when."""

    case_id: str = Field(min_length=1)
    invoice_ids: tuple[str, ...] = Field(min_length=1)
    amount: Money
    expires_at: AwareDatetime


def require_aware(at: datetime, where: str) -> None:
    """Refuse a naive ``at``: expiry times are compared across time zones."""
    if at.tzinfo is None or at.utcoffset() is None:
        problem = FieldProblem(
            "at", at, "must be timezone-aware, e.g. datetime.now(UTC) instead of datetime.now()"
        )
        raise ValidationError(where, [problem])


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _b64(data: bytes) -> str:
    # base64.urlsafe_b64encode without its two Python-level wrappers, then unpadded.
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    data = base64.urlsafe_b64decode(padded.encode("ascii"))
    if _b64(data) != text:  # refuse non-canonical spellings: one token per claim
        raise ValueError("non-canonical base64")
    return data


def _secret_bytes(secrets: SecretsLike) -> tuple[bytes, ...]:
    if isinstance(secrets, Creditor):
        items: Sequence[str | SecretStr] = (
            *((secrets.link_secret,) if secrets.link_secret else ()),
            *secrets.previous_link_secrets,
        )
    elif isinstance(secrets, str | SecretStr):
        items = (secrets,)
    else:
        items = secrets
    keys = tuple(
        (s.get_secret_value() if isinstance(s, SecretStr) else s).encode("utf-8") for s in items
    )
    if not keys:
        raise PayLinkSignatureError(
            "no link secret configured; set Creditor.link_secret (e.g. secrets.token_urlsafe())"
        )
    return keys


_IPAD = bytes(byte ^ 0x36 for byte in range(256))
_OPAD = bytes(byte ^ 0x5C for byte in range(256))
_BLOCK = 64
"""SHA-256's block size, to which HMAC pads the key."""


@functools.lru_cache(maxsize=64)
def _pads(key: bytes) -> tuple[Any, Any]:
    """SHA-256 states after the key's inner and outer pad (RFC 2104), made once per key."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(_BLOCK, b"\0")
    return hashlib.sha256(padded.translate(_IPAD)), hashlib.sha256(padded.translate(_OPAD))


def _mac(key: bytes, payload: bytes) -> bytes:
    """HMAC-SHA256 of ``payload``, truncated: ``hmac.digest`` from the key's saved pad states.

    A one-shot ``hmac.digest`` sets up both pads for every token; copying the two saved
    hash states costs about half (a test compares the two).
    """
    inner, outer = _pads(key)
    inner = inner.copy()
    inner.update(payload)
    outer = outer.copy()
    outer.update(inner.digest())
    digest: bytes = outer.digest()
    return digest[:_MAC_BYTES]


@functools.lru_cache(maxsize=64)
def _signing_key(secret: SecretStr | str) -> bytes:
    # A SecretStr hashes and compares by its value, so a rotated secret gets its own entry.
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    return value.encode("utf-8")


def sign_claim(
    case_id: str, invoice_ids: Sequence[str], amount: Money, expires_at: datetime, key: bytes
) -> str:
    """The token of a claim given as checked values, signed with ``key`` (see `sign_link`).

    The payload is the compact, ASCII-only JSON array that ``json`` would write, put together
    directly: strings go through ``json``'s own C escaper.
    """
    ids = ",".join(map(_json_string, invoice_ids))
    text = (
        f"[{_VERSION},{_json_string(case_id)},[{ids}],{_json_string(str(amount.amount))},"
        f"{_json_string(amount.currency)},{int(expires_at.timestamp())}]"
    )
    payload = text.encode("ascii")
    return f"{_b64(payload)}.{_b64(_mac(key, payload))}"


def creditor_key(creditor: Creditor) -> bytes | None:
    """The key that signs a creditor's new links (its ``link_secret``), or None without one."""
    secret = creditor.link_secret
    return None if secret is None else _signing_key(secret)


def sign_link(claim: PayClaim, /, secrets: SecretsLike) -> str:
    """Sign ``claim`` with the newest secret and return the URL-safe token.

    Args:
        claim: What the link pays.
        secrets: A `Creditor` (its ``link_secret`` signs) or secrets, newest first.

    Returns:
        A token of ``A-Z a-z 0-9 - _ .`` characters, safe in a URL path or query.
    """
    key = _secret_bytes(secrets)[0]
    return sign_claim(claim.case_id, claim.invoice_ids, claim.amount, claim.expires_at, key)


def _decode(token: str) -> tuple[bytes, bytes]:
    try:
        payload_part, mac_part = token.split(".")
        return _unb64(payload_part), _unb64(mac_part)
    except (ValueError, binascii.Error):
        raise PayLinkSignatureError(
            "pay-link token is malformed (expected '<payload>.<signature>'); the link was"
            " truncated or altered"
        ) from None


def _claim(payload: bytes) -> PayClaim:
    try:
        version, case_id, invoice_ids, amount, currency, expiry = json.loads(payload)
        if version != _VERSION:
            raise PayLinkSignatureError(f"pay-link token version {version!r} is not supported")
        return PayClaim(
            case_id=case_id,
            invoice_ids=tuple(invoice_ids),
            amount=Money(Decimal(amount), currency),
            expires_at=datetime.fromtimestamp(int(expiry), UTC),
        )
    except (ValueError, TypeError, InvalidOperation, ValidationError):
        raise PayLinkSignatureError(
            "pay-link token carries an unreadable claim although its signature matched;"
            " the secret may be shared with another system"
        ) from None


def verify_link(token: str, /, secrets: SecretsLike, *, at: datetime) -> PayClaim:
    """Check a pay-link token and return its claim.

    Every secret is tried with a constant-time comparison, so rotated-out secrets keep their
    links working until they are dropped from ``previous_link_secrets``.

    Args:
        token: The token from the link.
        secrets: A `Creditor` or the secrets to accept.
        at: The current time (timezone-aware); the token must expire after it.

    Raises:
        PayLinkSignatureError: the token was altered, is malformed or was signed with an
            unknown secret.
        PayLinkExpiredError: the signature is good but the link expired before ``at``.
        ValidationError: ``at`` is a naive datetime.
    """
    require_aware(at, "verify_link")
    payload, mac = _decode(token)
    matched = False
    for key in _secret_bytes(secrets):
        matched |= hmac.compare_digest(_mac(key, payload), mac)
    if not matched:
        raise PayLinkSignatureError(
            "pay-link token signature does not match any configured secret: it was altered or"
            " signed with a secret that is no longer in previous_link_secrets"
        )
    claim = _claim(payload)
    if at >= claim.expires_at:
        raise PayLinkExpiredError(
            f"pay link expired at {claim.expires_at.isoformat()}; send the customer a new one"
        )
    return claim
