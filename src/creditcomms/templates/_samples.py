"""Sample data for previews and load-time checks: a typical case and a worst case."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime

from creditcomms.model import (
    Case,
    Contacts,
    Creditor,
    Debtor,
    Invoice,
    InvoiceStatus,
    Money,
    PostalAddress,
)

from ._formatting import language_of

__all__ = ["SAMPLE_AT", "SamplePayment", "sample_case", "sample_creditor", "worst_case"]

SAMPLE_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
"""The render time of previews: a few weeks after the sample invoice fell due."""


@dataclass(frozen=True, slots=True)
class SamplePayment:
    """A stand-in for ``creditcomms.payments.PaymentRequest`` in previews and checks."""

    amount: Money
    link: str | None = "https://pay.muster.example/p/7Hq2xWm9LkPz"
    reference: str | None = "RF18 5390 0754 7034"
    qr_svg: str | None = None
    qr_data_uri: str | None = None
    qr_src: str | None = None
    qr_png: bytes | None = None


_PEOPLE = {
    "de": ("Erika Mustermann", "+4915112345678", "Heidestraße", "17", "51147", "Köln", "DE"),
    "nl": ("Sanne de Vries", "+31612345678", "Keizersgracht", "12", "1015 CJ", "Amsterdam", "NL"),
    "fr": ("Camille Martin", "+33612345678", "Rue de Rivoli", "8", "75001", "Paris", "FR"),
    "en": ("Alex Taylor", "+447911123456", "Baker Street", "21", "NW1 6XE", "London", "GB"),
}


def _debtor(locale: str, *, name: str | None = None) -> Debtor:
    person, phone, street, number, postcode, city, country = _PEOPLE.get(
        language_of(locale), _PEOPLE["en"]
    )
    shown = name or person
    return Debtor(
        id="SAMPLE-1",
        name=shown,
        locale=locale,
        contacts=Contacts(
            email="customer@example.com",
            phone=phone,
            whatsapp=phone,
            push_tokens=("sample-device-token",),
            portal_user_id="portal-sample-1",
            address=PostalAddress(
                name=shown,
                street=street,
                house_number=number,
                postcode=postcode,
                city=city,
                country=country,
            ),
        ),
    )


@functools.cache
def sample_case(locale: str, /, *, paid: bool = False) -> Case:
    """A realistic case in ``locale``: one invoice of 249.90, due on 31 October 2026."""
    currency = "CHF" if locale.endswith("_CH") else "GBP" if locale == "en_GB" else "EUR"
    amount = Money("249.90", currency)
    invoice = Invoice(
        id="2026-10-0815",
        amount=amount,
        open_amount=Money.zero(currency) if paid else amount,
        status=InvoiceStatus.PAID if paid else InvoiceStatus.OPEN,
        issued_on=date(2026, 10, 1),
        due_on=date(2026, 10, 31),
        description="Subscription October 2026",
    )
    return Case(id="SAMPLE-1", debtor=_debtor(locale), invoices=(invoice,))


@functools.cache
def worst_case(locale: str, /) -> Case:
    """A case with long values in every field an SMS prints, to check segment budgets."""
    invoice = Invoice(
        id="INV-2026-10-000000815-A",
        amount=Money("1234567.89", "EUR"),
        issued_on=date(2026, 10, 1),
        due_on=date(2026, 10, 31),
    )
    long_name = "Maximiliane-Charlotte Oberhauser-Wittgenstein"
    return Case(id="SAMPLE-2", debtor=_debtor(locale, name=long_name), invoices=(invoice,))


WORST_LINK = "https://payments.example-creditor-company.com/pay/" + "x" * 48
"""A long pay link (a signed token) for the worst-case check."""


@functools.cache
def sample_creditor() -> Creditor:
    """The creditor of previews: Muster GmbH, with a payment page and an email sender."""
    return Creditor(
        name="Muster GmbH",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        payment_page="https://pay.muster.example/p/{token}",
        senders={"email": "Muster GmbH <billing@muster.example>", "sms": "Muster"},
        email="billing@muster.example",
        phone="+4922112345678",
        website="https://muster.example",
        address=PostalAddress(
            name="Muster GmbH",
            street="Domstraße",
            house_number="1",
            postcode="50668",
            city="Köln",
            country="DE",
        ),
    )
