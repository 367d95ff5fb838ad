"""EPC069-12 QR codes: exact payloads, decoded by zxing-cpp, and every rule enforced."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import creditcomms as cc
from creditcomms.payments import epc_payload, epc_qr, make_reference

Decoder = Callable[[bytes], list[bytes]]

IBAN = "DE89370400440532013000"


def _eur(amount: str) -> cc.Money:
    return cc.Money(amount, "EUR")


class TestPayload:
    """The payload follows EPC069-12 version 002 line by line."""

    def test_epc_example_one_layout(self) -> None:
        """The EPC example (structured, with BIC and purpose) has the expected 11 lines."""
        payload = epc_payload(
            name="Franz Mustermänn",
            iban="DE71110220330123456789",
            amount=_eur("12.30"),
            bic="BHBLDEHHXXX",
            purpose="GDDS",
            reference="RF18539007547034",
        )
        assert payload == (
            "BCD\n002\n1\nSCT\nBHBLDEHHXXX\nFranz Mustermänn\nDE71110220330123456789\n"
            "EUR12.30\nGDDS\nRF18539007547034"
        )

    def test_unstructured_without_bic(self) -> None:
        """Without BIC the line stays empty; the text goes to line 11; no trailing LF."""
        payload = epc_payload(
            name="François D'Alsace S.A.",
            iban="FR1420041010050500013M02606",
            amount=_eur("12.30"),
            text="Client:Marie Louise La Lune",
        )
        assert payload.split("\n") == [
            "BCD", "002", "1", "SCT", "", "François D'Alsace S.A.",
            "FR1420041010050500013M02606", "EUR12.30", "", "", "Client:Marie Louise La Lune",
        ]  # fmt: skip
        assert not payload.endswith("\n")

    def test_open_amount_and_line_breaks(self) -> None:
        """An open amount leaves line 8 empty; CR/LF inside fields become spaces."""
        payload = epc_payload(name="Muster\r\nGmbH", iban=IBAN, amount=None, text="a\nb")
        assert payload.split("\n")[5] == "Muster GmbH"
        assert payload.split("\n")[7] == ""
        assert payload.endswith("\na b")

    def test_information_line(self) -> None:
        """Beneficiary-to-originator information is line 12."""
        payload = epc_payload(name="M", iban=IBAN, amount=_eur("1.00"), information="Danke")
        assert payload.split("\n")[11] == "Danke"


class TestDecoded:
    """Every generated code decodes, byte for byte, to its payload (zxing-cpp)."""

    @pytest.mark.parametrize(
        ("name", "amount", "reference", "text"),
        [
            ("Muster GmbH", "0.01", "RF18539007547034", None),
            ("Muster GmbH", "999999999.99", None, "RE-2026-0001"),
            ("Bäckerei Müller & Söhne GmbH", "123.45", None, "Grüße & Dank für Ihre Zahlung"),
            ("Ä" * 70, "1.00", None, "ß" * 60),
            ("Muster GmbH", "5.00", make_reference("A" * 21, "rf"), None),
            ("Muster GmbH", "5.00", None, "x" * 140),
        ],
    )
    def test_payload_round_trip(
        self, decode: Decoder, name: str, amount: str, reference: str | None, text: str | None
    ) -> None:
        """The decoder returns the exact UTF-8 payload; the symbol stays within version 13."""
        qr = epc_qr(
            name=name, iban=IBAN, amount=_eur(amount), reference=reference, text=text,
            bic="COBADEFFXXX",
        )  # fmt: skip
        assert qr.version <= 13
        assert decode(qr.png()) == [qr.payload.encode("utf-8")]
        if reference:
            assert len(reference) == 25 or reference == "RF18539007547034"

    def test_maximum_payload_fits_version_13(self, decode: Decoder) -> None:
        """A payload of exactly 331 bytes needs version 13, and decodes."""
        qr = epc_qr(
            name="N" * 70, iban=IBAN, amount=_eur("999999999.99"), bic="COBADEFFXXX",
            text="t" * 118, information="i" * 70, purpose="GDDS",
        )  # fmt: skip
        assert len(qr.payload.encode()) == 331
        assert qr.version == 13
        assert decode(qr.png(scale=3)) == [qr.payload.encode()]


class TestRejected:
    """Bad input raises a specific error before anything is encoded."""

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"iban": "DE89370400440532013001"}, cc.QRCodeError, "check digits"),
            ({"iban": "US12345678901234"}, cc.QRCodeError, "check digits"),
            ({"iban": "BR1800360305000010009795493C1"}, cc.QRCodeError, "not in SEPA"),
            ({"amount": cc.Money("0.00", "EUR")}, cc.QRCodeError, "0.01"),
            ({"amount": cc.Money("1000000000.00", "EUR")}, cc.QRCodeError, "999999999.99"),
            ({"amount": cc.Money("10.00", "USD")}, cc.QRCodeError, "EUR"),
            ({"reference": "RF18539007547034", "text": "x"}, cc.QRCodeError, "not both"),
            ({"reference": "RF19539007547034"}, cc.PaymentReferenceError, "RF19"),
            ({"text": "x" * 141}, cc.QRCodeError, "140"),
            ({"name": "N" * 71}, cc.QRCodeError, "70"),
            ({"name": " "}, cc.QRCodeError, "empty"),
            ({"bic": "NOTABIC"}, cc.QRCodeError, "BIC"),
            ({"purpose": "GOODS"}, cc.QRCodeError, "purpose"),
            ({"iban": "CH9300762011623852957"}, cc.QRCodeError, "BIC"),
        ],
    )
    def test_error(self, kwargs: dict[str, object], error: type[Exception], match: str) -> None:
        """Each broken rule raises its error with a message naming the field."""
        args: dict[str, object] = {"name": "Muster GmbH", "iban": IBAN, "amount": _eur("1.00")}
        args.update(kwargs)
        with pytest.raises(error, match=match):
            epc_qr(**args)  # type: ignore[arg-type]

    def test_payload_over_331_bytes(self) -> None:
        """Multi-byte characters can push a payload past 331 bytes: refused."""
        with pytest.raises(cc.QRCodeError, match="331"):
            epc_payload(
                name="€" * 70, iban=IBAN, amount=_eur("1.00"), text="€" * 140,
                information="€" * 70, bic="COBADEFFXXX",
            )  # fmt: skip


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=70,
    ).filter(lambda s: s.strip() and not any(c in s for c in "\r\n\x85")),
    cents=st.integers(min_value=1, max_value=99_999_999_999),
)
def test_any_name_and_amount_decode(decode: Decoder, name: str, cents: int) -> None:
    """Any printable name and any amount in range round-trip through zxing-cpp exactly."""
    amount = cc.Money(Decimal(cents).scaleb(-2), "EUR")
    qr = epc_qr(name=name, iban=IBAN, amount=amount, text="RE-2026-0001")
    assert qr.payload.split("\n")[7] == f"EUR{amount.amount}"
    assert decode(qr.png()) == [qr.payload.encode("utf-8")]
