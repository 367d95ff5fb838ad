"""Stores: the durable schedule of planned actions, the cases behind them, and the journal.

`MemoryStore` for tests and notebooks, `SQLiteStore` as the embedded default (one machine,
several processes) and `PostgresStore` to scale out over many machines (extra ``postgres``).
All three follow the `Store` protocol and pass the same contract tests.
"""

from typing import TYPE_CHECKING

from ._common import LATEST_SCHEMA, UNCHANGED, Unchanged
from ._memory import MemoryStore
from ._postgres import PostgresStore
from ._protocol import Store
from ._records import (
    ActionRecord,
    ActionStatus,
    CaseRecord,
    CaseSave,
    CaseStatus,
    Claim,
    Completion,
    JournalEntry,
    JournalKind,
    PurgeReport,
)
from ._sqlite import SQLiteStore

__all__ = [
    "LATEST_SCHEMA",
    "UNCHANGED",
    "ActionRecord",
    "ActionStatus",
    "CaseRecord",
    "CaseSave",
    "CaseStatus",
    "Claim",
    "Completion",
    "JournalEntry",
    "JournalKind",
    "MemoryStore",
    "PostgresStore",
    "PurgeReport",
    "SQLiteStore",
    "Store",
    "Unchanged",
]

if TYPE_CHECKING:  # mypy proves that every store satisfies the protocol

    def _conforms(memory: MemoryStore, sqlite: SQLiteStore, postgres: PostgresStore) -> list[Store]:
        return [memory, sqlite, postgres]
