"""Every invalid value raises a ValidationError naming the field, the value and the fix."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditcomms as cc


def _invoice(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "RE-1",
        "amount": "100.00 EUR",
        "issued_on": date(2026, 10, 1),
        "due_on": date(2026, 10, 31),
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("build", "field", "fragment"),
    [
        (
            lambda: cc.Creditor(name="M", iban="DE89370400440532013001"),
            "iban",
            "fails its check digits",
        ),
        (lambda: cc.Money("1", "XYZ"), "currency", "ISO 4217"),
        (
            lambda: cc.Debtor(id="1", name="E", timezone="Europe/Berln"),
            "timezone",
            "did you mean 'Europe/Berlin'",
        ),
        (
            lambda: cc.Debtor(id="1", name="E", contacts={"phone": "12345"}),
            "contacts.phone",
            "international format",
        ),
        (
            lambda: cc.Debtor(id="1", name="E", contacts={"email": "erika@"}),
            "contacts.email",
            "not a valid email",
        ),
        (lambda: cc.Debtor(id="1", name="E", locale="xx_QQ"), "locale", "not a known locale"),
        (lambda: cc.Invoice(**_invoice(amount="-5.00 EUR")), "amount", "above zero"),
        (
            lambda: cc.Invoice(**_invoice(due_on=date(2026, 9, 1))),
            "due_on",
            "before issued_on",
        ),
        (
            lambda: cc.Invoice(**_invoice(open_amount="150.00 EUR")),
            "open_amount",
            "between 0 and amount",
        ),
        (
            lambda: cc.Invoice(**_invoice(open_amount="10.00 CHF")),
            "open_amount",
            "one currency",
        ),
        (
            lambda: cc.Case(
                debtor=cc.Debtor(id="1", name="E"),
                invoices=[
                    cc.Invoice(**_invoice()),
                    cc.Invoice(**_invoice(id="2", amount="5.00 CHF")),
                ],
            ),
            "invoices",
            "mix currencies",
        ),
        (lambda: cc.Creditor(name="M", iban="DE89370400440532013000", bic="NOTABIC"), "bic", "BIC"),
        (
            lambda: cc.Creditor(
                name="M", iban="DE89370400440532013000", payment_page="https://pay.example/"
            ),
            "payment_page",
            "{token}",
        ),
        (
            lambda: cc.Creditor(name="M", iban="DE89370400440532013000", link_secret="short"),
            "link_secret",
            "at least 16",
        ),
        (
            lambda: cc.PostalAddress(name="A\nB", postcode="1", city="X", country="DE"),
            "name",
            "single line",
        ),
        (
            lambda: cc.PostalAddress(name="A", postcode="1", city="X", country="Germany"),
            "country",
            "alpha-2",
        ),
        (lambda: cc.Debtor(id="1", name="E", nickname="x"), "nickname", "unknown field"),
    ],
)
def test_invalid_value_names_field_and_fix(build: Any, field: str, fragment: str) -> None:
    """The error lists the field's dotted path and says how to fix it."""
    with pytest.raises(cc.ValidationError) as info:
        build()
    assert field in info.value.fields
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, cc.CreditCommsError)


def test_several_problems_are_reported_at_once() -> None:
    """One error reports every bad field, not only the first."""
    with pytest.raises(cc.ValidationError) as info:
        cc.Debtor(id="1", name="E", timezone="Mars/Base", locale="??", contacts={"phone": "0"})
    assert set(info.value.fields) == {"timezone", "locale", "contacts.phone"}


def test_national_number_needs_a_country() -> None:
    """A national number is read in the address's country, else refused."""
    address = cc.PostalAddress(name="A", postcode="1011", city="Amsterdam", country="NL")
    contacts = cc.Contacts(phone="06 12345678", address=address)
    assert contacts.phone == "+31612345678"


def test_models_are_frozen(case: cc.Case) -> None:
    """Domain objects cannot be changed in place; use ``model_copy``."""
    with pytest.raises(Exception, match="frozen"):
        case.id = "other"  # type: ignore[misc]
    assert case.model_copy(update={"id": "other"}).id == "other"


@given(st.text(min_size=1, max_size=30).filter(lambda s: s.strip() and "/" not in s))
def test_random_timezones_fail_cleanly(name: str) -> None:
    """Arbitrary text as a time zone either is valid or raises our ValidationError."""
    import zoneinfo

    if name in zoneinfo.available_timezones():
        assert cc.Debtor(id="1", name="E", timezone=name).timezone == name
    else:
        with pytest.raises(cc.ValidationError) as info:
            cc.Debtor(id="1", name="E", timezone=name)
        assert info.value.fields == ("timezone",)


def test_events_round_trip_through_json(now: Any) -> None:
    """Events load back from JSON by their ``type`` discriminator."""
    from pydantic import TypeAdapter

    adapter: TypeAdapter[cc.Event] = TypeAdapter(cc.Event)
    event = cc.PromiseToPay(case_id="C-1", at=now, promised_on=date(2026, 12, 1))
    assert adapter.validate_json(event.model_dump_json()) == event


def test_case_properties(case: cc.Case) -> None:
    """A case knows its currency, open amount, oldest due date and days past due."""
    assert case.id == "C-1001"
    assert case.currency == "EUR"
    assert case.oldest_due_on == date(2026, 10, 31)
    assert case.days_past_due(date(2026, 11, 22)) == 22
    assert not case.is_paid


