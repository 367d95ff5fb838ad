"""One frozen message type per channel, each carrying its idempotency key, ids and cost."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from email.message import EmailMessage as MimeMessage
from functools import cached_property
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, computed_field, field_validator, model_validator

from creditcomms.model import Model, Money, PostalAddress, normalize_mailbox, normalize_phone
from creditcomms.model._base import FieldError
from creditcomms.model._types import ChannelName, LocaleName

from ._attachments import Attachment, embed_inline_images
from ._mime import email_mime
from ._preview import preview_html
from ._sms import SmsEncoding, measure_sms

__all__ = [
    "AnyMessage",
    "Attachment",
    "EmailMessage",
    "LetterMessage",
    "Message",
    "OpenItem",
    "PhoneTask",
    "PortalMessage",
    "PushMessage",
    "SmsMessage",
    "VoiceMessage",
    "WhatsAppButton",
    "WhatsAppMessage",
]


def _one_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("must be one line: a CR or LF here could inject mail headers")
    return value


OneLine = Annotated[str, Field(min_length=1, max_length=998)]


class Message(Model):
    """Fields shared by every message, whatever its channel.

    ``idempotency_key`` is stable for one (campaign@version, case, step, channel, repeat):
    sending the same key twice is recognisable as a duplicate.
    """

    idempotency_key: Annotated[str, Field(min_length=1, max_length=256)]
    case_id: str
    channel: ChannelName
    campaign_id: str | None = None
    step_id: str | None = None
    locale: LocaleName = "en"
    cost: Money | None = None
    created_at: AwareDatetime | None = None
    meta: dict[str, str] = Field(default_factory=dict)
    """Free, non-personal tags for analytics and provider callbacks (variant, tone)."""

    @property
    def recipient(self) -> str:
        """The address, number or id the message goes to (redact it before logging at INFO).

        Each built-in message returns its own contact; a custom message type that does not
        override this falls back to the case id.
        """
        return self.case_id

    def _repr_html_(self) -> str:
        """An HTML preview for notebooks (an email's HTML shows in a sandboxed frame)."""
        return preview_html(str(getattr(self, "kind", self.channel)), self.model_dump())


Mailbox = Annotated[str, Field(min_length=3)]


class EmailMessage(Message):
    """An email with a text part and an optional HTML part (``multipart/alternative``).

    ``attachments`` may hold inline images (``Attachment(inline=True, content_id=...)``) that
    the HTML shows as ``<img src="cid:...">``; they travel in a ``multipart/related`` part
    beside the HTML (the built-in templates show the payment QR code this way).
    """

    kind: Literal["email"] = "email"
    channel: ChannelName = "email"
    sender: Mailbox
    to: Mailbox
    reply_to: Mailbox | None = None
    subject: OneLine
    text: str
    html: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    unsubscribe_url: str | None = None
    """An https URL for RFC 8058 one-click unsubscribe (adds both List-Unsubscribe headers)."""

    @field_validator("sender", "to", "reply_to")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        return normalize_mailbox(value) if value is not None else None

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        return _one_line(value)

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, header in value.items():
            if not name.isascii() or not name.replace("-", "").isalnum():
                raise ValueError(f"header name {name!r} must be ASCII letters, digits and '-'")
            _one_line(header)
        return value

    @field_validator("unsubscribe_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and (
            not value.startswith("https://") or any(c in value for c in "\r\n<>, ")
        ):
            raise ValueError(
                "RFC 8058 needs one https:// URL without spaces, commas or angle brackets"
            )
        return value

    @model_validator(mode="after")
    def _inline_images(self) -> EmailMessage:
        ids = [a.content_id for a in self.attachments if a.content_id is not None]
        if len(ids) != len(set(ids)):
            raise FieldError(
                "attachments",
                ids,
                "two attachments share a content_id; give each one its own, so that every"
                " cid: reference in the HTML names one file",
            )
        if self.html is None and any(a.inline for a in self.attachments):
            raise FieldError(
                "attachments",
                [a.filename for a in self.attachments if a.inline],
                "inline attachments are shown by the HTML part, and this email has none;"
                " set html or make them regular attachments (inline=False)",
            )
        return self

    @property
    def recipient(self) -> str:
        """The ``To`` address."""
        return self.to

    def html_with_data_uris(self) -> str | None:
        """The HTML with each ``cid:`` image of an inline attachment as a ``data:`` URI.

        For showing the email where its MIME parts are not at hand (previews, a browser,
        a webhook); mail goes out with the ``cid:`` references and the related parts.
        """
        if self.html is None:
            return None
        return embed_inline_images(self.html, (a for a in self.attachments if a.inline))

    @cached_property
    def message_id(self) -> str:
        """A deterministic Message-ID derived from the idempotency key and sender domain."""
        digest = hashlib.sha256(self.idempotency_key.encode()).hexdigest()[:32]
        domain = self.sender.rsplit("@", 1)[-1].rstrip(">")
        return f"<{digest}@{domain}>"

    def to_mime(self, *, date: datetime | None = None) -> MimeMessage:
        """Build the RFC 5322 message: text part first, then HTML, then attachments.

        The layout is ``multipart/alternative(text/plain, text/html)``; with inline images
        the HTML becomes ``multipart/related(text/html, image...)``, and regular attachments
        wrap everything in ``multipart/mixed``.
        """
        return email_mime(self, date=date or self.created_at)


def _e164(value: str) -> str:
    return normalize_phone(value)


class SmsMessage(Message):
    """A text message. Encoding and segment count are computed exactly from the text."""

    kind: Literal["sms"] = "sms"
    channel: ChannelName = "sms"
    to: str
    text: Annotated[str, Field(min_length=1, max_length=1600)]
    sender: str | None = None
    """Alphanumeric sender id (max 11 characters) or a number."""
    max_segments: int | None = Field(default=None, ge=1)
    """When set, a text longer than this many segments is rejected before sending."""

    @field_validator("to")
    @classmethod
    def _to(cls, value: str) -> str:
        return _e164(value)

    @model_validator(mode="after")
    def _budget(self) -> SmsMessage:
        if self.max_segments is not None and self.segments > self.max_segments:
            raise FieldError(
                "text",
                self.text[:40],
                f"needs {self.segments} {self.encoding} segments, more than the cap of"
                f" {self.max_segments}; shorten the template or raise the step's cap",
            )
        return self

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def encoding(self) -> SmsEncoding:
        """GSM-7 when every character is in the GSM alphabet, else UCS-2."""
        return measure_sms(self.text).encoding

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def segments(self) -> int:
        """How many SMS segments the provider will bill."""
        return measure_sms(self.text).segments

    @property
    def recipient(self) -> str:
        """The E.164 number."""
        return self.to


class LetterMessage(Message):
    """A printed letter; ``pdf`` holds the rendered document once the letter is laid out."""

    kind: Literal["letter"] = "letter"
    channel: ChannelName = "letter"
    recipient_address: PostalAddress
    sender_address: PostalAddress | None = None
    subject: OneLine
    body: str
    """The full text: greeting, message, open items, payment details and closing."""
    layout_body: str | None = None
    """The text a laid-out letter prints (greeting and message only): the PDF layout adds the
    open items table, the payment block with the QR code and the closing itself."""
    letter_date: date | None = None
    attachments: tuple[Attachment, ...] = ()
    pdf: bytes | None = None
    page_count: int | None = Field(default=None, ge=1)

    @property
    def recipient(self) -> str:
        """The recipient's name and city."""
        return f"{self.recipient_address.name}, {self.recipient_address.city}"


class WhatsAppButton(Model):
    """A template button: a URL suffix (pay-link token) or a quick reply payload."""

    kind: Literal["url", "quick_reply"] = "url"
    parameter: str
    index: int = Field(default=0, ge=0, le=9)


class WhatsAppMessage(Message):
    """A WhatsApp template message: an approved template name and its parameters."""

    kind: Literal["whatsapp"] = "whatsapp"
    channel: ChannelName = "whatsapp"
    to: str
    template_name: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,512}$")]
    language: str
    """The template's language code as approved (``de``, ``en_US``)."""
    parameters: tuple[str, ...] = ()
    buttons: tuple[WhatsAppButton, ...] = ()
    preview_text: str | None = None
    """The body as the customer will read it, for previews and outboxes."""

    @field_validator("to")
    @classmethod
    def _to(cls, value: str) -> str:
        return _e164(value)

    @field_validator("parameters")
    @classmethod
    def _parameters(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            if "\n" in item or "\t" in item or "    " in item:
                raise ValueError(
                    "WhatsApp template parameters may not contain new lines, tabs or"
                    " more than four consecutive spaces"
                )
        return value

    @property
    def recipient(self) -> str:
        """The E.164 number."""
        return self.to


class PushMessage(Message):
    """A push notification to one device."""

    kind: Literal["push"] = "push"
    channel: ChannelName = "push"
    token: Annotated[str, Field(min_length=1)]
    title: Annotated[str, Field(min_length=1, max_length=120)]
    body: Annotated[str, Field(min_length=1, max_length=1000)]
    deep_link: str | None = None
    data: dict[str, str] = Field(default_factory=dict)

    @property
    def recipient(self) -> str:
        """The device token."""
        return self.token


class VoiceMessage(Message):
    """An automated call reading an SSML script."""

    kind: Literal["voice"] = "voice"
    channel: ChannelName = "voice"
    to: str
    ssml: Annotated[str, Field(min_length=1)]
    language: str
    """BCP 47 language tag for text-to-speech (``de-DE``)."""

    @field_validator("to")
    @classmethod
    def _to(cls, value: str) -> str:
        return _e164(value)

    @property
    def recipient(self) -> str:
        """The E.164 number."""
        return self.to


class OpenItem(Model):
    """One open invoice as an agent sees it."""

    invoice_id: str
    amount: Money
    due_on: date
    days_past_due: int


class PhoneTask(Message):
    """A call for a person to make: who, which number, why, what to say and agree."""

    kind: Literal["phone_task"] = "phone_task"
    channel: ChannelName = "phone_task"
    contact_name: str
    phone: str
    reason: str
    script: str
    talking_points: tuple[str, ...] = ()
    open_items: tuple[OpenItem, ...] = ()
    call_by: AwareDatetime | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return _e164(value)

    @property
    def recipient(self) -> str:
        """The number to call."""
        return self.phone


class PortalMessage(Message):
    """A message shown in the customer portal."""

    kind: Literal["portal"] = "portal"
    channel: ChannelName = "portal"
    user_id: Annotated[str, Field(min_length=1)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    body: str
    link: str | None = None

    @property
    def recipient(self) -> str:
        """The portal user id."""
        return self.user_id


AnyMessage = Annotated[
    EmailMessage
    | SmsMessage
    | LetterMessage
    | WhatsAppMessage
    | PushMessage
    | VoiceMessage
    | PhoneTask
    | PortalMessage,
    Field(discriminator="kind"),
]
"""Any built-in message, discriminated by ``kind`` (for journals and outboxes)."""
