"""Letters: DIN 5008 layout, QR codes that scan from the printed page, print runs."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Any

import pytest

import creditcomms as cc
from creditcomms.letters import LetterJob, LetterLayout, count_pages, render_letter, render_letters
from creditcomms.letters import _render as render_module
from creditcomms.payments import FeeLine, PaymentRequest, QRKind

pytest.importorskip("typst")

WINDOW = (20.0, 45.0, 105.0, 90.0)  # DIN 5008 form B address field: left, top, right, bottom


def _inside_window(box: Any) -> bool:
    left, top, right, bottom = WINDOW
    return left <= box.left and box.right <= right and top <= box.top and box.bottom <= bottom


class TestDinLetter:
    """A euro letter: address in the window, information block, table and EPC QR code."""

    def test_qr_scans_and_address_in_window(
        self,
        letter: cc.LetterMessage,
        case: cc.Case,
        creditor: cc.Creditor,
        now: datetime,
        open_pdf: Any,
    ) -> None:
        """The page's QR code decodes to the EPC payload; every address line is in the window."""
        payment = PaymentRequest.for_case(case, creditor, at=now)
        rendered = render_letter(letter, case=case, creditor=creditor, payment=payment)
        assert rendered.pdf is not None
        assert rendered.page_count == 1
        assert rendered.meta == {"address_position": "left", "layout": "din5008"}
        pdf = open_pdf(rendered.pdf)
        assert len(pdf) == 1
        codes = pdf.qr_codes()
        assert [data for data, _ in codes] == [str(payment.qr_payload).encode()]
        for line in letter.recipient_address.lines():
            assert _inside_window(pdf.find(line)), line
        assert pdf.find("Muster GmbH · Hauptstraße 1 · 10115 Berlin").top >= 45
        info = pdf.find("Kundennummer")
        assert info.left >= 124
        assert 49 <= info.top <= 60
        text = pdf.text()
        for expected in ("RE-2026-0001", "123,45", "RF40 RE20 2600 01", "DE89 3704 0044"):
            assert expected in text

    def test_fee_lines_and_total(
        self,
        letter: cc.LetterMessage,
        case: cc.Case,
        creditor: cc.Creditor,
        now: datetime,
        open_pdf: Any,
    ) -> None:
        """Fees of the payment request appear as table lines and in the total."""
        fees = [
            FeeLine(label="Mahngebühr", amount=cc.Money("2.50", "EUR")),
            FeeLine(label="Verzugszinsen 6,27 % p. a.", amount=cc.Money("0.45", "EUR")),
        ]
        payment = PaymentRequest.for_case(case, creditor, at=now, fees=fees)
        rendered = render_letter(letter, case=case, creditor=creditor, payment=payment)
        text = open_pdf(rendered.pdf).text()
        assert "Mahngebühr" in text
        assert "Verzugszinsen 6,27 % p. a." in text
        assert "126,40" in text

    def test_user_text_is_not_markup(
        self, letter: cc.LetterMessage, case: cc.Case, creditor: cc.Creditor, open_pdf: Any
    ) -> None:
        """Names and text with typst syntax print literally."""
        nasty = '#sys.inputs *bold* $x^2$ _u_ @ref <lbl> \\ `raw` #{"a"} // no'
        name = "#sys *E* $x$ _u_ <l> \\"
        address = letter.recipient_address.model_copy(update={"name": name})
        message = letter.model_copy(
            update={"recipient_address": address, "subject": "= Heading", "body": nasty}
        )
        rendered = render_letter(message, case=case, creditor=creditor)
        text = open_pdf(rendered.pdf).text()
        assert nasty in text
        assert name in text
        assert "= Heading" in text

    def test_abroad_gets_country_line(
        self, letter: cc.LetterMessage, case: cc.Case, creditor: cc.Creditor, open_pdf: Any
    ) -> None:
        """A recipient in another country gets the country, in capitals, as the last line."""
        vienna = cc.PostalAddress(
            name="Max Huber", street="Ring", house_number="1", postcode="1010",
            city="Wien", country="AT",
        )  # fmt: skip
        message = letter.model_copy(update={"recipient_address": vienna})
        pdf = open_pdf(render_letter(message, case=case, creditor=creditor).pdf)
        assert _inside_window(pdf.find("ÖSTERREICH"))

    def test_deterministic_with_bundled_font(
        self, letter: cc.LetterMessage, case: cc.Case, creditor: cc.Creditor
    ) -> None:
        """The same letter renders to the same bytes, set in the bundled Liberation Sans."""
        first = render_letter(letter, case=case, creditor=creditor)
        second = render_letter(letter, case=case, creditor=creditor)
        assert first.pdf == second.pdf
        assert first.pdf is not None
        assert b"LiberationSans" in first.pdf

    def test_long_letter_has_two_pages(
        self, letter: cc.LetterMessage, case: cc.Case, creditor: cc.Creditor, open_pdf: Any
    ) -> None:
        """A long body flows onto page 2; the page count matches pypdfium2's."""
        body = "\n\n".join(f"Absatz {i}: " + "Lorem ipsum dolor sit amet. " * 8 for i in range(14))
        rendered = render_letter(
            letter.model_copy(update={"body": body}), case=case, creditor=creditor
        )
        assert rendered.page_count == 2
        assert len(open_pdf(rendered.pdf)) == 2
        assert "– 2 –" in open_pdf(rendered.pdf).text(1)

    def test_link_qr_letter(
        self,
        letter: cc.LetterMessage,
        case: cc.Case,
        creditor: cc.Creditor,
        now: datetime,
        open_pdf: Any,
    ) -> None:
        """With a link QR code the printed code opens the pay link."""
        payment = PaymentRequest.for_case(case, creditor, at=now, qr="link")
        rendered = render_letter(letter, case=case, creditor=creditor, payment=payment)
        codes = open_pdf(rendered.pdf).qr_codes()
        assert [data for data, _ in codes] == [str(payment.link).encode()]


