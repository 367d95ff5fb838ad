"""Campaigns: ordered steps with triggers, guards and policies, the planner and its plans.

`Campaign.plan` (or `Strategy.plan`) turns a case and a time into a `Plan` of `Action`s:
pure, deterministic and explained by `Reason`s.
"""

from ._action import Action, Tone, idempotency_key
from ._campaign import Campaign
from ._events import apply_event
from ._history import KeyParts, parse_key
from ._plan import Held, HeldKind, Plan, PlanStatus
from ._schema import campaign_from_dict, campaign_to_dict, dump_campaign, load_campaign
from ._step import BrokenPromise, Grouping, Guards, OnDispute, Step
from ._strategy import Assignment, Strategy, Variants, started_version
from ._timeline import Timeline
from ._triggers import (
    Anchor,
    Repeat,
    Trigger,
    after_due,
    after_previous,
    at_due,
    balance_at_least,
    before_due,
)

__all__ = [
    "Action",
    "Anchor",
    "Assignment",
    "BrokenPromise",
    "Campaign",
    "Grouping",
    "Guards",
    "Held",
    "HeldKind",
    "KeyParts",
    "OnDispute",
    "Plan",
    "PlanStatus",
    "Repeat",
    "Step",
    "Strategy",
    "Timeline",
    "Tone",
    "Trigger",
    "Variants",
    "after_due",
    "after_previous",
    "apply_event",
    "at_due",
    "balance_at_least",
    "before_due",
    "campaign_from_dict",
    "campaign_to_dict",
    "dump_campaign",
    "idempotency_key",
    "load_campaign",
    "parse_key",
    "started_version",
]
