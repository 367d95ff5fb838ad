"""Swiss QR-bill through the ``qrbill`` package (extra ``swiss``): payload and payment part.

Only structured addresses are passed on: since the implementation guidelines v2.3 (November
2025) combined addresses (type ``K``) are rejected by Swiss banks.
"""

from __future__ import annotations

import importlib
import io
from dataclasses import dataclass
from typing import Any

from creditcomms.errors import MissingExtraError, QRCodeError
from creditcomms.model import Money, PostalAddress

from ._references import ReferenceScheme, validate_reference

__all__ = ["SWISS_COUNTRIES", "SwissBill", "is_qr_iban"]

SWISS_COUNTRIES = frozenset({"CH", "LI"})
"""IBAN countries of the Swiss QR-bill."""

_LANGUAGES = frozenset({"de", "fr", "it", "en"})


def _qrbill() -> Any:
    try:
        return importlib.import_module("qrbill")
    except ImportError:
        raise MissingExtraError("Swiss QR-bills", "swiss", "qrbill") from None


def is_qr_iban(iban: str, /) -> bool:
    """True for a Swiss QR-IBAN (institution id 30000 to 31999), which needs a QR reference.

    Examples:
        >>> is_qr_iban("CH44 3199 9123 0008 8901 2"), is_qr_iban("CH93 0076 2011 6238 5295 7")
        (True, False)
    """
    compact = iban.replace(" ", "").upper()
    return compact[:2] in SWISS_COUNTRIES and 30000 <= int(compact[4:9]) <= 31999


def _address(address: PostalAddress) -> dict[str, str]:
    return {
        "name": address.name,
        "street": address.street or "",
        "house_num": address.house_number or "",
        "pcode": address.postcode,
        "city": address.city,
        "country": address.country,
    }


@dataclass(frozen=True, slots=True)
class SwissBill:
    """The data of a Swiss QR-bill, checked against the QR-bill rules on creation.

    Raises:
        QRCodeError: a rule is broken (IBAN country, QR-IBAN and reference, currency).
        MissingExtraError: the ``swiss`` extra (``qrbill``) is not installed.
    """

    iban: str
    creditor: PostalAddress
    amount: Money | None
    debtor: PostalAddress | None = None
    reference: str | None = None
    message: str = ""
    language: str = "de"

    def __post_init__(self) -> None:
        self._check()
        self._bill()  # let qrbill apply its own rules now, not when the letter is printed

    def _check(self) -> None:
        country = self.iban[:2]
        if country not in SWISS_COUNTRIES:
            raise QRCodeError(f"Swiss QR-bill iban is from {country}; it must be a CH or LI IBAN")
        if self.amount is not None and self.amount.currency not in {"CHF", "EUR"}:
            raise QRCodeError(f"Swiss QR-bill amount {self.amount} must be in CHF or EUR")
        qrr = bool(self.reference) and not str(self.reference).upper().startswith("RF")
        if is_qr_iban(self.iban) and not qrr:
            raise QRCodeError(
                f"iban {self.iban} is a QR-IBAN, which requires a 27-digit QR reference;"
                " use reference_scheme='ch_qrr' (or the creditor's normal IBAN with RF)"
            )
        if qrr and not is_qr_iban(self.iban):
            raise QRCodeError(
                f"a QR reference needs a QR-IBAN, but {self.iban} is a normal IBAN;"
                " use an RF reference (reference_scheme='rf') or none"
            )
        if self.reference:
            scheme = ReferenceScheme.CH_QRR if qrr else ReferenceScheme.RF
            validate_reference(self.reference, scheme)

    def _bill(self) -> Any:
        qrbill = _qrbill()
        language = self.language if self.language in _LANGUAGES else "en"
        try:
            return qrbill.QRBill(
                account=self.iban,
                creditor=_address(self.creditor),
                amount=str(self.amount.amount) if self.amount else None,
                currency=self.amount.currency if self.amount else "CHF",
                debtor=_address(self.debtor) if self.debtor else None,
                reference_number=self.reference or None,
                additional_information=self.message[:140],
                language=language,
            )
        except ValueError as exc:
            raise QRCodeError(f"Swiss QR-bill rejected: {exc}") from None

    @property
    def payload(self) -> str:
        """The Swiss Payments Code text (CR LF separated) the QR code carries."""
        return str(self._bill().qr_data())

    def svg(self) -> str:
        """The payment part with receipt (210 x 105 mm) as SVG, for the foot of a letter."""
        out = io.StringIO()
        self._bill().as_svg(out)
        return out.getvalue()
