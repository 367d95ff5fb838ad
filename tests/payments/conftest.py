"""Fixtures for payment tests: Swiss and non-SEPA creditors, and an independent QR decoder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

import creditcomms as cc
from qr_kit import decode_png

Decoder = Callable[[bytes], list[bytes]]


@pytest.fixture(name="decode")
def _decode() -> Decoder:
    """The zxing-cpp decoder: PNG bytes in, payloads (bytes) out."""
    return decode_png


def swiss_address(name: str = "Muster AG") -> cc.PostalAddress:
    """A structured address in Zürich."""
    return cc.PostalAddress(
        name=name,
        street="Bahnhofstrasse",
        house_number="1",
        postcode="8001",
        city="Zürich",
        country="CH",
    )


@pytest.fixture(name="swiss_creditor")
def _swiss_creditor() -> cc.Creditor:
    """A Swiss creditor with a QR-IBAN (needs a QR reference)."""
    return cc.Creditor(
        name="Muster AG",
        address=swiss_address(),
        iban="CH44 3199 9123 0008 8901 2",
        payment_page="https://pay.muster.example/{token}",
        link_secret="another-long-test-secret-abcdef",
    )


@pytest.fixture(name="two_invoice_case")
def _two_invoice_case(debtor: cc.Debtor) -> cc.Case:
    """A case with two open invoices (123.45 and 99.00 EUR) and one paid invoice."""
    return cc.Case(
        debtor=debtor,
        invoices=[
            cc.Invoice(
                id="RE-2026-0001",
                amount=cc.Money("123.45", "EUR"),
                issued_on=date(2026, 10, 1),
                due_on=date(2026, 10, 31),
            ),
            cc.Invoice(
                id="RE-2026-0002",
                amount=cc.Money("99.00", "EUR"),
                issued_on=date(2026, 10, 5),
                due_on=date(2026, 11, 4),
            ),
            cc.Invoice(
                id="RE-2026-0003",
                amount=cc.Money("10.00", "EUR"),
                open_amount=cc.Money("0.00", "EUR"),
                status=cc.InvoiceStatus.PAID,
                issued_on=date(2026, 9, 5),
                due_on=date(2026, 10, 4),
            ),
        ],
    )
