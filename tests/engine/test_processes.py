"""run_due_in_processes: worker processes share one SQLite schedule and send each action once."""

from __future__ import annotations

import asyncio
import functools
import os
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from process_kit import (
    DB_ENV,
    OUTBOX_ENV,
    RUN_AT,
    SYNC_AT,
    built_later,
    cases,
    exits,
    in_memory,
    make_engine,
    not_an_engine,
)

import creditcomms as cc
from creditcomms.cli import main
from creditcomms.stores import JournalKind


def _enrolled(tmp_path: Path, count: int) -> tuple[str, str]:
    """A SQLite file with ``count`` due cases; returns its path and an outbox folder."""
    database, outbox = str(tmp_path / "cc.db"), str(tmp_path / "outbox")

    async def enroll() -> None:
        engine = make_engine(database, outbox)
        await engine.store.migrate()
        await engine.sync(cases(count), at=SYNC_AT)
        await engine.store.aclose()

    asyncio.run(enroll())
    return database, outbox


def _journal(database: str) -> list[cc.JournalEntry]:
    async def read() -> list[cc.JournalEntry]:
        async with cc.SQLiteStore(database) as store:
            return await store.history()

    return asyncio.run(read())


def test_two_workers_send_every_action_once(tmp_path: Path) -> None:
    """Every due action is claimed once and sent once; the figures add up across workers."""
    database, outbox = _enrolled(tmp_path, 240)
    seen: list[int] = []

    report = cc.run_due_in_processes(
        functools.partial(make_engine, database, outbox),
        at=RUN_AT,
        processes=2,
        progress=lambda done, total: seen.append(done),
    )

    assert (report.claimed, report.sent, report.failed) == (240, 240, 0)
    assert report.sent_by_channel == Counter({"email": 240})
    journal = _journal(database)
    for kind in (JournalKind.CLAIMED, JournalKind.SENT):
        keys = Counter(e.idempotency_key for e in journal if e.kind is kind)
        assert len(keys) == 240
        assert set(keys.values()) == {1}
    assert len(list((Path(outbox) / "email").glob("*.eml"))) == 240
    assert seen == sorted(seen)
    assert seen[-1] == 240


def test_nothing_due_is_an_empty_report(tmp_path: Path) -> None:
    """Workers that find nothing due report nothing."""
    database, outbox = _enrolled(tmp_path, 3)
    report = cc.run_due_in_processes(
        functools.partial(make_engine, database, outbox), at=SYNC_AT, processes=2
    )
    assert (report.claimed, report.sent) == (0, 0)


def test_factory_by_path_and_async_factory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``"module:function"`` path and an async factory both build the workers' engines."""
    database, outbox = _enrolled(tmp_path, 30)
    monkeypatch.setenv(DB_ENV, database)
    monkeypatch.setenv(OUTBOX_ENV, outbox)
    first = cc.run_due_in_processes("process_kit:from_environment", at=RUN_AT, processes=2)
    assert first.sent == 30

    (tmp_path / "second").mkdir()
    more, _ = _enrolled(tmp_path / "second", 12)
    second = cc.run_due_in_processes(
        functools.partial(built_later, more, outbox), at=RUN_AT, processes=1
    )
    assert second.sent == 12


def test_a_worker_that_dies_is_reported(tmp_path: Path) -> None:
    """A worker that exits without a report raises WorkerError with the others' figures."""
    with pytest.raises(cc.WorkerError, match=r"worker 0 died \(exit code 3\)") as info:
        cc.run_due_in_processes(exits, at=RUN_AT, processes=1)
    assert info.value.report.sent == 0


def test_a_script_without_a_main_guard_is_told_the_fix(tmp_path: Path) -> None:
    """A script that starts workers at import time gets the `__main__` guard as the fix.

    Spawned workers import the main script again; without the guard each one would start
    workers of its own, which multiprocessing refuses, so the worker dies before it reports.
    """
    script = tmp_path / "nightly.py"
    script.write_text(
        textwrap.dedent(
            """
            import functools
            import process_kit
            import creditcomms as cc

            factory = functools.partial(process_kit.make_engine, "unused.db", "outbox")
            cc.run_due_in_processes(factory, at=process_kit.RUN_AT, processes=1)
            """
        )
    )
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}  # finds process_kit
    done = subprocess.run(  # noqa: S603 - our own interpreter on a script this test wrote
        [sys.executable, str(script)],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=120,
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("creditcomms.errors.WorkerError: worker 0 died while starting")
    assert 'if __name__ == "__main__":' in last


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (in_memory, "MemoryStore lives in one process"),
        (not_an_engine, "returned str, not an Engine"),
    ],
)
def test_a_failing_worker_says_why(factory: object, message: str) -> None:
    """An error inside a worker reaches the caller as WorkerError with the worker's reason."""
    with pytest.raises(cc.WorkerError, match=message):
        cc.run_due_in_processes(factory, at=RUN_AT, processes=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: None, "module-level function"),
        ("no_colon_here", "'package.module:function'"),
        ("no_such_module_here:make", "cannot import"),
        ("process_kit:missing", "has no function 'missing'"),
    ],
)
def test_unusable_factories_fail_before_any_process(factory: object, message: str) -> None:
    """Factories a worker could not use are refused in the caller, naming the fix."""
    with pytest.raises(cc.ConfigurationError, match=message):
        cc.run_due_in_processes(factory, at=RUN_AT, processes=2)  # type: ignore[arg-type]