class TestSwissLetter:
    """The Swiss variant carries the QR-bill payment part on the lower third of page 1."""

    def test_payment_part_scans_in_lower_third(
        self,
        letter: cc.LetterMessage,
        swiss_case: cc.Case,
        swiss_creditor: cc.Creditor,
        now: datetime,
        open_pdf: Any,
    ) -> None:
        """The Swiss QR code decodes to the QR-bill payload and sits below 192 mm."""
        payment = PaymentRequest.for_case(swiss_case, swiss_creditor, at=now)
        assert payment.qr_kind is QRKind.SWISS
        address = swiss_case.debtor.contacts.address
        assert address is not None
        message = letter.model_copy(update={"recipient_address": address, "locale": "de_CH"})
        rendered = render_letter(message, case=swiss_case, creditor=swiss_creditor, payment=payment)
        assert rendered.page_count == 1
        assert rendered.meta["layout"] == "swiss"
        pdf = open_pdf(rendered.pdf)
        codes = pdf.qr_codes(dpi=250)
        assert [data for data, _ in codes] == [str(payment.qr_payload).encode()]
        assert codes[0][1] > 297 - 105
        assert _inside_window(pdf.find("Hans Muster"))
        assert pdf.find("Zahlteil").top > 297 - 105

    def test_swiss_layout_needs_payment(
        self, letter: cc.LetterMessage, swiss_case: cc.Case, swiss_creditor: cc.Creditor
    ) -> None:
        """Forcing the Swiss layout without a payment request is refused."""
        with pytest.raises(cc.PaymentDataError, match="Swiss"):
            render_letter(
                letter, case=swiss_case, creditor=swiss_creditor, layout=LetterLayout.SWISS
            )


