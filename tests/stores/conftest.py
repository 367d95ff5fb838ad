"""Fixtures for the store tests: a throw-away PostgreSQL cluster for the whole session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from creditcomms.stores._pgtemp import TemporaryPostgres, find_postgres_bindir


@pytest.fixture(name="postgres_dsn", scope="session")
def _postgres_dsn() -> Iterator[str]:
    """A private PostgreSQL server for the session; skips locally without binaries, fails in CI."""
    if find_postgres_bindir() is None:
        message = "PostgreSQL server binaries not found (apt-get install postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with TemporaryPostgres() as server:
        yield server.dsn


@pytest.fixture(name="pg_schema")
def _pg_schema() -> str:
    """A fresh schema name, so each test starts from empty tables."""
    return f"t_{uuid.uuid4().hex[:12]}"
