"""PaymentRequest.for_case: one claim with the same amount, reference, link and QR code."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

import creditcomms as cc
from creditcomms.payments import (
    FeeLine,
    PayClaim,
    PaymentRequest,
    QRKind,
    ReferenceScheme,
    SwissBill,
    sign_link,
    verify_link,
)

Decoder = Callable[[bytes], list[bytes]]


def _single(case: cc.Case, amount: str, currency: str, **changes: object) -> cc.Case:
    """The case's debtor with one open invoice of ``amount``."""
    invoice = cc.Invoice(
        id=str(changes.pop("id", "RE-2026-0001")),
        amount=cc.Money(amount, currency),
        issued_on=date(2026, 10, 1),
        due_on=date(2026, 10, 31),
        **changes,  # type: ignore[arg-type]
    )
    return cc.Case(debtor=case.debtor, invoices=[invoice])


class TestEuroRequest:
    """A euro case with a German creditor gets an EPC QR code, an RF reference and a link."""

    def test_defaults(
        self, case: cc.Case, creditor: cc.Creditor, now: datetime, decode: Decoder
    ) -> None:
        """Amount, RF reference, EPC payload, link and token agree with each other."""
        request = PaymentRequest.for_case(case, creditor, at=now)
        assert request.amount == cc.Money("123.45", "EUR")
        assert request.reference == "RF40RE20260001"
        assert request.reference_scheme is ReferenceScheme.RF
        assert request.reference_display == "RF40 RE20 2600 01"
        assert request.qr_kind is QRKind.EPC
        assert request.qr_payload == (
            "BCD\n002\n1\nSCT\nCOBADEFFXXX\nMuster GmbH\nDE89370400440532013000\n"
            "EUR123.45\n\nRF40RE20260001"
        )
        assert request.token is not None
        assert request.link == f"https://pay.muster.example/{request.token}"
        assert request.expires_at == now + timedelta(days=30)
        assert verify_link(request.token, creditor, at=now) == request.claim
        assert request.qr_png is not None
        assert decode(request.qr_png) == [request.qr_payload.encode()]

    def test_template_attributes(self, case: cc.Case, creditor: cc.Creditor, now: datetime) -> None:
        """Templates find link, reference, qr_svg, qr_data_uri, amount and token."""
        request = PaymentRequest.for_case(case, creditor, at=now)
        assert request.qr_svg is not None
        assert request.qr_svg.startswith("<svg")
        assert "<title>EPC QR code</title>" in request.qr_svg
        assert request.qr_data_uri is not None
        assert request.qr_data_uri.startswith("data:image/png;base64,")
        assert isinstance(request.amount, cc.Money)

    def test_all_open_invoices_and_subset(
        self, two_invoice_case: cc.Case, creditor: cc.Creditor, now: datetime
    ) -> None:
        """Default: every open invoice (the paid one left out); or only the chosen ones."""
        everything = PaymentRequest.for_case(two_invoice_case, creditor, at=now)
        assert everything.invoice_ids == ("RE-2026-0001", "RE-2026-0002")
        assert everything.amount == cc.Money("222.45", "EUR")
        assert everything.reference == "RF34C1001"  # from the case id
        assert everything.remittance == "RE-2026-0001, RE-2026-0002"
        one = PaymentRequest.for_case(
            two_invoice_case, creditor, at=now, invoice_ids=["RE-2026-0002"]
        )
        assert one.amount == cc.Money("99.00", "EUR")
        assert one.claim.invoice_ids == ("RE-2026-0002",)

    def test_fees_are_added(self, case: cc.Case, creditor: cc.Creditor, now: datetime) -> None:
        """Fee lines raise the amount of the request, the link and the QR code."""
        fee = FeeLine(label="Mahngebühr", amount=cc.Money("2.50", "EUR"))
        request = PaymentRequest.for_case(case, creditor, at=now, fees=[fee])
        assert request.amount == cc.Money("125.95", "EUR")
        assert request.qr_payload is not None
        assert "\nEUR125.95\n" in request.qr_payload
        assert request.claim.amount == request.amount

    def test_printed_reference_is_reused(
        self, case: cc.Case, creditor: cc.Creditor, now: datetime
    ) -> None:
        """An OGM printed on the invoice is kept and goes into the EPC text line."""
        invoice = case.invoices[0].model_copy(update={"reference": "+++010/8068/17183+++"})
        belgian = case.model_copy(update={"invoices": (invoice,)})
        request = PaymentRequest.for_case(belgian, creditor, at=now)
        assert request.reference == "010806817183"
        assert request.reference_scheme is ReferenceScheme.BE_OGM
        assert request.qr_payload is not None
        assert request.qr_payload.endswith("\n\n\n+++010/8068/17183+++")

    def test_no_reference(self, case: cc.Case, creditor: cc.Creditor, now: datetime) -> None:
        """reference_scheme=None puts the invoice numbers in the remittance text."""
        request = PaymentRequest.for_case(case, creditor, at=now, reference_scheme=None)
        assert request.reference is None
        assert request.qr_payload is not None
        assert request.qr_payload.endswith("\n\n\nRE-2026-0001")

    def test_no_secret_means_no_link(
        self, case: cc.Case, creditor: cc.Creditor, now: datetime
    ) -> None:
        """Without a payment page and secret there is no token and no link; EPC still works."""
        plain = creditor.model_copy(update={"link_secret": None, "payment_page": None})
        request = PaymentRequest.for_case(case, plain, at=now)
        assert request.token is None
        assert request.link is None
        assert request.qr_kind is QRKind.EPC

    def test_forced_link_qr_and_none(
        self, case: cc.Case, creditor: cc.Creditor, now: datetime, decode: Decoder
    ) -> None:
        """The host can force the link QR code, or no QR code at all."""
        link = PaymentRequest.for_case(case, creditor, at=now, qr="link")
        assert link.qr_payload == link.link
        assert link.qr_png is not None
        assert decode(link.qr_png) == [str(link.link).encode()]
        bare = PaymentRequest.for_case(case, creditor, at=now, qr=None)
        assert bare.qr_payload is None
        assert bare.qr_svg is None
        assert bare.qr_data_uri is None


