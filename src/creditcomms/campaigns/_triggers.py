"""Triggers (when a step becomes due) and repeats (how often it comes back)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from creditcomms._checks import whole_number
from creditcomms.errors import CampaignDefinitionError
from creditcomms.model import Money

__all__ = [
    "Anchor",
    "Repeat",
    "Trigger",
    "after_due",
    "after_previous",
    "at_due",
    "balance_at_least",
    "before_due",
]


class Anchor(enum.StrEnum):
    """What a trigger's offset counts from."""

    DUE = "due"
    """The due date (the oldest open one when grouped per debtor)."""
    PREVIOUS = "previous"
    """The actual send time of the previous step (or its planned time, when not yet sent)."""
    NONE = "none"
    """No time condition: due as soon as the sequence reaches the step."""


@dataclass(frozen=True, slots=True)
class Trigger:
    """When a step becomes due: an offset from an anchor, and an optional balance condition.

    Build triggers with `before_due`, `at_due`, `after_due`, `after_previous` and
    `balance_at_least`; combine a time and a balance condition with ``&``.

    Examples:
        >>> after_due(days=14) & balance_at_least(Money("500", "EUR"))
        after_due(days=14) & balance_at_least(500.00 EUR)
    """

    anchor: Anchor
    days: int = 0
    """Offset in days (negative: before the anchor)."""
    business: bool = False
    """Count ``days`` in business days of the policy's calendar."""
    min_balance: Money | None = None
    """The step is skipped while the open balance is below this amount."""

    def __and__(self, other: Trigger) -> Trigger:
        if self.anchor is not Anchor.NONE and other.anchor is not Anchor.NONE:
            raise CampaignDefinitionError(
                f"cannot combine {self!r} and {other!r}: a trigger has one time condition;"
                " combine a time trigger with balance_at_least()"
            )
        if self.min_balance is not None and other.min_balance is not None:
            raise CampaignDefinitionError("a trigger has at most one balance_at_least() condition")
        timed = self if self.anchor is not Anchor.NONE else other
        return Trigger(
            timed.anchor,
            timed.days,
            timed.business,
            self.min_balance if self.min_balance is not None else other.min_balance,
        )

    def describe(self) -> str:
        """The trigger in words: ``3 business days after the due date``."""
        unit = "business day" if self.business else "day"
        count = f"{abs(self.days)} {unit}{'s' if abs(self.days) != 1 else ''}"
        if self.anchor is Anchor.DUE:
            if self.days == 0:
                text = "on the due date"
            else:
                text = f"{count} {'before' if self.days < 0 else 'after'} the due date"
        elif self.anchor is Anchor.PREVIOUS:
            text = f"{count} after the previous step"
        else:
            text = "as soon as the sequence reaches this step"
        if self.min_balance is not None:
            text += f", when at least {self.min_balance} is open"
        return text

    def __repr__(self) -> str:
        parts: list[str] = []
        if self.anchor is not Anchor.NONE:
            parts.append(self._time_repr())
        if self.min_balance is not None:
            parts.append(f"balance_at_least({self.min_balance})")
        return " & ".join(parts)

    def _time_repr(self) -> str:
        key = "business_days" if self.business else "days"
        if self.anchor is Anchor.PREVIOUS:
            return f"after_previous({key}={self.days})"
        if self.days == 0 and not self.business:
            return "at_due()"
        name = "before_due" if self.days < 0 else "after_due"
        return f"{name}({key}={abs(self.days)})"


def _offset(name: str, days: int | None, business_days: int | None) -> tuple[int, bool]:
    if (days is None) == (business_days is None):
        raise CampaignDefinitionError(
            f"{name}() takes either days= or business_days=, such as {name}(days=3)"
        )
    value = days if days is not None else business_days
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CampaignDefinitionError(f"{name}() needs a whole number of days >= 0, not {value!r}")
    return value, business_days is not None


def before_due(days: int | None = None, *, business_days: int | None = None) -> Trigger:
    """Due ``days`` (or business days) before the due date: a friendly pre-due notice."""
    value, business = _offset("before_due", days, business_days)
    return Trigger(Anchor.DUE, -value, business)


def at_due() -> Trigger:
    """Due on the due date itself."""
    return Trigger(Anchor.DUE, 0)


def after_due(days: int | None = None, *, business_days: int | None = None) -> Trigger:
    """Due ``days`` (or business days) after the due date."""
    value, business = _offset("after_due", days, business_days)
    return Trigger(Anchor.DUE, value, business)


def after_previous(days: int | None = None, *, business_days: int | None = None) -> Trigger:
    """Due ``days`` after the previous step was actually sent (from the case's history)."""
    value, business = _offset("after_previous", days, business_days)
    return Trigger(Anchor.PREVIOUS, value, business)


def balance_at_least(amount: Money | str, /) -> Trigger:
    """A condition: the step goes out only while at least ``amount`` is open.

    Alone it is due as soon as the sequence reaches the step; combine it with a time
    trigger using ``&``. Cases in another currency than ``amount`` never meet it.
    """
    money = amount if isinstance(amount, Money) else Money.parse(amount)
    if not money.is_positive:
        raise CampaignDefinitionError(f"balance_at_least({money}) needs an amount above zero")
    return Trigger(Anchor.NONE, min_balance=money)


@dataclass(frozen=True, slots=True)
class Repeat:
    """Send a step again every ``every``, at most ``times`` more times, until the next step.

    Examples:
        >>> Repeat(every=timedelta(days=7), times=3)
        Repeat(every=timedelta(days=7), times=3)
    """

    every: timedelta
    times: int

    def __post_init__(self) -> None:
        every: object = self.every
        if not isinstance(every, timedelta) or every < timedelta(hours=1):
            raise CampaignDefinitionError(
                f"Repeat every={self.every!r} must be a timedelta of at least one hour"
            )
        whole_number(
            self.times,
            minimum=1,
            message=f"Repeat times={self.times!r} must be a whole number >= 1",
            error=CampaignDefinitionError,
        )

    def __repr__(self) -> str:
        if self.every % timedelta(days=1) == timedelta(0):
            every = f"timedelta(days={self.every.days})"
        else:
            every = f"timedelta(seconds={int(self.every.total_seconds())})"
        return f"Repeat(every={every}, times={self.times})"
