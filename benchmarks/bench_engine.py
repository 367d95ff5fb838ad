"""End-to-end engine throughput: run_due over many due cases with the in-memory transport.

Each case has one invoice whose reminder is due; the run claims, re-plans, renders (email
with pay link and EPC QR code), dispatches, journals and re-plans every case, with the real
templates, planner and store. Figures: the memory store, SQLite and (when PostgreSQL binaries
are installed) PostgreSQL in one process, then `run_due_in_processes` with 1 and 2 worker
processes on one SQLite file and 1 and 4 on one PostgreSQL database (process start-up
included). ``sync`` (enrolling the
cases and planning them) is timed and printed separately. Baseline in the same run: the same
engine driven one action at a time (``batch_size=1``), as a naive loop would.
Set ``CREDITCOMMS_BENCH_ENGINE_CASES`` (default 100,000) for a shorter run.
"""

from __future__ import annotations

import asyncio
import functools
import os
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import creditcomms as cc
from creditcomms.simulate import demo_strategy, simulate, synthetic_portfolio
from creditcomms.stores._pgtemp import TemporaryPostgres, find_postgres_bindir
from creditcomms.transports import InMemoryTransport

from ._report import Figure, compare, single

CASES = int(os.environ.get("CREDITCOMMS_BENCH_ENGINE_CASES", "100000"))
SIM_CASES = int(os.environ.get("CREDITCOMMS_BENCH_SIM_CASES", "10000"))
SIM_DAYS = 60
SYNC_AT = datetime(2026, 10, 20, tzinfo=UTC)
RUN_AT = datetime(2026, 11, 3, 12, tzinfo=UTC)
SYNC_CHUNK = 5000


def _creditor() -> cc.Creditor:
    return cc.Creditor(
        name="Muster GmbH",
        iban="DE89370400440532013000",
        payment_page="https://pay.muster.example/{token}",
        link_secret="benchmark-secret-0123456789",
        senders={cc.EMAIL: "Muster GmbH <billing@muster.example>"},
    )


def _cases(count: int, start: int = 0) -> list[cc.Case]:
    """Cases ``C-start`` .. ``C-(count-1)``, one due invoice each."""
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
        for n in range(start, count)
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


async def _sync(store: cc.Store, count: int, *, label: str, close: bool = False) -> None:
    """Enroll ``count`` cases (built chunk by chunk) and print how long it took."""
    await store.migrate()
    engine, _ = _engine(store, batch_size=500)
    seconds = 0.0
    for start in range(0, count, SYNC_CHUNK):
        chunk = _cases(min(count, start + SYNC_CHUNK), start)
        begin = time.perf_counter()
        await engine.sync(chunk, at=SYNC_AT)
        seconds += time.perf_counter() - begin
    rate = count / seconds if seconds else float("inf")
    print(f"  ({label}: sync of {count:,} cases took {seconds:.1f} s, {rate:,.0f} cases/s)")
    if close:
        await store.aclose()


async def _run(store: cc.Store, count: int, *, batch_size: int, label: str) -> Figure:
    await _sync(store, count, label=label)
    engine, transport = _engine(store, batch_size=batch_size)
    started = time.perf_counter()
    report = await engine.run_due(at=RUN_AT)
    seconds = time.perf_counter() - started
    assert report.sent == count == len(transport.sent), report.summary()
    await store.aclose()
    return Figure(label, count, seconds)


# -- worker processes ------------------------------------------------------------------


def _open(spec: tuple[str, ...]) -> cc.Store:
    if spec[0] == "sqlite":
        return cc.SQLiteStore(spec[1])
    return cc.PostgresStore(spec[1], schema=spec[2])


def _worker_engine(spec: tuple[str, ...]) -> cc.Engine:
    """One worker process's engine (`run_due_in_processes` imports this by name)."""
    engine, _ = _engine(_open(spec), batch_size=500)
    return engine


def _processes(spec: tuple[str, ...], count: int, *, workers: int, label: str) -> Figure:
    """Sync ``count`` cases, then time `run_due_in_processes` with ``workers`` processes.

    The time includes starting the processes and importing creditcomms in each (about a
    second), as a cron job running ``creditcomms run --processes N`` would see it.
    """
    asyncio.run(_sync(_open(spec), count, label=label, close=True))
    started = time.perf_counter()
    report = cc.run_due_in_processes(
        functools.partial(_worker_engine, spec), at=RUN_AT, processes=workers
    )
    seconds = time.perf_counter() - started
    assert report.sent == count, report.summary()
    return Figure(label, count, seconds)


def _postgres(cases: int) -> None:
    """PostgreSQL in one process, then 1 and 4 worker processes on one database."""
    if find_postgres_bindir() is None:
        print("\n== PostgreSQL: skipped, no server binaries (apt-get install postgresql)")
        return
    with TemporaryPostgres() as server:
        inline = asyncio.run(
            _run(
                cc.PostgresStore(server.dsn, schema="bench_inline"),
                cases,
                batch_size=500,
                label="PostgreSQL",
            )
        )
        naive = asyncio.run(
            _run(
                cc.PostgresStore(server.dsn, schema="bench_naive"),
                max(cases // 20, 200),
                batch_size=1,
                label="PostgreSQL, one action at a time",
            )
        )
        compare("engine run_due end to end, PostgreSQL", inline, naive, unit="cases")
        one = _processes(
            ("postgres", server.dsn, "bench_w1"), cases, workers=1, label="PostgreSQL, 1 process"
        )
        four = _processes(
            ("postgres", server.dsn, "bench_w4"), cases, workers=4, label="PostgreSQL, 4 processes"
        )
    compare(
        f"engine run_due, PostgreSQL worker processes ({os.cpu_count()} CPUs)",
        four,
        one,
        unit="cases",
    )


def main() -> None:
    """Print run_due throughput for memory, SQLite and PostgreSQL, one and several processes."""
    naive_cases = max(CASES // 20, 200)
    with tempfile.TemporaryDirectory() as folder:
        sqlite = asyncio.run(
            _run(cc.SQLiteStore(Path(folder) / "a.db"), CASES, batch_size=500, label="SQLite")
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
    with tempfile.TemporaryDirectory() as folder:
        spec = ("sqlite", str(Path(folder) / "w2.db"))
        two = _processes(spec, CASES, workers=2, label="SQLite, 2 processes")
        spec = ("sqlite", str(Path(folder) / "w1.db"))
        one = _processes(spec, CASES, workers=1, label="SQLite, 1 process")
    compare("engine run_due, SQLite worker processes on one file (WAL)", two, one, unit="cases")
    memory = asyncio.run(_run(cc.MemoryStore(), CASES, batch_size=500, label="MemoryStore"))
    naive_memory = asyncio.run(
        _run(cc.MemoryStore(), naive_cases, batch_size=1, label="MemoryStore, one at a time")
    )
    compare("engine run_due end to end, memory", memory, naive_memory, unit="cases")
    _postgres(CASES)
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
