"""Engine factories that worker processes import (spawned interpreters start from scratch)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import engine_chaos

import creditcomms as cc
from creditcomms.transports import FileOutbox

SYNC_AT = datetime(2026, 10, 20, 9, tzinfo=UTC)
RUN_AT = datetime(2026, 11, 3, 12, tzinfo=UTC)
DB_ENV = "CREDITCOMMS_TEST_WORKER_DB"
OUTBOX_ENV = "CREDITCOMMS_TEST_WORKER_OUTBOX"


def cases(count: int) -> list[cc.Case]:
    """``count`` cases with one invoice each, all due for the reminder at ``RUN_AT``."""
    return engine_chaos.cases(count, today=RUN_AT.date())


def make_engine(database: str, outbox: str, *, batch_size: int = 25) -> cc.Engine:
    """The crash tests' engine on the SQLite file ``database``, writing emails to ``outbox``."""
    return engine_chaos.engine(
        cc.SQLiteStore(database),
        FileOutbox(Path(outbox)),
        name=f"worker-{os.getpid()}",
        batch=batch_size,
        lease=300,
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
