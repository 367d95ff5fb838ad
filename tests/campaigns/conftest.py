"""Fixtures for the campaign tests."""

from __future__ import annotations

import pytest
from campaign_kit import six_steps

import creditcomms as cc


@pytest.fixture(name="campaign")
def _campaign() -> cc.Campaign:
    """The six-step campaign with the standard policy."""
    return six_steps()
