"""The payment QR code travels as an inline (cid:) image exactly when an email's HTML shows it."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime

import pytest

import creditcomms as cc
from creditcomms.payments import PaymentRequest
from qr_kit import decode_png


@dataclass(frozen=True)
class Payment:
    """A custom payment object with only the documented `PaymentDetails` attributes."""

    amount: cc.Money
    link: str | None = None
    reference: str | None = "RF18539007547034"
    qr_svg: str | None = None
    qr_data_uri: str | None = None


def _custom(html: str) -> cc.TemplateLibrary:
    return cc.TemplateLibrary(
        [
            cc.Template(
                id="reminder", channel="email", locale="de",
                parts={"subject": "Erinnerung", "text": "Bitte zahlen.", "html": html},
            )
        ]
    )  # fmt: skip


def _render(
    library: cc.TemplateLibrary,
    case: cc.Case,
    creditor: cc.Creditor,
    now: datetime,
    payment: object,
    *,
    channel: str = "email",
) -> cc.Message:
    return library.render(
        "reminder", channel, case, creditor, at=now, idempotency_key="k-1",
        payment=payment,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.fixture(name="request_")
def _request(case: cc.Case, creditor: cc.Creditor, now: datetime) -> PaymentRequest:
    """A real payment request with an EPC QR code."""
    return PaymentRequest.for_case(case, creditor, at=now)


def test_builtin_email_carries_the_qr_code_inline(
    library: cc.TemplateLibrary,
    case: cc.Case,
    creditor: cc.Creditor,
    now: datetime,
    request_: PaymentRequest,
) -> None:
    """The layout shows cid:<id>; the email holds the PNG under that id, and it decodes."""
    message = _render(library, case, creditor, now, request_)
    assert isinstance(message, cc.EmailMessage)
    assert message.html is not None
    assert request_.qr_src is not None
    assert request_.qr_content_id is not None
    assert f'src="{request_.qr_src}"' in message.html
    assert "data:image/png" not in message.html
    (image,) = message.attachments
    assert image.inline
    assert image.content_id == request_.qr_content_id
    assert image.content_type == "image/png"
    assert decode_png(image.data) == [str(request_.qr_payload).encode()]
    parsed = email.message_from_bytes(message.to_mime().as_bytes(), policy=email.policy.default)
    assert [p.get_content_type() for p in parsed.walk()] == [
        "multipart/alternative", "text/plain", "multipart/related", "text/html", "image/png",
    ]  # fmt: skip


def test_rendering_twice_gives_the_same_message(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """The content id comes from the QR payload: a retry renders the same bytes."""
    first = PaymentRequest.for_case(case, creditor, at=now)
    again = PaymentRequest.for_case(case, creditor, at=now)
    one = _render(library, case, creditor, now, first)
    two = _render(library, case, creditor, now, again)
    assert one.model_dump_json() == two.model_dump_json()
    other = case.model_copy(update={"id": "C-other"})
    elsewhere = PaymentRequest.for_case(other, creditor, at=now, reference_scheme=None)
    assert elsewhere.qr_content_id != first.qr_content_id


def test_no_attachment_when_the_html_does_not_show_it(
    case: cc.Case, creditor: cc.Creditor, now: datetime, request_: PaymentRequest
) -> None:
    """A user template on data URIs, or with no QR code at all, gets no inline part."""
    uri = _render(
        _custom('{% if payment %}<img src="{{ payment.qr_data_uri }}">{% endif %}'),
        case,
        creditor,
        now,
        request_,
    )
    assert isinstance(uri, cc.EmailMessage)
    assert uri.attachments == ()
    assert uri.html is not None
    assert uri.html.startswith('<img src="data:image/png;base64,')
    plain = _render(_custom("<p>{{ invoice.id }}</p>"), case, creditor, now, request_)
    assert isinstance(plain, cc.EmailMessage)
    assert plain.attachments == ()


def test_user_template_can_use_qr_src(
    case: cc.Case, creditor: cc.Creditor, now: datetime, request_: PaymentRequest
) -> None:
    """``payment.qr_src`` in any HTML template attaches the image."""
    message = _render(
        _custom('{% if payment %}<img src="{{ payment.qr_src }}" alt="QR">{% endif %}'),
        case,
        creditor,
        now,
        request_,
    )
    assert isinstance(message, cc.EmailMessage)
    assert [a.content_id for a in message.attachments] == [request_.qr_content_id]


def test_other_channels_get_no_image(
    library: cc.TemplateLibrary,
    case: cc.Case,
    creditor: cc.Creditor,
    now: datetime,
    request_: PaymentRequest,
) -> None:
    """An SMS rendered from the same payment request carries nothing extra."""
    sms = _render(library, case, creditor, now, request_, channel="sms")
    assert isinstance(sms, cc.SmsMessage)
    assert "cid:" not in sms.text


def test_payment_without_qr_src_falls_back_to_the_data_uri(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """A custom payment object with only the documented attributes still shows its image."""
    payment = Payment(amount=case.open_amount, qr_data_uri="data:image/png;base64,QUJD")
    message = _render(library, case, creditor, now, payment)
    assert isinstance(message, cc.EmailMessage)
    assert message.html is not None
    assert 'src="data:image/png;base64,QUJD"' in message.html
    assert message.attachments == ()


_SHOW_QR_SRC = '{% if payment and payment.qr_src %}<img src="{{ payment.qr_src }}">{% endif %}'


@dataclass(frozen=True)
class _CidPayment(Payment):
    qr_src: str | None = None
    qr_png: bytes | None = None


def test_payment_with_qr_src_but_no_png_is_a_configuration_error(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """The HTML would show a missing image: the error names qr_png and the way out."""
    payment = _CidPayment(amount=case.open_amount, qr_src="cid:qr@muster.example")
    with pytest.raises(cc.ConfigurationError, match="no qr_png bytes"):
        _render(library, case, creditor, now, payment)


def test_custom_payment_with_a_bad_content_id_names_the_field(
    case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """A cid: URL with whitespace cannot become a Content-ID."""
    payment = _CidPayment(amount=case.open_amount, qr_src="cid:q r", qr_png=b"\x89PNG")
    with pytest.raises(cc.ValidationError) as caught:
        _render(_custom(_SHOW_QR_SRC), case, creditor, now, payment)
    assert caught.value.problems[0].field == "content_id"


def test_custom_payment_with_cid_and_png_is_attached(
    case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """Any payment object offering qr_src and qr_png gets the same treatment."""
    payment = _CidPayment(amount=case.open_amount, qr_src="cid:logo", qr_png=b"\x89PNG")
    message = _render(_custom(_SHOW_QR_SRC), case, creditor, now, payment)
    assert isinstance(message, cc.EmailMessage)
    (image,) = message.attachments
    assert (image.content_id, image.data, image.inline) == ("logo", b"\x89PNG", True)


def test_preview_and_sample_payment(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, request_: PaymentRequest
) -> None:
    """A preview without a payment shows no image and needs none; with one, it carries it."""
    message = library.preview("reminder", "email", locale="de")
    assert isinstance(message, cc.EmailMessage)
    assert message.attachments == ()
    assert message.html is not None
    assert "cid:" not in message.html
    real = library.preview(
        "reminder", "email", locale="de", case=case, creditor=creditor, payment=request_
    )
    assert isinstance(real, cc.EmailMessage)
    assert [a.content_id for a in real.attachments] == [request_.qr_content_id]
    assert request_.qr_data_uri is not None
    assert request_.qr_data_uri in real._repr_html_()
