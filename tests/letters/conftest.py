"""Fixtures for letter tests: messages, a Swiss setup, and PDF inspection helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pypdfium2 as pdfium
import pytest
import zxingcpp

import creditcomms as cc

MM = 72 / 25.4  # PDF points per millimetre


@dataclass(frozen=True)
class Box:
    """A text run's bounding box in millimetres from the sheet's top-left corner."""

    left: float
    top: float
    right: float
    bottom: float


class Pdf:
    """A rendered PDF opened with pypdfium2: text, text positions, QR codes per page."""

    def __init__(self, data: bytes) -> None:
        self.document = pdfium.PdfDocument(data)

    def __len__(self) -> int:
        return len(self.document)

    def text(self, page: int = 0) -> str:
        """The page's text."""
        return str(self.document[page].get_textpage().get_text_range())

    def find(self, needle: str, page: int = 0) -> Box:
        """Where ``needle`` is printed on ``page`` (first occurrence)."""
        pdf_page = self.document[page]
        height = pdf_page.get_height()
        textpage = pdf_page.get_textpage()
        found = textpage.search(needle, match_case=True).get_next()
        assert found is not None, f"{needle!r} not on page {page + 1}"
        start, count = found
        boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
        return Box(
            left=min(b[0] for b in boxes) / MM,
            top=(height - max(b[3] for b in boxes)) / MM,
            right=max(b[2] for b in boxes) / MM,
            bottom=(height - min(b[1] for b in boxes)) / MM,
        )

    def qr_codes(self, page: int = 0, dpi: int = 200) -> list[tuple[bytes, float]]:
        """Rasterise the page; return each QR code's bytes and its top edge in millimetres."""
        image = self.document[page].render(scale=dpi / 72).to_pil()
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        px_per_mm = dpi / 25.4
        return [
            (
                bytes(code.bytes),
                min(code.position.top_left.y, code.position.top_right.y) / px_per_mm,
            )
            for code in found
        ]


@pytest.fixture(name="letter")
def _letter(case: cc.Case) -> cc.LetterMessage:
    """A German reminder letter to the case's customer."""
    address = case.debtor.contacts.address
    assert address is not None
    return cc.LetterMessage(
        idempotency_key="case-C-1001/reminder-1/letter",
        case_id=case.id,
        recipient_address=address,
        subject="Zahlungserinnerung zur Rechnung RE-2026-0001",
        body=(
            "Sehr geehrte Frau Mustermann,\n\n"
            "sicher ist es Ihrer Aufmerksamkeit entgangen, dass die folgende Rechnung noch"
            " offen ist.\nBitte überweisen Sie den Betrag bis zum 6. Dezember 2026.\n\n"
            "Falls Sie bereits gezahlt haben, betrachten Sie dieses Schreiben als gegenstandslos."
        ),
        letter_date=date(2026, 11, 22),
        locale="de_DE",
    )


@pytest.fixture(name="swiss_creditor")
def _swiss_creditor() -> cc.Creditor:
    """A Swiss creditor with a QR-IBAN."""
    return cc.Creditor(
        name="Muster AG",
        address=cc.PostalAddress(
            name="Muster AG",
            street="Bahnhofstrasse",
            house_number="1",
            postcode="8001",
            city="Zürich",
            country="CH",
        ),
        iban="CH4431999123000889012",
        link_secret="another-long-test-secret-abcdef",
        payment_page="https://pay.muster.example/{token}",
        email="rechnung@muster.example",
    )


@pytest.fixture(name="open_pdf")
def _open_pdf() -> type[Pdf]:
    """Open PDF bytes for inspection: ``open_pdf(pdf).find("text")``."""
    return Pdf
