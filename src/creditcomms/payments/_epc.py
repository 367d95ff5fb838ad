"""EPC069-12 payloads ("GiroCode"): validated before anything is encoded.

Layout (version 002, one element per line, LF separated, no trailing separator): ``BCD``,
``002``, character set ``1`` (UTF-8), ``SCT``, BIC, name, IBAN, ``EUR`` amount, purpose,
structured reference (RF) or unstructured text, information to the payer.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from stdnum import bic as stdnum_bic
from stdnum.exceptions import ValidationError as StdnumError

from creditcomms.errors import QRCodeError
from creditcomms.model import Money, normalize_iban

from ._qr import PaymentQR, QRKind, make_qr
from ._references import ReferenceScheme, validate_reference

__all__ = ["EEA_COUNTRIES", "SEPA_COUNTRIES", "epc_payload", "epc_qr"]

_EEA = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK"
EEA_COUNTRIES = frozenset(_EEA.split(" "))
"""IBAN countries of the European Economic Area: a BIC is optional in an EPC QR code."""

SEPA_COUNTRIES = EEA_COUNTRIES | frozenset(
    ("AD", "AL", "CH", "GB", "GI", "MC", "MD", "ME", "MK", "RS", "SM", "VA")
)
"""IBAN countries in the SEPA scheme; outside the EEA the EPC QR code must carry the BIC."""

_MIN = Decimal("0.01")
_MAX = Decimal("999999999.99")
_LINE_BREAKS = re.compile(r"[\r\n]+")


def _clean(text: str | None) -> str:
    return _LINE_BREAKS.sub(" ", text).strip() if text else ""


def _check_length(field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise QRCodeError(
            f"EPC QR {field} is {len(value)} characters; EPC069-12 allows at most {limit}."
            f" Shorten it: {value[:40]!r}..."
        )


@functools.lru_cache(maxsize=256)
def _iban(value: str) -> str:
    # A creditor has few IBANs and every payload checks one: the bank-database look-up of
    # python-stdnum is the slow part, so remember the verdict.
    try:
        compact = normalize_iban(value)
    except ValueError as exc:
        raise QRCodeError(f"EPC QR iban: {exc}") from None
    if compact[:2] not in SEPA_COUNTRIES:
        raise QRCodeError(
            f"EPC QR iban {value!r} is from {compact[:2]}, which is not in SEPA;"
            " use a link QR code (qr='link') for this creditor"
        )
    return compact


@functools.lru_cache(maxsize=256)
def _name(value: str) -> str:
    # A creditor's name is the same in every payload; clean and check it once.
    clean_name = _clean(value)
    if not clean_name:
        raise QRCodeError("EPC QR name is empty; give the beneficiary's name")
    _check_length("name", clean_name, 70)
    return clean_name


@functools.lru_cache(maxsize=256)
def _bic(value: str | None, country: str) -> str:
    cleaned = _clean(value)
    if not cleaned:
        if country not in EEA_COUNTRIES:
            raise QRCodeError(
                f"EPC QR needs the BIC for an IBAN from {country}, outside the EEA;"
                " set Creditor.bic"
            )
        return ""
    try:
        return str(stdnum_bic.validate(cleaned))
    except StdnumError:
        raise QRCodeError(
            f"EPC QR bic {value!r} is not a BIC (8 or 11 characters, e.g. COBADEFFXXX)"
        ) from None


def _amount(amount: Money | None) -> str:
    if amount is None:
        return ""
    if amount.currency != "EUR":
        raise QRCodeError(
            f"EPC QR amount {amount} is not in EUR: SEPA credit transfers are in euro only;"
            " use qr='swiss' for CHF or qr='link' for other currencies"
        )
    if not _MIN <= amount.amount <= _MAX:
        raise QRCodeError(
            f"EPC QR amount {amount} is outside 0.01 to 999999999.99 EUR; give a positive"
            " amount below one billion, or amount=None to let the payer enter it"
        )
    return f"EUR{amount.amount:.2f}"


def _remittance(reference: str | None, text: str | None) -> tuple[str, str]:
    ref, txt = _clean(reference), _clean(text)
    if ref and txt:
        raise QRCodeError(
            "EPC QR takes a structured reference or a remittance text, not both;"
            " drop the text (the RF reference identifies the payment)"
        )
    if ref:
        ref = validate_reference(ref, ReferenceScheme.RF)
    _check_length("text", txt, 140)
    return ref, txt


def epc_payload(
    *,
    name: str,
    iban: str,
    amount: Money | None,
    reference: str | None = None,
    text: str | None = None,
    bic: str | None = None,
    purpose: str | None = None,
    information: str | None = None,
) -> str:
    r"""Build an EPC069-12 version 002 payload, checking every rule first.

    Args:
        name: The beneficiary's name (1 to 70 characters).
        iban: The beneficiary's IBAN (checked: country format and check digits, SEPA only).
        amount: Euro amount 0.01 to 999999999.99, or ``None`` for the payer to enter.
        reference: An ISO 11649 RF creditor reference (checked), or ``None``.
        text: Unstructured remittance text (at most 140 characters); not with ``reference``.
        bic: The BIC; required for IBANs outside the EEA.
        purpose: A 4-letter ISO 20022 purpose code (``GDDS``), optional.
        information: Beneficiary-to-payer information (at most 70 characters), optional.

    Raises:
        QRCodeError: a field breaks EPC069-12; the message names it and the fix.
        PaymentReferenceError: ``reference`` is not a valid RF reference.

    Examples:
        >>> epc_payload(name="Muster GmbH", iban="DE89 3704 0044 0532 0130 00",
        ...             amount=Money("12.30", "EUR"), reference="RF18539007547034")
        'BCD\n002\n1\nSCT\n\nMuster GmbH\nDE89370400440532013000\nEUR12.30\n\nRF18539007547034'
    """
    clean_name = _name(name)
    account = _iban(iban)
    code = _clean(purpose).upper()
    if code and not re.fullmatch(r"[A-Z0-9]{4}", code):
        raise QRCodeError(f"EPC QR purpose {purpose!r} must be a 4-character ISO 20022 code")
    info = _clean(information)
    _check_length("information", info, 70)
    ref, txt = _remittance(reference, text)
    lines = [
        "BCD", "002", "1", "SCT", _bic(bic, account[:2]), clean_name, account,
        _amount(amount), code, ref, txt, info,
    ]  # fmt: skip
    while not lines[-1]:
        lines.pop()
    payload = "\n".join(lines)
    size = len(payload.encode("utf-8"))
    if size > 331:
        raise QRCodeError(
            f"EPC QR payload is {size} bytes; EPC069-12 allows 331. Shorten the text or name"
        )
    return payload


def epc_qr(
    *,
    name: str,
    iban: str,
    amount: Money | None,
    reference: str | None = None,
    text: str | None = None,
    bic: str | None = None,
    purpose: str | None = None,
    information: str | None = None,
) -> PaymentQR:
    """Build and encode an EPC QR code (error correction M, version at most 13).

    Takes the arguments of `epc_payload`; raises what it raises.

    Examples:
        >>> qr = epc_qr(name="Muster GmbH", iban="DE89370400440532013000",
        ...             amount=Money("12.30", "EUR"), text="RE-2026-0001")
        >>> qr.kind, qr.version <= 13
        (<QRKind.EPC: 'epc'>, True)
    """
    payload = epc_payload(
        name=name, iban=iban, amount=amount, reference=reference, text=text, bic=bic,
        purpose=purpose, information=information,
    )  # fmt: skip
    return make_qr(payload, kind=QRKind.EPC)
