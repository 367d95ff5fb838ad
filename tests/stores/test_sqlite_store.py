"""SQLite specifics: WAL mode, schema versions, and joining a host's transaction."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

import creditcomms as cc
from creditcomms.stores import LATEST_SCHEMA, SQLiteStore
from creditcomms.stores._sql import sqlite_dialect

from ._factories import T0, make_action

PAID = cc.Reason(code="paid", detail="the invoice was paid")


async def test_database_runs_in_wal_mode(tmp_path: Path) -> None:
    """The store switches the file to WAL so readers never block the writer."""
    async with SQLiteStore(tmp_path / "cc.db") as store:
        await store.migrate()
    with sqlite3.connect(tmp_path / "cc.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        versions = conn.execute("SELECT version FROM cc_schema_version").fetchall()
    conn.close()
    assert versions == [(v,) for v in range(1, LATEST_SCHEMA + 1)]


async def test_version_1_database_is_upgraded(tmp_path: Path) -> None:
    """A file at schema 1 gets version 2's claim index, and its rows stay claimable."""
    dialect = sqlite_dialect()
    conn = sqlite3.connect(tmp_path / "cc.db", isolation_level=None)
    conn.execute("CREATE TABLE cc_schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)")
    for statement in dialect.migrations()[1]:
        conn.execute(statement)
    conn.execute("INSERT INTO cc_schema_version VALUES (1, 'then')")
    conn.close()
    async with SQLiteStore(tmp_path / "cc.db") as store:
        assert await store.migrate() == LATEST_SCHEMA
        await store.schedule([make_action("C-2"), make_action("C-1")], at=T0)
        claims = await store.claim_due(T0, limit=5, lease=timedelta(seconds=30), worker="w")
        assert [c.action.case_id for c in claims] == ["C-1", "C-2"]
        plan = (
            store._connection()
            .execute(
                "EXPLAIN QUERY PLAN SELECT idempotency_key FROM cc_action WHERE status IN"
                " ('planned', 'claimed') AND available_at <= ? ORDER BY available_at, case_id,"
                " idempotency_key LIMIT 5",
                (0,),
            )
            .fetchall()
        )
        indexes = {
            row[0]
            for row in store._connection().execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cc_journal'"
            )
        }
    assert "cc_journal_key" not in indexes  # unused by every query, paid by every insert
    assert {"cc_journal_case", "cc_journal_at"} <= indexes
    details = " ".join(row[-1] for row in plan)
    assert "cc_action_due" in details
    assert "TEMP B-TREE" not in details  # the index gives the order; nothing is sorted


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    """A database migrated by a newer creditcomms raises MigrationError, untouched."""
    async with SQLiteStore(tmp_path / "cc.db") as store:
        await store.migrate()
    conn = sqlite3.connect(tmp_path / "cc.db")
    with conn:
        conn.execute("INSERT INTO cc_schema_version VALUES (99, 'future')")
    conn.close()
    async with SQLiteStore(tmp_path / "cc.db") as store:
        with pytest.raises(cc.MigrationError, match="version 99"):
            await store.migrate()


async def test_table_prefix_keeps_tables_apart(tmp_path: Path) -> None:
    """Two prefixes in one file are two independent stores."""
    async with (
        SQLiteStore(tmp_path / "cc.db", table_prefix="a_") as first,
        SQLiteStore(tmp_path / "cc.db", table_prefix="b_") as second,
    ):
        await first.migrate()
        await second.migrate()
        await first.schedule([make_action()], at=T0)
        assert await second.next_due_at() is None


@pytest.mark.parametrize(("cache_mib", "kib"), [(None, 64 * 1024), (8, 8 * 1024)])
async def test_page_cache_size(tmp_path: Path, cache_mib: int | None, kib: int) -> None:
    """The store's connection gets a 64 MiB page cache unless told otherwise."""
    options = {} if cache_mib is None else {"cache_mib": cache_mib}
    async with SQLiteStore(tmp_path / "cc.db", **options) as store:
        await store.migrate()
        setting = store._connection().execute("PRAGMA cache_size").fetchone()
    assert setting == (-kib,)  # SQLite reads a negative size as KiB


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "64"])
def test_page_cache_size_must_be_whole_mib(tmp_path: Path, bad: object) -> None:
    """A cache size that is not a positive whole number of MiB is refused with the fix."""
    with pytest.raises(cc.ConfigurationError, match=r"cache_mib=.*whole MiB, 1 or more"):
        SQLiteStore(tmp_path / "cc.db", cache_mib=bad)  # type: ignore[arg-type]


async def test_a_store_used_before_migrate_says_so(tmp_path: Path) -> None:
    """Without `migrate()` the missing tables come with the call that creates them."""
    async with SQLiteStore(tmp_path / "cc.db") as store:
        with pytest.raises(cc.StoreError, match=r"no such table.*call `await store.migrate\(\)`"):
            await store.next_due_at()


def test_path_or_external_not_both(tmp_path: Path) -> None:
    """Giving both a path and an external connection (or neither) is a ConfigurationError."""
    conn = sqlite3.connect(":memory:")
    with pytest.raises(cc.ConfigurationError, match="not both"):
        SQLiteStore(tmp_path / "x.db", external=conn)
    with pytest.raises(cc.ConfigurationError):
        SQLiteStore()
    with pytest.raises(cc.ConfigurationError, match="plain SQL name"):
        SQLiteStore(tmp_path / "x.db", table_prefix="a; DROP")
    conn.close()


class TestExternalConnection:
    """On a host's connection, store changes commit or roll back with the host's own."""

    @pytest.fixture(name="host")
    async def _host(self, tmp_path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(tmp_path / "app.db")
        conn.execute("CREATE TABLE invoice (id TEXT PRIMARY KEY, paid INTEGER NOT NULL)")
        conn.execute("INSERT INTO invoice VALUES ('RE-1', 0)")
        conn.commit()
        store = SQLiteStore(external=conn)
        await store.migrate()
        await store.schedule([make_action()], at=T0)
        conn.commit()
        return conn

    async def test_rollback_undoes_the_stop(self, host: sqlite3.Connection) -> None:
        """A host rollback keeps the reminder planned and the invoice unpaid."""
        store = SQLiteStore(external=host)
        host.execute("UPDATE invoice SET paid = 1 WHERE id = 'RE-1'")
        assert await store.cancel_pending("C-1", at=T0, reasons=[PAID]) == 1
        host.rollback()
        assert len(await store.pending("C-1")) == 1
        assert host.execute("SELECT paid FROM invoice").fetchone() == (0,)
        host.close()

    async def test_commit_applies_both(self, host: sqlite3.Connection, tmp_path: Path) -> None:
        """A host commit stores the payment and the cancellation together."""
        store = SQLiteStore(external=host)
        host.execute("UPDATE invoice SET paid = 1 WHERE id = 'RE-1'")
        await store.cancel_pending("C-1", at=T0, reasons=[PAID])
        host.commit()
        host.close()
        async with SQLiteStore(tmp_path / "app.db") as own:
            assert await own.pending("C-1") == []
            assert [e.kind for e in await own.history("C-1")] == ["planned", "cancelled"]
