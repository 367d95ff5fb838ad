"""Structured payment references: ISO 11649 RF, Belgian OGM, Dutch betalingskenmerk, Swiss QRR.

python-stdnum covers RF (``stdnum.iso11649``), the Belgian OGM-VCS (``stdnum.be.ogm_vcs``) and
the Swiss QR reference (``stdnum.ch.esr``); only the Dutch betalingskenmerk is implemented here,
from the Betaalvereniging specification.
"""

from __future__ import annotations

import enum
import functools
import re

from stdnum import iso11649
from stdnum.be import ogm_vcs
from stdnum.ch import esr
from stdnum.exceptions import ValidationError as StdnumError

from creditcomms.errors import PaymentReferenceError

__all__ = [
    "ReferenceScheme",
    "format_reference",
    "make_reference",
    "validate_reference",
]

_NL_WEIGHTS = (2, 4, 8, 5, 10, 9, 7, 3, 6, 1)
_NL_ALLOWED_LENGTHS = frozenset({7, 9, 10, 11, 12, 13, 14, 16})


class ReferenceScheme(enum.StrEnum):
    """A structured payment reference standard."""

    RF = "rf"
    """ISO 11649 creditor reference (``RF18 5390 0754 7034``), valid across SEPA."""
    BE_OGM = "be_ogm"
    """Belgian structured communication (``+++010/8068/17183+++``)."""
    NL = "nl"
    """Dutch betalingskenmerk (16 digits with a weighted mod-11 check digit)."""
    CH_QRR = "ch_qrr"
    """Swiss QR reference: 27 digits, mod-10 recursive check digit, only with a QR-IBAN."""


def _digits_of(source: str, scheme: ReferenceScheme, width: int) -> str:
    digits = re.sub(r"\D", "", source)
    if not digits or not digits.strip("0"):
        raise PaymentReferenceError(
            f"cannot make a {scheme.value} reference from {source!r}: it needs a number with at"
            " least one non-zero digit; pass an invoice number that contains digits"
        )
    if len(digits) > width:
        raise PaymentReferenceError(
            f"cannot make a {scheme.value} reference from {source!r}: its {len(digits)} digits"
            f" exceed the {width} the scheme holds; pass a shorter number"
        )
    return digits.zfill(width)


_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]")


def _rf(source: str) -> str:
    body = _NOT_ALPHANUMERIC.sub("", source).upper()
    if not body:
        raise PaymentReferenceError(
            f"cannot make an RF reference from {source!r}: it has no letters or digits"
        )
    if len(body) > 21:
        raise PaymentReferenceError(
            f"cannot make an RF reference from {source!r}: {len(body)} letters and digits exceed"
            " the 21 ISO 11649 allows; pass a shorter invoice number"
        )
    return "RF" + f"{98 - _mod97(body + 'RF00'):02d}" + body


