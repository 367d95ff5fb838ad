"""procrastinate workers share one creditcomms schedule on PostgreSQL; nothing is sent twice."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

import creditcomms as cc
from creditcomms.contrib.procrastinate import blueprint
from creditcomms.transports import InMemoryTransport

procrastinate = pytest.importorskip("procrastinate")
psycopg = pytest.importorskip("psycopg")

NOW = datetime(2026, 11, 3, 12, tzinfo=UTC)


@pytest.fixture(name="database")
async def _database(postgres_dsn: str) -> str:
    """A fresh database on the session's server, with procrastinate's schema applied."""
    name = f"proc_{uuid.uuid4().hex[:10]}"
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as admin:
        await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = psycopg.conninfo.make_conninfo(postgres_dsn, dbname=name)
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=dsn))
    async with app.open_async():
        await app.schema_manager.apply_schema_async()
    return dsn


def _cases(debtor: cc.Debtor, count: int) -> list[cc.Case]:
    return [
        cc.Case(
            id=f"K-{n:03d}",
            debtor=debtor.model_copy(update={"id": f"D-{n:03d}"}),
            invoices=[
                cc.Invoice(
                    id=f"RE-{n:03d}",
                    amount=cc.Money("50.00", "EUR"),
                    issued_on=date(2026, 10, 1),
                    due_on=date(2026, 10, 31),
                )
            ],
        )
        for n in range(count)
    ]


async def test_workers_send_every_due_action_once(
    database: str, debtor: cc.Debtor, creditor: cc.Creditor
) -> None:
    """The pump defers jobs only for due work; workers send all 50 reminders exactly once."""
    transport = InMemoryTransport()
    campaign = cc.Campaign(
        "b2c",
        version=1,
        steps=[cc.Step("reminder", cc.after_due(days=3), cc.EMAIL, template="reminder")],
    )
    store = cc.PostgresStore(database)
    await store.migrate()

    def make_engine() -> cc.Engine:
        return cc.Engine(
            cc.Strategy([], default=campaign),
            cc.TemplateLibrary.builtin(),
            creditor,
            cc.Dispatcher(transports={cc.EMAIL: transport}),
            store,
        )

    await make_engine().sync(_cases(debtor, 50), at=datetime(2026, 10, 20, tzinfo=UTC))
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=database))
    app.add_tasks_from(
        blueprint(make_engine, clock=lambda: NOW, fanout=2, batch_size=20), namespace="creditcomms"
    )
    async with app.open_async():
        for _ in range(3):  # three pump ticks: 2 jobs x 20 actions, then the last 10
            await app.tasks["creditcomms:pump"].defer_async(timestamp=0)
            await app.run_worker_async(
                queues=["creditcomms"], wait=False, install_signal_handlers=False
            )
        sent_keys = [m.idempotency_key for m in transport.sent]
        assert len(sent_keys) == 50
        assert len(set(sent_keys)) == 50
        # Nothing is due any more, so the pump defers nothing.
        await app.tasks["creditcomms:pump"].defer_async(timestamp=1)
        await app.run_worker_async(
            queues=["creditcomms"], wait=False, install_signal_handlers=False
        )
    assert len(transport.sent) == 50
    await store.aclose()


def test_blueprint_has_both_tasks() -> None:
    """The blueprint registers the periodic pump and the run_due worker task."""
    tasks = blueprint(lambda: None)  # type: ignore[arg-type,return-value]
    assert set(tasks.tasks) == {"pump", "run_due"}
    assert len(tasks.periodic_registry.periodic_tasks) == 1
