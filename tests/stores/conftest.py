"""Fixtures for the store tests (the PostgreSQL server comes from tests/conftest.py)."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(name="pg_schema")
def _pg_schema() -> str:
    """A fresh schema name, so each test starts from empty tables."""
    return f"t_{uuid.uuid4().hex[:12]}"
