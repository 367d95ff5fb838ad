"""Segments (named rules) and Split, the deterministic A/B/n assignment."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime

from creditcomms._checks import is_text
from creditcomms.errors import ConfigurationError
from creditcomms.model import Case

from ._rules import Context, Rule, RuleLike, as_rule

__all__ = ["Segment", "Split"]


class Segment:
    """A named rule over a case: the unit a `Strategy` assigns campaigns to.

    Examples:
        >>> from creditcomms import rules
        >>> Segment("late-payers", rules.late_payments() >= 3)
        Segment('late-payers', late_payments >= 3)
    """

    __slots__ = ("name", "rule")

    def __init__(self, name: str, rule: RuleLike, /) -> None:
        if not is_text(name):
            raise ConfigurationError("a segment needs a non-empty name such as 'late-payers'")
        self.name = name
        self.rule = as_rule(rule)

    def matches(self, case: Case, ctx: Context, /) -> bool:
        """True when ``case`` belongs to the segment in ``ctx``."""
        return self.rule.matches(case, ctx)

    def test(self, case: Case, /, *, at: datetime) -> bool:
        """True when ``case`` belongs to the segment at ``at``."""
        return self.rule.test(case, at=at)

    def __and__(self, other: Segment | RuleLike) -> Rule:
        return self.rule & (other.rule if isinstance(other, Segment) else other)

    def __or__(self, other: Segment | RuleLike) -> Rule:
        return self.rule | (other.rule if isinstance(other, Segment) else other)

    def __invert__(self) -> Rule:
        return ~self.rule

    def __repr__(self) -> str:
        return f"Segment({self.name!r}, {self.rule!r})"


_SCALE = float(2**64)


class Split:
    """Deterministic, sticky A/B/n assignment by a stable hash of (salt, case key).

    The same case key and salt always give the same variant, on every machine and run
    (blake2b, not Python's randomised ``hash``). Changing the salt reshuffles everyone.

    Examples:
        >>> split = Split({"A": 50, "B": 50}, salt="reminder-wording-2026")
        >>> split.assign("C-1001") == split.assign("C-1001")
        True
    """

    __slots__ = ("_bounds", "salt", "weights")

    def __init__(self, weights: Mapping[str, float], /, *, salt: str) -> None:
        self.weights = _checked_weights(weights)
        if not is_text(salt):
            raise ConfigurationError(
                "Split needs a non-empty salt naming the experiment, such as salt='wording-2026'"
            )
        self.salt = salt
        total = sum(self.weights.values())
        running = 0.0
        bounds: list[tuple[float, str]] = []
        for name, weight in self.weights.items():
            running += weight
            bounds.append((running / total, name))
        self._bounds = tuple(bounds)

    @property
    def variants(self) -> tuple[str, ...]:
        """The variant names in definition order."""
        return tuple(self.weights)

    def position(self, key: str, /) -> float:
        """The case key's stable position in [0, 1) for this salt."""
        digest = hashlib.blake2b(f"{self.salt}\x1f{key}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / _SCALE

    def assign(self, key: str, /) -> str:
        """The variant of the case with key ``key`` (a case id)."""
        point = self.position(key)
        for bound, name in self._bounds:
            if point < bound:
                return name
        return self._bounds[-1][1]

    def share(self, variant: str, /) -> float:
        """The expected share (0 to 1) of ``variant``."""
        return self.weights[variant] / sum(self.weights.values())

    def __repr__(self) -> str:
        return f"Split({self.weights!r}, salt={self.salt!r})"


def _checked_weights(weights: object) -> dict[str, float]:
    if not isinstance(weights, Mapping) or not weights:
        raise ConfigurationError(
            "Split needs a mapping of variant names to weights, such as {'A': 50, 'B': 50}"
        )
    checked: dict[str, float] = {}
    for name, weight in weights.items():
        if not is_text(name):
            raise ConfigurationError(f"variant name {name!r} must be a non-empty string")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise ConfigurationError(
                f"weight of variant {name!r} is {weight!r}; use a number >= 0 such as 50"
            )
        checked[name] = float(weight)
    if sum(checked.values()) <= 0:
        raise ConfigurationError("Split weights add up to 0; give at least one a positive weight")
    return checked
