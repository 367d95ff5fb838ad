"""PaymentRequest: one claim, rendered the same on every channel."""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cached_property
from typing import Annotated, Any, Literal

from markupsafe import Markup
from pydantic import AwareDatetime, Field, field_validator

from creditcomms.errors import ConfigurationError, PaymentDataError, QRCodeError
from creditcomms.model import Case, Creditor, Invoice, Model, Money, PostalAddress
from creditcomms.model._trusted import trusted

from ._epc import SEPA_COUNTRIES, epc_payload
from ._links import PayClaim, creditor_key, require_aware, sign_claim
from ._qr import PaymentQR, QRKind, make_qr
from ._references import ReferenceScheme, format_reference
from ._schemes import choose_reference
from ._swiss import SWISS_COUNTRIES, SwissBill

__all__ = ["FeeLine", "PaymentRequest", "QRChoice", "ReferenceChoice"]

QRChoice = Literal["auto", "epc", "swiss", "link"] | QRKind | None
"""Which QR code to put on the request: ``"auto"`` picks by currency and IBAN; None: none."""
ReferenceChoice = Literal["auto"] | ReferenceScheme | str | None
"""Which reference scheme: ``"auto"`` (QRR for a QR-IBAN, else RF), a scheme, or None."""


class FeeLine(Model):
    """A charge on top of the open invoices: a reminder fee or default interest."""

    label: Annotated[str, Field(min_length=1, max_length=70)]
    """What it is, as printed (``"Mahngebühr"``, ``"Verzugszinsen 6.27 % p.a."``)."""
    amount: Money

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: Money) -> Money:
        if not value.is_positive:
            raise ValueError(f"a fee must be above zero, not {value}; leave it out instead")
        return value


def _add_fees(amount: Money, fees: Sequence[FeeLine]) -> Money:
    for fee in fees:
        if fee.amount.currency != amount.currency:
            raise PaymentDataError(
                f"fee {fee.label!r} is in {fee.amount.currency} but the invoices are in"
                f" {amount.currency}; convert it first"
            )
        amount = amount + fee.amount
    return amount


def _select_invoices(case: Case, invoice_ids: Sequence[str] | None) -> tuple[Invoice, ...]:
    if invoice_ids is None:
        chosen = case.open_invoices
    else:
        by_id = {i.id: i for i in case.invoices}
        unknown = [i for i in invoice_ids if i not in by_id]
        if unknown:
            raise PaymentDataError(
                f"invoice_ids {unknown} are not in case {case.id!r}; pick from {sorted(by_id)}"
            )
        chosen = tuple(by_id[i] for i in dict.fromkeys(invoice_ids))
        closed = [i.id for i in chosen if not i.is_open]
        if closed:
            raise PaymentDataError(f"invoices {closed} have nothing open to pay; leave them out")
    if not chosen:
        raise PaymentDataError(f"case {case.id!r} has no open invoice to request payment for")
    return chosen


def _remittance(invoices: tuple[Invoice, ...]) -> str:
    ids = [i.id for i in invoices]
    text = ", ".join(ids)
    while len(text) > 140:
        ids.pop()
        text = f"{', '.join(ids)} +{len(invoices) - len(ids)}"
    return text


def _choose_qr(
    choice: Literal["auto", "epc", "swiss", "link"] | QRKind,
    creditor: Creditor,
    currency: str,
    link: str | None,
) -> QRKind:
    if choice != "auto":
        return QRKind(choice)
    country = creditor.country
    if country in SWISS_COUNTRIES:
        return QRKind.SWISS
    if currency == "EUR" and country in SEPA_COUNTRIES:
        return QRKind.EPC
    if link is None:
        raise ConfigurationError(
            f"no payment QR code fits {currency} to an IBAN from {country}, and the creditor has"
            " no payment_page for a link QR code; set Creditor.payment_page or pass qr=None"
        )
    return QRKind.LINK


