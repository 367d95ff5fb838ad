"""The hot path's shortcuts give what the general code gives: tokens and EPC payloads."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta

import pytest

import creditcomms as cc
from creditcomms.errors import QRCodeError
from creditcomms.payments import PayClaim, epc_payload, sign_link, verify_link

AT = datetime(2026, 11, 20, 9, tzinfo=UTC)
SECRET = "fast-path-secret-0123456789"


def _reference_token(claim: PayClaim, secret: str) -> str:
    """The token as the first implementation wrote it, with ``json.dumps``."""
    import hmac

    body = [
        1, claim.case_id, list(claim.invoice_ids), str(claim.amount.amount),
        claim.amount.currency, int(claim.expires_at.timestamp()),
    ]  # fmt: skip
    payload = json.dumps(body, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    mac = hmac.digest(secret.encode(), payload, "sha256")[:16]

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    return f"{b64(payload)}.{b64(mac)}"


@pytest.mark.parametrize(
    "case_id",
    ["C-1", 'Kund "7" \\ ü', "日本-\u2028-\x01", "a" * 300],
)
def test_tokens_match_json_dumps(case_id: str) -> None:
    """The hand-built JSON payload is byte for byte what ``json.dumps`` writes."""
    claim = PayClaim(
        case_id=case_id,
        invoice_ids=("RE-1", 'Ré/2 "x"'),
        amount=cc.Money("1234.50", "EUR"),
        expires_at=AT + timedelta(days=30),
    )
    token = sign_link(claim, SECRET)
    assert token == _reference_token(claim, SECRET)
    assert verify_link(token, SECRET, at=AT) == claim


def test_for_case_link_verifies_to_its_claim() -> None:
    """A request's pay link carries the request's own claim."""
    creditor = cc.Creditor(
        name="Muster GmbH", iban="DE89370400440532013000", link_secret=SECRET,
        payment_page="https://pay.example/{token}",
    )  # fmt: skip
    invoice = cc.Invoice(
        id="RE-9", amount=cc.Money("10.00", "EUR"), issued_on=date(2026, 10, 1),
        due_on=date(2026, 10, 31),
    )  # fmt: skip
    debtor = cc.Debtor(id="D", name="Erika", contacts=cc.Contacts(email="e@example.com"))
    case = cc.Case(id="C-9", debtor=debtor, invoices=(invoice,))
    request = cc.PaymentRequest.for_case(case, creditor, at=AT)
    assert request.token is not None
    assert verify_link(request.token, creditor, at=AT) == request.claim


def test_epc_creditor_checks_still_raise_every_time() -> None:
    """Remembered name and BIC checks still refuse bad values, on every call."""
    amount = cc.Money("1.00", "EUR")
    for _ in range(2):
        with pytest.raises(QRCodeError, match="name is empty"):
            epc_payload(name=" ", iban="DE89370400440532013000", amount=amount)
        with pytest.raises(QRCodeError, match="not a BIC"):
            epc_payload(name="X", iban="DE89370400440532013000", amount=amount, bic="NOPE")
    ok = epc_payload(name="X\nY", iban="DE89370400440532013000", amount=amount, bic="COBADEFFXXX")
    assert ok.split("\n")[4:6] == ["COBADEFFXXX", "X Y"]
