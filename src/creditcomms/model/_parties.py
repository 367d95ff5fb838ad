"""The people involved: postal addresses, contacts, debtors and the creditor."""

from __future__ import annotations

import enum
import functools
import re
from datetime import date
from decimal import Decimal
from email.utils import getaddresses
from typing import Annotated, Any

import email_validator
import phonenumbers
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
)
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum, InvalidComponent
from stdnum.exceptions import ValidationError as StdnumError

from ._base import Model
from ._types import ChannelName, CountryCode, LocaleName, TimeZoneName, zone

__all__ = [
    "AttributeValue",
    "Contacts",
    "Creditor",
    "CustomerKind",
    "Debtor",
    "PaymentBehaviour",
    "PostalAddress",
    "normalize_email",
    "normalize_iban",
    "normalize_phone",
]

_NO_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _single_line(value: str) -> str:
    if _NO_CONTROL.search(value):
        raise ValueError("must be a single line without control characters (no CR, LF or tab)")
    return value.strip()


Line = Annotated[str, AfterValidator(_single_line), Field(min_length=1, max_length=140)]
"""One printable line of text (names, streets): no CR/LF, so it cannot inject headers."""


class PostalAddress(Model):
    """A structured postal address, as letters and Swiss QR-bills need it.

    ``street`` and ``house_number`` are separate because Swiss QR-bills (since November 2025)
    accept structured addresses only.
    """

    name: Line
    street: Line | None = None
    house_number: Annotated[str, AfterValidator(_single_line), Field(max_length=16)] | None = None
    postcode: Annotated[str, AfterValidator(_single_line), Field(min_length=1, max_length=16)]
    city: Line
    country: CountryCode
    extra_lines: tuple[Line, ...] = Field(default=(), max_length=2)
    """Additional lines printed between the name and the street (department, c/o)."""
    region: Line | None = None
    """State, province or county where the post needs it (``NY``, ``ON``, ``NSW``)."""

    def lines(self) -> tuple[str, ...]:
        """The address as the post of its country expects it in a window envelope.

        The house number goes before the street in the UK, Ireland, France, North America
        and Australia (``221B Baker Street``) and after it elsewhere (``Hauptstraße 1``);
        the UK and Ireland put the town and the postcode on lines of their own, North
        America and Australia write ``City, ST 12345``, the rest ``12345 City``.
        """
        parts = (self.street, self.house_number)
        if self.country in _NUMBER_FIRST:
            parts = (self.house_number, self.street)
        street = " ".join(p for p in parts if p)
        body = [self.name, *self.extra_lines, *([street] if street else [])]
        if self.country in _TOWN_THEN_POSTCODE:
            return (*body, self.city, self.postcode)
        if self.country in _CITY_REGION_POSTCODE:
            place = f"{self.city}, {self.region}" if self.region else self.city
            return (*body, f"{place} {self.postcode}")
        return (*body, f"{self.postcode} {self.city}")


_NUMBER_FIRST = frozenset({"GB", "IE", "FR", "US", "CA", "AU", "NZ"})
_TOWN_THEN_POSTCODE = frozenset({"GB", "IE"})
_CITY_REGION_POSTCODE = frozenset({"US", "CA", "AU"})


