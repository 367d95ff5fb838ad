"""Rules over a case: composable with ``&``, ``|`` and ``~``, evaluated at an explicit time."""

from __future__ import annotations

import functools
import inspect
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, TypeAlias

from creditcomms.errors import ConfigurationError
from creditcomms.model import Case, zone

__all__ = ["And", "Compare", "Context", "Measure", "Not", "Or", "Predicate", "Rule", "as_rule"]


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may know besides the case: the evaluation time and the debtor's local date.

    Examples:
        >>> from datetime import UTC, datetime
        >>> Context(at=datetime(2026, 11, 22, 23, 30, tzinfo=UTC), on=date(2026, 11, 23)).on
        datetime.date(2026, 11, 23)
    """

    at: datetime
    """The evaluation time (timezone-aware)."""
    on: date
    """The calendar date at ``at`` in the debtor's time zone."""

    @classmethod
    def of(cls, case: Case, /, *, at: datetime) -> Context:
        """The context of ``case`` at ``at``: the local date is taken in the debtor's zone."""
        if at.tzinfo is None:
            raise ConfigurationError(
                f"at={at!r} has no time zone; pass an aware datetime such as datetime.now(UTC)"
            )
        on = _local_date(at, zone(case.debtor.timezone))
        if cls is not Context:
            return cls(at=at, on=on)
        made = _new(Context)  # what the frozen dataclass's __init__ does, at half the cost
        _set_at(made, at)
        _set_on(made, on)
        return made


@functools.lru_cache(maxsize=4096)
def _local_date(at: datetime, tz: tzinfo) -> date:
    """The date of ``at`` in ``tz`` (cached: a run assigns many cases at one time)."""
    return at.astimezone(tz).date()


_new = object.__new__
_set_at = Context.__dict__["at"].__set__
_set_on = Context.__dict__["on"].__set__


class Rule:
    """A yes/no question about a case. Combine rules with ``&``, ``|`` and ``~``."""

    __slots__ = ()

    def matches(self, case: Case, ctx: Context, /) -> bool:
        """Answer the question for ``case`` in ``ctx``."""
        raise TypeError(f"{type(self).__name__} must override matches()")

    def test(self, case: Case, /, *, at: datetime) -> bool:
        """Answer the question for ``case`` at the time ``at``."""
        return self.matches(case, Context.of(case, at=at))

    def __and__(self, other: RuleLike) -> Rule:
        return And((self, as_rule(other)))

    def __rand__(self, other: RuleLike) -> Rule:
        return And((as_rule(other), self))

    def __or__(self, other: RuleLike) -> Rule:
        return Or((self, as_rule(other)))

    def __ror__(self, other: RuleLike) -> Rule:
        return Or((as_rule(other), self))

    def __invert__(self) -> Rule:
        return Not(self)


RuleLike: TypeAlias = Rule | Callable[[Case], bool] | Callable[[Case, Context], bool]
"""A rule, or a plain callable ``case -> bool`` (or ``(case, ctx) -> bool``)."""


def _flatten(kind: type[And | Or], parts: tuple[Rule, ...]) -> tuple[Rule, ...]:
    flat: list[Rule] = []
    for part in parts:
        flat.extend(part.parts if isinstance(part, kind) else (part,))
    return tuple(flat)


class And(Rule):
    """True when every part is true (evaluated left to right, stopping at the first no)."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[Rule, ...], /) -> None:
        self.parts = _flatten(And, parts)

    def matches(self, case: Case, ctx: Context, /) -> bool:
        """True when every part matches."""
        return all(p.matches(case, ctx) for p in self.parts)

    def __repr__(self) -> str:
        return " & ".join(_wrap(p) for p in self.parts)


class Or(Rule):
    """True when any part is true."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[Rule, ...], /) -> None:
        self.parts = _flatten(Or, parts)

    def matches(self, case: Case, ctx: Context, /) -> bool:
        """True when any part matches."""
        return any(p.matches(case, ctx) for p in self.parts)

    def __repr__(self) -> str:
        return " | ".join(_wrap(p) for p in self.parts)


