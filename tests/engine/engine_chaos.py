"""Worker processes and a fake webhook provider for the engine crash tests.

Each worker runs `Engine.run_due` against a shared store and sends every message through a
real `WebhookTransport` to a local HTTP server that records each call's idempotency key (the
``Idempotency-Key`` header) and the calling worker (the last path segment).
``crash_after`` makes a worker ``os._exit`` right after that many provider calls returned,
before the engine commits the outcomes: the documented window where a send can happen twice.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import creditcomms as cc
from crash_kit import RecordingServer
from creditcomms.channels import Message
from creditcomms.stores import PostgresStore, SQLiteStore, Store
from creditcomms.transports import InMemoryTransport, Receipt, Transport, WebhookTransport

CRASH_EXIT = 3
BATCH = 10
SECRET = "engine-chaos-secret"


def open_store(spec: tuple[str, ...]) -> Store:
    """The store described by ``("sqlite", path)`` or ``("postgres", dsn, schema)``."""
    if spec[0] == "sqlite":
        return SQLiteStore(spec[1])
    return PostgresStore(spec[1], schema=spec[2])


def cases(count: int, *, today: date) -> list[cc.Case]:
    """``count`` cases, each with one invoice due ten days before ``today``."""
    return [
        cc.Case(
            id=f"C-{n:05d}",
            debtor=cc.Debtor(
                id=f"D-{n:05d}",
                name="Erika Mustermann",
                locale="de_DE",
                timezone="UTC",
                contacts=cc.Contacts(email=f"d{n}@example.de"),
            ),
            invoices=(
                cc.Invoice(
                    id=f"RE-{n:05d}",
                    amount=cc.Money("80.00", "EUR"),
                    issued_on=today - timedelta(days=40),
                    due_on=today - timedelta(days=10),
                ),
            ),
        )
        for n in range(count)
    ]


def engine(store: Store, transport: Transport, *, name: str, batch: int, lease: float) -> cc.Engine:
    """An engine with one email reminder step, due three days after the due date."""
    campaign = cc.Campaign(
        "chaos",
        version=1,
        steps=[cc.Step("reminder", cc.after_due(days=3), cc.EMAIL, template="reminder")],
    )
    creditor = cc.Creditor(
        name="Muster GmbH",
        iban="DE89370400440532013000",
        payment_page="https://pay.muster.example/{token}",
        link_secret="chaos-link-secret-0123456789",
        senders={cc.EMAIL: "Muster GmbH <billing@muster.example>"},
    )
    return cc.Engine(
        cc.Strategy([], default=campaign),
        cc.TemplateLibrary.builtin(),
        creditor,
        cc.Dispatcher(transports={cc.EMAIL: transport}, hooks=[]),
        store,
        lease=timedelta(seconds=lease),
        worker=name,
        batch_size=batch,
    )


async def seed(spec: tuple[str, ...], count: int) -> None:
    """Migrate the store and sync ``count`` cases whose reminder is due now."""
    store = open_store(spec)
    await store.migrate()
    seeder = engine(store, InMemoryTransport(), name="seeder", batch=500, lease=60)
    now = datetime.now(UTC)
    await seeder.sync(cases(count, today=now.date()), at=now)
    await store.aclose()


class _CrashingWebhook(WebhookTransport):
    """A webhook transport that exits the process after ``crash_after`` provider calls."""

    def __init__(self, url: str, *, crash_after: int | None) -> None:
        super().__init__(url, secret=SECRET)
        self._crash_after = crash_after
        self._calls = 0

    async def send(self, message: Message, /) -> Receipt:
        receipt = await super().send(message)
        self._calls += 1
        if self._crash_after is not None and self._calls >= self._crash_after:
            os._exit(CRASH_EXIT)  # the provider has it; the engine never commits the outcome
        return receipt


@dataclass(frozen=True)
class Worker:
    """What one worker process needs: its store, the provider, its name and its lease."""

    spec: tuple[str, ...]
    url: str
    name: str
    lease: float
    """Seconds a claim stays reserved."""
    crash_after: int | None = None


async def _work(worker: Worker, go: Any, ready: Any) -> None:
    store = open_store(worker.spec)
    transport = _CrashingWebhook(f"{worker.url}/{worker.name}", crash_after=worker.crash_after)
    runner = engine(store, transport, name=worker.name, batch=BATCH, lease=worker.lease)
    runner.templates.resolve("reminder", cc.EMAIL, locale="de_DE")
    ready.release()
    await asyncio.to_thread(go.wait)
    while True:
        now = datetime.now(UTC)
        if (await runner.run_due(at=now)).claimed:
            continue
        upcoming = await store.next_due_at()
        if upcoming is None:
            break  # every action is finished
        await asyncio.sleep(min(0.2, max(0.01, (upcoming - now).total_seconds())))
    await transport.aclose()
    await store.aclose()


def run(worker: Worker, go: Any, ready: Any) -> None:
    """Process entry point: wait for ``go``, then run ``run_due`` until nothing is unfinished.

    ``ready`` is released once the worker is set up.
    """
    asyncio.run(_work(worker, go, ready))


class FakeWebhook(RecordingServer):
    """A webhook receiver: the key from the ``Idempotency-Key`` header, the worker from the path."""

    def identify(self, request: BaseHTTPRequestHandler, body: bytes) -> tuple[str, str]:
        """The key header and the last path segment (``<url>/<worker name>``)."""
        return request.headers["Idempotency-Key"], request.path.rsplit("/", 1)[-1]

    @property
    def url(self) -> str:
        """The base URL; a worker posts to ``<url>/<worker name>``."""
        return f"http://127.0.0.1:{self.port}/hook"
