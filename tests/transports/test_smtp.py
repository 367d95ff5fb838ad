"""SMTPTransport against a real aiosmtpd server on 127.0.0.1: contract, auth, reuse."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from contract import TransportContract
from fakeserver import FakeProvider

import creditcomms as cc
from creditcomms.transports import SMTPTransport, Transport
from qr_kit import decode_png, related_images

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult
except ImportError:  # pragma: no cover - the test extra installs aiosmtpd
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("aiosmtpd (test extra) is needed", allow_module_level=True)


class _Handler:
    """Accepts mail, or answers RCPT with the configured code."""

    def __init__(self) -> None:
        self.rcpt_reply = "250 OK"
        self.messages: list[bytes] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.rcpt_reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return self.rcpt_reply

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.content)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = data.login == b"billing" and data.password == b"pw"
    return AuthResult(success=ok, handled=False)


@pytest.fixture(name="smtp_server")
def _smtp_server() -> Iterator[tuple[_Handler, int]]:
    """A running aiosmtpd server accepting AUTH without TLS (local test only)."""
    handler = _Handler()
    port = _free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield handler, port
    controller.stop()


class TestSMTP(TransportContract):
    """SMTP passes the contract with a real server."""

    @pytest.fixture(autouse=True)
    def _server(self, smtp_server: tuple[_Handler, int]) -> None:
        self.handler, self.port = smtp_server

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> Transport:
        """An SMTP transport to the local server."""
        return SMTPTransport(
            hostname="127.0.0.1", port=self.port, username="billing", password="pw", start_tls=False
        )

    def message(self) -> cc.Message:
        """An email."""
        return cc.EmailMessage(
            idempotency_key="k-mail",
            case_id="C-1",
            sender="billing@muster.example",
            to="erika@example.de",
            subject="Erinnerung",
            text="Bitte zahlen.",
        )

    def succeed(self, provider: FakeProvider) -> None:
        """Accept the recipient."""
        self.handler.rcpt_reply = "250 OK"

    def reject(self, provider: FakeProvider) -> None:
        """Refuse the recipient permanently."""
        self.handler.rcpt_reply = "550 5.1.1 No such user"

    async def test_connection_is_reused(self, provider: FakeProvider) -> None:
        """Three messages travel over one SMTP connection, with the deterministic Message-ID."""
        transport = self.make(provider, None)
        assert isinstance(transport, SMTPTransport)
        async with transport:
            for _ in range(3):
                receipt = await transport.send(self.message())
        assert transport.connections == 1
        assert len(self.handler.messages) == 3
        assert receipt.provider_message_id.encode() in self.handler.messages[0]

    async def test_inline_qr_code_arrives_as_a_related_part(
        self, provider: FakeProvider, qr_email: cc.EmailMessage
    ) -> None:
        """The server receives the PNG beside the HTML under the Content-ID it refers to."""
        async with self.make(provider, None) as transport:
            await transport.send(qr_email)
        (raw,) = self.handler.messages
        (image,) = qr_email.attachments
        assert image.content_id is not None
        received = related_images(raw)
        assert list(received) == [image.content_id]
        assert received[image.content_id].startswith(b"\x89PNG\r\n\x1a\n")
        (payload,) = decode_png(received[image.content_id])
        assert payload.startswith(b"BCD\n")
        assert payload == decode_png(image.data)[0]
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        html = parsed.get_body(("html",))
        assert html is not None
        assert f'src="cid:{image.content_id}"' in html.get_content()

    async def test_greylisting_is_transient(self, provider: FakeProvider) -> None:
        """A 4xx recipient answer (greylisting) is transient."""
        self.handler.rcpt_reply = "451 4.7.1 Try again later"
        async with SMTPTransport(hostname="127.0.0.1", port=self.port, start_tls=False) as smtp:
            with pytest.raises(cc.TransientDeliveryError):
                await smtp.send(self.message())

    async def test_wrong_password_is_permanent(self, provider: FakeProvider) -> None:
        """Bad credentials are permanent and say what to check."""
        transport = SMTPTransport(
            hostname="127.0.0.1",
            port=self.port,
            username="billing",
            password="nope",
            start_tls=False,
        )
        async with transport:
            with pytest.raises(cc.PermanentDeliveryError, match="username and password"):
                await transport.send(self.message())

    async def test_server_down_is_transient(self, provider: FakeProvider) -> None:
        """No server listening is a transient error."""
        async with SMTPTransport(hostname="127.0.0.1", port=_free_port(), start_tls=False) as smtp:
            with pytest.raises(cc.TransientDeliveryError):
                await smtp.send(self.message())


@pytest.fixture(name="tls_context", scope="module")
def _tls_context(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1."""
    if shutil.which("openssl") is None:
        if os.environ.get("CI") == "true":
            raise RuntimeError("openssl is needed to test SMTP over TLS")
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",  # noqa: S607
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _email() -> cc.EmailMessage:
    return cc.EmailMessage(
        idempotency_key="k-tls",
        case_id="C-1",
        sender="billing@muster.example",
        to="erika@example.de",
        subject="TLS",
        text="Bitte zahlen.",
    )


async def test_starttls_with_auth(tls_context: ssl.SSLContext) -> None:
    """A server that requires STARTTLS and AUTH receives the message over the upgraded link."""
    handler = _Handler()
    port = _free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=tls_context,
        require_starttls=True,
        authenticator=_authenticate,
    )
    controller.start()
    try:
        transport = SMTPTransport(
            hostname="127.0.0.1",
            port=port,
            username="billing",
            password="pw",
            start_tls=True,
            validate_certs=False,
        )
        async with transport:
            await transport.send(_email())
    finally:
        controller.stop()
    assert len(handler.messages) == 1


async def test_implicit_tls(tls_context: ssl.SSLContext) -> None:
    """Port-465 style implicit TLS works with use_tls=True."""
    handler = _Handler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=tls_context)
    controller.start()
    try:
        transport = SMTPTransport(
            hostname="127.0.0.1", port=port, use_tls=True, validate_certs=False
        )
        async with transport:
            await transport.send(_email())
    finally:
        controller.stop()
    assert len(handler.messages) == 1