def _pay_link(
    case_id: str, ids: tuple[str, ...], amount: Money, expires_at: datetime, creditor: Creditor
) -> tuple[str | None, str | None]:
    key = creditor_key(creditor)
    if key is None:
        if creditor.payment_page is not None:
            raise ConfigurationError(
                "Creditor.payment_page needs Creditor.link_secret to sign pay links;"
                " set it to secrets.token_urlsafe(32)"
            )
        return None, None
    token = sign_claim(case_id, ids, amount, expires_at, key)
    page = creditor.payment_page
    return token, page.replace("{token}", token) if page else None


class PaymentRequest(Model):
    """What to pay, to whom, with which reference, link and QR code: one source for all channels.

    Build it with `PaymentRequest.for_case`. Templates read ``payment.amount``,
    ``payment.reference``, ``payment.link``, ``payment.qr_svg``, ``payment.qr_src`` (the
    QR code as an inline email image) and ``payment.qr_data_uri``; the WhatsApp URL button
    takes ``payment.token``.
    """

    case_id: str
    invoice_ids: tuple[str, ...]
    amount: Money
    """What to pay: the open balance of the invoices plus the fees."""
    fees: tuple[FeeLine, ...] = ()
    creditor_name: str
    iban: str
    bic: str | None = None
    reference: str | None = None
    """The structured reference in compact form (``RF18539007547034``), or None."""
    reference_scheme: ReferenceScheme | None = None
    remittance: str
    """Unstructured remittance text: the invoice numbers."""
    token: str | None = None
    """The signed pay-link token (also the WhatsApp URL-button suffix)."""
    link: str | None = None
    """The pay link: the creditor's payment_page with the token, or None without one."""
    expires_at: AwareDatetime
    qr_kind: QRKind | None = None
    qr_payload: str | None = None
    """The exact text of the QR code, or None when the request carries no QR code."""
    creditor_address: PostalAddress | None = None
    debtor_address: PostalAddress | None = None
    language: str = "en"

    @classmethod
    def for_case(
        cls,
        case: Case,
        creditor: Creditor,
        *,
        at: datetime,
        invoice_ids: Sequence[str] | None = None,
        expires_in: timedelta = timedelta(days=30),
        qr: QRChoice = "auto",
        reference_scheme: ReferenceChoice = "auto",
        fees: Sequence[FeeLine] = (),
    ) -> PaymentRequest:
        """Build the request for one or several invoices of ``case`` (default: all open ones).

        Args:
            case: The case; its open balance is requested.
            creditor: Who is paid: name, IBAN, BIC, payment page and link secrets.
            at: Now (timezone-aware); the pay link expires ``expires_in`` later.
            invoice_ids: Only these invoices (each must be open); default: all open ones.
            expires_in: How long the pay link stays valid.
            qr: ``"auto"`` (EPC for EUR to a SEPA IBAN, Swiss QR-bill for CH/LI, else a link
                QR code), a forced kind, or None for no QR code.
            reference_scheme: ``"auto"`` (Swiss QR reference for a QR-IBAN, else RF),
                a `ReferenceScheme`, or None for the invoice numbers as plain text. A
                reference printed on a single invoice is reused. In an EPC code an RF
                reference is structured; Belgian and Dutch references go in the text line.
            fees: Reminder fees or interest to add to the amount (same currency).

        Raises:
            PaymentDataError: nothing is open, or an invoice id is unknown.
            QRCodeError: the QR code's standard cannot express this payment.
            PaymentReferenceError: no valid reference can be made from the invoice number.
            ConfigurationError: the creditor's pay-link settings are incomplete.
            MissingExtraError: a Swiss QR-bill is needed without the ``swiss`` extra.
            ValidationError: ``at`` is naive.
        """
        require_aware(at, "PaymentRequest.for_case")
        if expires_in <= timedelta(0):
            raise PaymentDataError(
                f"expires_in {expires_in} must be positive; the pay link would be dead on arrival"
            )
        invoices = _select_invoices(case, invoice_ids)
        amount = _add_fees(_open_sum(invoices, case.currency), fees)
        ids = tuple(i.id for i in invoices)
        expires_at = at + expires_in
        if not case.id:  # the claim's own validation names the empty case id
            PayClaim(case_id=case.id, invoice_ids=ids, amount=amount, expires_at=expires_at)
        # Every claim field is checked already (ids of a validated case, at least one
        # invoice, an aware expiry), so the token is signed from the values themselves.
        token, link = _pay_link(case.id, ids, amount, expires_at, creditor)
        kind = None if qr is None else _choose_qr(qr, creditor, amount.currency, link)
        source = invoices[0] if len(invoices) == 1 else None
        reference, scheme = _reference(
            reference_scheme, printed=source.reference if source else None,
            source=source.id if source else case.id, qr_iban_swiss=kind is QRKind.SWISS,
            iban=creditor.iban,
        )  # fmt: skip
        fields: dict[str, Any] = {
            "case_id": case.id,
            "invoice_ids": ids,
            "amount": amount,
            "fees": tuple(fees),
            "creditor_name": creditor.name,
            "iban": creditor.iban,
            "bic": creditor.bic,
            "reference": reference,
            "reference_scheme": scheme,
            "remittance": _remittance(invoices),
            "token": token,
            "link": link,
            "expires_at": expires_at,
            "qr_kind": kind,
            "creditor_address": creditor.address,
            "debtor_address": case.debtor.contacts.address,
            "language": case.debtor.locale.split("_")[0],
        }
        if fees:  # caller-supplied objects: validate them the full way
            request = cls(**fields)
            return request.model_copy(update={"qr_payload": request._payload()})
        # Otherwise every value comes from a validated case and creditor or was made above
        # with its final type, so the request is built without re-validation (a test compares
        # it with the validated path). The QR payload is read from the request itself and set
        # before the new object leaves this method, as model_copy would set it.
        request = trusted(cls, **fields, qr_payload=None)
        request.__dict__["qr_payload"] = request._payload()
        return request

    def _payload(self) -> str | None:
        if self.qr_kind is QRKind.EPC:
            structured = self.reference_scheme is ReferenceScheme.RF
            return epc_payload(
                name=self.creditor_name, iban=self.iban, amount=self.amount, bic=self.bic,
                reference=self.reference if structured else None,
                text=None if structured else (self.reference_display or self.remittance),
            )  # fmt: skip
        if self.qr_kind is QRKind.SWISS:
            return self.swiss_bill().payload
        if self.qr_kind is QRKind.LINK:
            if self.link is None:
                raise QRCodeError(
                    "a link QR code needs a pay link; set Creditor.payment_page and link_secret"
                )
            return self.link
        return None

    @property
    def claim(self) -> PayClaim:
        """What the pay-link token promises (case, invoices, amount, expiry)."""
        return PayClaim(
            case_id=self.case_id,
            invoice_ids=self.invoice_ids,
            amount=self.amount,
            expires_at=self.expires_at,
        )

    @property
    def reference_display(self) -> str | None:
        """The reference as printed for people (``RF18 5390 0754 7034``, ``+++…+++``)."""
        if self.reference is None or self.reference_scheme is None:
            return None
        return format_reference(self.reference, self.reference_scheme)

    @cached_property
    def qr(self) -> PaymentQR | None:
        """The encoded QR code, or None."""
        if self.qr_payload is None or self.qr_kind is None:
            return None
        return _encode(self.qr_payload, self.qr_kind)

    @cached_property
    def qr_svg(self) -> str | None:
        """The QR code as an SVG string (for HTML email and letters), or None."""
        qr = self.qr
        return qr.svg(title=f"{str(self.qr_kind).upper()} QR code") if qr else None

    @property
    def qr_png(self) -> bytes | None:
        """The QR code as PNG bytes, or None (made once per distinct payload and kept)."""
        if self.qr_payload is None or self.qr_kind is None:
            return None
        return _png(self.qr_payload, self.qr_kind)

    @cached_property
    def qr_data_uri(self) -> str | None:
        """The QR code as a PNG ``data:`` URI for ``<img src>``, or None.

        Gmail and several Outlook versions do not show ``data:`` images in email; use
        `qr_src` there. This one suits previews, web pages and letters.
        """
        if self.qr_payload is None or self.qr_kind is None:
            return None
        return _data_uri(self.qr_payload, self.qr_kind)

    @cached_property
    def qr_content_id(self) -> str | None:
        """The Content-ID of the QR code's PNG as an inline email image, or None.

        ``payment-qr-<digest>@creditcomms``, the digest taken from the QR payload: the same
        request renders the same email, byte for byte (retries, snapshots).
        """
        if self.qr_payload is None or self.qr_kind is None:
            return None
        return _content_id(self.qr_payload)

    @cached_property
    def qr_src(self) -> str | None:
        """The QR code as a ``cid:`` URL for ``<img src>`` in email HTML, or None.

        When a rendered email's HTML contains it, the email carries `qr_png` as an inline
        image with the Content-ID `qr_content_id`, which Gmail and Outlook show.
        """
        if self.qr_payload is None or self.qr_kind is None:
            return None
        # Markup: the id is hex and fixed characters, so the HTML autoescape passes it through
        # as it is, without an escape pass (or an escape-cache entry) per case.
        return Markup(f"cid:{_content_id(self.qr_payload)}")  # noqa: S704 - hex and fixed text

    def swiss_bill(self) -> SwissBill:
        """The Swiss QR-bill of this request (payment part SVG via ``.svg()``).

        Raises:
            QRCodeError: the creditor has no postal address, or a QR-bill rule is broken.
            MissingExtraError: the ``swiss`` extra is not installed.
        """
        if self.creditor_address is None:
            raise QRCodeError("a Swiss QR-bill needs the creditor's address; set Creditor.address")
        return SwissBill(
            iban=self.iban,
            creditor=self.creditor_address,
            amount=self.amount,
            debtor=self.debtor_address,
            reference=self.reference,
            message=self.remittance,
            language=self.language,
        )