def normalize_phone(value: str, region: str | None = None) -> str:
    """Return ``value`` as an E.164 number (``+4915112345678``), or raise naming the fix.

    A national number (``0151 12345678``) is accepted only with a ``region`` to read it in.
    """
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        hint = "" if region else " with its country code"
        raise ValueError(
            f"{value!r} is not a phone number; write it in international format{hint},"
            " such as '+49 151 12345678'"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(
            f"{value!r} is not a valid phone number for its country; check the digits and the"
            " country code"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=4096)
def normalize_email(value: str) -> str:
    """Check an email address's syntax (no DNS look-up) and return its normalised form."""
    try:
        checked = email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise ValueError(f"{value!r} is not a valid email address: {exc}") from None
    return checked.normalized


def _email(value: Any) -> Any:
    return normalize_email(value) if isinstance(value, str) else value


Email = Annotated[str, BeforeValidator(_email)]


class Contacts(Model):
    """How a person can be reached. Every field is optional; channels need their own contact.

    Phone and WhatsApp numbers are normalised to E.164. A national number is read in the
    country of ``address`` when one is given, otherwise it must carry its country code.
    """

    address: PostalAddress | None = None
    email: Email | None = None
    phone: str | None = None
    whatsapp: str | None = None
    push_tokens: tuple[Annotated[str, Field(min_length=1)], ...] = ()
    portal_user_id: str | None = None

    @field_validator("phone", "whatsapp")
    @classmethod
    def _e164(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        address = info.data.get("address")
        return normalize_phone(value, address.country if address else None)


class CustomerKind(enum.StrEnum):
    """Consumer or business: it changes tone, greeting, and legal fees and interest."""

    B2C = "b2c"
    B2B = "b2b"


class PaymentBehaviour(Model):
    """What is known about how a customer paid earlier invoices (for segmentation)."""

    paid_on_time: int = Field(default=0, ge=0)
    paid_late: int = Field(default=0, ge=0)
    average_days_late: Decimal = Field(default=Decimal(0), ge=0)
    last_payment_on: date | None = None

    @property
    def on_time_ratio(self) -> float | None:
        """Share of earlier invoices paid on time, or ``None`` with no history."""
        total = self.paid_on_time + self.paid_late
        return self.paid_on_time / total if total else None


AttributeValue = str | int | float | bool | Decimal | date | None
"""A free attribute of a debtor: a JSON-friendly scalar the host's rules can read."""


class Debtor(Model):
    """The customer who owes the money. In messages they are never called a debtor.

    Without ``locale`` messages are in English (``"en"``) and without ``timezone`` send
    windows and dates are read in UTC: set both for every real customer.

    Examples:
        >>> d = Debtor(id="C-1", name="Erika Mustermann", locale="de-DE", timezone="Europe/Berlin")
        >>> d.locale, d.kind
        ('de_DE', <CustomerKind.B2C: 'b2c'>)
    """

    id: Annotated[str, Field(min_length=1, max_length=128)]
    name: Line
    kind: CustomerKind = CustomerKind.B2C
    locale: LocaleName = "en"
    timezone: TimeZoneName = "UTC"
    contacts: Contacts = Contacts()
    consents: dict[ChannelName, bool] = Field(default_factory=dict)
    """Per channel: ``True`` consent given, ``False`` refused; a missing channel: unknown."""
    preferred_channels: tuple[ChannelName, ...] = ()
    tags: frozenset[str] = frozenset()
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    behaviour: PaymentBehaviour = PaymentBehaviour()
    contact_person: Line | None = None
    """For businesses: the person to address (``Herr Dr. Weber``)."""
    salutation: Line | None = None
    """An explicit salutation to use instead of the locale's default greeting."""

    @property
    def zone(self) -> Any:
        """The debtor's time zone as a ``zoneinfo.ZoneInfo``."""
        return zone(self.timezone)

    @property
    def country(self) -> str | None:
        """The country of the postal address, when known."""
        address = self.contacts.address
        return address.country if address else None


_BARE_ADDRESS = re.compile(
    r"[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
)
"""A plain ``local@domain`` of dot-separated atoms: parsing it as a header gives it back."""


@functools.lru_cache(maxsize=4096)
def normalize_mailbox(value: str) -> str:
    """Validate an email mailbox (``billing@x.example`` or ``Name <billing@x.example>``).

    Returns it with the address normalised; raises ``ValueError`` naming the form to use.
    """
    # Pure and hot: every email re-checks the same sender, and a run re-checks a recipient
    # once per reminder; parsing an address costs more than rendering a short template.
    if _BARE_ADDRESS.fullmatch(value):
        return normalize_email(value)  # what getaddresses would hand on, checked the same way
    if "\r" in value or "\n" in value:
        raise ValueError("must be one line: a CR or LF here could inject mail headers")
    pairs = getaddresses([value])
    if len(pairs) != 1 or not pairs[0][1]:
        raise ValueError("must be one address such as 'Muster GmbH <billing@muster.example>'")
    name, address = pairs[0]
    checked = normalize_email(address)
    return f"{name} <{checked}>" if name else checked


def normalize_iban(value: str) -> str:
    """Validate an IBAN (country format and check digits) and return its compact form.

    A country's own rules (Belgium's national check digits, say) apply too, except the look-up
    of the bank code in python-stdnum's bundled bank list: that list is a snapshot, and a
    bank that opened since would refuse a correct IBAN.
    """
    try:
        try:
            return str(stdnum_iban.validate(value))
        except InvalidComponent:
            return str(stdnum_iban.validate(value, check_country=False))
    except StdnumError as exc:
        compact = value.replace(" ", "")
        grouped = " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
        what = (
            "fails its check digits"
            if isinstance(exc, InvalidChecksum)
            else "does not have its country's length and format"
        )
        raise ValueError(f"IBAN {grouped} {what}; copy it again from the bank statement") from None


def _bic(value: str) -> str:
    try:
        return str(stdnum_bic.validate(value))
    except StdnumError:
        raise ValueError(
            f"{value!r} is not a valid BIC (8 or 11 characters, e.g. COBADEFFXXX)"
        ) from None


_LOCAL_PAGES = ("http://localhost", "http://127.0.0.1")


def _payment_page(value: str) -> str:
    # A pay link carries a bearer token: over plain http anyone on the way could pay with,
    # or read, the claim. Plain http is only for a page on this machine (development).
    if not value.startswith("https://") and not value.startswith(_LOCAL_PAGES):
        raise ValueError(
            "payment_page must be an https URL such as 'https://pay.example/{token}'"
            " (plain http only for http://localhost while developing)"
        )
    if "{token}" not in value:
        raise ValueError("payment_page must contain '{token}' where the signed pay token goes")
    return value


_SMS_NAME = re.compile(r"(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11}")
"""An alphanumeric SMS sender id: what networks display instead of a number."""
_SMS_NUMBER = re.compile(r"\+?[0-9]{3,15}")
"""A numeric sender: a short code or an international number."""


class Creditor(Model):
    """The business that is owed: who signs the messages and where payments go.

    ``link_secret`` signs pay links; keep retired secrets in ``previous_link_secrets`` while
    links signed with them may still be in circulation (newest signs, all verify).
    """

    name: Line
    address: PostalAddress | None = None
    iban: Annotated[str, AfterValidator(normalize_iban)]
    bic: Annotated[str, AfterValidator(_bic)] | None = None
    payment_page: Annotated[str, AfterValidator(_payment_page)] | None = None
    link_secret: SecretStr | None = None
    previous_link_secrets: tuple[SecretStr, ...] = ()
    senders: dict[ChannelName, str] = Field(default_factory=dict)
    """Sender identity per channel: an email ``From``, an SMS sender id, a WhatsApp number."""
    email: Email | None = None
    phone: str | None = None
    website: str | None = None
    registration: str | None = None
    """Commercial register and VAT number as printed in a letter's footer."""

    @field_validator("link_secret", "previous_link_secrets")
    @classmethod
    def _strong(cls, value: Any) -> Any:
        secrets = value if isinstance(value, tuple) else (value,)
        for secret in secrets:
            if secret is not None and len(secret.get_secret_value()) < 16:
                raise ValueError(
                    "a link secret must be at least 16 characters (use secrets.token_urlsafe())"
                )
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return normalize_phone(value) if value else value

    @field_validator("senders")
    @classmethod
    def _senders(cls, value: dict[str, str]) -> dict[str, str]:
        checked = dict(value)
        if "email" in checked:
            try:
                checked["email"] = normalize_mailbox(checked["email"])
            except ValueError as exc:
                raise ValueError(
                    f"senders['email'] = {checked['email']!r}: {exc}; write it as"
                    " 'Muster GmbH <billing@muster.example>' or 'billing@muster.example'"
                ) from None
        sms = checked.get("sms")
        if sms is not None and not (_SMS_NAME.fullmatch(sms) or _SMS_NUMBER.fullmatch(sms)):
            raise ValueError(
                f"senders['sms'] = {sms!r}: an SMS sender is a name of 1 to 11 letters, digits"
                " or spaces with at least one letter (e.g. 'MUSTER'), or a phone number"
            )
        return checked

    @property
    def country(self) -> str:
        """The country of the creditor's IBAN."""
        return self.iban[:2]
