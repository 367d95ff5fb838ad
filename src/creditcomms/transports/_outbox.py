"""A transport that writes every message to a folder: the demo's default and print batches."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from creditcomms.channels import EmailMessage, LetterMessage, Message, PhoneTask

from ._base import BaseTransport, Receipt, utc_now

__all__ = ["FileOutbox", "outbox_name"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_BYTES_FIELDS = {"pdf", "attachments"}
_CSV_COLUMNS = (
    "idempotency_key",
    "case_id",
    "contact_name",
    "phone",
    "reason",
    "call_by",
    "talking_points",
    "script",
)


def outbox_name(idempotency_key: str) -> str:
    """A file-system-safe, deterministic file stem for one idempotency key."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:10]
    return f"{_UNSAFE.sub('_', idempotency_key)[:80]}-{digest}"


class FileOutbox(BaseTransport):
    """Write messages as files instead of sending them.

    Layout under ``path``: ``email/<key>.eml``; ``letter/<key>.pdf`` when the letter has its
    PDF, else ``letter/<key>.json``; ``phone_task.csv`` (one row per task, for a call list);
    every other channel as JSON lines in ``<channel>.jsonl``. File names derive from the
    idempotency key, so writing the same message again rewrites the same file, and a key
    already written by this outbox is not appended twice.
    """

    name = "outbox"

    def __init__(self, path: str | Path, /, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.path = Path(path)
        self._clock = clock
        self._written: set[str] = set()
        self._lock = asyncio.Lock()

    async def send(self, message: Message, /) -> Receipt:
        """Write ``message`` and return a receipt naming the file."""
        async with self._lock:
            target = await asyncio.to_thread(self._write, message)
        self._written.add(message.idempotency_key)
        return Receipt(
            provider=self.name,
            provider_message_id=str(target),
            accepted_at=self._clock(),
            idempotency_key=message.idempotency_key,
            cost=message.cost,
            raw_status="written",
        )

    def _write(self, message: Message) -> Path:
        stem = outbox_name(message.idempotency_key)
        if isinstance(message, EmailMessage):
            target = self.path / "email" / f"{stem}.eml"
            return _write_bytes(target, message.to_mime().as_bytes())
        if isinstance(message, LetterMessage):
            if message.pdf is not None:
                return _write_bytes(self.path / "letter" / f"{stem}.pdf", message.pdf)
            body = message.model_dump_json(exclude=_BYTES_FIELDS, indent=2)
            return _write_bytes(self.path / "letter" / f"{stem}.json", body.encode())
        if isinstance(message, PhoneTask):
            return self._append(self.path / "phone_task.csv", message, _csv_row(message))
        line = message.model_dump_json(exclude=_BYTES_FIELDS & set(type(message).model_fields))
        return self._append(self.path / f"{message.channel}.jsonl", message, line + "\n")

    def _append(self, target: Path, message: Message, text: str) -> Path:
        if message.idempotency_key in self._written:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix == ".csv" and not target.exists():
            text = _csv_header() + text
        with target.open("a", encoding="utf-8", newline="") as handle:
            handle.write(text)
        return target


def _write_bytes(target: Path, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def _csv_header() -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(_CSV_COLUMNS)
    return buffer.getvalue()


def _csv_row(task: PhoneTask) -> str:
    buffer = io.StringIO()
    call_by = task.call_by.isoformat() if task.call_by else ""
    csv.writer(buffer).writerow(
        (
            task.idempotency_key,
            task.case_id,
            task.contact_name,
            task.phone,
            task.reason,
            call_by,
            " | ".join(task.talking_points),
            task.script,
        )
    )
    return buffer.getvalue()
