"""Run what is due in several worker processes on one machine, sharing one store.

Rendering and planning are pure Python, so one process uses one core. On a machine with
more cores, `run_due_in_processes` starts that many worker processes; each builds its own
`Engine` from the host's factory and calls `Engine.run_due` until nothing is due. The store
keeps them apart: claims are leased, so no action goes to two workers (SQLite in WAL mode
serialises the short write transactions; PostgreSQL skips rows other workers hold).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import inspect
import multiprocessing
import pickle
import queue
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from creditcomms.errors import ConfigurationError, WorkerError
from creditcomms.stores._common import aware

from ._engine import Engine, ProgressCallback
from ._report import RunReport

__all__ = ["EngineFactory", "resolve_factory", "run_due_in_processes"]


class EngineFactory(Protocol):
    """**Protocol:** builds a worker's `Engine`, with its own store connection.

    Called once in each worker process (sync or async); a module-level function or a
    ``functools.partial`` of one, so that a fresh interpreter can import it.
    """

    def __call__(self) -> Engine | Awaitable[Engine]: ...


_POLL_SECONDS = 0.2
_YOUNG_THRESHOLD = 20_000
"""Objects a worker lets pile up before a collection between batches (Python's default: 700)."""
_MIDDLE_EVERY = 10
_FULL_EVERY = 1_000


def run_due_in_processes(
    factory: EngineFactory | str,
    /,
    *,
    at: datetime,
    processes: int = 2,
    progress: ProgressCallback | None = None,
) -> RunReport:
    """Run ``Engine.run_due(at=at)`` in ``processes`` worker processes; return their sum.

    Each process calls ``factory()`` (sync or async) to build its engine, so the factory
    must be importable by a fresh interpreter: a module-level function, or its
    ``"package.module:function"`` path. The engine's store must be one that processes share
    (`SQLiteStore` on a local file, `PostgresStore`), not a `MemoryStore`. This blocks until
    every worker is done; from async code, call it with ``asyncio.to_thread``. Each worker
    freezes the objects it built at start-up out of the garbage collector's scans and
    collects garbage between batches instead of in the middle of them, which saves about a
    tenth of its time.

    Args:
        factory: Builds one worker's `Engine`, or the ``"module:function"`` that does.
        at: The time the run takes as now, the same for every worker.
        processes: How many worker processes (one per free core is a good start).
        progress: Called as ``progress(done, total)`` in this process as workers finish
            batches (``total`` is what has been claimed so far, as in `Engine.run_due`).

    Raises:
        ConfigurationError: ``factory`` cannot reach a worker process, or ``processes`` is
            not a positive number.
        ValidationError: ``at`` is naive.
        WorkerError: A worker failed or died; ``.report`` sums what the others did.
    """
    at = aware(at, field="at", operation="run_due_in_processes")
    count: object = processes
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ConfigurationError(f"processes={processes!r}: give a whole number of 1 or more")
    if isinstance(factory, str):
        resolve_factory(factory)  # fail here, with the reason, rather than once per worker
    else:
        _check_picklable(factory)
    context = multiprocessing.get_context("spawn")
    messages: Any = context.Queue()
    started: Any = context.Array("b", processes, lock=False)  # set by each worker on entry
    workers = [
        context.Process(
            target=_worker,
            args=(factory, at, index, messages, started),
            name=f"creditcomms-worker-{index}",
            daemon=True,
        )
        for index in range(processes)
    ]
    for worker in workers:
        worker.start()
    try:
        return _collect(workers, messages, started, progress)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()


def _collect(
    workers: list[Any], messages: Any, started: Any, progress: ProgressCallback | None
) -> RunReport:
    """Merge the workers' reports as they arrive; notice a worker that dies without one."""
    report = RunReport()
    claimed = [0] * len(workers)
    finished: set[int] = set()
    problems: list[str] = []
    while len(finished) < len(workers):
        try:
            kind, index, payload = messages.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            for index, worker in enumerate(workers):
                if index not in finished and not worker.is_alive() and messages.empty():
                    finished.add(index)
                    problems.append(_death(index, worker.exitcode, started=bool(started[index])))
            continue
        if kind == "progress":
            claimed[index] = payload
            if progress is not None:
                progress(sum(claimed), sum(claimed))
        elif kind == "done":
            finished.add(index)
            report.merge(payload)
        else:
            finished.add(index)
            problems.append(f"worker {index} failed: {payload}")
    if problems:
        raise WorkerError(
            "; ".join(problems)
            + "; the actions it held are claimed again once their lease expires",
            report=report,
        )
    return report


def _death(index: int, exitcode: int | None, *, started: bool) -> str:
    """Why a worker that left no report is gone, with the usual cause when it never started."""
    if started:
        return f"worker {index} died (exit code {exitcode})"
    return (
        f"worker {index} died while starting (exit code {exitcode}), before its engine was"
        " built. Each worker imports the script that started the run: put the call under"
        ' `if __name__ == "__main__":` in that script, and see the worker\'s error above'
    )


def _worker(
    factory: EngineFactory | str, at: datetime, index: int, messages: Any, started: Any
) -> None:
    """A worker process: build the engine, run what is due, send the report back."""
    started[index] = 1  # shared memory, visible to the parent even if this process dies next
    try:
        build = resolve_factory(factory) if isinstance(factory, str) else factory
        report = asyncio.run(
            _drain(build, at, lambda done: messages.put(("progress", index, done)))
        )
    except BaseException as exc:  # reported to the parent, whatever it is
        messages.put(("error", index, f"{type(exc).__name__}: {exc}"))
    else:
        messages.put(("done", index, report))


async def _drain(build: EngineFactory, at: datetime, claimed: Callable[[int], None]) -> RunReport:
    from creditcomms.stores import MemoryStore  # noqa: PLC0415 - only to refuse it

    made = build()
    engine = await made if inspect.isawaitable(made) else made
    if not isinstance(engine, Engine):
        raise ConfigurationError(f"the factory returned {type(engine).__name__}, not an Engine")
    if isinstance(engine.store, MemoryStore):
        raise ConfigurationError(
            "a MemoryStore lives in one process; give the workers a SQLiteStore or PostgresStore"
        )
    collect = _BetweenBatches()

    def batch_done(done: int, _total: int) -> None:
        collect()
        claimed(done)

    try:
        return await engine.run_due(at=at, progress=batch_done)
    finally:
        collect.stop()
        await engine.store.aclose()
        await engine.dispatcher.aclose()


class _BetweenBatches:
    """The worker's cyclic garbage collection: between batches, not in the middle of one.

    The process is ours. What was built up to the run (modules, templates, tables) lives as
    long as the worker, so it is frozen out of collections. Then automatic collection is
    switched off: it would run every few thousand allocations, while a batch's cases,
    messages and rows are alive, and scan them again and again (a tenth of a run's time).
    After each batch, once enough objects have piled up, the young generations are
    collected: by then the batch's own objects are gone (reference counting frees them), so
    the scan covers the few that outlive it. Reference cycles made in a batch (an exception
    and its traceback, say) are freed there too; a full collection follows every
    ``_FULL_EVERY`` of these.
    """

    def __init__(self) -> None:
        gc.collect()
        gc.freeze()
        gc.disable()
        self.collections = 0

    def __call__(self) -> None:
        if gc.get_count()[0] < _YOUNG_THRESHOLD:
            return
        self.collections += 1
        if self.collections % _FULL_EVERY == 0:
            gc.collect()
        else:
            gc.collect(1 if self.collections % _MIDDLE_EVERY == 0 else 0)

    @staticmethod
    def stop() -> None:
        gc.enable()


def resolve_factory(path: str) -> EngineFactory:
    """Import ``"package.module:function"``; a `ConfigurationError` says what is wrong."""
    module_name, _, name = path.partition(":")
    if not module_name or not name:
        raise ConfigurationError(f"engine factory {path!r}: write it as 'package.module:function'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(
            f"engine factory {path!r}: cannot import {module_name}: {exc}"
        ) from None
    target = getattr(module, name, None)
    if not callable(target):
        raise ConfigurationError(f"engine factory {path!r}: {module_name} has no function {name!r}")
    factory: EngineFactory = target
    return factory


def _check_picklable(factory: EngineFactory) -> None:
    try:
        pickle.dumps(factory)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise ConfigurationError(
            f"engine factory {factory!r} cannot be sent to a worker process ({exc}); use a"
            " module-level function (not a lambda, closure or method), or its"
            " 'package.module:function' path"
        ) from None