class TestNonSepa:
    """Creditors outside SEPA and non-euro amounts get a link QR code."""

    def test_usd_gets_link_qr(self, case: cc.Case, creditor: cc.Creditor, now: datetime) -> None:
        """A USD case to a German IBAN cannot use EPC: auto picks the link QR code."""
        dollars = _single(case, "50.00", "USD")
        request = PaymentRequest.for_case(dollars, creditor, at=now)
        assert request.qr_kind is QRKind.LINK
        assert request.qr_payload == request.link

    def test_forced_epc_for_usd_is_refused(
        self, case: cc.Case, creditor: cc.Creditor, now: datetime
    ) -> None:
        """Forcing EPC for a non-euro amount raises QRCodeError naming EUR."""
        dollars = _single(case, "50.00", "USD")
        with pytest.raises(cc.QRCodeError, match="EUR"):
            PaymentRequest.for_case(dollars, creditor, at=now, qr="epc")

    def test_no_link_and_no_standard(self, case: cc.Case, now: datetime) -> None:
        """Without a QR standard and without a pay page, auto asks for a decision."""
        dollars = _single(case, "50.00", "USD")
        plain = cc.Creditor(name="X", iban="DE89370400440532013000")
        with pytest.raises(cc.ConfigurationError, match="payment_page"):
            PaymentRequest.for_case(dollars, plain, at=now)


