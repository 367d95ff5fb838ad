"""The RFC 5322 form of an `EmailMessage`: headers, alternative parts, inline images."""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.message import MIMEPart
from email.utils import format_datetime, getaddresses
from typing import TYPE_CHECKING

from ._attachments import Attachment

if TYPE_CHECKING:
    from ._messages import EmailMessage

__all__ = ["email_mime"]


def email_mime(email: EmailMessage, *, date: datetime | None) -> MimeMessage:
    """The MIME message of an email (see `EmailMessage.to_mime` for the layout)."""
    mime = MimeMessage()
    mime["From"] = _header_address(email.sender)
    mime["To"] = _header_address(email.to)
    if email.reply_to:
        mime["Reply-To"] = _header_address(email.reply_to)
    mime["Subject"] = email.subject
    mime["Message-ID"] = email.message_id
    if date is not None:
        mime["Date"] = format_datetime(date)
    mime["Auto-Submitted"] = "auto-generated"
    if email.unsubscribe_url:
        mime["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        mime["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in email.headers.items():
        mime[name] = value
    mime.set_content(email.text, subtype="plain", charset="utf-8")
    downloads = email.attachments
    if email.html is not None:
        mime.add_alternative(email.html, subtype="html", charset="utf-8")
        inline = [a for a in email.attachments if a.inline]
        if inline:
            downloads = tuple(a for a in email.attachments if not a.inline)
            *_, html_part = mime.iter_parts()
            _relate(html_part, inline)
    for item in downloads:
        maintype, _, subtype = item.content_type.partition("/")
        mime.add_attachment(
            item.data, maintype=maintype, subtype=subtype, filename=item.filename,
            cid=_cid(item),
        )  # fmt: skip
    return mime


def _cid(item: Attachment) -> str | None:
    return f"<{item.content_id}>" if item.content_id is not None else None


def _relate(html: MIMEPart, images: list[Attachment]) -> None:
    """Turn the HTML part into ``multipart/related`` holding it and its inline images."""
    for item in images:
        maintype, _, subtype = item.content_type.partition("/")
        html.add_related(
            item.data, maintype=maintype, subtype=subtype, filename=item.filename,
            disposition="inline", cid=_cid(item),
        )  # fmt: skip
    html.set_param("type", "text/html")  # RFC 2387: the root part's type


def _header_address(mailbox: str) -> Address:
    ((name, address),) = getaddresses([mailbox])
    return Address(display_name=name, addr_spec=address)
