"""Fixtures for dispatcher tests: message factories and a recording fake sleep."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from dispatch_fakes import FakeSleep

import creditcomms as cc


@pytest.fixture(name="sleep")
def _sleep() -> FakeSleep:
    """A fresh fake sleep."""
    return FakeSleep()


@pytest.fixture(name="make_sms")
def _make_sms() -> Callable[..., cc.SmsMessage]:
    """Build an SMS with a given key."""

    def make(key: str = "k-sms", **extra: object) -> cc.SmsMessage:
        return cc.SmsMessage(
            idempotency_key=key, case_id="C-1", to="+4915112345678", text="Bitte zahlen.", **extra
        )

    return make


@pytest.fixture(name="make_email")
def _make_email() -> Callable[..., cc.EmailMessage]:
    """Build an email with a given key."""

    def make(key: str = "k-email") -> cc.EmailMessage:
        return cc.EmailMessage(
            idempotency_key=key,
            case_id="C-1",
            sender="billing@muster.example",
            to="erika@example.de",
            subject="Erinnerung",
            text="Bitte zahlen.",
        )

    return make
