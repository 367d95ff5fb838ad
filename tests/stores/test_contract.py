"""The store contract, run against MemoryStore, SQLiteStore and PostgresStore."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from creditcomms.stores import MemoryStore, PostgresStore, SQLiteStore, Store

from .contract import Reopen, StoreContract


class TestMemoryStore(StoreContract):
    """The in-memory store keeps the contract."""

    @pytest.fixture(name="store")
    async def _store(self) -> Store:
        store = MemoryStore()
        await store.migrate()
        return store

    @pytest.fixture(name="reopen")
    def _reopen(self, store: Store) -> Reopen:
        return lambda: store


class TestSQLiteStore(StoreContract):
    """The SQLite store keeps the contract, also with several connections on one file."""

    @pytest.fixture(name="store")
    async def _store(self, tmp_path: Path) -> AsyncIterator[Store]:
        store = SQLiteStore(tmp_path / "cc.db")
        await store.migrate()
        yield store
        await store.aclose()

    @pytest.fixture(name="reopen")
    def _reopen(self, tmp_path: Path) -> Reopen:
        return lambda: SQLiteStore(tmp_path / "cc.db")


@pytest.mark.postgres
class TestPostgresStore(StoreContract):
    """The PostgreSQL store keeps the contract, also with several connections."""

    @pytest.fixture(name="store")
    async def _store(self, postgres_dsn: str, pg_schema: str) -> AsyncIterator[Store]:
        store = PostgresStore(postgres_dsn, schema=pg_schema)
        await store.migrate()
        yield store
        await store.aclose()

    @pytest.fixture(name="reopen")
    def _reopen(self, postgres_dsn: str, pg_schema: str) -> Reopen:
        return lambda: PostgresStore(postgres_dsn, schema=pg_schema)
