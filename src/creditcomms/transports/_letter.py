"""Lob's print-and-mail API for letters (the only provider here with an idempotency header)."""

from __future__ import annotations

import html
from typing import Any

import httpx

from creditcomms.channels import LetterMessage, Message
from creditcomms.errors import PermanentDeliveryError
from creditcomms.model import PostalAddress

from ._base import Receipt, expect_message
from ._http import HttpTransport, correlation
from ._http_errors import error_for_response

__all__ = ["LobTransport"]


def _address_fields(prefix: str, address: PostalAddress) -> dict[str, str]:
    # Lob's first line is read the North American way: number, then street.
    street = " ".join(p for p in (address.house_number, address.street) if p)
    fields = {
        "name": address.name,
        "address_line1": street or address.name,
        "address_city": address.city,
        "address_zip": address.postcode,
        "address_country": address.country,
    }
    if address.extra_lines:
        fields["address_line2"] = address.extra_lines[0]
    if address.region:
        fields["address_state"] = address.region
    return {f"{prefix}[{key}]": value for key, value in fields.items()}


def _html(message: LetterMessage) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in message.body.split("\n\n"))
    return f"<html><body><h1>{html.escape(message.subject)}</h1>{paragraphs}</body></html>"


class LobTransport(HttpTransport):
    """Print and mail `LetterMessage`s through Lob's ``POST /v1/letters``.

    The letter's PDF is uploaded when present; otherwise a plain HTML rendering of its body
    is sent. The idempotency key goes in Lob's ``Idempotency-Key`` header, so a repeated
    request returns the first letter instead of printing a second one.

    Args:
        api_key: A live or test secret key (HTTP Basic user, empty password).
        sender: The return address used when the letter has no ``sender_address``.
        color: Print in colour.
        mail_type: ``usps_first_class`` or ``usps_standard``.
        **options: ``client``, ``base_url``, ``timeout``, ``clock``.
    """

    name = "lob"
    default_base_url = "https://api.lob.com"

    def __init__(
        self,
        *,
        api_key: str,
        sender: PostalAddress | None = None,
        color: bool = False,
        mail_type: str = "usps_first_class",
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self._auth = httpx.BasicAuth(api_key, "")
        self._sender = sender
        self._options = {"color": str(color).lower(), "mail_type": mail_type}

    async def send(self, message: Message, /) -> Receipt:
        """Create the letter and return its ``ltr_…`` id."""
        letter = expect_message(message, LetterMessage, self.name)
        form = self.form(letter)
        files = None
        if letter.pdf is not None:
            files = {"file": ("letter.pdf", letter.pdf, "application/pdf")}
        else:
            form["file"] = _html(letter)
        headers = {"Idempotency-Key": letter.idempotency_key[:256]}
        response = await self._request(
            "POST", "/v1/letters", letter, data=form, files=files, headers=headers, auth=self._auth
        )
        body = self._json(response, letter)
        if not response.is_success:
            error = body.get("error") if isinstance(body, dict) else None
            detail = error.get("message") if isinstance(error, dict) else None
            raise error_for_response(
                response, channel=letter.channel, provider=self.name, detail=detail
            )
        letter_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(letter_id, str) or not letter_id:
            raise self._missing_id(letter, body)
        return self._receipt(letter, letter_id, raw_status=str(body.get("status", "created")))

    def form(self, message: LetterMessage) -> dict[str, str]:
        """The form fields for ``message`` (without the file)."""
        sender = message.sender_address or self._sender
        if sender is None:
            raise PermanentDeliveryError(
                f"{self.name}: a letter needs a return address; set sender_address on the"
                " message or sender= on the transport",
                channel=message.channel,
                provider_status="no_sender",
            )
        form = _address_fields("to", message.recipient_address) | _address_fields("from", sender)
        form |= self._options | {"use_type": "operational", "description": message.subject[:255]}
        form |= {f"metadata[{k}]": v[:500] for k, v in correlation(message).items()}
        return form
