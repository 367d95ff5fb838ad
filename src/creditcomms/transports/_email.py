"""Email APIs: SendGrid v3 Mail Send, Postmark and Mailgun.

Inline images (``Attachment(inline=True)``, such as the payment QR code the HTML shows as
``cid:...``) go in each provider's inline form: SendGrid ``disposition: inline`` with
``content_id``, Postmark ``ContentID: cid:...``, Mailgun an ``inline`` file named by its
content id.
"""

from __future__ import annotations

import base64
from email.utils import getaddresses
from typing import Any

import httpx

from creditcomms.channels import Attachment, EmailMessage, Message

from ._base import Receipt, expect_message
from ._http import HttpTransport, correlation
from ._http_errors import Failure, error_for_response

__all__ = ["MailgunTransport", "PostmarkTransport", "SendGridTransport"]


def _address(mailbox: str) -> dict[str, str]:
    ((name, email),) = getaddresses([mailbox])
    return {"email": email, "name": name} if name else {"email": email}


def _headers(message: EmailMessage) -> dict[str, str]:
    headers = dict(message.headers)
    if message.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _sendgrid_attachment(item: Attachment) -> dict[str, str]:
    """SendGrid's attachment: an inline one has ``disposition: inline`` and its ``content_id``."""
    shape = {"content": _b64(item.data), "filename": item.filename, "type": item.content_type}
    if item.inline and item.content_id is not None:
        shape |= {"disposition": "inline", "content_id": item.content_id}
    return shape


def _postmark_attachment(item: Attachment) -> dict[str, str]:
    """Postmark's attachment: an inline one has ``ContentID: cid:<id>``."""
    shape = {"Name": item.filename, "Content": _b64(item.data), "ContentType": item.content_type}
    if item.inline and item.cid_url is not None:
        shape["ContentID"] = item.cid_url
    return shape


def _mailgun_file(item: Attachment) -> tuple[str, tuple[str, bytes, str]]:
    """Mailgun's form file: an inline one goes as ``inline``, named by its content id.

    Mailgun takes an inline file's name as its Content-ID, so ``cid:<id>`` in the HTML
    finds it.
    """
    if item.inline and item.content_id is not None:
        return "inline", (item.content_id, item.data, item.content_type)
    return "attachment", (item.filename, item.data, item.content_type)


class SendGridTransport(HttpTransport):
    """Send `EmailMessage`s through SendGrid's v3 Mail Send API.

    The idempotency key and case id go in ``custom_args`` and come back in Event Webhook
    posts. SendGrid answers ``202 Accepted`` with the id in the ``X-Message-Id`` header.

    Args:
        api_key: A key with the Mail Send permission.
        sandbox: Validate without delivering (``mail_settings.sandbox_mode``).
        **options: ``client``, ``base_url`` (``https://api.eu.sendgrid.com`` for EU
            subusers), ``timeout``, ``clock``.
    """

    name = "sendgrid"
    default_base_url = "https://api.sendgrid.com"

    def __init__(self, *, api_key: str, sandbox: bool = False, **options: Any) -> None:
        super().__init__(**options)
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._sandbox = sandbox

    async def send(self, message: Message, /) -> Receipt:
        """Post the mail and return SendGrid's message id."""
        email = expect_message(message, EmailMessage, self.name)
        response = await self._request(
            "POST", "/v3/mail/send", email, json=self.payload(email), headers=self._headers
        )
        if not response.is_success:
            raise self._error(response, email)
        if response.content.strip():
            self._json(response, email)  # SendGrid answers 202 with no body; anything else is odd
        message_id = response.headers.get("X-Message-Id") or email.message_id
        return self._receipt(email, message_id, raw_status=str(response.status_code))

    def payload(self, message: EmailMessage) -> dict[str, Any]:
        """The Mail Send request body for ``message``."""
        content = [{"type": "text/plain", "value": message.text}]
        if message.html is not None:
            content.append({"type": "text/html", "value": message.html})
        body: dict[str, Any] = {
            "personalizations": [
                {"to": [_address(message.to)], "custom_args": correlation(message)}
            ],
            "from": _address(message.sender),
            "subject": message.subject,
            "content": content,
            "headers": _headers(message),
        }
        if message.reply_to:
            body["reply_to"] = _address(message.reply_to)
        if message.attachments:
            body["attachments"] = [_sendgrid_attachment(a) for a in message.attachments]
        if self._sandbox:
            body["mail_settings"] = {"sandbox_mode": {"enable": True}}
        return body

    def _error(self, response: httpx.Response, message: EmailMessage) -> Exception:
        body = self._json(response, message)
        errors = body.get("errors") if isinstance(body, dict) else None
        first = errors[0] if isinstance(errors, list) and errors else {}
        detail = first.get("message") if isinstance(first, dict) else None
        return error_for_response(
            response, channel=message.channel, provider=self.name, detail=detail
        )


