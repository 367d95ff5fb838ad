"""examples/worker_pool_postgres.py runs against a real PostgreSQL server."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path
from types import ModuleType

import pytest

psycopg = pytest.importorskip("psycopg")
pytest.importorskip("procrastinate")

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "worker_pool_postgres.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("worker_pool_postgres_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.postgres
async def test_two_workers_send_every_reminder_once(postgres_dsn: str) -> None:
    """main(dsn) prepares a fresh database and two workers send 40 reminders, none twice."""
    name = f"example_{uuid.uuid4().hex[:10]}"
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as admin:
        await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = psycopg.conninfo.make_conninfo(postgres_dsn, dbname=name)
    example = _example()
    keys = await example.main(dsn)
    assert len(keys) == 40
    assert len(set(keys)) == 40
    # Run again on the same database: the schemas exist, nothing is due twice.
    assert await example.main(dsn) == []
