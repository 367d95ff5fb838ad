"""Which reference a payment request carries: reuse a printed one, or generate one."""

from __future__ import annotations

from creditcomms.errors import PaymentReferenceError

from ._references import ReferenceScheme, make_reference, validate_reference
from ._swiss import is_qr_iban

__all__ = ["choose_reference", "detect_scheme"]

_DETECTION_ORDER = (
    ReferenceScheme.RF,
    ReferenceScheme.CH_QRR,
    ReferenceScheme.BE_OGM,
    ReferenceScheme.NL,
)


def detect_scheme(reference: str, /) -> ReferenceScheme:
    """Return the scheme a printed reference belongs to (RF, Swiss QRR, Belgian OGM, Dutch).

    Raises:
        PaymentReferenceError: the reference is valid in none of them.

    Examples:
        >>> detect_scheme("+++010/8068/17183+++")
        <ReferenceScheme.BE_OGM: 'be_ogm'>
    """
    for scheme in _DETECTION_ORDER:
        try:
            validate_reference(reference, scheme)
        except PaymentReferenceError:
            continue
        return scheme
    raise PaymentReferenceError(
        f"reference {reference!r} is not a valid RF, Swiss QR, Belgian OGM or Dutch reference;"
        " correct Invoice.reference or leave it empty to have one generated"
    )


def choose_reference(
    choice: ReferenceScheme | str | None,
    *,
    printed: str | None,
    source: str,
    qr_iban_swiss: bool,
    iban: str,
) -> tuple[str | None, ReferenceScheme | None]:
    """Pick the reference: ``None`` for none, a printed one if valid, else one generated.

    With ``"auto"``, an id that no RF reference can hold gives no structured reference:
    the payment then carries the invoice numbers as remittance text.
    """
    if choice is None:
        return None, None
    if choice == "auto":
        if printed:
            scheme = detect_scheme(printed)
            return validate_reference(printed, scheme), scheme
        if not (qr_iban_swiss and is_qr_iban(iban)):
            try:
                return make_reference(source, ReferenceScheme.RF), ReferenceScheme.RF
            except PaymentReferenceError:
                # An id RF cannot hold (a UUID, more than 21 letters and digits) goes to
                # the payer as remittance text instead: nothing to reconcile is lost.
                return None, None
        scheme = ReferenceScheme.CH_QRR
    else:
        scheme = ReferenceScheme(choice)
        if printed:
            return validate_reference(printed, scheme), scheme
    return make_reference(source, scheme), scheme