class TestSwiss:
    """CH and LI creditors get a Swiss QR-bill; QR-IBAN and QR reference go together."""

    def test_qr_iban_gets_qr_reference(
        self, swiss_case: cc.Case, swiss_creditor: cc.Creditor, now: datetime, decode: Decoder
    ) -> None:
        """Auto picks the Swiss QR-bill with a 27-digit QR reference; the code decodes."""
        request = PaymentRequest.for_case(swiss_case, swiss_creditor, at=now)
        assert request.qr_kind is QRKind.SWISS
        assert request.reference == "000000000000000000202600427"
        assert request.reference_scheme is ReferenceScheme.CH_QRR
        payload = str(request.qr_payload)
        assert payload.startswith("SPC\r\n0200\r\n1\r\nCH4431999123000889012\r\nS\r\nMuster AG")
        assert "\r\n1949.75\r\nCHF\r\n" in payload
        assert "\r\nQRR\r\n000000000000000000202600427\r\n" in payload
        assert payload.endswith("\r\nEPD")
        assert request.qr_png is not None
        assert decode(request.qr_png) == [payload.encode()]
        assert "<svg" in request.swiss_bill().svg()

    def test_normal_iban_takes_rf(
        self, swiss_case: cc.Case, swiss_creditor: cc.Creditor, now: datetime
    ) -> None:
        """A normal Swiss IBAN carries an RF reference as SCOR."""
        normal = swiss_creditor.model_copy(update={"iban": "CH9300762011623852957"})
        request = PaymentRequest.for_case(swiss_case, normal, at=now)
        assert request.reference_scheme is ReferenceScheme.RF
        assert "\r\nSCOR\r\nRF" in str(request.qr_payload)

    def test_qr_iban_without_qr_reference(
        self, swiss_case: cc.Case, swiss_creditor: cc.Creditor, now: datetime
    ) -> None:
        """A QR-IBAN with an RF reference, or with none, raises QRCodeError."""
        with pytest.raises(cc.QRCodeError, match="QR-IBAN"):
            PaymentRequest.for_case(swiss_case, swiss_creditor, at=now, reference_scheme="rf")
        with pytest.raises(cc.QRCodeError, match="QR-IBAN"):
            PaymentRequest.for_case(swiss_case, swiss_creditor, at=now, reference_scheme=None)

    def test_qr_reference_needs_qr_iban(self, swiss_creditor: cc.Creditor) -> None:
        """A QR reference with a normal IBAN raises QRCodeError."""
        with pytest.raises(cc.QRCodeError, match="normal IBAN"):
            SwissBill(
                iban="CH9300762011623852957",
                creditor=swiss_creditor.address,  # type: ignore[arg-type]
                amount=cc.Money("1.00", "CHF"),
                reference="210000000003139471430009017",
            )

    def test_swiss_rules(self, swiss_creditor: cc.Creditor) -> None:
        """Non-Swiss IBANs and currencies other than CHF and EUR are refused."""
        address = swiss_creditor.address
        assert address is not None
        with pytest.raises(cc.QRCodeError, match="CH or LI"):
            SwissBill(iban="DE89370400440532013000", creditor=address, amount=None)
        with pytest.raises(cc.QRCodeError, match="CHF or EUR"):
            SwissBill(
                iban="CH9300762011623852957", creditor=address, amount=cc.Money("1.00", "USD")
            )

    def test_creditor_address_is_required(
        self, swiss_case: cc.Case, swiss_creditor: cc.Creditor, now: datetime
    ) -> None:
        """The QR-bill needs the creditor's structured address."""
        homeless = swiss_creditor.model_copy(update={"address": None})
        with pytest.raises(cc.QRCodeError, match="address"):
            PaymentRequest.for_case(swiss_case, homeless, at=now)

    def test_missing_extra(
        self,
        swiss_case: cc.Case,
        swiss_creditor: cc.Creditor,
        now: datetime,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Without the swiss extra a Swiss QR-bill raises MissingExtraError naming it."""
        monkeypatch.setitem(sys.modules, "qrbill", None)
        with pytest.raises(cc.MissingExtraError, match=r"creditcomms\[swiss\]"):
            PaymentRequest.for_case(swiss_case, swiss_creditor, at=now)


class TestBadCases:
    """Requests that cannot be expressed raise before anything is sent."""

    def test_unknown_and_paid_invoices(
        self, two_invoice_case: cc.Case, creditor: cc.Creditor, now: datetime
    ) -> None:
        """Unknown invoice ids and paid invoices raise PaymentDataError."""
        with pytest.raises(cc.PaymentDataError, match="RE-9"):
            PaymentRequest.for_case(two_invoice_case, creditor, at=now, invoice_ids=["RE-9"])
        with pytest.raises(cc.PaymentDataError, match="nothing open"):
            PaymentRequest.for_case(
                two_invoice_case, creditor, at=now, invoice_ids=["RE-2026-0003"]
            )

    def test_nothing_open(self, case: cc.Case, creditor: cc.Creditor, now: datetime) -> None:
        """A fully paid case has nothing to request."""
        settled = _single(
            case, "5.00", "EUR", status=cc.InvoiceStatus.PAID, open_amount=cc.Money("0", "EUR")
        )
        with pytest.raises(cc.PaymentDataError, match="no open invoice"):
            PaymentRequest.for_case(settled, creditor, at=now)

    def test_page_without_secret(self, case: cc.Case, creditor: cc.Creditor, now: datetime) -> None:
        """A payment page without a link secret is a configuration error."""
        unsigned = creditor.model_copy(update={"link_secret": None})
        with pytest.raises(cc.ConfigurationError, match="link_secret"):
            PaymentRequest.for_case(case, unsigned, at=now)

    def test_amount_over_epc_limit(
        self, case: cc.Case, creditor: cc.Creditor, now: datetime
    ) -> None:
        """A billion euros cannot go into an EPC QR code."""
        big = _single(case, "1000000000.00", "EUR")
        with pytest.raises(cc.QRCodeError, match=r"999999999\.99"):
            PaymentRequest.for_case(big, creditor, at=now)

    def test_fee_in_other_currency(
        self, case: cc.Case, creditor: cc.Creditor, now: datetime
    ) -> None:
        """A fee in another currency is refused; a zero fee is invalid input."""
        with pytest.raises(cc.PaymentDataError, match="CHF"):
            PaymentRequest.for_case(
                case, creditor, at=now, fees=[FeeLine(label="Fee", amount=cc.Money("1", "CHF"))]
            )
        with pytest.raises(cc.ValidationError, match="above zero"):
            FeeLine(label="Fee", amount=cc.Money("0", "EUR"))

    def test_reference_too_long_for_rf(
        self, case: cc.Case, creditor: cc.Creditor, now: datetime
    ) -> None:
        """An id too long for RF (a UUID) goes whole as remittance text; forced RF raises."""
        for long_id in ("INV-" + "9" * 30, "3f2b8c1e-9a4d-4f6b-8e2a-5c7d9b1a0e44"):
            odd = _single(case, "5.00", "EUR", id=long_id)
            request = PaymentRequest.for_case(odd, creditor, at=now)
            assert (request.reference, request.reference_scheme) == (None, None)
            assert long_id in request.remittance
            assert request.qr_payload is not None
            assert request.qr_payload.splitlines()[-1] == request.remittance
            with pytest.raises(cc.PaymentReferenceError, match="21"):
                PaymentRequest.for_case(odd, creditor, at=now, reference_scheme="rf")


def test_bad_clock_and_expiry(case: cc.Case, creditor: cc.Creditor, now: datetime) -> None:
    """A naive ``at`` and a non-positive ``expires_in`` are refused."""
    with pytest.raises(cc.ValidationError, match="at"):
        PaymentRequest.for_case(case, creditor, at=now.replace(tzinfo=None))
    with pytest.raises(cc.PaymentDataError, match="expires_in"):
        PaymentRequest.for_case(case, creditor, at=now, expires_in=timedelta(0))


def test_json_round_trip_and_keywords(case: cc.Case, creditor: cc.Creditor, now: datetime) -> None:
    """A request survives JSON (for an outbox) and can be built with keyword arguments."""
    fee = FeeLine(label="Mahngebühr", amount=cc.Money("2.50", "EUR"))
    request = PaymentRequest.for_case(case=case, creditor=creditor, at=now, fees=[fee])
    again = PaymentRequest.model_validate_json(request.model_dump_json())
    assert again == request
    assert again.qr_svg == request.qr_svg


def test_claim_and_reference_equal_the_validated_path(
    case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """The request's claim (built without re-validation) equals a validated PayClaim."""
    request = cc.PaymentRequest.for_case(case, creditor, at=now)
    again = cc.PaymentRequest.for_case(case, creditor, at=now)  # cached reference, same result
    validated = PayClaim(
        case_id=case.id,
        invoice_ids=tuple(i.id for i in case.open_invoices),
        amount=request.amount,
        expires_at=now + timedelta(days=30),
    )
    assert request.claim == validated
    assert request.token == again.token == sign_link(validated, creditor)
    assert request == again


@pytest.mark.parametrize(
    "options",
    [{}, {"qr": None}, {"qr": "link"}, {"reference_scheme": None}, {"reference_scheme": "nl"}],
)
def test_request_equals_the_validated_path(
    case: cc.Case, creditor: cc.Creditor, now: datetime, options: dict[str, object]
) -> None:
    """A request built without re-validation equals one validated from the same data."""
    request = PaymentRequest.for_case(case, creditor, at=now, **options)  # type: ignore[arg-type]
    validated = PaymentRequest.model_validate(request.model_dump())
    assert request == validated
    assert request.model_fields_set == validated.model_fields_set
    assert request.model_dump_json() == validated.model_dump_json()
    assert request.qr_data_uri == validated.qr_data_uri


def test_swiss_request_equals_the_validated_path(
    swiss_case: cc.Case, swiss_creditor: cc.Creditor, now: datetime
) -> None:
    """The Swiss QR-bill request, too, equals its validated twin."""
    request = PaymentRequest.for_case(swiss_case, swiss_creditor, at=now)
    validated = PaymentRequest.model_validate(request.model_dump())
    assert request == validated
    assert request.qr_payload == validated.swiss_bill().payload