@functools.cache
def _zero(currency: str) -> Money:
    return Money.zero(currency)


def _open_sum(invoices: tuple[Invoice, ...], currency: str) -> Money:
    """The invoices' open balance: one invoice's own (Money is frozen and exact), or a sum."""
    if len(invoices) == 1 and invoices[0].balance.currency == currency:
        return invoices[0].balance
    return sum((i.balance for i in invoices), _zero(currency))


# A pure function of hashable arguments; repeated reminders for an invoice ask again.
_reference = functools.lru_cache(maxsize=4096)(choose_reference)


@functools.lru_cache(maxsize=1024)
def _encode(payload: str, kind: QRKind) -> PaymentQR:
    return make_qr(payload, kind=kind)


@functools.lru_cache(maxsize=1024)
def _png(payload: str, kind: QRKind) -> bytes:
    """The PNG of a payload, made once per distinct payload (emails, letters, fallbacks)."""
    return _encode(payload, kind).png()


@functools.lru_cache(maxsize=1024)
def _data_uri(payload: str, kind: QRKind) -> str:
    """The PNG data URI of a payload, made once per distinct payload."""
    return f"data:image/png;base64,{base64.b64encode(_png(payload, kind)).decode('ascii')}"


def _content_id(payload: str) -> str:
    # The payload fixes the picture (its kind follows from it); 96 bits keep ids apart.
    digest = hashlib.blake2b(payload.encode(), digest_size=12).hexdigest()
    return f"payment-qr-{digest}@creditcomms"
