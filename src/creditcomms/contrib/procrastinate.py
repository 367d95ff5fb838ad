"""Run creditcomms on procrastinate workers: many processes on many machines, one schedule.

The schedule stays in creditcomms' own tables (`PostgresStore`); procrastinate only receives
work that is already due. A periodic ``pump`` task looks at the store's next due time and,
when something is due, defers up to ``fanout`` ``run_due`` jobs. Each job claims a batch
with ``FOR UPDATE SKIP LOCKED`` under a lease, so any number of workers share the work
without sending anything twice.

Examples:
    ```
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=DSN))
    app.add_tasks_from(blueprint(make_engine, fanout=8), namespace="creditcomms")
    # then on each machine: procrastinate --app=myapp.app worker --queues=creditcomms
    ```
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from creditcomms.engine import Engine, EngineFactory
from creditcomms.errors import MissingExtraError

__all__ = ["EngineFactory", "blueprint"]

try:
    import procrastinate as _procrastinate
    from procrastinate import exceptions as _exceptions
except ImportError:  # pragma: no cover - exercised only without the extra
    _procrastinate = None  # type: ignore[assignment]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _EngineCache:
    """Build the engine on first use in each worker process, once, even under concurrency."""

    def __init__(self, factory: EngineFactory) -> None:
        self._factory = factory
        self._engine: Engine | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> Engine:
        async with self._lock:
            if self._engine is None:
                built = self._factory()
                self._engine = await built if inspect.isawaitable(built) else built
            return self._engine


def blueprint(
    engine: EngineFactory,
    /,
    *,
    cron: str = "* * * * *",
    queue: str = "creditcomms",
    batch_size: int = 500,
    fanout: int = 4,
    clock: Callable[[], datetime] = _utc_now,
) -> Any:
    """A procrastinate ``Blueprint`` with the ``pump`` (periodic) and ``run_due`` tasks.

    Args:
        engine: Builds the `Engine` (with a `PostgresStore`) in each worker process.
        cron: How often the pump looks for due work (every minute by default).
        queue: The procrastinate queue both tasks use.
        batch_size: Actions one ``run_due`` job claims at most.
        fanout: ``run_due`` jobs queued at most at once (one queueing lock per slot).
        clock: The current time; tests pass a fixed one.

    Raises:
        MissingExtraError: procrastinate is not installed.
    """
    if _procrastinate is None:
        raise MissingExtraError(
            "creditcomms.contrib.procrastinate", "procrastinate", "procrastinate"
        )
    cache = _EngineCache(engine)
    tasks = _procrastinate.Blueprint()

    @tasks.task(name="run_due", queue=queue)
    async def run_due(at: str) -> dict[str, int]:
        """Claim and send up to ``batch_size`` due actions."""
        worker_engine = await cache.get()
        moment = max(datetime.fromisoformat(at), clock())
        report = await worker_engine.run_due(at=moment, limit=batch_size)
        return {"claimed": report.claimed, "sent": report.sent, "failed": report.failed}

    @tasks.periodic(cron=cron, periodic_id="creditcomms-pump")
    @tasks.task(name="pump", queue=queue)
    async def pump(timestamp: int) -> int:
        """Defer ``run_due`` jobs when the store has due work; return how many."""
        worker_engine = await cache.get()
        now = clock()
        due = await worker_engine.store.next_due_at()
        if due is None or due > now:
            return 0
        deferred = 0
        for slot in range(fanout):
            job = run_due.configure(queueing_lock=f"creditcomms-run-due-{slot}")
            try:
                await job.defer_async(at=now.isoformat())
            except _exceptions.AlreadyEnqueued:
                continue
            deferred += 1
        return deferred

    return tasks
