"""Building trusted models without validation, for the planner's hot path.

The planner builds every `Action` and `Reason` from values it validated itself (campaign
definitions are checked once, times are aware datetimes it computed), so it skips
pydantic's validation the way ``model_construct`` does, only faster. A test checks that
actions built here equal the same actions validated by pydantic. Plans are built through
their slot setters (`build_plan`), which is what a frozen dataclass's ``__init__`` does at
twice the cost.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, tzinfo
from typing import Any

from creditcomms.model import Reason

from ._action import Action
from ._plan import Held, HeldKind, Plan, PlanStatus

__all__ = ["ACTION_DEFAULTS", "ACTION_FIELDS", "build_action", "build_held", "build_plan"]

_new = object.__new__
_set = object.__setattr__

ACTION_DEFAULTS: dict[str, Any] = {
    name: field.default for name, field in Action.model_fields.items() if not field.is_required()
}
"""Default values of the optional `Action` fields."""
ACTION_FIELDS = frozenset(Action.model_fields)
"""The ``__pydantic_fields_set__`` of a built `Action`: every field counts as set."""


def build_action(values: dict[str, Any], /) -> Action:
    """An `Action` from a complete dict of already valid field values."""
    action = _new(Action)
    _set(action, "__dict__", values)
    _set(action, "__pydantic_fields_set__", ACTION_FIELDS)
    _set(action, "__pydantic_extra__", None)
    _set(action, "__pydantic_private__", None)
    return action


_PLAN_FIELDS = (
    "case_id",
    "at",
    "status",
    "campaign_id",
    "campaign_version",
    "segment",
    "variant",
    "due",
    "upcoming",
    "held",
    "reasons",
    "next_at",
    "resume_at",
    "timezone",
)
if tuple(f.name for f in fields(Plan)) != _PLAN_FIELDS:  # pragma: no cover - a guard for edits
    raise ImportError("Plan's fields changed; update _PLAN_FIELDS, build_plan and Shared.rebase")
(
    _case_id,
    _at,
    _status,
    _campaign_id,
    _campaign_version,
    _segment,
    _variant,
    _due,
    _upcoming,
    _held,
    _reasons,
    _next_at,
    _resume_at,
    _timezone,
) = (Plan.__dict__[name].__set__ for name in _PLAN_FIELDS)


def build_plan(  # noqa: PLR0917 - positional on purpose: one call per plan
    case_id: str,
    at: datetime,
    status: PlanStatus,
    campaign_id: str | None,
    campaign_version: int | None,
    segment: str | None,
    variant: str | None,
    due: tuple[Action, ...],
    upcoming: tuple[Action, ...],
    held: tuple[Held, ...],
    reasons: tuple[Reason, ...],
    next_at: datetime | None,
    resume_at: datetime | None,
    timezone: tzinfo | None,
) -> Plan:
    """``Plan(...)`` with every field given, in declaration order, without its ``__init__``."""
    plan = _new(Plan)
    _case_id(plan, case_id)
    _at(plan, at)
    _status(plan, status)
    _campaign_id(plan, campaign_id)
    _campaign_version(plan, campaign_version)
    _segment(plan, segment)
    _variant(plan, variant)
    _due(plan, due)
    _upcoming(plan, upcoming)
    _held(plan, held)
    _reasons(plan, reasons)
    _next_at(plan, next_at)
    _resume_at(plan, resume_at)
    _timezone(plan, timezone)
    return plan


_HELD_FIELDS = ("kind", "step_id", "channel", "repeat", "reasons")
if tuple(f.name for f in fields(Held)) != _HELD_FIELDS:  # pragma: no cover - a guard for edits
    raise ImportError("Held's fields changed; update _HELD_FIELDS and build_held")
_kind, _step_id, _channel, _repeat, _held_reasons = (
    Held.__dict__[name].__set__ for name in _HELD_FIELDS
)


def build_held(
    kind: HeldKind, step_id: str, channel: str | None, repeat: int, reasons: tuple[Reason, ...]
) -> Held:
    """``Held(kind, step_id, channel, repeat, reasons)`` without its ``__init__``."""
    held = _new(Held)
    _kind(held, kind)
    _step_id(held, step_id)
    _channel(held, channel)
    _repeat(held, repeat)
    _held_reasons(held, reasons)
    return held
