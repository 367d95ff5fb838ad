"""End-to-end engine throughput: run_due over many due cases with the in-memory transport.

Each case has one invoice whose reminder is due; the run claims, re-plans, renders (email
with pay link), dispatches, journals and re-plans every case. Baseline in the same run: the
same engine driven one action at a time (``batch_size=1``), as a naive loop would.
Set ``CREDITCOMMS_BENCH_ENGINE_CASES`` (default 100,000) for a shorter run.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import creditcomms as cc
from creditcomms.simulate import demo_strategy, simulate, synthetic_portfolio
from creditcomms.transports import InMemoryTransport

from ._report import Figure, compare, single

CASES = int(os.environ.get("CREDITCOMMS_BENCH_ENGINE_CASES", "100000"))
SIM_CASES = int(os.environ.get("CREDITCOMMS_BENCH_SIM_CASES", "10000"))
SIM_DAYS = 60
SYNC_AT = datetime(2026, 10, 20, tzinfo=UTC)
RUN_AT = datetime(2026, 11, 3, 12, tzinfo=UTC)


def _creditor() -> cc.Creditor:
    return cc.Creditor(
        name="Muster GmbH",
        iban="DE89370400440532013000",
        payment_page="https://pay.muster.example/{token}",
        link_secret="benchmark-secret-0123456789",
        senders={cc.EMAIL: "Muster GmbH <billing@muster.example>"},
    )


def _cases(count: int) -> list[cc.Case]:
    debtor = cc.Debtor(
        id="D",
        name="Erika Mustermann",
        locale="de_DE",
        timezone="Europe/Berlin",
        contacts=cc.Contacts(email="erika@example.de"),
    )
    invoice = cc.Invoice(
        id="RE-0",
        amount=cc.Money("123.45", "EUR"),
        issued_on=date(2026, 10, 1),
        due_on=date(2026, 10, 31),
    )
    return [
        cc.Case.model_construct(
            id=f"C-{n}",
            debtor=debtor.model_copy(update={"id": f"D-{n}"}),
            invoices=(invoice.model_copy(update={"id": f"RE-{n}"}),),
            state=cc.CaseState(),
            history=(),
        )
        for n in range(count)
    ]


def _engine(store: cc.Store, *, batch_size: int) -> tuple[cc.Engine, InMemoryTransport]:
    campaign = cc.Campaign(
        "bench",
        version=1,
        steps=[cc.Step("reminder", cc.after_due(days=3), cc.EMAIL, template="reminder")],
    )
    transport = InMemoryTransport()
    engine = cc.Engine(
        cc.Strategy([], default=campaign),
        cc.TemplateLibrary.builtin(),
        _creditor(),
        cc.Dispatcher(transports={cc.EMAIL: transport}, hooks=[]),
        store,
        batch_size=batch_size,
    )
    return engine, transport


async def _run(store: cc.Store, cases: list[cc.Case], *, batch_size: int, label: str) -> Figure:
    await store.migrate()
    engine, transport = _engine(store, batch_size=batch_size)
    started = time.perf_counter()
    await engine.sync(cases, at=SYNC_AT)
    synced = time.perf_counter() - started
    started = time.perf_counter()
    report = await engine.run_due(at=RUN_AT)
    seconds = time.perf_counter() - started
    assert report.sent == len(cases) == len(transport.sent), report.summary()
    await store.aclose()
    print(f"  ({label}: sync of {len(cases):,} cases took {synced:.1f} s)")
    return Figure(label, len(cases), seconds)


def main() -> None:
    """Print run_due throughput for SQLite and memory next to the one-at-a-time baseline."""
    cases = _cases(CASES)
    naive_cases = cases[: max(CASES // 20, 200)]
    with tempfile.TemporaryDirectory() as folder:
        sqlite = asyncio.run(
            _run(cc.SQLiteStore(Path(folder) / "a.db"), cases, batch_size=500, label="SQLite")
        )
        naive = asyncio.run(
            _run(
                cc.SQLiteStore(Path(folder) / "b.db"),
                naive_cases,
                batch_size=1,
                label="SQLite, one action at a time",
            )
        )
    compare(
        "engine run_due end to end, SQLite (target >= 2,000 cases/s)", sqlite, naive, unit="cases"
    )
    memory = asyncio.run(_run(cc.MemoryStore(), cases, batch_size=500, label="MemoryStore"))
    naive_memory = asyncio.run(
        _run(cc.MemoryStore(), naive_cases, batch_size=1, label="MemoryStore, one at a time")
    )
    compare("engine run_due end to end, memory", memory, naive_memory, unit="cases")
    _simulation()


def _simulation() -> None:
    """Time simulate() over a synthetic portfolio (target: 10,000 debtors x 60 days < 60 s)."""
    portfolio = synthetic_portfolio(SIM_CASES, seed=7, start=date(2026, 11, 2))
    started = time.perf_counter()
    result = simulate(demo_strategy(), portfolio, days=SIM_DAYS)
    seconds = time.perf_counter() - started
    figure = Figure("simulate(), real engine, memory store", SIM_CASES * SIM_DAYS, seconds)
    single(
        f"simulation: {SIM_CASES:,} debtors x {SIM_DAYS} days",
        figure,
        unit="debtor-days",
        note=f"{seconds:.1f} s in all (target < 60 s for 10,000 x 60); {result.report.summary()}",
    )


if __name__ == "__main__":
    main()
