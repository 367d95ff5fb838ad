"""The default logging hook never writes personal data at INFO or above."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditcomms as cc
from creditcomms.dispatch import redact, scrub
from creditcomms.transports import InMemoryTransport, MockTransport

PHONE = "+4915112345678"
EMAIL = "erika@example.de"
IBAN = "DE89370400440532013000"


async def test_no_personal_data_at_info(
    caplog: pytest.LogCaptureFixture,
    make_sms: Callable[..., cc.SmsMessage],
    make_email: Callable[..., cc.EmailMessage],
) -> None:
    """Successes, failures and fallbacks are logged, with phone, email and IBAN masked."""

    def reject(message: cc.Message) -> cc.Receipt:
        raise cc.RecipientRejected(
            f"The 'To' number {PHONE} is not valid (also {EMAIL}, account {IBAN})", channel="sms"
        )

    dispatcher = cc.Dispatcher({cc.SMS: MockTransport(reject), cc.EMAIL: InMemoryTransport()})
    with caplog.at_level(logging.INFO, logger="creditcomms"):
        await dispatcher.send([cc.Envelope(make_sms(), fallbacks=(make_email(),))])
    assert "fallback" in caplog.text
    assert "success" in caplog.text
    for secret in (PHONE, "15112345678", EMAIL, "erika@", IBAN, "370400440532013000"):
        assert secret not in caplog.text
    assert all(r.name == "creditcomms" for r in caplog.records)
    assert {getattr(r, "idempotency_key", None) for r in caplog.records} == {"k-sms", "k-email"}


def test_event_repr_masks_recipient(make_sms: Callable[..., cc.SmsMessage]) -> None:
    """repr(DeliveryEvent) shows a masked recipient."""
    event = cc.DeliveryEvent(
        kind=cc.DeliveryEventKind.SUCCESS,
        idempotency_key="k",
        case_id="C-1",
        channel="sms",
        recipient=PHONE,
    )
    assert PHONE not in repr(event)
    assert redact(PHONE) in repr(event)


@pytest.mark.parametrize(
    "text",
    [f"call {PHONE} now", f"mail {EMAIL}", f"IBAN {IBAN}", "IBAN DE89 3704 0044 0532 0130 00"],
)
def test_scrub(text: str) -> None:
    """scrub() removes phone numbers, addresses and IBANs from free text."""
    cleaned = scrub(text)
    assert PHONE not in cleaned
    assert EMAIL not in cleaned
    assert "0532" not in cleaned


@given(
    digits=st.text(alphabet="0123456789", min_size=9, max_size=12),
    local=st.from_regex(r"[a-z][a-z0-9.]{2,12}", fullmatch=True),
)
def test_scrub_hides_any_number_and_address(digits: str, local: str) -> None:
    """Whatever the number or mailbox, scrub() leaves neither in a provider error text."""
    phone, mailbox = f"+49{digits}", f"{local}@example.org"
    cleaned = scrub(f"Recipient {phone} / {mailbox} refused")
    assert phone not in cleaned
    assert digits not in cleaned
    assert mailbox not in cleaned