class Not(Rule):
    """True when the inner rule is false."""

    __slots__ = ("inner",)

    def __init__(self, inner: Rule, /) -> None:
        self.inner = inner

    def matches(self, case: Case, ctx: Context, /) -> bool:
        """True when the inner rule does not match."""
        return not self.inner.matches(case, ctx)

    def __invert__(self) -> Rule:
        return self.inner

    def __repr__(self) -> str:
        return f"~{_wrap(self.inner)}"


def _wrap(rule: Rule) -> str:
    return f"({rule!r})" if isinstance(rule, And | Or) else repr(rule)


class Predicate(Rule):
    """A rule made from a function ``case -> bool`` or ``(case, ctx) -> bool``."""

    __slots__ = ("_takes_context", "function", "name")

    def __init__(self, function: Callable[..., bool], /, *, name: str | None = None) -> None:
        self.function = function
        self.name: str = name or str(getattr(function, "__name__", type(function).__name__))
        self._takes_context = _arity(function) >= 2

    def matches(self, case: Case, ctx: Context, /) -> bool:
        """Call the function (with the context when it accepts two arguments)."""
        if self._takes_context:
            return bool(self.function(case, ctx))
        return bool(self.function(case))

    def __repr__(self) -> str:
        return self.name


def _arity(function: Callable[..., Any]) -> int:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return 1
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return 2
    return sum(1 for p in parameters if p.kind in positional and p.default is p.empty)


def as_rule(value: RuleLike, /) -> Rule:
    """Return ``value`` as a `Rule`; plain callables are wrapped in a `Predicate`."""
    if isinstance(value, Rule):
        return value
    if callable(value):
        return Predicate(value)
    raise ConfigurationError(
        f"{value!r} is not a rule; pass a rule such as cc.rules.days_past_due() >= 14"
        " or a function that takes a case and returns a bool"
    )


_SYMBOLS: dict[Callable[[Any, Any], bool], str] = {
    operator.ge: ">=",
    operator.gt: ">",
    operator.le: "<=",
    operator.lt: "<",
    operator.eq: "==",
    operator.ne: "!=",
}


class Measure:
    """A number (or value) read from a case; comparing it gives a `Rule`.

    A case for which the value is unknown (``None``) matches no comparison.
    """

    __slots__ = ("label", "read")

    def __init__(self, label: str, read: Callable[[Case, Context], Any], /) -> None:
        self.label = label
        self.read = read

    def _compare(self, op: Callable[[Any, Any], bool], value: Any) -> Compare:
        return Compare(self, op, value)

    def __ge__(self, value: Any) -> Compare:
        return self._compare(operator.ge, value)

    def __gt__(self, value: Any) -> Compare:
        return self._compare(operator.gt, value)

    def __le__(self, value: Any) -> Compare:
        return self._compare(operator.le, value)

    def __lt__(self, value: Any) -> Compare:
        return self._compare(operator.lt, value)

    def __eq__(self, value: object) -> Compare:  # type: ignore[override]
        return self._compare(operator.eq, value)

    def __ne__(self, value: object) -> Compare:  # type: ignore[override]
        return self._compare(operator.ne, value)

    __hash__ = None  # type: ignore[assignment]

    def between(self, low: Any, high: Any, /) -> Rule:
        """True when ``low <= value <= high``."""
        return And((self >= low, self <= high))

    def is_in(self, *values: Any) -> Rule:
        """True when the value is one of ``values``."""
        label = f"{self.label} in {values!r}"
        return Predicate(lambda c, ctx: self.read(c, ctx) in values, name=label)

    def __repr__(self) -> str:
        return self.label


class Compare(Rule):
    """A comparison of a `Measure` with a value (``days_past_due >= 14``)."""

    __slots__ = ("measure", "op", "value")

    def __init__(self, measure: Measure, op: Callable[[Any, Any], bool], value: Any, /) -> None:
        self.measure = measure
        self.op = op
        self.value = value

    def matches(self, case: Case, ctx: Context, /) -> bool:
        """Compare the case's value; unknown values and type mismatches do not match."""
        found = self.measure.read(case, ctx)
        if found is None:
            return False
        try:
            return bool(self.op(found, self.value))
        except (TypeError, ValueError):
            return False

    def __repr__(self) -> str:
        shown = str(self.value) if not isinstance(self.value, str) else repr(self.value)
        return f"{self.measure.label} {_SYMBOLS[self.op]} {shown}"
