"""Structured references: the specifications' own examples and properties of check digits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditcomms.errors import PaymentReferenceError
from creditcomms.payments import (
    ReferenceScheme,
    detect_scheme,
    format_reference,
    make_reference,
    validate_reference,
)

ALNUM = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=21)


def _digits(max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=1, max_size=max_size).filter(
        lambda s: s.strip("0") != ""
    )


class TestSpecificationExamples:
    """Each scheme reproduces the examples of its specification."""

    def test_rf_from_iso_11649_example(self) -> None:
        """``539007547034`` becomes ``RF18539007547034``, printed in groups of four."""
        reference = make_reference("539007547034", ReferenceScheme.RF)
        assert reference == "RF18539007547034"
        assert format_reference(reference, "rf") == "RF18 5390 0754 7034"

    def test_rf_keeps_letters_and_drops_punctuation(self) -> None:
        """An invoice number with letters and dashes becomes a valid RF of its characters."""
        reference = make_reference("re-2026/0001", "rf")
        assert reference.endswith("RE20260001")
        assert validate_reference(reference, "rf") == reference

    def test_belgian_ogm_example(self) -> None:
        """Base ``0108068171`` gets check digits ``83``, shown as ``+++010/8068/17183+++``."""
        reference = make_reference("0108068171", ReferenceScheme.BE_OGM)
        assert reference == "010806817183"
        assert format_reference(reference, "be_ogm") == "+++010/8068/17183+++"
        assert validate_reference("+++010/8068/17183+++", "be_ogm") == reference

    def test_dutch_betalingskenmerk_examples(self) -> None:
        """Both Betaalvereniging examples validate: 16 digits (C=5) and 14 digits (C=1, L=2)."""
        assert validate_reference("5000 0567 8901 2345", "nl") == "5000056789012345"
        assert validate_reference("12 2345 3462 2567", "nl") == "12234534622567"
        assert make_reference("000056789012345", "nl") == "5000056789012345"

    def test_dutch_seven_digits_have_no_check_digit(self) -> None:
        """A seven-digit betalingskenmerk is accepted as is."""
        assert validate_reference("1234567", "nl") == "1234567"

    def test_swiss_qr_reference_example(self) -> None:
        """``21000000000313947143000901`` gets check digit 7 and keeps all 27 digits."""
        reference = make_reference("21000000000313947143000901", ReferenceScheme.CH_QRR)
        assert reference == "210000000003139471430009017"
        assert format_reference(reference, "ch_qrr") == "21 00000 00003 13947 14300 09017"
        padded = make_reference("RE-2026-0001", "ch_qrr")
        assert len(padded) == 27
        assert validate_reference(padded, "ch_qrr") == padded


class TestBadReferences:
    """Invalid references raise PaymentReferenceError naming the problem."""

    @pytest.mark.parametrize(
        ("value", "scheme"),
        [
            ("RF19539007547034", "rf"),
            ("+++010/8068/17184+++", "be_ogm"),
            ("5000 0567 8901 2346", "nl"),
            ("12345678", "nl"),
            ("13 2345 3462 2567", "nl"),
            ("210000000003139471430009018", "ch_qrr"),
            ("21000000000313947143000901", "ch_qrr"),
        ],
    )
    def test_wrong_check_digits_or_length(self, value: str, scheme: str) -> None:
        """A changed check digit, a wrong length or length digit is refused."""
        with pytest.raises(PaymentReferenceError):
            validate_reference(value, scheme)

    def test_too_long_sources(self) -> None:
        """Sources longer than the scheme holds are refused, not truncated."""
        with pytest.raises(PaymentReferenceError, match="21"):
            make_reference("A" * 22, "rf")
        with pytest.raises(PaymentReferenceError, match="10"):
            make_reference("12345678901", "be_ogm")

    def test_sources_without_digits(self) -> None:
        """A numeric scheme needs digits in the source."""
        with pytest.raises(PaymentReferenceError, match="digit"):
            make_reference("ABC", "be_ogm")

    def test_unknown_scheme(self) -> None:
        """An unknown scheme name lists the valid ones."""
        with pytest.raises(PaymentReferenceError, match="be_ogm"):
            make_reference("1", "iban")

    def test_detect_scheme(self) -> None:
        """Printed references are recognised by scheme; garbage is refused."""
        assert detect_scheme("RF18 5390 0754 7034") is ReferenceScheme.RF
        assert detect_scheme("210000000003139471430009017") is ReferenceScheme.CH_QRR
        assert detect_scheme("+++010/8068/17183+++") is ReferenceScheme.BE_OGM
        assert detect_scheme("5000056789012345") is ReferenceScheme.NL
        with pytest.raises(PaymentReferenceError):
            detect_scheme("hello")


def _change_one(value: str, position: int, alphabet: str) -> str:
    index = position % len(value)
    replacement = alphabet[(alphabet.index(value[index]) + 1) % len(alphabet)]
    return value[:index] + replacement + value[index + 1 :]


class TestCheckDigitProperties:
    """Generated references always validate, and single substitutions are caught."""

    @given(ALNUM)
    def test_rf_generated_validates(self, source: str) -> None:
        """Every generated RF reference passes ISO 11649 validation."""
        reference = make_reference(source, "rf")
        assert validate_reference(reference, "rf") == reference
        assert 5 <= len(reference) <= 25

    @given(ALNUM, st.integers(min_value=0, max_value=100))
    def test_rf_detects_single_substitution(self, source: str, position: int) -> None:
        """Changing one digit for a digit, or a letter for a letter, breaks the mod-97 check."""
        reference = make_reference(source, "rf")
        index = position % len(reference[4:])
        # A letter stands for two digits (A=10 ... Z=35): a letter for a digit can change
        # the length of the number, which mod 97 does not always catch, so stay in class.
        alphabet = "0123456789" if reference[4:][index].isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        body = _change_one(reference[4:], index, alphabet)
        with pytest.raises(PaymentReferenceError):
            validate_reference(reference[:4] + body, "rf")

    @given(_digits(10), st.integers(min_value=0, max_value=100))
    def test_ogm_generated_and_substitution(self, source: str, position: int) -> None:
        """OGM references validate; changing one digit of the base is caught."""
        reference = make_reference(source, "be_ogm")
        assert validate_reference(reference, "be_ogm") == reference
        changed = _change_one(reference[:10], position, "0123456789") + reference[10:]
        if changed[:10].strip("0"):
            with pytest.raises(PaymentReferenceError):
                validate_reference(changed, "be_ogm")

    @given(_digits(26), st.integers(min_value=0, max_value=100))
    def test_qrr_generated_and_substitution(self, source: str, position: int) -> None:
        """Swiss QR references validate; mod 10 recursive catches any one changed digit."""
        reference = make_reference(source, "ch_qrr")
        assert validate_reference(reference, "ch_qrr") == reference
        with pytest.raises(PaymentReferenceError):
            validate_reference(_change_one(reference, position, "0123456789"), "ch_qrr")

    @given(_digits(15))
    def test_nl_generated_validates(self, source: str) -> None:
        """Every generated 16-digit betalingskenmerk passes its weighted mod-11 check."""
        reference = make_reference(source, "nl")
        assert len(reference) == 16
        assert validate_reference(reference, "nl") == reference


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh -", min_size=1, max_size=21))
def test_rf_fast_path_agrees_with_stdnum(source: str) -> None:
    """Generated RF references and their check equal python-stdnum's, valid or not."""
    from stdnum import iso11649
    from stdnum.iso7064 import mod_97_10

    body = "".join(c for c in source if c.isalnum()).upper()
    if not body:
        return
    made = make_reference(source, ReferenceScheme.RF)
    assert made == "RF" + mod_97_10.calc_check_digits(body + "RF") + body
    assert validate_reference(made, "rf") == iso11649.validate(made) == made
    broken = made[:2] + f"{(int(made[2:4]) + 1) % 100:02d}" + made[4:]
    assert iso11649.is_valid(broken) is False
    with pytest.raises(PaymentReferenceError):
        validate_reference(broken, "rf")