@pytest.mark.parametrize("processes", [0, -1, 1.5, True])
def test_processes_must_be_a_positive_count(processes: object) -> None:
    """``processes`` is a whole number of at least one."""
    with pytest.raises(cc.ConfigurationError, match="processes="):
        cc.run_due_in_processes(exits, at=RUN_AT, processes=processes)  # type: ignore[arg-type]


def test_naive_time_is_refused() -> None:
    """``at`` must be timezone-aware, as everywhere in the engine."""
    with pytest.raises(cc.ValidationError, match="timezone-aware"):
        cc.run_due_in_processes(exits, at=datetime(2026, 11, 3, 12), processes=1)  # noqa: DTZ001


def test_command_line_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``creditcomms run module:function --processes 2 --at ...`` sends and prints a summary."""
    database, outbox = _enrolled(tmp_path, 20)
    monkeypatch.setenv(DB_ENV, database)
    monkeypatch.setenv(OUTBOX_ENV, outbox)
    argv = ["run", "process_kit:from_environment", "--processes", "2"]
    assert main([*argv, "--at", RUN_AT.isoformat()]) == 0
    assert "claimed 20, sent 20 (fallbacks 0), failed 0" in capsys.readouterr().out
    assert main([*argv, "--at", RUN_AT.isoformat()]) == 0  # nothing left: nothing doubled
    assert "claimed 0, sent 0" in capsys.readouterr().out


def test_command_line_run_imports_from_the_current_directory(tmp_path: Path) -> None:
    """``cd /srv/billing && creditcomms run billing_engine:make_engine`` finds the module."""
    database, outbox = _enrolled(tmp_path, 6)
    home = tmp_path / "billing"
    home.mkdir()
    (home / "billing_engine.py").write_text("from process_kit import from_environment\n")
    command = Path(sys.executable).parent / "creditcomms"
    search = [entry for entry in sys.path if entry and Path(entry).resolve() != home]
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(search),  # finds process_kit, not the billing folder
        DB_ENV: database,
        OUTBOX_ENV: outbox,
    }
    done = subprocess.run(  # noqa: S603 - the installed command, fixed arguments
        [str(command), "run", "billing_engine:from_environment", "--at", RUN_AT.isoformat()],
        check=False,
        capture_output=True,
        text=True,
        cwd=home,
        env=environment,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "claimed 6, sent 6" in done.stdout


def test_command_line_run_refuses_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    """A bad factory path exits with status 2; a time without offset is refused by argparse."""
    assert main(["run", "process_kit:missing"]) == 2
    out, err = capsys.readouterr()
    assert "has no function 'missing'" in err
    assert out == ""  # refused before the run's header and progress bar are drawn
    with pytest.raises(SystemExit):
        main(["run", "process_kit:from_environment", "--at", "2026-11-03T12:00"])
    assert "has no UTC offset" in capsys.readouterr().err


def test_worker_collects_cycles_between_batches() -> None:
    """A worker's collector is off during a batch; between batches it frees reference cycles."""
    import gc
    import weakref

    from creditcomms.engine._processes import _YOUNG_THRESHOLD, _BetweenBatches

    class Node:
        partner: object = None

    freed: list[str] = []
    try:
        collect = _BetweenBatches()
        assert not gc.isenabled()
        first, second = Node(), Node()
        first.partner, second.partner = second, first  # a cycle reference counting cannot free
        probe = weakref.ref(first, lambda _: freed.append("cycle"))
        del first, second
        collect()  # few objects so far: no collection yet
        assert probe() is not None
        kept = [[] for _ in range(_YOUNG_THRESHOLD)]  # a batch's survivors pile up
        collect()
        assert probe() is None
        assert freed == ["cycle"]
        del kept
    finally:
        _BetweenBatches.stop()
        gc.unfreeze()
    assert gc.isenabled()
