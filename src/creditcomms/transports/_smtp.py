"""SMTP through aiosmtplib (extra ``smtp``): TLS or STARTTLS, auth, one reused connection."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from creditcomms.channels import EmailMessage, Message
from creditcomms.errors import (
    DeliveryError,
    MissingExtraError,
    PermanentDeliveryError,
    RecipientRejected,
    TransientDeliveryError,
)

from ._base import BaseTransport, Receipt, expect_message, utc_now

if TYPE_CHECKING:
    import aiosmtplib

__all__ = ["SMTPTransport"]


def _aiosmtplib() -> Any:
    try:
        import aiosmtplib  # noqa: PLC0415 - optional extra, imported on first use
    except ImportError as exc:
        raise MissingExtraError("SMTPTransport", "smtp", "aiosmtplib") from exc
    return aiosmtplib


class SMTPTransport(BaseTransport):
    """Send `EmailMessage`s over SMTP, reusing one connection for many messages.

    Args:
        hostname: The SMTP server.
        port: 465 for implicit TLS, 587 for STARTTLS, 25 for relays.
        username: Login user (with ``password``), or None for no authentication.
        password: Login password.
        use_tls: Implicit TLS from the first byte (port 465).
        start_tls: Upgrade with STARTTLS: True requires it, None uses it when offered.
        timeout: Seconds per SMTP command.
        validate_certs: Check the server's certificate (turn off only for local tests).

    Raises:
        MissingExtraError: When aiosmtplib (extra ``smtp``) is not installed.
    """

    name = "smtp"

    def __init__(
        self,
        *,
        hostname: str,
        port: int = 587,
        username: str | None = None,
        password: str | None = None,
        use_tls: bool = False,
        start_tls: bool | None = None,
        timeout: float = 30.0,
        validate_certs: bool = True,
    ) -> None:
        self._lib = _aiosmtplib()
        self._options: dict[str, Any] = {
            "hostname": hostname,
            "port": port,
            "username": username,
            "password": password,
            "use_tls": use_tls,
            "start_tls": start_tls,
            "timeout": timeout,
            "validate_certs": validate_certs,
        }
        self._smtp: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()
        self.connections = 0
        """How many connections were opened (one for many messages when all goes well)."""

    async def send(self, message: Message, /) -> Receipt:
        """Send the MIME message on the shared connection and return its Message-ID."""
        email = expect_message(message, EmailMessage, self.name)
        mime = email.to_mime(date=email.created_at or utc_now())
        async with self._lock:
            try:
                smtp = await self._connection()
                await smtp.send_message(mime)
            except self._lib.SMTPException as exc:
                await self._drop()
                raise _classify(exc, email.channel) from exc
            except (OSError, TimeoutError) as exc:
                await self._drop()
                raise TransientDeliveryError(
                    f"smtp: connection failed: {exc}", channel=email.channel
                ) from exc
        return Receipt(
            provider=self.name,
            provider_message_id=email.message_id,
            accepted_at=utc_now(),
            idempotency_key=email.idempotency_key,
            raw_status="250",
        )

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        smtp: aiosmtplib.SMTP = self._lib.SMTP(**self._options)
        await smtp.connect()
        self.connections += 1
        self._smtp = smtp
        return smtp

    async def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None and smtp.is_connected:
            smtp.close()

    async def aclose(self) -> None:
        """Say QUIT and close the connection; calling it again does nothing."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None and smtp.is_connected:
            try:
                await smtp.quit()
            except (self._lib.SMTPException, OSError):
                smtp.close()


def _classify(exc: Exception, channel: str) -> DeliveryError:
    lib = _aiosmtplib()
    text = f"smtp: {type(exc).__name__}: {exc}"
    if isinstance(exc, lib.SMTPRecipientsRefused):
        codes = [getattr(r, "code", 550) for r in exc.recipients]
        if all(400 <= c < 500 for c in codes):
            return TransientDeliveryError(text, channel=channel, provider_status=str(codes[0]))
        return RecipientRejected(text, channel=channel, provider_status=str(codes[0]))
    if isinstance(exc, lib.SMTPAuthenticationError):
        return PermanentDeliveryError(text + "; check username and password", channel=channel)
    code = getattr(exc, "code", None)
    if isinstance(code, int) and 500 <= code < 600:
        failure = RecipientRejected if code in {550, 551, 553} else PermanentDeliveryError
        return failure(text, channel=channel, provider_status=str(code))
    return TransientDeliveryError(text, channel=channel, provider_status=str(code or ""))
