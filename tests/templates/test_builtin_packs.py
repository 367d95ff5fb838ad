"""The built-in packs: every template renders, in every locale and tone, and reads well."""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

import creditcomms as cc
from creditcomms.channels import BUILTIN_CHANNELS, SmsEncoding
from creditcomms.payments import PaymentRequest

LOCALES = ("de", "de_CH", "de_AT", "nl", "nl_BE", "en", "en_GB", "fr", "fr_CH")
STAGES = ("pre_due", "reminder", "second_reminder", "final_notice", "payment_received")
TONES = tuple(cc.Tone)
FORBIDDEN = re.compile(r"debtor|schuldner|schuldenaar|d[ée]bit(eur|rice)", re.IGNORECASE)


def test_packs_pass_load_time_validation() -> None:
    """Loading the packs with validation on checks syntax, parts, samples and SMS budgets."""
    library = cc.TemplateLibrary.builtin(validate=True)
    assert len(library) > 400


def test_every_stage_channel_and_tone_exists(library: cc.TemplateLibrary) -> None:
    """Every customer-facing channel has all three tones for every dunning stage and language."""
    keys = {t.key for t in library}
    for language in ("de", "nl", "en", "fr"):
        for stage in STAGES[:4]:
            for channel in ("email", "sms", "letter", "portal", "push", "whatsapp", "voice"):
                for tone in TONES:
                    assert (stage, channel, language, str(tone)) in keys


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("tone", TONES)
def test_every_template_renders_for_a_sample_case(
    library: cc.TemplateLibrary, locale: str, tone: cc.Tone
) -> None:
    """Each stage renders on each built-in channel, with and without payment details."""
    for stage in STAGES:
        for channel in BUILTIN_CHANNELS:
            try:
                library.resolve(stage, channel, locale=locale, tone=tone)
            except cc.TemplateNotFoundError:
                assert stage == "payment_received"  # no thank-you call or voice message
                continue
            message = library.preview(stage, channel, locale=locale, tone=tone)
            assert message.channel == channel
            assert message.locale == cc.model.normalize_locale(locale)


@pytest.mark.parametrize("language", ["de", "nl", "en", "fr"])
def test_sms_stay_in_gsm7_and_two_segments(library: cc.TemplateLibrary, language: str) -> None:
    """Built-in SMS texts avoid characters that force UCS-2, and fit two segments."""
    for template in library:
        if template.channel == "sms" and template.locale == language:
            message = library.preview(template.id, "sms", locale=language, tone=template.tone)
            assert isinstance(message, cc.SmsMessage)
            assert message.encoding is SmsEncoding.GSM7, (template.label, message.text)
            assert message.segments <= 2, (template.label, message.text)


def test_no_pack_file_calls_the_customer_a_debtor() -> None:
    """No word for 'debtor' appears in any pack file (variables are read as ``debtor.``)."""
    root = resources.files("creditcomms.templates") / "packs"
    scanned = 0
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        for file in folder.iterdir():
            text = file.read_text(encoding="utf-8").replace("debtor.", "")
            assert not FORBIDDEN.search(text), f"{folder.name}/{file.name}"
            scanned += 1
    assert scanned >= 25


def test_rendered_texts_never_say_debtor(library: cc.TemplateLibrary) -> None:
    """The rendered messages themselves never contain a word for 'debtor'."""
    for template in library:
        if template.locale in {"de", "nl", "en", "fr"}:
            message = library.preview(
                template.id, template.channel, locale=template.locale, tone=template.tone
            )
            dumped = message.model_dump_json()
            assert not FORBIDDEN.search(dumped), template.label


def test_swiss_german_writes_ss(library: cc.TemplateLibrary) -> None:
    """The de_CH variant of the packs writes 'Grüsse', never 'ß', and formats in CHF."""
    message = library.preview("reminder", "email", locale="de_CH")
    assert isinstance(message, cc.EmailMessage)
    assert "Freundliche Grüsse" in message.text
    assert "ß" not in message.text.replace("Heidestraße", "")
    assert "CHF" in message.text


