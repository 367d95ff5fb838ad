"""Segments: named rules over a case, combined with ``&``, ``|`` and ``~``, and A/B splits.

Rules are evaluated with a `Context` holding the time ``at`` and the debtor's local date, so
time-dependent rules (days past due) are deterministic. A plain function ``case -> bool`` works
wherever a rule does.
"""

from . import rules
from ._rules import And, Compare, Context, Measure, Not, Or, Predicate, Rule, RuleLike, as_rule
from ._segment import Segment, Split

__all__ = [
    "And",
    "Compare",
    "Context",
    "Measure",
    "Not",
    "Or",
    "Predicate",
    "Rule",
    "RuleLike",
    "Segment",
    "Split",
    "as_rule",
    "rules",
]
