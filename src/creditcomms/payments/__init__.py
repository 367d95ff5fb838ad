"""Payment requests: signed pay links, EPC and Swiss QR codes, structured references.

One `PaymentRequest` per message gives every channel the same amount, reference, pay link
and QR code::

    request = PaymentRequest.for_case(case, creditor, at=now)
    request.link, request.reference_display, request.qr_svg

Swiss QR-bills need the ``swiss`` extra (``qrbill``); everything else is in the core.
"""

from __future__ import annotations

from ._epc import EEA_COUNTRIES, SEPA_COUNTRIES, epc_payload, epc_qr
from ._links import PayClaim, SecretsLike, sign_link, verify_link
from ._qr import PaymentQR, QRKind, make_qr
from ._references import ReferenceScheme, format_reference, make_reference, validate_reference
from ._request import FeeLine, PaymentRequest
from ._schemes import detect_scheme
from ._swiss import SWISS_COUNTRIES, SwissBill, is_qr_iban

__all__ = [
    "EEA_COUNTRIES",
    "SEPA_COUNTRIES",
    "SWISS_COUNTRIES",
    "FeeLine",
    "PayClaim",
    "PaymentQR",
    "PaymentRequest",
    "QRKind",
    "ReferenceScheme",
    "SecretsLike",
    "SwissBill",
    "detect_scheme",
    "epc_payload",
    "epc_qr",
    "format_reference",
    "is_qr_iban",
    "make_qr",
    "make_reference",
    "sign_link",
    "validate_reference",
    "verify_link",
]
