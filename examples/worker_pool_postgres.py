"""A pool of procrastinate workers sharing one creditcomms schedule on PostgreSQL.

The schedule and the journal live in creditcomms' tables (schema ``creditcomms``); a
periodic ``pump`` task hands procrastinate only work that is already due, and each
``run_due`` job claims its batch with ``FOR UPDATE SKIP LOCKED`` under a lease, so any
number of workers on any number of machines send every reminder exactly once.

In production the pieces live in your application's tasks module and you start workers with
``procrastinate --app=billing.tasks.app worker --queues=creditcomms`` on each machine. Here
``main(dsn)`` does it all in one process: it creates the schemas, syncs 40 cases, and lets
two workers (two procrastinate apps, as two machines would have) drain the work.

Run it with a database you may write to:

    CREDITCOMMS_DSN=postgresql://localhost/billing python examples/worker_pool_postgres.py
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, date, datetime
from typing import Any

import creditcomms as cc
from creditcomms.contrib.procrastinate import blueprint
from creditcomms.simulate import demo_creditor
from creditcomms.transports import InMemoryTransport

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
CAMPAIGN = cc.Campaign(
    "b2c",
    steps=[
        cc.Step("reminder", cc.after_due(days=3), cc.EMAIL, template="reminder"),
        cc.Step("final", cc.after_due(days=30), cc.EMAIL, template="final_notice", tone="firm"),
    ],
)


def open_cases(count: int) -> list[cc.Case]:
    """Stand-in for the billing database's query of overdue invoices."""
    return [
        cc.Case(
            debtor=cc.Debtor(
                id=f"C-{n:04d}",
                name=f"Customer {n}",
                locale="de_DE",
                timezone="Europe/Berlin",
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


def worker_app(dsn: str, store: cc.PostgresStore, outbox: InMemoryTransport) -> Any:
    """One worker process's procrastinate app, with creditcomms' tasks registered.

    The blueprint calls ``make_engine`` once per worker process, on first use; workers
    share nothing but the database.
    """
    import procrastinate  # noqa: PLC0415 - the procrastinate extra is optional

    def make_engine() -> cc.Engine:
        return cc.Engine(
            cc.Strategy([], default=CAMPAIGN),
            cc.TemplateLibrary.builtin(),
            demo_creditor(),
            cc.Dispatcher(transports={cc.EMAIL: outbox}),
            store,
        )

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=dsn))
    app.add_tasks_from(
        blueprint(make_engine, fanout=2, batch_size=10, clock=lambda: NOW), namespace="creditcomms"
    )
    return app


async def prepare(dsn: str, cases: list[cc.Case]) -> None:
    """Deployment step: create both schemas (once) and sync the host's cases."""
    import procrastinate  # noqa: PLC0415
    import psycopg  # noqa: PLC0415

    store = cc.PostgresStore(dsn)
    await store.migrate()
    async with await psycopg.AsyncConnection.connect(dsn) as connection:
        cursor = await connection.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
        row = await cursor.fetchone()
    if not (row and row[0]):
        app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=dsn))
        async with app.open_async():
            await app.schema_manager.apply_schema_async()
    engine = cc.Engine(
        cc.Strategy([], default=CAMPAIGN),
        cc.TemplateLibrary.builtin(),
        demo_creditor(),
        cc.Dispatcher(transports={}),
        store,
        check=False,  # it only enrolls cases; the workers' engines send
    )
    await engine.sync(cases, at=datetime(2026, 11, 1, tzinfo=UTC))
    await store.aclose()


async def work(app: Any, ticks: int) -> None:
    """What ``procrastinate worker`` does on a machine: run the pump and the jobs it queues."""
    async with app.open_async():
        for tick in range(ticks):
            await app.tasks["creditcomms:pump"].defer_async(timestamp=tick)
            await app.run_worker_async(
                queues=["creditcomms"], wait=False, install_signal_handlers=False
            )


async def main(dsn: str) -> list[str]:
    """Prepare the database, let two workers send what is due; returns the sent keys."""
    cases = open_cases(40)
    await prepare(dsn, cases)
    outbox = InMemoryTransport()
    stores = [cc.PostgresStore(dsn), cc.PostgresStore(dsn)]  # one per machine
    try:
        machines = [worker_app(dsn, store, outbox) for store in stores]
        await asyncio.gather(*(work(app, ticks=3) for app in machines))
    finally:
        for store in stores:
            await store.aclose()
    keys = [message.idempotency_key for message in outbox.sent]
    assert len(keys) == len(set(keys)), "a reminder went out twice"
    print(f"{len(keys)} reminders sent by 2 workers, each exactly once")
    return keys


if __name__ == "__main__":
    DSN = os.environ.get("CREDITCOMMS_DSN")
    if not DSN:
        print(
            "Set CREDITCOMMS_DSN to a PostgreSQL database you may write to, for example\n"
            "  CREDITCOMMS_DSN=postgresql://localhost/billing python worker_pool_postgres.py\n"
            "It creates the schemas 'creditcomms' and procrastinate's tables there."
        )
    else:
        asyncio.run(main(DSN))