# Postmark API error codes: 406 is an inactive (suppressed) recipient, 300 an invalid request
# such as a malformed address; https://postmarkapp.com/developer/api/overview#error-codes
_POSTMARK_RECIPIENT = frozenset({406})


class PostmarkTransport(HttpTransport):
    """Send `EmailMessage`s through Postmark's ``/email`` endpoint.

    The idempotency key and case id go in ``Metadata`` and come back in webhooks.

    Args:
        server_token: The server API token (``POSTMARK_API_TEST`` validates only).
        message_stream: ``outbound`` for transactional mail, or a broadcast stream id.
        **options: ``client``, ``base_url``, ``timeout``, ``clock``.
    """

    name = "postmark"
    default_base_url = "https://api.postmarkapp.com"

    def __init__(
        self, *, server_token: str, message_stream: str = "outbound", **options: Any
    ) -> None:
        super().__init__(**options)
        self._headers = {"X-Postmark-Server-Token": server_token, "Accept": "application/json"}
        self._stream = message_stream

    async def send(self, message: Message, /) -> Receipt:
        """Post the mail and return Postmark's ``MessageID``."""
        email = expect_message(message, EmailMessage, self.name)
        response = await self._request(
            "POST", "/email", email, json=self.payload(email), headers=self._headers
        )
        body = self._json(response, email)
        code = body.get("ErrorCode") if isinstance(body, dict) else None
        if not response.is_success or code not in (0, None):
            failure = Failure.RECIPIENT if code in _POSTMARK_RECIPIENT else None
            raise error_for_response(
                response,
                channel=email.channel,
                provider=self.name,
                failure=failure,
                code=str(code) if code is not None else None,
                detail=body.get("Message") if isinstance(body, dict) else None,
            )
        message_id = body.get("MessageID") if isinstance(body, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise self._missing_id(email, body)
        return self._receipt(email, message_id, raw_status=str(body.get("Message", "OK")))

    def payload(self, message: EmailMessage) -> dict[str, Any]:
        """The Postmark request body for ``message``."""
        body: dict[str, Any] = {
            "From": message.sender,
            "To": message.to,
            "Subject": message.subject,
            "TextBody": message.text,
            "MessageStream": self._stream,
            "Metadata": correlation(message),
            "Headers": [{"Name": k, "Value": v} for k, v in _headers(message).items()],
        }
        if message.html is not None:
            body["HtmlBody"] = message.html
        if message.reply_to:
            body["ReplyTo"] = message.reply_to
        if message.attachments:
            body["Attachments"] = [_postmark_attachment(a) for a in message.attachments]
        return body


class MailgunTransport(HttpTransport):
    """Send `EmailMessage`s through Mailgun's ``/v3/{domain}/messages`` (multipart form).

    The idempotency key and case id go in ``v:`` variables (note: Mailgun shows these to the
    recipient in the ``X-Mailgun-Variables`` header, so they must stay non-personal).

    Args:
        api_key: The private API key (HTTP Basic user ``api``).
        domain: The sending domain.
        **options: ``client``, ``base_url`` (``https://api.eu.mailgun.net`` in the EU),
            ``timeout``, ``clock``.
    """

    name = "mailgun"
    default_base_url = "https://api.mailgun.net"

    def __init__(self, *, api_key: str, domain: str, **options: Any) -> None:
        super().__init__(**options)
        self._auth = httpx.BasicAuth("api", api_key)
        self._domain = domain

    async def send(self, message: Message, /) -> Receipt:
        """Post the mail and return Mailgun's ``id``."""
        email = expect_message(message, EmailMessage, self.name)
        files = [_mailgun_file(a) for a in email.attachments]
        response = await self._request(
            "POST",
            f"/v3/{self._domain}/messages",
            email,
            data=self.form(email),
            files=files or None,
            auth=self._auth,
        )
        body = self._json(response, email)
        if not response.is_success:
            detail = body.get("message") if isinstance(body, dict) else None
            raise error_for_response(
                response, channel=email.channel, provider=self.name, detail=detail
            )
        message_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise self._missing_id(email, body)
        return self._receipt(email, message_id, raw_status=str(body.get("message", "")))

    def form(self, message: EmailMessage) -> dict[str, str]:
        """The form fields for ``message``."""
        form = {
            "from": message.sender,
            "to": message.to,
            "subject": message.subject,
            "text": message.text,
            "h:Message-Id": message.message_id,
        }
        if message.html is not None:
            form["html"] = message.html
        if message.reply_to:
            form["h:Reply-To"] = message.reply_to
        form |= {f"h:{k}": v for k, v in _headers(message).items()}
        form |= {f"v:{k}": v for k, v in correlation(message).items()}
        return form
