"""Turning rendered parts into the message type of each built-in channel."""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import babel

from creditcomms.channels import (
    Attachment,
    Channel,
    EmailMessage,
    LetterMessage,
    Message,
    OpenItem,
    PhoneTask,
    PortalMessage,
    PushMessage,
    SmsMessage,
    VoiceMessage,
    WhatsAppButton,
    WhatsAppMessage,
    measure_sms,
    normalize_sms_text,
)
from creditcomms.channels._attachments import inline_image
from creditcomms.errors import (
    ConfigurationError,
    MessageTooLongError,
    MissingContactError,
    TemplateError,
)
from creditcomms.model import PostalAddress, normalize_mailbox
from creditcomms.model._trusted import trusted
from creditcomms.model._types import normalize_locale

from ._context import RenderContext
from ._formatting import language_of

__all__ = ["BUILDERS", "Envelope", "build_message", "sms_text"]


@dataclass(frozen=True, slots=True)
class Envelope:
    """Everything a message needs besides its rendered parts."""

    channel: Channel
    idempotency_key: str
    label: str
    template_locale: str
    max_segments: int | None = None
    sender: str | None = None
    reply_to: str | None = None
    unsubscribe_url: str | None = None
    meta: Mapping[str, str] | None = None

    def common(self, context: RenderContext) -> dict[str, Any]:
        """The fields every message shares."""
        return {
            "idempotency_key": self.idempotency_key,
            "case_id": context.case_id,
            "channel": self.channel.name,
            "campaign_id": context.step.campaign_id,
            "step_id": context.step.step_id,
            "locale": context.locale,
            "cost": self.channel.cost,
            "created_at": context.at,
            "meta": dict(self.meta or {}),
        }


_MAX_SUBJECT = 998
_MAX_KEY = 256
_OPTIONAL_TEXT = (str, type(None))

Parts = Mapping[str, str]
Builder = Callable[[Parts, RenderContext, Envelope], Message]


def _contact(context: RenderContext, envelope: Envelope) -> str:
    found = envelope.channel.contact_for(context.debtor)
    if not found or isinstance(found, PostalAddress):
        raise MissingContactError(
            f"case {context.case_id!r} has no {envelope.channel.contact} contact for the"
            f" {envelope.channel.name} channel; add it to debtor.contacts or use another channel",
            channel=envelope.channel.name,
            case_id=context.case_id,
        )
    return found


def _email(parts: Parts, context: RenderContext, envelope: Envelope) -> Message:
    creditor = context.creditor
    sender = envelope.sender or creditor.senders.get("email") or creditor.email
    if not sender:
        raise ConfigurationError(
            "no email sender: set Creditor.senders['email'] (or Creditor.email), or pass sender="
        )
    html = parts.get("html")
    html = html if html and not html.isspace() else None  # no stripped copy of the HTML
    fields = envelope.common(context)
    fields.update(
        sender=sender,
        to=_contact(context, envelope),
        reply_to=envelope.reply_to,
        subject=" ".join(parts["subject"].split()),
        text=parts["text"],
        html=html,
        unsubscribe_url=envelope.unsubscribe_url,
    )
    if html is not None and context.payment is not None:
        image = _inline_qr(html, context.payment, envelope.label)
        if image is not None:
            fields["attachments"] = (image,)
    return _checked_email(fields)


_QR_FILENAME = "payment-qr.png"
"""The file name of the payment QR code's inline image in an email."""


def _inline_qr(html: str, payment: object, label: str) -> Attachment | None:
    """The QR code's PNG as an inline image, exactly when ``html`` shows ``payment.qr_src``."""
    src = getattr(payment, "qr_src", None)
    if not isinstance(src, str) or not src.startswith("cid:") or src not in html:
        return None
    png = getattr(payment, "qr_png", None)
    if not isinstance(png, bytes) or not png:
        raise ConfigurationError(
            f"template {label} shows the payment QR code as {src}, but the payment object"
            " has no qr_png bytes to send with the email; give it a qr_png property (as"
            " PaymentRequest has) or show payment.qr_data_uri instead"
        )
    content_id = str(src)[4:]  # str first: a Markup's slice is a Markup
    return inline_image(png, content_id, filename=_QR_FILENAME, content_type="image/png")


@functools.lru_cache(maxsize=256)
def _is_canonical_locale(locale: str) -> bool:
    try:
        return normalize_locale(locale) == locale
    except (TypeError, ValueError):
        return False


def _checked_email(fields: dict[str, Any]) -> EmailMessage:
    """The email of ``fields``, built without pydantic when every field is plainly valid.

    The usual email needs only its two addresses checked (``normalize_mailbox`` caches that): its
    subject is one line already, the ids and meta come from validated objects. Anything
    unusual (a reply-to, an unsubscribe URL, an odd length or type, an address that does not
    parse) takes the validating constructor, which raises the precise error.
    """
    subject, key, meta = fields["subject"], fields["idempotency_key"], fields["meta"]
    plain = (
        fields["reply_to"] is None
        and fields["unsubscribe_url"] is None
        and 0 < len(subject) <= _MAX_SUBJECT
        and type(key) is str
        and 0 < len(key) <= _MAX_KEY
        and type(fields["case_id"]) is str
        and type(fields["campaign_id"]) in _OPTIONAL_TEXT
        and type(fields["step_id"]) in _OPTIONAL_TEXT
        and fields["created_at"] is not None
        and fields["created_at"].utcoffset() is not None
        and type(fields["locale"]) is str
        and _is_canonical_locale(fields["locale"])
        and all(type(k) is str and type(v) is str for k, v in meta.items())
    )
    if plain:
        try:
            fields["sender"] = normalize_mailbox(fields["sender"])
            fields["to"] = normalize_mailbox(fields["to"])
        except (TypeError, ValueError):
            plain = False
    if not plain:
        return EmailMessage(**fields)
    return trusted(EmailMessage, **fields)


