"""Payment QR codes and letters: EPC QR build + encode + SVG, PNG data URIs, letters per second.

EPC: 10,000 invoices through ``epc_qr(...).svg()`` next to ``segno.helpers.make_epc_qr(...)``
with ``svg_inline()``. segno needs tens of milliseconds per code, so by default it runs on the
first 1,000 of the same invoices and its rate is compared; set ``BENCH_FULL=1`` to run it on
all 10,000. PNG data URIs: what the engine pays per email, 5,000 distinct EPC payloads from
``PaymentRequest.for_case`` (one per case, as the engine builds them) through ``make_qr`` and
``data_uri()``, next to ``segno.make_qr(...).png_data_uri()`` on the first 500; the matrix
and the PNG are also timed alone. Letters: single-page letters with an EPC QR code, in this
process and with one worker process per core.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, date, datetime
from decimal import Decimal

import segno
import segno.helpers

import creditcomms as cc
from benchmarks._report import compare, measure, single
from creditcomms.letters import LetterJob, render_letters
from creditcomms.payments import (
    PaymentQR,
    PaymentRequest,
    QRKind,
    _encoder,
    epc_qr,
    make_qr,
    make_reference,
)
from creditcomms.payments._encoder import encode_matrix

INVOICES = 10_000
PAYLOADS = 5_000
IBAN = "DE89370400440532013000"
BIC = "COBADEFFXXX"
NAME = "Bäckerei Müller & Söhne GmbH"


def _invoices(count: int) -> list[tuple[str, str]]:
    """(amount, RF reference) per invoice: every payload is different."""
    return [
        (f"{(i * 7919) % 100_000}.{i % 100:02d}", make_reference(f"RE2026{i:06d}", "rf"))
        for i in range(1, count + 1)
    ]


def _ours(invoices: list[tuple[str, str]]) -> None:
    _fresh()  # no help from earlier rounds
    for amount, reference in invoices:
        qr = epc_qr(
            name=NAME, iban=IBAN, bic=BIC, amount=cc.Money(amount, "EUR"), reference=reference
        )
        qr.svg()


def _segno(invoices: list[tuple[str, str]]) -> None:
    for amount, reference in invoices:
        qr = segno.helpers.make_epc_qr(
            name=NAME, iban=IBAN, bic=BIC, amount=Decimal(amount), reference=reference, encoding=1
        )
        qr.svg_inline()


def _engine_payloads(count: int) -> list[str]:
    """One EPC payload per case, as the engine makes them: amounts and references differ."""
    creditor = cc.Creditor(
        name="Muster GmbH", iban=IBAN, payment_page="https://pay.muster.example/{token}",
        link_secret="benchmark-secret-0123456789",
    )  # fmt: skip
    debtor = cc.Debtor(id="D", name="Erika Mustermann", contacts=cc.Contacts(email="e@x.de"))
    now = datetime(2026, 11, 3, 12, tzinfo=UTC)
    payloads = []
    for i in range(count):
        invoice = cc.Invoice(
            id=f"RE-{i}", amount=cc.Money(f"{100 + i % 9000}.{i % 100:02d}", "EUR"),
            issued_on=date(2026, 10, 1), due_on=date(2026, 10, 31),
        )  # fmt: skip
        case = cc.Case(id=f"C-{i}", debtor=debtor, invoices=[invoice])
        payload = PaymentRequest.for_case(case, creditor, at=now).qr_payload
        assert payload is not None
        payloads.append(payload)
    return payloads


def _fresh() -> None:
    """Forget earlier rounds: encoded symbols and remembered Reed-Solomon blocks."""
    encode_matrix.cache_clear()
    _encoder._recent.clear()


def _data_uris(payloads: list[str]) -> None:
    _fresh()  # every payload is new, as in the engine
    for payload in payloads:
        make_qr(payload, kind=QRKind.EPC).data_uri()


def _matrices(data: list[bytes]) -> None:
    _fresh()
    for payload in data:
        encode_matrix(payload)


def _bench_png() -> None:
    payloads = _engine_payloads(PAYLOADS)
    assert len(set(payloads)) == PAYLOADS
    data = [p.encode() for p in payloads]
    matrices = [encode_matrix(d) for d in data]
    codes = [PaymentQR(QRKind.EPC, p, m) for p, m in zip(payloads, matrices, strict=True)]
    ours = measure(
        f"make_qr + data_uri ({PAYLOADS:,} payloads)", PAYLOADS, lambda: _data_uris(payloads)
    )
    sample = payloads[:500]
    theirs = measure(
        f"segno make_qr + png_data_uri ({len(sample):,})",
        len(sample),
        lambda: [segno.make_qr(p, error="m").png_data_uri(scale=4, border=4) for p in sample],
        repeat=1,
    )
    compare("EPC QR PNG data URI per unique payload (engine)", ours, theirs, unit="codes")
    matrix = measure(
        "encode_matrix alone", PAYLOADS, lambda: [encode_matrix.__wrapped__(d) for d in data]
    )
    png = measure("PaymentQR.png alone", PAYLOADS, lambda: [c.png() for c in codes])
    for figure in (matrix, png, ours):
        single(
            f"EPC QR stage: {figure.label}", figure, unit="codes",
            note=f"{figure.seconds / figure.items * 1e6:.1f} us per payload",
        )  # fmt: skip


def _letter_jobs(count: int) -> list[LetterJob]:
    address = cc.PostalAddress(
        name="Erika Mustermann", street="Heidestraße", house_number="17", postcode="51147",
        city="Köln", country="DE",
    )  # fmt: skip
    creditor = cc.Creditor(
        name="Muster GmbH", iban=IBAN, bic=BIC, link_secret=secrets.token_urlsafe(32),
        payment_page="https://pay.muster.example/{token}",
        address=address.model_copy(update={"name": "Muster GmbH", "city": "Berlin"}),
    )  # fmt: skip
    debtor = cc.Debtor(id="C-1", name="Erika Mustermann", contacts=cc.Contacts(address=address))
    now = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    jobs = []
    for i in range(count):
        invoice = cc.Invoice(
            id=f"RE-2026-{i:05d}", amount=cc.Money(f"{100 + i}.45", "EUR"),
            issued_on=date(2026, 10, 1), due_on=date(2026, 10, 31),
        )  # fmt: skip
        case = cc.Case(id=f"C-{i}", debtor=debtor, invoices=[invoice])
        message = cc.LetterMessage(
            idempotency_key=f"k{i}", case_id=case.id, recipient_address=address,
            subject=f"Zahlungserinnerung {invoice.id}", letter_date=date(2026, 11, 22),
            body="Sehr geehrte Frau Mustermann,\n\nbitte begleichen Sie die offene Rechnung.",
            locale="de_DE",
        )  # fmt: skip
        payment = PaymentRequest.for_case(case, creditor, at=now)
        jobs.append(LetterJob(message=message, case=case, creditor=creditor, payment=payment))
    return jobs


def _bench_epc() -> None:
    invoices = _invoices(INVOICES)
    sample = invoices if os.environ.get("BENCH_FULL") else invoices[:1_000]
    ours = measure(f"epc_qr + svg ({INVOICES:,} invoices)", INVOICES, lambda: _ours(invoices))
    theirs = measure(
        f"segno make_epc_qr + svg_inline ({len(sample):,})",
        len(sample),
        lambda: _segno(sample),
        repeat=1,
    )
    compare("EPC QR: payload + encode + SVG", ours, theirs, unit="codes")


def _bench_letters() -> None:
    jobs = _letter_jobs(200)
    render_letters(jobs[:2], combine=False)  # load fonts and the layout once
    one = measure("letters, 1 process", len(jobs), lambda: render_letters(jobs, combine=False))
    cores = os.cpu_count() or 1
    many = measure(
        f"letters, {cores} processes (incl. start-up)",
        len(jobs),
        lambda: render_letters(jobs, combine=False, processes=cores),
        repeat=1,
    )
    single("Letters: single page with EPC QR code, one core", one, unit="letters")
    single("Letters: all cores", many, unit="letters", note=f"{cores} cores on this machine")


def main() -> None:
    """Print the EPC QR and letter figures."""
    _bench_epc()
    _bench_png()
    _bench_letters()


if __name__ == "__main__":
    main()