def test_naive_event_time_is_rejected() -> None:
    """Event times must be timezone-aware."""
    from datetime import datetime

    with pytest.raises(cc.ValidationError) as info:
        cc.OptOut(case_id="C", at=datetime(2026, 1, 1), channel=cc.SMS)  # noqa: DTZ001
    assert info.value.fields == ("at",)


@pytest.mark.parametrize("typed", ["SMS", " sms", "Sms\n", "sms", cc.SMS])
def test_channel_names_are_folded_to_the_channels_spelling(typed: object) -> None:
    """An opt-out typed "SMS" (say, from a webhook's JSON) is stored as the channel "sms"."""
    event = cc.OptOut(case_id="C-1", at="2026-11-01T09:00:00+00:00", channel=typed)
    assert event.channel == "sms"


@pytest.mark.parametrize("typed", ["S M S", "e-mail", "1sms", ""])
def test_a_channel_name_that_no_channel_can_have_is_refused(typed: str) -> None:
    """A name that is not a lower-case word is refused, naming the value and the fix."""
    with pytest.raises(cc.ValidationError, match="channel") as info:
        cc.OptOut(case_id="C-1", at="2026-11-01T09:00:00+00:00", channel=typed)
    assert "such as" in str(info.value)


def test_an_iban_of_a_bank_missing_from_the_bundled_list_is_accepted() -> None:
    """A Belgian IBAN whose check digits pass is accepted though its bank code is unknown."""
    assert cc.Creditor(name="M", iban="BE68 5390 0754 7034").iban == "BE68539007547034"
    with pytest.raises(cc.ValidationError, match="fails its check digits"):
        cc.Creditor(name="M", iban="BE68 5390 0754 7035")


def test_a_free_text_invoice_reference_is_refused_at_once() -> None:
    """Free text in Invoice.reference is refused when the invoice is made, not at send time."""
    with pytest.raises(cc.ValidationError, match=r"reference = .*put free text in description"):
        cc.Invoice(**_invoice(reference="Rechnung 4711, Kundennummer 12"))
    assert cc.Invoice(**_invoice(reference="RF18 5390 0754 7034")).reference is not None


def test_a_payment_must_be_above_zero() -> None:
    """A zero or negative payment is refused, with what to do for a refund."""
    for amount in ("0.00", "-5.00"):
        with pytest.raises(cc.ValidationError, match=r"amount = .*above zero; a refund"):
            cc.PaymentReceived(
                case_id="C-1", at="2026-11-01T09:00:00+00:00", amount=cc.Money(amount, "EUR")
            )


@pytest.mark.parametrize(
    ("page", "ok"),
    [
        ("https://pay.example/{token}", True),
        ("http://localhost:8000/pay/{token}", True),
        ("http://pay.example/{token}", False),
        ("ftp://pay.example/{token}", False),
    ],
)
def test_a_pay_page_is_https(page: str, ok: bool) -> None:
    """Pay links carry a bearer token: https only, plain http just for localhost."""
    make = lambda: cc.Creditor(  # noqa: E731
        name="M", iban="DE89370400440532013000", payment_page=page, link_secret="s" * 32
    )
    if ok:
        assert make().payment_page == page
    else:
        with pytest.raises(cc.ValidationError, match="must be an https URL"):
            make()


@pytest.mark.parametrize(
    ("senders", "fragment"),
    [
        ({"email": "billing team"}, "senders['email'] = 'billing team'"),
        ({"sms": "MUSTER ENERGIE GMBH"}, "1 to 11 letters"),
        ({"sms": "12"}, "1 to 11 letters"),
    ],
)
def test_sender_identities_are_checked(senders: dict[str, str], fragment: str) -> None:
    """An email sender that is no address and an SMS sender networks refuse fail at once."""
    with pytest.raises(cc.ValidationError, match=re.escape(fragment)):
        cc.Creditor(name="M", iban="DE89370400440532013000", senders=senders)


def test_good_sender_identities_pass() -> None:
    """Names with an address, bare addresses, 11-character names and numbers are fine."""
    creditor = cc.Creditor(
        name="M",
        iban="DE89370400440532013000",
        senders={"email": "Muster GmbH <billing@muster.example>", "sms": "Muster 2026"},
    )
    assert creditor.senders["sms"] == "Muster 2026"
    numbered = cc.Creditor(name="M", iban="DE89370400440532013000", senders={"sms": "+4930123456"})
    assert numbered.senders["sms"] == "+4930123456"


@pytest.mark.parametrize(
    ("country", "extra", "expected"),
    [
        ("DE", {}, ("Erika Muster", "Hauptstraße 1", "10115 Berlin")),
        ("GB", {}, ("Erika Muster", "1 Hauptstraße", "Berlin", "10115")),
        ("FR", {}, ("Erika Muster", "1 Hauptstraße", "10115 Berlin")),
        ("US", {"region": "NY"}, ("Erika Muster", "1 Hauptstraße", "Berlin, NY 10115")),
        (
            "NL",
            {"extra_lines": ("c/o Jansen",)},
            ("Erika Muster", "c/o Jansen", "Hauptstraße 1", "10115 Berlin"),
        ),
    ],
)
def test_address_lines_follow_the_country(
    country: str, extra: dict[str, Any], expected: tuple[str, ...]
) -> None:
    """Number before or after the street, and the town line, as each country's post wants."""
    address = cc.PostalAddress(
        name="Erika Muster", street="Hauptstraße", house_number="1", postcode="10115",
        city="Berlin", country=country, **extra,
    )  # fmt: skip
    assert address.lines() == expected
