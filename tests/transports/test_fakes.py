"""InMemoryTransport, MockTransport and FileOutbox: the transports tests and notebooks use."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from email import message_from_bytes
from pathlib import Path

import pytest

import creditcomms as cc
from creditcomms.transports import FileOutbox, InMemoryTransport, MockTransport
from qr_kit import decode_png, related_images

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def _task(key: str = "k-task") -> cc.PhoneTask:
    return cc.PhoneTask(
        idempotency_key=key,
        case_id="C-1",
        contact_name="Erika Mustermann",
        phone="+4915112345678",
        reason="Three reminders unanswered",
        script="Guten Tag, Frau Mustermann ...",
        talking_points=("Offer a plan", "Confirm address"),
    )


def _letter(pdf: bytes | None) -> cc.LetterMessage:
    return cc.LetterMessage(
        idempotency_key="b2c@1:final:letter:0:abc",
        case_id="C-1",
        recipient_address=cc.PostalAddress(
            name="Erika Mustermann", postcode="51147", city="Köln", country="DE"
        ),
        subject="Letzte Mahnung",
        body="Bitte zahlen Sie.",
        pdf=pdf,
    )


async def test_in_memory_records_and_is_deterministic(sms: cc.SmsMessage) -> None:
    """The same message always gets the same receipt id; sent messages are kept in order."""
    transport = InMemoryTransport(clock=lambda: NOW)
    first = await transport.send(sms)
    second = await transport.send(sms)
    assert first == second
    assert transport.sent == [sms, sms]
    await transport.aclose()
    with pytest.raises(cc.PermanentDeliveryError):
        await transport.send(sms)


async def test_mock_transport_accepts_sync_and_async_handlers(sms: cc.SmsMessage) -> None:
    """Sync and async handlers both answer; their DeliveryErrors pass through unchanged."""
    receipt = cc.Receipt(provider="mock", provider_message_id="m-1", accepted_at=NOW)

    async def async_handler(message: cc.Message) -> cc.Receipt:
        return receipt

    def rejecting(message: cc.Message) -> cc.Receipt:
        raise cc.RecipientRejected("unsubscribed", channel=message.channel)

    assert await MockTransport(lambda m: receipt).send(sms) == receipt
    assert await MockTransport(async_handler).send(sms) == receipt
    with pytest.raises(cc.RecipientRejected):
        await MockTransport(rejecting).send(sms)


async def test_mock_transport_wraps_handler_bugs(sms: cc.SmsMessage) -> None:
    """A handler raising something else becomes a PermanentDeliveryError naming it."""

    def buggy(message: cc.Message) -> cc.Receipt:
        raise KeyError("oops")

    with pytest.raises(cc.PermanentDeliveryError, match="KeyError"):
        await MockTransport(buggy).send(sms)


async def test_outbox_layout(tmp_path: Path, sms: cc.SmsMessage, email: cc.EmailMessage) -> None:
    """Email as .eml, SMS as JSON lines, phone tasks as CSV, letters as PDF or JSON."""
    outbox = FileOutbox(tmp_path)
    eml = await outbox.send(email)
    await outbox.send(sms)
    await outbox.send(sms)  # the same key is not appended twice
    await outbox.send(_task())
    await outbox.send(_task("k-task-2"))
    pdf = await outbox.send(_letter(b"%PDF-1.7 x"))
    _check_layout(tmp_path, eml, pdf, email, sms)


async def test_outbox_eml_carries_the_inline_qr_code(
    tmp_path: Path, qr_email: cc.EmailMessage
) -> None:
    """The .eml file holds the related PNG part the HTML's cid: URL names."""
    receipt = await FileOutbox(tmp_path).send(qr_email)
    _check_eml(Path(receipt.provider_message_id), qr_email)


def _check_eml(path: Path, sent: cc.EmailMessage) -> None:
    (image,) = sent.attachments
    assert image.content_id is not None
    assert related_images(path.read_bytes()) == {image.content_id: image.data}
    assert decode_png(image.data)[0].startswith(b"BCD\n")


def _check_layout(
    root: Path, eml: cc.Receipt, pdf: cc.Receipt, email: cc.EmailMessage, sms: cc.SmsMessage
) -> None:
    mime = message_from_bytes(Path(eml.provider_message_id).read_bytes())
    assert mime["Subject"] == email.subject
    lines = (root / "sms.jsonl").read_text().splitlines()
    assert [json.loads(line)["idempotency_key"] for line in lines] == [sms.idempotency_key]
    with (root / "phone_task.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["idempotency_key"] for r in rows] == ["k-task", "k-task-2"]
    assert rows[0]["talking_points"] == "Offer a plan | Confirm address"
    assert Path(pdf.provider_message_id).read_bytes() == b"%PDF-1.7 x"
    assert Path(pdf.provider_message_id).name.startswith("b2c_1_final_letter_0_abc-")


async def test_outbox_names_are_deterministic(tmp_path: Path) -> None:
    """Two outboxes write a letter without PDF to the same JSON file name."""
    first = await FileOutbox(tmp_path / "a").send(_letter(None))
    second = await FileOutbox(tmp_path / "b").send(_letter(None))
    first_path, second_path = Path(first.provider_message_id), Path(second.provider_message_id)
    assert first_path.name == second_path.name
    assert first_path.suffix == ".json"
    assert _subject(first_path) == "Letzte Mahnung"


def _subject(path: Path) -> str:
    subject: str = json.loads(path.read_text())["subject"]
    return subject
