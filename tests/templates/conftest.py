"""Fixtures for template tests: the built-in library and a stand-in payment request."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import creditcomms as cc


@dataclass(frozen=True)
class Payment:
    """A stand-in with the attributes of ``creditcomms.payments.PaymentRequest``."""

    amount: cc.Money
    link: str | None = "https://pay.muster.example/tok_3fA9zQ"
    reference: str | None = "RF18539007547034"
    qr_svg: str | None = None
    qr_data_uri: str | None = None


@pytest.fixture(name="library", scope="session")
def _library() -> cc.TemplateLibrary:
    """The built-in packs, shared by the whole session (rendering does not change them)."""
    return cc.TemplateLibrary.builtin()


@pytest.fixture(name="payment")
def _payment(case: cc.Case) -> Payment:
    """A payment request for the open amount of ``case``."""
    return Payment(amount=case.open_amount)