class TestPrintRun:
    """Batches: one PDF per letter with page counts, and one combined file."""

    def _jobs(
        self, letter: cc.LetterMessage, case: cc.Case, creditor: cc.Creditor, now: datetime
    ) -> list[LetterJob]:
        payment = PaymentRequest.for_case(case, creditor, at=now)
        long_body = "\n\n".join("Lorem ipsum dolor sit amet. " * 9 for _ in range(14))
        return [
            LetterJob(message=letter, case=case, creditor=creditor, payment=payment),
            LetterJob(
                message=letter.model_copy(update={"body": long_body}),
                case=case,
                creditor=creditor,
            ),
            LetterJob(message=letter, case=case, creditor=creditor, closing=None),
        ]

    def test_combined_file_and_page_counts(
        self,
        letter: cc.LetterMessage,
        case: cc.Case,
        creditor: cc.Creditor,
        now: datetime,
        open_pdf: Any,
    ) -> None:
        """Each letter has its PDF and count; the combined file has them all, in order."""
        batch = render_letters(self._jobs(letter, case, creditor, now))
        assert [m.page_count for m in batch.letters] == [1, 2, 1]
        assert batch.first_pages == (1, 2, 4)
        assert batch.page_count == 4
        assert batch.pdf is not None
        combined = open_pdf(batch.pdf)
        assert len(combined) == 4 == count_pages(batch.pdf)
        assert "Mit freundlichen Grüßen" not in combined.text(3)
        assert "Mit freundlichen Grüßen" in combined.text(0)
        assert combined.qr_codes(0)

    def test_two_processes_give_the_same_letters(
        self, letter: cc.LetterMessage, case: cc.Case, creditor: cc.Creditor, now: datetime
    ) -> None:
        """Rendering in worker processes gives byte-identical letters; no combined file."""
        jobs = self._jobs(letter, case, creditor, now)
        serial = render_letters(jobs, combine=False)
        parallel = render_letters(jobs, combine=False, processes=2)
        assert parallel.pdf is None
        assert [m.pdf for m in parallel.letters] == [m.pdf for m in serial.letters]


class TestRejected:
    """Inconsistent input raises before any PDF is made."""

    def test_payment_for_another_case(
        self,
        letter: cc.LetterMessage,
        case: cc.Case,
        creditor: cc.Creditor,
        swiss_case: cc.Case,
        now: datetime,
    ) -> None:
        """A payment request built from a different case is refused."""
        other = case.model_copy(update={"id": "C-9"})
        payment = PaymentRequest.for_case(other, creditor, at=now)
        with pytest.raises(cc.PaymentDataError, match="C-9"):
            render_letter(letter, case=case, creditor=creditor, payment=payment)

    def test_fees_that_do_not_add_up(
        self, letter: cc.LetterMessage, case: cc.Case, creditor: cc.Creditor, now: datetime
    ) -> None:
        """Letter fees that differ from the payment request's amount are refused."""
        payment = PaymentRequest.for_case(case, creditor, at=now)
        fee = FeeLine(label="Mahngebühr", amount=cc.Money("2.50", "EUR"))
        with pytest.raises(cc.PaymentDataError, match=r"125\.95"):
            render_letter(letter, case=case, creditor=creditor, payment=payment, fees=[fee])

    def test_undated_letter(
        self, letter: cc.LetterMessage, case: cc.Case, creditor: cc.Creditor
    ) -> None:
        """A letter needs a date."""
        undated = letter.model_copy(update={"letter_date": None})
        with pytest.raises(cc.ValidationError, match="letter_date"):
            render_letter(undated, case=case, creditor=creditor)
        dated = undated.model_copy(
            update={"created_at": datetime.fromisoformat("2026-11-20T08:00:00+00:00")}
        )
        assert render_letter(dated, case=case, creditor=creditor).page_count == 1
        assert date(2026, 11, 20)

    def test_missing_extra(
        self,
        letter: cc.LetterMessage,
        case: cc.Case,
        creditor: cc.Creditor,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Without the letters extra, rendering raises MissingExtraError naming it."""
        render_module._compiler.cache_clear()
        monkeypatch.setitem(sys.modules, "typst", None)
        try:
            with pytest.raises(cc.MissingExtraError, match=r"creditcomms\[letters\]"):
                render_letter(letter, case=case, creditor=creditor)
        finally:
            render_module._compiler.cache_clear()
