"""Fixtures for the simulation tests: one small portfolio and a response model."""

from __future__ import annotations

from datetime import date

import pytest

from creditcomms.simulate import Portfolio, ResponseModel, synthetic_portfolio

START = date(2026, 11, 2)


@pytest.fixture(name="portfolio", scope="module")
def _portfolio() -> Portfolio:
    """A 1,000-case portfolio (seed 11) starting on 2 November 2026."""
    return synthetic_portfolio(1000, seed=11, start=START)


@pytest.fixture(name="model")
def _model() -> ResponseModel:
    """The default response model with seed 5."""
    return ResponseModel(seed=5)