def sms_text(text: str, *, cap: int | None, label: str) -> str:
    """Normalise an SMS text to GSM-7 where possible and check it against ``cap`` segments."""
    normalised = normalize_sms_text(text.strip())
    info = measure_sms(normalised)
    if cap is not None and info.segments > cap:
        raise MessageTooLongError(
            f"template {label} renders to {info.segments} {info.encoding} segments"
            f" ({info.units} units), more than the cap of {cap}; shorten the text or raise"
            " the step's max_segments"
        )
    return normalised


def _sms(parts: Parts, context: RenderContext, envelope: Envelope) -> Message:
    cap = envelope.max_segments or envelope.channel.capabilities.max_segments
    return SmsMessage(
        **envelope.common(context),
        to=_contact(context, envelope),
        text=sms_text(parts["text"], cap=cap, label=envelope.label),
        sender=envelope.sender or context.creditor.senders.get("sms"),
        max_segments=cap,
    )


def _letter(parts: Parts, context: RenderContext, envelope: Envelope) -> Message:
    address = context.debtor.contacts.address
    if address is None:
        raise MissingContactError(
            f"case {context.case_id!r} has no postal address for the letter channel;"
            " set debtor.contacts.address",
            channel=envelope.channel.name,
            case_id=context.case_id,
        )
    return LetterMessage(
        **envelope.common(context),
        recipient_address=address,
        sender_address=context.creditor.address,
        subject=" ".join(parts["subject"].split()),
        body=parts["body"],
        layout_body=parts.get("layout_body"),
        letter_date=context.today,
    )


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _pay_token(context: RenderContext) -> str | None:
    link, page = context.pay_link, context.creditor.payment_page
    if not link or not page:
        return None
    prefix, _, suffix = page.partition("{token}")
    if not link.startswith(prefix) or not link.endswith(suffix):
        return None
    token = link[len(prefix) : len(link) - len(suffix)]
    return token or None


def _whatsapp(parts: Parts, context: RenderContext, envelope: Envelope) -> Message:
    token = _pay_token(context)
    preview = parts.get("text", "").strip()
    return WhatsAppMessage(
        **envelope.common(context),
        to=_contact(context, envelope),
        template_name=parts["template_name"].strip(),
        language=language_of(envelope.template_locale),
        parameters=_lines(parts["parameters"]),
        buttons=(WhatsAppButton(kind="url", parameter=token),) if token else (),
        preview_text=preview or None,
    )


def _push(parts: Parts, context: RenderContext, envelope: Envelope) -> Message:
    data = {"case_id": context.case_id, "stage": context.step.stage}
    return PushMessage(
        **envelope.common(context),
        token=_contact(context, envelope),
        title=" ".join(parts["title"].split()),
        body=" ".join(parts["body"].split()),
        deep_link=context.pay_link,
        data=data,
    )


def _language_tag(locale: str) -> str:
    parsed = babel.Locale.parse(locale)
    if parsed.territory:
        return f"{parsed.language}-{parsed.territory}"
    likely = str(babel.Locale.parse(babel.core.get_global("likely_subtags").get(locale, locale)))
    territory = babel.Locale.parse(likely).territory
    return f"{parsed.language}-{territory}" if territory else parsed.language


def _voice(parts: Parts, context: RenderContext, envelope: Envelope) -> Message:
    ssml = parts["ssml"].strip()
    try:
        ET.fromstring(ssml)  # noqa: S314 - our own rendered output, checked for well-formedness
    except ET.ParseError as exc:
        raise TemplateError(
            f"template {envelope.label} renders SSML that is not XML: {exc}"
        ) from None
    return VoiceMessage(
        **envelope.common(context),
        to=_contact(context, envelope),
        ssml=ssml,
        language=_language_tag(context.locale),
    )


def _phone_task(parts: Parts, context: RenderContext, envelope: Envelope) -> Message:
    debtor = context.debtor
    items = tuple(
        OpenItem(
            invoice_id=i.id,
            amount=i.balance,
            due_on=i.due_on,
            days_past_due=(context.today - i.due_on).days,
        )
        for i in context.invoices
        if i.is_open
    )
    return PhoneTask(
        **envelope.common(context),
        contact_name=debtor.contact_person or debtor.name,
        phone=_contact(context, envelope),
        reason=" ".join(parts["reason"].split()),
        script=parts["script"].strip(),
        talking_points=_lines(parts.get("talking_points", "")),
        open_items=items,
    )


def _portal(parts: Parts, context: RenderContext, envelope: Envelope) -> Message:
    return PortalMessage(
        **envelope.common(context),
        user_id=_contact(context, envelope),
        title=" ".join(parts["title"].split()),
        body=parts["body"].strip(),
        link=context.pay_link,
    )


BUILDERS: dict[str, Builder] = {
    "email": _email,
    "sms": _sms,
    "letter": _letter,
    "whatsapp": _whatsapp,
    "push": _push,
    "voice": _voice,
    "phone_task": _phone_task,
    "portal": _portal,
}


def build_message(parts: Parts, context: RenderContext, envelope: Envelope) -> Message:
    """Build the message of ``envelope.channel`` from rendered parts."""
    builder = BUILDERS.get(envelope.channel.name)
    if builder is None:
        raise ConfigurationError(
            f"channel {envelope.channel.name!r} has no built-in message type; use"
            " TemplateLibrary.render_parts() and build your own message from the parts"
        )
    return builder(parts, context, envelope)
