"""Engine factories that worker processes import (spawned interpreters start from scratch)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import creditcomms as cc
from creditcomms.transports import FileOutbox

SYNC_AT = datetime(2026, 10, 20, 9, tzinfo=UTC)
RUN_AT = datetime(2026, 11, 3, 12, tzinfo=UTC)
DB_ENV = "CREDITCOMMS_TEST_WORKER_DB"
OUTBOX_ENV = "CREDITCOMMS_TEST_WORKER_OUTBOX"


def cases(count: int) -> list[cc.Case]:
    """``count`` cases with one invoice each, all due for the reminder at ``RUN_AT``."""
    return [
        cc.Case(
            id=f"C-{n:04d}",
            debtor=cc.Debtor(
                id=f"D-{n:04d}",
                name=f"Customer {n}",
                locale="de_DE",
                contacts=cc.Contacts(email=f"customer{n}@example.de"),
            ),
            invoices=[
                cc.Invoice(
                    id=f"RE-{n:04d}",
                    amount=cc.Money("49.90", "EUR"),
                    issued_on=date(2026, 10, 1),
                    due_on=date(2026, 10, 31),
                )
            ],
        )
        for n in range(count)
    ]


def make_engine(database: str, outbox: str, *, batch_size: int = 25) -> cc.Engine:
    """An engine on the SQLite file ``database`` that writes emails to ``outbox``."""
    campaign = cc.Campaign(
        "b2c", steps=[cc.Step("reminder", cc.after_due(days=3), cc.EMAIL, template="reminder")]
    )
    creditor = cc.Creditor(
        name="Muster GmbH",
        iban="DE89370400440532013000",
        payment_page="https://pay.muster.example/{token}",
        link_secret="worker-test-secret-0123456789",
        senders={cc.EMAIL: "Muster GmbH <billing@muster.example>"},
    )
    return cc.Engine(
        cc.Strategy([], default=campaign),
        cc.TemplateLibrary.builtin(),
        creditor,
        cc.Dispatcher(transports={cc.EMAIL: FileOutbox(Path(outbox))}),
        cc.SQLiteStore(database),
        batch_size=batch_size,
    )


def from_environment() -> cc.Engine:
    """`make_engine` on the paths the test put in the environment (the string-path form)."""
    return make_engine(os.environ[DB_ENV], os.environ[OUTBOX_ENV])


async def built_later(database: str, outbox: str) -> cc.Engine:
    """An async factory: the workers await it."""
    return make_engine(database, outbox)


def in_memory() -> cc.Engine:
    """An engine whose store the worker processes cannot share."""
    engine = make_engine(":memory:", "unused")
    engine.store = cc.MemoryStore()
    return engine


def exits() -> cc.Engine:
    """A worker that dies at once, as a crash or the OOM killer would leave it."""
    os._exit(3)


def not_an_engine() -> object:
    """A factory that returns the wrong thing."""
    return "engine"
