"""Pingen v2 print-and-mail API for letters to Switzerland, Germany, Austria and beyond."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from creditcomms.channels import LetterMessage, Message
from creditcomms.errors import ConfigurationError, DeliveryError, PermanentDeliveryError
from creditcomms.model import Money, PostalAddress

from ._base import Receipt, expect_message
from ._http import HttpTransport
from ._http_errors import error_for_response

__all__ = ["PingenTransport"]

PRODUCTION = ("https://api.pingen.com", "https://identity.pingen.com")
STAGING = ("https://api-staging.pingen.com", "https://identity-staging.pingen.com")
_JSON_API = "application/vnd.api+json"
_REFRESH_MARGIN = timedelta(seconds=60)
_DEFAULT_LIFETIME = 3600
# A fixed namespace turns each idempotency key into the same UUID on every attempt.
_KEY_NAMESPACE = uuid.UUID("6b1d3c4e-5f0a-4d8e-9c2b-7a1e0f3d5c9b")

_CHOICES = {
    "delivery_product": ("fast", "cheap", "bulk", "premium", "registered"),
    "print_mode": ("simplex", "duplex"),
    "print_spectrum": ("grayscale", "color"),
    "address_position": ("left", "right"),
}


def _check_choice(field: str, value: str) -> str:
    allowed = _CHOICES[field]
    if value not in allowed:
        raise ConfigurationError(
            f"PingenTransport {field}={value!r} is not one of Pingen's values; use one of"
            f" {', '.join(repr(a) for a in allowed)}"
        )
    return value


def _pingen_address(address: PostalAddress) -> dict[str, str]:
    fields = {
        "name": address.name,
        "zip": address.postcode,
        "city": address.city,
        "country": address.country,
    }
    if address.street:
        fields["street"] = address.street
    if address.house_number:
        fields["number"] = address.house_number
    return fields


def _file_name(key: str) -> str:
    """A file name Pingen shows in its app: the idempotency key with odd characters replaced."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", key)[:120] + ".pdf"


def _price(attributes: Any) -> Money | None:
    """The letter's price when Pingen's answer already states it (it may not before checks)."""
    if not isinstance(attributes, Mapping):
        return None
    value, currency = attributes.get("price_value"), attributes.get("price_currency")
    if value is None or not currency:
        return None
    try:
        return Money.rounded(Decimal(str(value)), str(currency).upper())
    except (InvalidOperation, ValueError):
        return None


def _error_detail(body: Any) -> tuple[str | None, str | None]:
    """The first JSON:API error's code and text (or an OAuth error's), when present."""
    if not isinstance(body, dict):
        return None, None
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        code = first.get("code")
        text = first.get("detail") or first.get("title")
        source = first.get("source")
        pointer = source.get("pointer") if isinstance(source, dict) else None
        if text and pointer:
            text = f"{text} ({pointer})"
        return (str(code) if code else None), (str(text) if text else None)
    if "error" in body:
        text = body.get("error_description") or body.get("message") or body.get("error")
        return str(body.get("error")), str(text)
    return None, None


