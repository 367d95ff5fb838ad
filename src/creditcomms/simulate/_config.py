"""Configuration of the response model: per channel, per tone and per behaviour profile."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field, model_validator

from creditcomms.campaigns import Tone
from creditcomms.model import DeliveryStatus, Model
from creditcomms.model._base import FieldError

__all__ = ["ChannelResponse", "Factor", "Probability", "ProfileBehaviour", "ToneEffect"]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
"""A chance between 0 and 1."""
Factor = Annotated[float, Field(ge=0.0)]
"""A multiplier of 0 or more."""


def _check_window(low: timedelta, high: timedelta, name: str) -> None:
    if low < timedelta(0) or high < low:
        raise FieldError(name, (str(low), str(high)), "needs 0 <= minimum <= maximum")


class ChannelResponse(Model):
    """How customers react to one message on a channel, before tone and profile effects.

    ``pay``, ``promise``, ``dispute`` and ``opt_out`` are the chances of each reaction once the
    message was seen; they are exclusive, so their sum is at most 1.
    """

    bounce: Probability = 0.0
    """Chance that the message does not reach the customer at all."""
    see: Probability
    """Chance that a delivered message is seen (opened, read, answered)."""
    pay: Probability
    promise: Probability = 0.0
    dispute: Probability = 0.0
    opt_out: Probability = 0.0
    feedback: Probability = 0.0
    """Chance that a customer who saw the message leaves a 1-5 rating."""
    seen_after: tuple[timedelta, timedelta] = (timedelta(0), timedelta(hours=24))
    """Range of the time from sending to the customer seeing the message."""
    act_after: tuple[timedelta, timedelta] = (timedelta(0), timedelta(hours=72))
    """Range of the time from seeing the message to paying, promising or disputing."""
    seen_status: DeliveryStatus | None = None
    """What the provider reports when the message is seen (``opened``, ``read``), if anything."""
    pay_link: bool = False
    """True when the message carries a pay link, so a payment is preceded by a ``clicked``."""

    @model_validator(mode="after")
    def _consistent(self) -> ChannelResponse:
        total = self.pay + self.promise + self.dispute + self.opt_out
        if total > 1.0:
            raise FieldError("pay", total, "pay + promise + dispute + opt_out must be at most 1")
        _check_window(*self.seen_after, "seen_after")
        _check_window(*self.act_after, "act_after")
        return self


class ToneEffect(Model):
    """How a tone changes the reactions: multipliers, and a shift of feedback ratings."""

    pay: Factor = 1.0
    promise: Factor = 1.0
    dispute: Factor = 1.0
    opt_out: Factor = 1.0
    rating: float = 0.0
    """Added to the mean feedback rating (negative for a tone people like less)."""


class ProfileBehaviour(Model):
    """How one behaviour profile differs from the average customer."""

    see: Factor = 1.0
    pay: Factor = 1.0
    promise: Factor = 1.0
    dispute: Factor = 1.0
    opt_out: Factor = 1.0
    channels: dict[str, Factor] = Field(default_factory=dict)
    """Extra multiplier on ``see`` per channel name (non-responsive people open letters)."""
    tones: dict[Tone, Factor] = Field(default_factory=dict)
    """Extra multiplier on ``pay`` per tone (struggling people act on firm reminders)."""
    keep_promise: Probability = 0.8
    """Chance that a promise is kept by paying on the promised day."""
    partial: Probability = 0.0
    """Chance that a payment covers only part (30-70%) of the open amount."""
    unprompted_before_due: Probability = 0.0
    """Daily chance of paying without any reminder, before and on the due date."""
    unprompted_after_due: Probability = 0.0
    """Daily chance of paying without any reminder, after the due date."""
