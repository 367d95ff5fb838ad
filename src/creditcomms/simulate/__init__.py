"""Simulation: synthetic portfolios and a seeded response model for notebooks and the demo.

`synthetic_portfolio` builds plausible cases across six countries; each case's behaviour
profile stays outside the `Case`, where only `ResponseModel` reads it.
"""

from ._config import ChannelResponse, ProfileBehaviour, ToneEffect
from ._pending import PendingEvents
from ._portfolio import Portfolio, synthetic_portfolio
from ._profile import DEFAULT_COUNTRY_MIX, DEFAULT_PROFILE_MIX, BehaviourProfile
from ._response import ResponseEvent, ResponseModel
from ._run import SimulationResult, run_blocking, simulate, simulate_async
from ._scenarios import demo_creditor, demo_strategy

__all__ = [
    "DEFAULT_COUNTRY_MIX",
    "DEFAULT_PROFILE_MIX",
    "BehaviourProfile",
    "ChannelResponse",
    "PendingEvents",
    "Portfolio",
    "ProfileBehaviour",
    "ResponseEvent",
    "ResponseModel",
    "SimulationResult",
    "ToneEffect",
    "demo_creditor",
    "demo_strategy",
    "run_blocking",
    "simulate",
    "simulate_async",
    "synthetic_portfolio",
]
