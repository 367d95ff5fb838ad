"""Hidden behaviour profiles and the default shares of a synthetic portfolio."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["DEFAULT_COUNTRY_MIX", "DEFAULT_PROFILE_MIX", "BehaviourProfile"]


class BehaviourProfile(enum.StrEnum):
    """How a synthetic customer really behaves; hidden from the engine, used by the simulation."""

    RELIABLE = "reliable"
    """Pays on time or after the first gentle reminder."""
    FORGETFUL = "forgetful"
    """Means to pay but forgets; a reminder on any channel usually works."""
    STRUGGLING = "struggling"
    """Short of money: promises, pays late and in parts, responds to firmer reminders."""
    DISPUTING = "disputing"
    """Contests invoices more often than others."""
    NON_RESPONSIVE = "non_responsive"
    """Rarely reads or answers anything; letters and calls work best."""


DEFAULT_COUNTRY_MIX: Mapping[str, float] = MappingProxyType(
    {"DE": 0.35, "NL": 0.2, "AT": 0.1, "CH": 0.1, "BE": 0.1, "GB": 0.15}
)
"""Share of debtors per country in `synthetic_portfolio` unless ``countries=`` says otherwise."""

DEFAULT_PROFILE_MIX: Mapping[BehaviourProfile, float] = MappingProxyType(
    {
        BehaviourProfile.RELIABLE: 0.45,
        BehaviourProfile.FORGETFUL: 0.25,
        BehaviourProfile.STRUGGLING: 0.15,
        BehaviourProfile.DISPUTING: 0.05,
        BehaviourProfile.NON_RESPONSIVE: 0.10,
    }
)
"""Share of debtors per behaviour profile unless ``profiles=`` says otherwise."""