class PingenTransport(HttpTransport):
    """Print and mail `LetterMessage`s through Pingen's v2 API.

    Pingen reads the recipient address from the PDF's address window, so the letter must
    carry its rendered ``pdf`` (see `creditcomms.letters`). One send is three calls: ask for a
    signed upload URL (``GET /file-upload``), ``PUT`` the PDF there, and create the letter
    with ``auto_send`` so Pingen validates, prints and posts it
    (``POST /organisations/{id}/deliveries/letters``). The create call carries an
    ``Idempotency-Key`` derived from the message's key, so a repeated send returns the
    letter made the first time instead of printing a second one.

    The OAuth access token (client-credentials grant at the identity host) is fetched on first
    use and reused until a minute before it expires; a ``401`` answer fetches a new one and
    repeats the call once.

    Args:
        client_id: The OAuth client's id (Pingen app: Settings, API).
        client_secret: The OAuth client's secret.
        organisation_id: The organisation (a UUID) that sends and pays.
        staging: Use Pingen's staging hosts (test letters, never printed).
        sender: The return address sent as ``meta_data`` with the recipient's, so Pingen can
            cross-check the address it reads from the PDF; a message's ``sender_address``
            takes precedence. Without either, no ``meta_data`` is sent.
        delivery_product: ``fast`` (A-Post), ``cheap`` (B-Post), ``bulk``, ``premium`` or
            ``registered`` (Einschreiben).
        print_mode: ``simplex`` or ``duplex``.
        print_spectrum: ``grayscale`` or ``color``.
        address_position: The address window, ``left`` or ``right``.
        identity_url: The token host; by default Pingen's identity host for the environment.
        scope: The OAuth scopes requested.
        **options: ``client``, ``base_url`` (the API host; a local fake in tests),
            ``timeout``, ``clock`` (also decides when the token has expired).

    Raises:
        ConfigurationError: For a print option Pingen does not know.
    """

    name = "pingen"
    default_base_url = PRODUCTION[0]

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        organisation_id: str,
        staging: bool = False,
        sender: PostalAddress | None = None,
        delivery_product: str = "fast",
        print_mode: str = "simplex",
        print_spectrum: str = "grayscale",
        address_position: str = "left",
        identity_url: str | None = None,
        scope: str = "letter",
        **options: Any,
    ) -> None:
        hosts = STAGING if staging else PRODUCTION
        if options.get("base_url") is None:
            options["base_url"] = hosts[0]
        super().__init__(**options)
        self._identity_url = (identity_url or hosts[1]).rstrip("/")
        self._credentials = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": scope,
        }
        self._organisation = organisation_id
        self._sender = sender
        self._print = {
            "delivery_product": _check_choice("delivery_product", delivery_product),
            "print_mode": _check_choice("print_mode", print_mode),
            "print_spectrum": _check_choice("print_spectrum", print_spectrum),
        }
        self._address_position = _check_choice("address_position", address_position)
        self._token: tuple[str, datetime] | None = None
        self._token_lock = asyncio.Lock()

    async def send(self, message: Message, /) -> Receipt:
        """Upload the PDF, create the letter with ``auto_send`` and return its id."""
        letter = expect_message(message, LetterMessage, self.name)
        if letter.pdf is None:
            raise PermanentDeliveryError(
                f"{self.name}: letter {letter.idempotency_key!r} has no pdf; Pingen prints a"
                " rendered PDF with the address in the window, so lay the letter out first"
                " (creditcomms.letters) or route it to a transport that renders text",
                channel=letter.channel,
                provider_status="no_pdf",
            )
        file_url, signature = await self._upload_slot(letter)
        await self._upload(letter, file_url, letter.pdf)
        headers = {
            "Content-Type": _JSON_API,
            "Idempotency-Key": str(uuid.uuid5(_KEY_NAMESPACE, letter.idempotency_key)),
        }
        path = f"/organisations/{self._organisation}/deliveries/letters"
        body = await self._api(
            "POST", path, letter, json=self.document(letter, file_url, signature), headers=headers
        )
        data = body.get("data") if isinstance(body, dict) else None
        letter_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(letter_id, str) or not letter_id:
            raise self._missing_id(letter, body)
        attributes = data.get("attributes") if isinstance(data, dict) else None
        status = attributes.get("status") if isinstance(attributes, dict) else None
        return self._receipt(
            letter, letter_id, raw_status=str(status or "created"), cost=_price(attributes)
        )

    def document(self, message: LetterMessage, file_url: str, signature: str) -> dict[str, Any]:
        """The JSON:API document that creates the letter from an uploaded file."""
        attributes: dict[str, Any] = {
            "file_original_name": _file_name(message.idempotency_key),
            "file_url": file_url,
            "file_url_signature": signature,
            "address_position": self._address_position,
            "auto_send": True,
            **self._print,
        }
        sender = message.sender_address or self._sender
        if sender is not None:
            attributes["meta_data"] = {
                "recipient": _pingen_address(message.recipient_address),
                "sender": _pingen_address(sender),
            }
        return {"data": {"type": "letters", "attributes": attributes}}

    async def _upload_slot(self, letter: LetterMessage) -> tuple[str, str]:
        body = await self._api("GET", "/file-upload", letter)
        data = body.get("data") if isinstance(body, dict) else None
        attributes = data.get("attributes") if isinstance(data, dict) else None
        url = attributes.get("url") if isinstance(attributes, dict) else None
        signature = attributes.get("url_signature") if isinstance(attributes, dict) else None
        if not isinstance(url, str) or not url or not isinstance(signature, str):
            raise PermanentDeliveryError(
                f"{self.name}: the file-upload answer has no url and url_signature"
                f" ({repr(body)[:80]}); check base_url points at Pingen's API",
                channel=letter.channel,
                provider_status="malformed_response",
            )
        return url, signature

    async def _upload(self, letter: LetterMessage, url: str, pdf: bytes) -> None:
        # The signed URL is the storage bucket's, not the API's: no bearer token goes there.
        response = await self._request("PUT", url, letter, content=pdf)
        if not response.is_success:
            raise error_for_response(
                response,
                channel=letter.channel,
                provider=f"{self.name} (file upload)",
            )

    async def _api(self, method: str, path: str, letter: LetterMessage, **kwargs: Any) -> Any:
        """One API call with the bearer token; a 401 refreshes the token and repeats once."""
        headers = {"Accept": _JSON_API, **kwargs.pop("headers", {})}
        token = await self._access_token(letter)
        headers["Authorization"] = f"Bearer {token}"
        response = await self._request(method, path, letter, headers=headers, **kwargs)
        if response.status_code == 401:
            if self._token is not None and self._token[0] == token:
                self._token = None  # revoked or expired early; concurrent sends share the refresh
            headers["Authorization"] = f"Bearer {await self._access_token(letter)}"
            response = await self._request(method, path, letter, headers=headers, **kwargs)
        body = self._json(response, letter)
        if not response.is_success:
            raise self._error(response, body, letter)
        return body

    async def _access_token(self, letter: LetterMessage) -> str:
        async with self._token_lock:
            if self._token is not None and self._clock() < self._token[1] - _REFRESH_MARGIN:
                return self._token[0]
            url = self._identity_url + "/auth/access-tokens"
            response = await self._request("POST", url, letter, data=self._credentials)
            body = self._json(response, letter)
            if not response.is_success:
                raise self._error(response, body, letter, step="access token")
            token = body.get("access_token") if isinstance(body, dict) else None
            if not isinstance(token, str) or not token:
                raise PermanentDeliveryError(
                    f"{self.name}: the token answer has no access_token ({repr(body)[:60]});"
                    " check identity_url",
                    channel=letter.channel,
                    provider_status="malformed_response",
                )
            try:
                lifetime = int(body.get("expires_in", _DEFAULT_LIFETIME))
            except (TypeError, ValueError):
                lifetime = _DEFAULT_LIFETIME
            self._token = (token, self._clock() + timedelta(seconds=lifetime))
            return token

    def _error(
        self, response: httpx.Response, body: Any, letter: Message, *, step: str | None = None
    ) -> DeliveryError:
        code, detail = _error_detail(body)
        if response.status_code == 409 and step is None:
            detail = (
                f"{detail or 'conflict'}; a letter with this idempotency key may already"
                " exist, so check the Pingen app before sending again"
            )
        return error_for_response(
            response,
            channel=letter.channel,
            provider=f"{self.name} ({step})" if step else self.name,
            code=code,
            detail=detail,
        )
