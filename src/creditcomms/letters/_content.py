"""Turn a letter's inputs into the plain data the typst layout reads (strings only)."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import babel
import babel.dates

from creditcomms.channels import LetterMessage
from creditcomms.errors import FieldProblem, PaymentDataError, ValidationError
from creditcomms.model import Case, Creditor, Invoice, Money, PostalAddress
from creditcomms.payments import FeeLine, PaymentRequest, QRKind

from ._labels import labels

__all__ = ["LetterLayout", "letter_data"]

_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
_FONT_FAMILY = re.compile(r'font-family="[^"]*"')


class LetterLayout(enum.StrEnum):
    """The page layout of a letter."""

    AUTO = "auto"
    """Swiss when the payment request carries a Swiss QR-bill, DIN 5008 otherwise."""
    DIN_5008 = "din5008"
    """DIN 5008 form B for left-window envelopes, with the EPC or link QR code in the text."""
    SWISS = "swiss"
    """DIN 5008 form B with the Swiss QR-bill payment part on the lower third of page 1."""


def _letter_date(message: LetterMessage) -> date:
    if message.letter_date is not None:
        return message.letter_date
    if message.created_at is not None:
        return message.created_at.date()
    problem = FieldProblem("letter_date", None, "set letter_date (or created_at) to date it")
    raise ValidationError("LetterMessage", [problem])


def _street(address: PostalAddress) -> str:
    return " ".join(p for p in (address.street, address.house_number) if p)


def _recipient(address: PostalAddress, home: str | None, locale: str) -> list[str]:
    lines = list(address.lines())
    if home and address.country != home:
        territories = babel.Locale.parse(locale).territories
        lines.append(str(territories.get(address.country, address.country)).upper())
    return lines


def _sender(creditor: Creditor, address: PostalAddress | None) -> dict[str, Any]:
    if address is None:
        return {"name": creditor.name, "lines": [], "return_line": creditor.name}
    street = _street(address)
    town = f"{address.postcode} {address.city}"
    parts = [creditor.name, *([street] if street else []), town]
    return {"name": creditor.name, "lines": parts[1:], "return_line": " · ".join(parts)}


def _iban(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _footer(
    creditor: Creditor, address: PostalAddress | None, words: dict[str, str]
) -> list[list[str]]:
    first = [creditor.name, *(address.lines()[1:] if address else [])]
    contact = [c for c in (creditor.email, creditor.phone, creditor.website) if c]
    bank = [words["bank"], f"IBAN {_iban(creditor.iban)}"]
    if creditor.bic:
        bank.append(f"BIC {creditor.bic}")
    columns = [first]
    if contact:
        columns.append([words["contact"], *contact])
    columns.append(bank)
    if creditor.registration:
        columns.append([creditor.registration])
    return columns


def _items(invoices: Sequence[Invoice], locale: str) -> list[list[str]]:
    return [
        [
            i.id,
            babel.dates.format_date(i.issued_on, "medium", locale=locale),
            babel.dates.format_date(i.due_on, "medium", locale=locale),
            i.balance.format(locale),
        ]
        for i in invoices
    ]


def _invoices(case: Case, payment: PaymentRequest | None) -> tuple[Invoice, ...]:
    if payment is None:
        return case.open_invoices
    by_id = {i.id: i for i in case.invoices}
    missing = [i for i in payment.invoice_ids if i not in by_id]
    if missing or payment.case_id != case.id:
        raise PaymentDataError(
            f"the payment request is for case {payment.case_id!r} (invoices {missing or ''}),"
            f" not for case {case.id!r}; build it from this case"
        )
    return tuple(by_id[i] for i in payment.invoice_ids)


def _total(
    invoices: Sequence[Invoice], fees: Sequence[FeeLine], payment: PaymentRequest | None
) -> Money:
    currency = invoices[0].balance.currency if invoices else "EUR"
    total = sum((i.balance for i in invoices), Money.zero(currency))
    total = sum((f.amount for f in fees), total)
    if payment is not None and total != payment.amount:
        raise PaymentDataError(
            f"the letter's items and fees add up to {total} but the payment request asks for"
            f" {payment.amount}; pass the same fees to PaymentRequest.for_case and the letter"
        )
    return total


def _payment_block(payment: PaymentRequest, words: dict[str, str], locale: str) -> dict[str, Any]:
    rows = [[words["payee"], payment.creditor_name], ["IBAN", _iban(payment.iban)]]
    if payment.bic:
        rows.append(["BIC", payment.bic])
    rows.append([words["amount"], payment.amount.format(locale)])
    if payment.reference_display:
        rows.append([words["reference"], payment.reference_display])
    else:
        rows.append([words["purpose"], payment.remittance])
    hint = {QRKind.EPC: words["scan"], QRKind.LINK: words["scan_link"]}.get(
        payment.qr_kind or QRKind.SWISS
    )
    return {"qr_svg": payment.qr_svg, "lines": rows, "hint": hint, "link": payment.link}


def _bill_svg(payment: PaymentRequest) -> str:
    # The QR-bill asks for a sans-serif font (Arial, Helvetica, Liberation Sans ...); name
    # the bundled one so the payment part looks the same everywhere.
    return _FONT_FAMILY.sub('font-family="Liberation Sans"', payment.swiss_bill().svg())


def _layout(layout: LetterLayout | str, payment: PaymentRequest | None) -> LetterLayout:
    chosen = LetterLayout(layout)
    if chosen is LetterLayout.AUTO:
        swiss = payment is not None and payment.qr_kind is QRKind.SWISS
        return LetterLayout.SWISS if swiss else LetterLayout.DIN_5008
    if chosen is LetterLayout.SWISS and payment is None:
        raise PaymentDataError("the Swiss letter layout needs a payment request for its QR-bill")
    return chosen


def letter_data(
    message: LetterMessage,
    case: Case,
    creditor: Creditor,
    payment: PaymentRequest | None,
    *,
    fees: Sequence[FeeLine] | None,
    layout: LetterLayout | str,
    closing: str | None,
) -> dict[str, Any]:
    """Collect every text and image of one letter as JSON-ready data."""
    locale = message.locale
    words = labels(locale)
    chosen = _layout(layout, payment)
    invoices = _invoices(case, payment)
    fee_lines = tuple(payment.fees if fees is None and payment else fees or ())
    total = _total(invoices, fee_lines, payment)
    sender = message.sender_address or creditor.address
    numbers = ", ".join(i.id for i in invoices)
    info = [
        [words["customer"], case.debtor.id],
        [words["invoices" if len(invoices) > 1 else "invoice"], numbers[:60]],
        [words["date"], babel.dates.format_date(_letter_date(message), "medium", locale=locale)],
    ]
    swiss = chosen is LetterLayout.SWISS and payment is not None
    dated = _letter_date(message)
    return {
        "timestamp": int(datetime.combine(dated, time(), UTC).timestamp()),
        "layout": "swiss" if swiss else "din",
        "lang": locale.split("_")[0],
        "sender": _sender(creditor, sender),
        "recipient": _recipient(
            message.recipient_address, sender.country if sender else None, locale
        ),
        "info": info,
        "subject": message.subject,
        "body": [p.strip().split("\n") for p in _PARAGRAPHS.split(_text(message)) if p.strip()],
        "items_header": [words["invoice"], words["issued"], words["due"], words["open"]],
        "items": _items(invoices, locale),
        "fees": [[f.label, f.amount.format(locale)] for f in fee_lines],
        "total": [words["total"], total.format(locale)],
        "payment": _payment_block(payment, words, locale) if payment and not swiss else None,
        "bill_svg": _bill_svg(payment) if swiss and payment else None,
        "closing": words["closing"] if closing == "auto" else closing,
        "footer": _footer(creditor, sender, words),
    }


def _text(message: LetterMessage) -> str:
    """The letter's own words: the layout prints items, payment block and closing itself."""
    return message.layout_body if message.layout_body is not None else message.body
