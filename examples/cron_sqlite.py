"""A cron job on one machine: sync today's cases into SQLite, send what is due, report.

Run it every few minutes from cron; several runs may overlap safely (leases in SQLite, WAL
mode). Messages go to ./outbox/ here; plug in SMTP, Twilio or another transport instead.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import creditcomms as cc
from creditcomms.simulate import demo_creditor, demo_strategy, synthetic_portfolio
from creditcomms.transports import FileOutbox

DATABASE = Path("creditcomms.db")


def load_cases_from_billing() -> list[cc.Case]:
    """Stand-in for the host's query of open invoices (here: a small synthetic portfolio)."""
    return list(synthetic_portfolio(25, seed=5, start=date(2026, 11, 2)).cases)


async def run(now: datetime) -> cc.RunReport:
    """One cron tick: sync, run what is due, close the store."""
    outbox = FileOutbox(Path("outbox"))
    store = cc.SQLiteStore(DATABASE)
    await store.migrate()
    engine = cc.Engine(
        demo_strategy(),
        cc.TemplateLibrary.builtin(),
        demo_creditor(),
        cc.Dispatcher(transports=dict.fromkeys(cc.BUILTIN_CHANNELS, outbox)),
        store,
    )
    try:
        await engine.sync(load_cases_from_billing(), at=now)
        return await engine.run_due(at=now)
    finally:
        await store.aclose()


if __name__ == "__main__":
    report = asyncio.run(run(datetime(2026, 11, 20, 9, tzinfo=UTC)))
    print(report.summary())