# Digits map to themselves: ``str.translate`` pays for every character its table lacks.
_BASE36 = {ord(c): str(int(c, 36)) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_COMPACT_RF = re.compile(r"RF[0-9A-Z]{3,23}")


def _mod97(text: str) -> int:
    """ISO 7064 MOD 97-10 of ASCII digits and capitals (letters count as 10 to 35).

    The same sum as ``stdnum.iso7064.mod_97_10.checksum``, with one ``translate`` instead
    of a generator of ``int(x, 36)``: every generated RF reference is checked again.
    """
    return int(text.translate(_BASE36)) % 97


def _nl_check(rest: str) -> str:
    total = sum(int(digit) * _NL_WEIGHTS[i % 10] for i, digit in enumerate(reversed(rest)))
    check = 11 - total % 11
    return {10: "1", 11: "0"}.get(check, str(check))


def _nl(source: str) -> str:
    rest = _digits_of(source, ReferenceScheme.NL, 15)
    return _nl_check(rest) + rest


def make_reference(source: str, /, scheme: ReferenceScheme | str) -> str:
    """Generate a reference in ``scheme`` from an invoice number or case id.

    RF keeps letters and digits (``RE-2026-0001`` becomes ``RF..RE20260001``); the numeric
    schemes use the digits only, padded with leading zeros to the scheme's fixed length.

    Args:
        source: The invoice number (or case id) the reference identifies.
        scheme: The reference standard.

    Returns:
        The reference in its compact electronic form (no spaces, no ``+++``).

    Raises:
        PaymentReferenceError: ``source`` has no usable characters or is too long.

    Examples:
        >>> make_reference("539007547034", ReferenceScheme.RF)
        'RF18539007547034'
        >>> make_reference("0108068171", "be_ogm")
        '010806817183'
    """
    chosen = _scheme(scheme)
    if chosen is ReferenceScheme.RF:
        return _rf(source)
    if chosen is ReferenceScheme.BE_OGM:
        base = _digits_of(source, chosen, 10)
        return base + ogm_vcs.calc_check_digits(base)
    if chosen is ReferenceScheme.NL:
        return _nl(source)
    base = _digits_of(source, chosen, 26)
    return base + esr.calc_check_digit(base)


def _scheme(scheme: ReferenceScheme | str) -> ReferenceScheme:
    if type(scheme) is ReferenceScheme:  # the usual case, without the Enum call
        return scheme
    try:
        return ReferenceScheme(scheme)
    except ValueError:
        choices = ", ".join(repr(s.value) for s in ReferenceScheme)
        raise PaymentReferenceError(
            f"unknown reference scheme {scheme!r}; choose one of {choices}"
        ) from None


def _validate_nl(value: str) -> str:
    digits = re.sub(r"[\s.]", "", value)
    if not digits.isdigit() or len(digits) not in _NL_ALLOWED_LENGTHS:
        raise PaymentReferenceError(f"betalingskenmerk {value!r} must be 7, 9 to 14, or 16 digits")
    if len(digits) == 7:
        return digits  # the 7-digit form carries no check digit
    if len(digits) < 16 and int(digits[1]) != (len(digits) - 2) % 10:
        raise PaymentReferenceError(
            f"betalingskenmerk {value!r}: its length digit {digits[1]} does not match the"
            f" {len(digits) - 2} digits that follow it"
        )
    if _nl_check(digits[1:]) != digits[0]:
        raise PaymentReferenceError(
            f"betalingskenmerk {value!r} fails its check digit; copy it again from the invoice"
        )
    return digits


def validate_reference(value: str, /, scheme: ReferenceScheme | str) -> str:
    """Check a reference's format and check digits; return its compact form.

    Raises:
        PaymentReferenceError: the reference is malformed or its check digits are wrong.

    Examples:
        >>> validate_reference("RF18 5390 0754 7034", "rf")
        'RF18539007547034'
        >>> validate_reference("+++010/8068/17183+++", "be_ogm")
        '010806817183'
    """
    return _validated(value, _scheme(scheme))


@functools.lru_cache(maxsize=4096)
def _validated(value: str, chosen: ReferenceScheme) -> str:
    # Check digits via python-stdnum are slow next to a look-up, and every payment request
    # checks its reference up to three times (choose, EPC payload, display form).
    if chosen is ReferenceScheme.NL:
        return _validate_nl(value)
    compact_rf = chosen is ReferenceScheme.RF and _COMPACT_RF.fullmatch(value)
    if compact_rf and _mod97(value[4:] + value[:4]) == 1:
        return value  # already compact, as make_reference writes it, with good check digits
    module = {
        ReferenceScheme.RF: iso11649,
        ReferenceScheme.BE_OGM: ogm_vcs,
        ReferenceScheme.CH_QRR: esr,
    }[chosen]
    try:
        compact = str(module.validate(value))
    except StdnumError as exc:
        raise PaymentReferenceError(
            f"{chosen.value} reference {value!r} is invalid ({exc}); copy it again from the"
            " invoice or generate one with make_reference()"
        ) from None
    if chosen is ReferenceScheme.CH_QRR:
        digits = value.replace(" ", "")
        if len(digits) != 27:
            raise PaymentReferenceError(
                f"Swiss QR reference {value!r} must have 27 digits, not {len(digits)}"
            )
        return digits  # stdnum drops leading zeros; the QR-bill keeps all 27
    return compact


def format_reference(value: str, /, scheme: ReferenceScheme | str) -> str:
    """Return the reference as printed for people (grouped, OGM with ``+++``).

    Examples:
        >>> format_reference("RF18539007547034", "rf")
        'RF18 5390 0754 7034'
        >>> format_reference("010806817183", "be_ogm")
        '+++010/8068/17183+++'
    """
    return _formatted(value, _scheme(scheme))


@functools.lru_cache(maxsize=4096)
def _formatted(value: str, chosen: ReferenceScheme) -> str:
    compact = validate_reference(value, chosen)
    if chosen is ReferenceScheme.RF:
        return str(iso11649.format(compact))
    if chosen is ReferenceScheme.BE_OGM:
        return f"+++{ogm_vcs.format(compact)}+++"
    if chosen is ReferenceScheme.CH_QRR:
        return str(esr.format(compact))
    return " ".join(compact[max(0, i - 4) : i] for i in range(len(compact), 0, -4)[::-1])
