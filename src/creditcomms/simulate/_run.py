"""simulate(): the real Engine over a portfolio, day by day, with a test clock and responses."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time as _time
from collections import Counter
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from creditcomms.analytics import Journal, JournalBuilder, KpiTable, compute_kpis
from creditcomms.analytics import write_journal_report as _write_report
from creditcomms.analytics._kpis import Dimension
from creditcomms.campaigns import Strategy
from creditcomms.channels import BUILTIN_CHANNELS, Message
from creditcomms.dispatch import Dispatcher
from creditcomms.engine import Engine, Renderer, RunReport
from creditcomms.model import Creditor, DeliveryStatusChanged, Money, PaymentReceived
from creditcomms.stores import MemoryStore, Store
from creditcomms.templates import TemplateLibrary
from creditcomms.transports import BaseTransport, InMemoryTransport, Receipt, Transport

from ._pending import PendingEvents
from ._portfolio import Portfolio
from ._response import ResponseEvent, ResponseModel
from ._scenarios import demo_creditor

__all__ = ["SimulationResult", "run_blocking", "simulate", "simulate_async"]

T = TypeVar("T")
DayProgress = Callable[[int, int], None]
"""Called as ``progress(days_done, days)`` after each simulated day."""


@dataclass(frozen=True)
class SimulationResult:
    """What a simulation produced: the analytics journal and the engine's run totals.

    Attributes:
        journal: Every send, payment, opt-out and piece of feedback, for analytics.
        report: The engine's totals over all runs (sent, skipped with reasons, costs).
        portfolio: The simulated portfolio.
        start: The first simulated day.
        days: How many days were simulated.
        events: Recorded customer events by type (payments, promises, disputes, ...).
        seconds: Wall-clock time the simulation took.
    """

    journal: Journal
    report: RunReport
    portfolio: Portfolio
    start: date
    days: int
    events: Counter[str]
    seconds: float

    def kpis(
        self,
        *,
        by: tuple[Dimension, ...] = ("campaign", "channel"),
        currency: str = "EUR",
        rates: Mapping[str, Decimal] | None = None,
        window: timedelta = timedelta(days=14),
    ) -> KpiTable:
        """KPIs per group (see `creditcomms.compute_kpis`); mixed currencies need ``rates``."""
        return compute_kpis(
            self.journal,
            by=by,
            currency=currency,
            rates=rates,
            window=window,
        )

    def write_report(
        self,
        path: str | Path,
        /,
        *,
        title: str = "creditcomms simulation",
        currency: str = "EUR",
        rates: Mapping[str, Decimal] | None = None,
    ) -> Path:
        """Write the HTML report (figures, charts, tables) and return its path."""
        intro = (
            f"{len(self.portfolio)} cases over {self.days} days from {self.start.isoformat()};"
            f" {self.report.summary()}."
        )
        return _write_report(
            path, self.journal, title=title, intro=intro, currency=currency, rates=rates
        )


class _Recorder(BaseTransport):
    """Pass messages to the real transport and note each one a provider accepted."""

    def __init__(self, inner: Transport, sink: list[Message]) -> None:
        self.inner = inner
        self.sink = sink
        self.name = getattr(inner, "name", "transport")

    async def send(self, message: Message, /) -> Receipt:
        receipt = await self.inner.send(message)
        self.sink.append(message)
        return receipt

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class _Books:
    """What the simulation itself tracks per case: balance, due date, time zone."""

    open_amount: Money
    due_on: date
    timezone: str


class _Simulation:
    def __init__(
        self,
        engine: Engine,
        portfolio: Portfolio,
        response: ResponseModel,
        sent: list[Message],
    ) -> None:
        self.engine = engine
        self.portfolio = portfolio
        self.response = response
        self.sent = sent
        self.pending = PendingEvents()
        self.journal = JournalBuilder()
        self.report = RunReport()
        self.events: Counter[str] = Counter()
        self.books = {
            c.id: _Books(c.open_amount, c.oldest_due_on, c.debtor.timezone) for c in portfolio
        }
        self._seen = 0

    async def day(self, on: date) -> None:
        start = datetime.combine(on, time(0), UTC)
        end = start + timedelta(days=1)
        self._unprompted(on)
        now = start
        while True:
            due = await self.engine.store.next_due_at()
            until = due if due is not None and due < end else end
            for event in self.pending.pop_due(max(until, now)):
                await self._record(event)
            if due is None or due >= end:
                return
            now = max(now, due)
            run = await self.engine.run_due(at=now)
            self.report.merge(run)
            self._respond(now)
            if run.claimed == 0:
                return  # nothing claimable at this moment (held by a lease): next day

    def _unprompted(self, on: date) -> None:
        rng = self.response.rng("unprompted", on.isoformat())
        for case_id, books in self.books.items():
            if books.open_amount.is_positive:
                self.pending.add(
                    self.response.unprompted(
                        case_id,
                        profile=self.portfolio.profile(case_id),
                        on=on,
                        due_on=books.due_on,
                        open_amount=books.open_amount,
                        timezone=books.timezone,
                        rng=rng,
                    )
                )

    def _respond(self, now: datetime) -> None:
        for message in self.sent[self._seen :]:
            books = self.books[message.case_id]
            tone = message.meta.get("tone", "neutral")
            self.journal.send(
                message.idempotency_key,
                at=now,
                case_id=message.case_id,
                campaign=message.campaign_id or "",
                step=message.step_id or "",
                channel=message.channel,
                cost=message.cost or self.response.cost(message.channel),
                variant=message.meta.get("variant"),
                segment=message.meta.get("segment"),
                locale=message.locale,
                tone=tone,
            )
            self.pending.add(
                self.response.respond(
                    message.case_id,
                    profile=self.portfolio.profile(message.case_id),
                    channel=message.channel,
                    tone=tone,
                    sent_at=now,
                    open_amount=books.open_amount,
                    step_id=message.step_id,
                    idempotency_key=message.idempotency_key,
                )
            )
        self._seen = len(self.sent)

    async def _record(self, event: ResponseEvent) -> None:
        self.events[event.type] += 1
        books = self.books[event.case_id]
        self.journal.record(event, due_on=books.due_on)
        if isinstance(event, DeliveryStatusChanged):
            # Delivery reports change no plan: journal them without re-planning the case.
            await self.engine.store.record_event(event)
            return
        if isinstance(event, PaymentReceived) and event.amount > books.open_amount:
            return  # already settled by an earlier payment the customer did not know of
        case = await self.engine.record(event)
        if case is not None:
            books.open_amount = case.open_amount
            if case.is_paid:
                self.pending.cancel(case.id)


def _default_transports() -> dict[str, Transport]:
    memory = InMemoryTransport(name="simulated")
    return dict.fromkeys(BUILTIN_CHANNELS, memory)


async def simulate_async(
    strategy: Strategy,
    portfolio: Portfolio,
    /,
    *,
    days: int = 60,
    start: date | None = None,
    creditor: Creditor | None = None,
    templates: TemplateLibrary | None = None,
    store: Store | None = None,
    transports: Mapping[str, Transport] | None = None,
    response: ResponseModel | None = None,
    letters: bool | None = False,
    progress: DayProgress | None = None,
) -> SimulationResult:
    """`simulate` for code that already runs an event loop."""
    began = _time.perf_counter()
    first = start or portfolio.start
    sent: list[Message] = []
    routes = {name: _Recorder(t, sent) for name, t in (transports or _default_transports()).items()}
    creditor = creditor or demo_creditor()
    templates = templates or TemplateLibrary.builtin()
    store = store or MemoryStore()
    await store.migrate()
    engine = Engine(
        strategy,
        templates,
        creditor,
        Dispatcher(transports=routes),
        store,
        renderer=Renderer(templates, creditor, letters=letters),
        worker="simulation",
        plan_ahead=False,  # only the next action matters to a simulation; faster
    )
    await engine.sync(portfolio.cases, at=datetime.combine(first, time(0), UTC))
    run = _Simulation(engine, portfolio, response or ResponseModel(seed=portfolio.seed), sent)
    for offset in range(days):
        await run.day(first + timedelta(days=offset))
        if progress is not None:
            progress(offset + 1, days)
    return SimulationResult(
        journal=run.journal.build(),
        report=run.report,
        portfolio=portfolio,
        start=first,
        days=days,
        events=run.events,
        seconds=_time.perf_counter() - began,
    )


def simulate(
    strategy: Strategy,
    portfolio: Portfolio,
    /,
    *,
    days: int = 60,
    start: date | None = None,
    creditor: Creditor | None = None,
    templates: TemplateLibrary | None = None,
    store: Store | None = None,
    transports: Mapping[str, Transport] | None = None,
    response: ResponseModel | None = None,
    letters: bool | None = False,
    progress: DayProgress | None = None,
) -> SimulationResult:
    """Run ``strategy`` on ``portfolio`` for ``days`` with the real Engine and a test clock.

    Each simulated day, customers pay on their own (per their hidden profile), the engine
    sends what is due, and the `ResponseModel` answers each message with payments,
    promises, disputes, opt-outs, feedback and delivery reports, which are recorded back
    through the engine. Deterministic: the same portfolio, strategy and response seed give
    the same figures. Works in notebooks (a running event loop is left alone).

    Args:
        strategy: Segments and campaigns to try.
        portfolio: The cases (e.g. from `synthetic_portfolio`).
        days: How many days to simulate.
        start: The first day (default: the portfolio's start).
        creditor: Who is owed (default: a German demo creditor).
        templates: The templates (default: the built-in packs).
        store: Where the engine keeps its schedule (default: a `MemoryStore`).
        transports: Transports per channel name (default: one in-memory transport).
        response: How customers react (default: `ResponseModel(seed=portfolio.seed)`).
        letters: Lay letters out as PDF (needs the ``letters`` extra; slower).
        progress: Called after each day as ``progress(day, days)``.
    """
    return run_blocking(
        simulate_async(
            strategy,
            portfolio,
            days=days,
            start=start,
            creditor=creditor,
            templates=templates,
            store=store,
            transports=transports,
            response=response,
            letters=letters,
            progress=progress,
        )
    )


def run_blocking(coroutine: Coroutine[Any, Any, T], /) -> T:
    """Run a coroutine to completion from sync code, even inside a running loop (Jupyter)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