def test_email_html_is_responsive_with_a_bulletproof_button(library: cc.TemplateLibrary) -> None:
    """The HTML uses table layout, inline styles, a viewport and a VML fallback button."""
    message = library.preview("reminder", "email", locale="en")
    assert isinstance(message, cc.EmailMessage)
    html = message.html or ""
    assert 'name="viewport"' in html
    assert 'role="presentation"' in html
    assert "v:roundrect" in html
    assert "@media only screen" in html
    assert html.count("https://pay.muster.example/p/7Hq2xWm9LkPz") >= 3


def test_thank_you_has_no_pay_button(library: cc.TemplateLibrary) -> None:
    """The payment-received message neither asks for money nor shows a pay button."""
    message = library.preview("payment_received", "email", locale="nl")
    assert isinstance(message, cc.EmailMessage)
    assert "Nu betalen" not in (message.html or "")
    assert "IBAN" not in message.text


@settings(max_examples=25, deadline=None)
@given(
    name=st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß -ABCDEFGHIJ", min_size=1, max_size=45),
    cents=st.integers(min_value=1, max_value=10**10),
    language=st.sampled_from(["de", "nl", "en", "fr"]),
)
def test_sms_fit_the_channel_cap_for_any_gsm_name(name: str, cents: int, language: str) -> None:
    """Whatever the (GSM) name and amount, every built-in SMS fits the SMS channel's cap."""
    library = _shared_library()
    amount = cc.Money(Decimal(cents).scaleb(-2), "EUR")
    invoice = cc.Invoice(
        id="INV-2026-000001", amount=amount, issued_on=date(2026, 1, 1), due_on=date(2026, 2, 1)
    )
    debtor = cc.Debtor(
        id="C-1", name=name.strip() or "A", locale=language,
        contacts=cc.Contacts(phone="+4915112345678"),
    )  # fmt: skip
    case = cc.Case(id="C-1", debtor=debtor, invoices=[invoice])
    for stage in STAGES:
        for tone in TONES:
            message = library.render(stage, cc.SMS, case, _CREDITOR, at=_AT, tone=tone,
                                     idempotency_key="k")  # fmt: skip
            assert isinstance(message, cc.SmsMessage)
            assert message.segments <= 3


_AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
_CREDITOR = cc.Creditor(name="Muster GmbH", iban="DE89370400440532013000")


@functools.cache
def _shared_library() -> cc.TemplateLibrary:
    return cc.TemplateLibrary.builtin()


@pytest.mark.parametrize(
    "name",
    ["François Lefèvre", "Ayşe Yılmaz", "Łukasz Nowak", "Siobhán Ó Briain", "Nguyễn Thị Minh"],
)
def test_sms_with_a_pay_link_stay_in_gsm7_for_names_with_marks(name: str) -> None:
    """Names with marks outside GSM-7 keep a built-in SMS with pay link in GSM-7 and its cap."""
    library = _shared_library()
    creditor = _CREDITOR.model_copy(
        update={
            "payment_page": "https://pay.muster.example/{token}",
            "link_secret": SecretStr("a-very-long-test-secret-0123456789"),
        }
    )
    invoice = cc.Invoice(
        id="RE-2026-0001", amount=cc.Money("123.45", "EUR"), issued_on=date(2026, 1, 1),
        due_on=date(2026, 2, 1),
    )  # fmt: skip
    for language in ("de", "fr", "nl", "en"):
        debtor = cc.Debtor(id="C-1", name=name, locale=language,
                           contacts=cc.Contacts(phone="+4915112345678"))  # fmt: skip
        case = cc.Case(id="C-1", debtor=debtor, invoices=[invoice])
        payment = PaymentRequest.for_case(case, creditor, at=_AT)
        for stage in STAGES:
            for tone in TONES:
                message = library.render(stage, cc.SMS, case, creditor, at=_AT, tone=tone,
                                         idempotency_key="k", payment=payment)  # fmt: skip
                assert isinstance(message, cc.SmsMessage)
                assert payment.link is not None
                assert (payment.link in message.text) is (stage != "payment_received")
                assert (message.encoding, message.segments <= 3) == ("GSM-7", True)
