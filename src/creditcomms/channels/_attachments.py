"""Files attached to emails and letters, and the inline images an email's HTML shows.

An inline attachment carries a Content-ID; the HTML refers to it as ``cid:<content id>``
(RFC 2392). Mail clients that strip ``data:`` images (Gmail, several Outlook versions) show
these, because the image travels as its own MIME part next to the HTML. Anything that shows
the HTML offline instead (a notebook preview, a webhook) swaps each reference for a
``data:`` URI with `embed_inline_images`.
"""

from __future__ import annotations

import base64
import re
import string
from collections.abc import Iterable
from typing import Annotated
from urllib.parse import unquote

from pydantic import ConfigDict, Field, field_validator, model_validator

from creditcomms.model import Model
from creditcomms.model._base import FieldError
from creditcomms.model._trusted import trusted

__all__ = ["Attachment", "embed_inline_images"]

_ATEXT = string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~."
"""The characters of RFC 5322 dot-atom text: each side of an ``id-left@id-right``."""

_MAX_CONTENT_ID = 250

_CID_REFERENCE = re.compile(r"cid:([^\s\"'<>()]+)", re.IGNORECASE)
"""A ``cid:`` URL inside HTML: up to the quote, space or bracket that ends the attribute."""


class Attachment(Model):
    r"""A file attached to an email or letter, or an image an email's HTML shows inline.

    A regular attachment is offered for download. An inline one (``inline=True``, with a
    ``content_id``) is an image the email's HTML shows as ``<img src="cid:<content_id>">``:
    `EmailMessage.to_mime` puts it in a ``multipart/related`` part beside the HTML, and the
    email API transports send it in their provider's inline form. In JSON the file's bytes
    are base64.

    Examples:
        >>> qr = Attachment(
        ...     filename="payment-qr.png", content_type="image/png", data=b"\x89PNG",
        ...     content_id="payment-qr@muster.example", inline=True,
        ... )
        >>> qr.cid_url
        'cid:payment-qr@muster.example'
    """

    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")

    filename: Annotated[str, Field(min_length=1, max_length=200)]
    content_type: str = "application/pdf"
    data: bytes
    content_id: str | None = None
    """The MIME Content-ID without angle brackets: ``id-left@id-right`` (RFC 2392, such as
    ``payment-qr@muster.example``) or a plain token (``logo``). HTML refers to it as
    ``cid:<content_id>``."""
    inline: bool = False
    """Show the file inside the HTML (``Content-Disposition: inline``) instead of offering
    it as a download; needs ``content_id``."""

    @field_validator("filename")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        if any(c in value for c in '\r\n/\\"') or value.startswith("."):
            raise ValueError("must be a plain file name without path separators, quotes or CR/LF")
        return value

    @field_validator("content_id")
    @classmethod
    def _content_id(cls, value: str | None) -> str | None:
        if value is not None and not is_content_id(value):
            raise ValueError(
                "must be an RFC 2392 id such as 'payment-qr@muster.example' or a plain token"
                " such as 'logo' (letters, digits and !#$%&'*+-/=?^_`{|}~. with at most one"
                f" '@', at most {_MAX_CONTENT_ID} characters); leave out the angle brackets"
                " and whitespace, to_mime adds the brackets"
            )
        return value

    @model_validator(mode="after")
    def _inline_needs_id(self) -> Attachment:
        if self.inline and self.content_id is None:
            raise FieldError(
                "content_id",
                None,
                "an inline attachment needs the content_id its HTML refers to as"
                " cid:<content_id>; set content_id='logo@your.domain' or inline=False",
            )
        return self

    @property
    def cid_url(self) -> str | None:
        """The ``cid:`` URL an ``<img src>`` uses for this file, or None without a content id."""
        return f"cid:{self.content_id}" if self.content_id is not None else None

    @property
    def data_uri(self) -> str:
        """The file as a ``data:`` URI (for previews that cannot resolve ``cid:`` URLs)."""
        return f"data:{self.content_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def is_content_id(value: str, /) -> bool:
    """Whether ``value`` is a valid `Attachment.content_id`: ``id-left@id-right`` or a token."""
    if not value or len(value) > _MAX_CONTENT_ID:
        return False
    left, at, right = value.partition("@")
    if at and not right:
        return False
    return bool(left) and not left.strip(_ATEXT) and not right.strip(_ATEXT)


def inline_image(data: bytes, content_id: str, *, filename: str, content_type: str) -> Attachment:
    """An inline `Attachment` for an email builder, equal to the validated one.

    Every email that shows a payment QR code makes one, so it skips pydantic: the content id
    is checked with `is_content_id` (a bad one takes the validating constructor, whose error
    names the field), and ``filename`` and ``content_type`` are the builder's own constants.
    """
    if not is_content_id(content_id):
        return Attachment(
            filename=filename, content_type=content_type, data=data, content_id=content_id,
            inline=True,
        )  # fmt: skip
    return trusted(
        Attachment, filename=filename, content_type=content_type, data=data,
        content_id=content_id, inline=True,
    )  # fmt: skip


def embed_inline_images(html: str, attachments: Iterable[Attachment], /) -> str:
    """``html`` with each ``cid:`` reference to one of ``attachments`` made a ``data:`` URI.

    For showing an email's HTML where its MIME parts are not at hand: notebook previews,
    webhooks, a browser. References to unknown content ids stay as they are.

    Examples:
        >>> logo = Attachment(filename="l.png", content_type="image/png", data=b"x",
        ...                   content_id="logo", inline=True)
        >>> embed_inline_images('<img src="cid:logo">', [logo])
        '<img src="data:image/png;base64,eA==">'
    """
    found = {a.content_id: a for a in attachments if a.content_id is not None}
    if not found or "cid:" not in html.lower():
        return html

    def swap(match: re.Match[str]) -> str:
        attachment = found.get(unquote(match.group(1)))
        return attachment.data_uri if attachment is not None else match.group(0)

    return _CID_REFERENCE.sub(swap, html)
