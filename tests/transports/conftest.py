"""Fixtures for transport tests: a fake provider server, an httpx client, sample messages."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from fakeserver import FakeProvider

import creditcomms as cc
from creditcomms.payments import PaymentRequest
from creditcomms.transports import fast_client


@pytest.fixture(name="provider")
async def _provider() -> AsyncIterator[FakeProvider]:
    """A started fake provider on 127.0.0.1."""
    fake = FakeProvider()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture(name="client", params=["httpx", "fast"])
async def _client(request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    """A shared httpx client, closed after the test: httpx's own, then the ``fast`` one."""
    if request.param == "fast":
        pytest.importorskip("aiohttp", reason="extra 'fast' not installed")
        client = fast_client(max_connections=8, timeout=5)
    else:
        client = httpx.AsyncClient(timeout=5)
    async with client:
        yield client


@pytest.fixture(name="sms")
def _sms() -> cc.SmsMessage:
    """A German SMS."""
    return cc.SmsMessage(
        idempotency_key="b2c@1:reminder-1:sms:0:abc",
        case_id="C-1001",
        to="+4915112345678",
        text="Rechnung RE-2026-0001 ist offen: 123,45 EUR.",
        sender="Muster",
        created_at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
    )


@pytest.fixture(name="email")
def _email() -> cc.EmailMessage:
    """A reminder email with an HTML part."""
    return cc.EmailMessage(
        idempotency_key="b2c@1:reminder-1:email:0:abc",
        case_id="C-1001",
        sender="Muster GmbH <billing@muster.example>",
        to="Erika Mustermann <erika@example.de>",
        subject="Zahlungserinnerung RE-2026-0001",
        text="Bitte zahlen Sie 123,45 EUR.",
        html="<p>Bitte zahlen Sie 123,45 EUR.</p>",
        unsubscribe_url="https://muster.example/u/abc",
        created_at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
    )


@pytest.fixture(name="qr_email")
def _qr_email(case: cc.Case, creditor: cc.Creditor, now: datetime) -> cc.EmailMessage:
    """The built-in reminder with its payment QR code as an inline (cid:) image."""
    payment = PaymentRequest.for_case(case, creditor, at=now)
    message = _builtin().render(
        "reminder", "email", case, creditor, at=now, idempotency_key="b2c@1:r1:email:0:qr",
        payment=payment,
    )  # fmt: skip
    assert isinstance(message, cc.EmailMessage)
    assert len(message.attachments) == 1
    return message


@functools.cache
def _builtin() -> cc.TemplateLibrary:
    return cc.TemplateLibrary.builtin()
