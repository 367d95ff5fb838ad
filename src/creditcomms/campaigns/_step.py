"""Steps (one stage of a campaign), guards (what stops or pauses it) and grouping."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from creditcomms._checks import whole_number
from creditcomms.channels import BUILTIN_CHANNELS, Channel
from creditcomms.errors import CampaignDefinitionError
from creditcomms.model import Money

from ._action import Tone
from ._triggers import Repeat, Trigger

__all__ = ["BrokenPromise", "Grouping", "Guards", "OnDispute", "Step", "resolve_channel"]

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def check_id(kind: str, value: object) -> str:
    """Return ``value`` when it is a valid campaign or step id, else raise naming the fix."""
    if not isinstance(value, str) or not _ID.match(value):
        raise CampaignDefinitionError(
            f"{kind} id {value!r} must be 1-64 lower-case letters, digits, '.', '_' or '-'"
            " starting with a letter or digit (no ':' or '@': they delimit idempotency keys)"
        )
    return value


def resolve_channel(value: object, /, *, where: str) -> Channel:
    """A channel given as object or built-in name; unknown names raise with the choices."""
    if isinstance(value, Channel):
        return value
    found = BUILTIN_CHANNELS.get(value) if isinstance(value, str) else None
    if found is None:
        raise CampaignDefinitionError(
            f"{where}: unknown channel {value!r}; use one of"
            f" {', '.join(sorted(BUILTIN_CHANNELS))} or pass a Channel object"
        )
    return found


class Step:
    """One stage of a campaign: when it is due, on which channels, with which template.

    Args:
        id: Unique within the campaign; part of every idempotency key.
        trigger: When the step is due (`after_due`, `after_previous`, ...).
        channel: The primary channel.
        also: Further channels sent at the same moment (a letter and an email).
        fallback: Channels to use, in order, when the primary channel cannot reach the case.
        template: The template id; by default a stage name (``pre_due``, ``reminder``,
            ``final_notice``, ``call``) chosen by the campaign.
        tone: ``friendly``, ``neutral`` or ``firm``.
        repeat: Send the step again every so often until the next step is due.
        critical: May ignore the minimum gap (never consent, opt-outs or send windows).
        max_segments: A lower cap on SMS segments for this step.

    Examples:
        >>> from creditcomms.campaigns import after_due
        >>> Step("reminder-1", after_due(days=3), "email", also=["sms"])
        Step('reminder-1', after_due(days=3), 'email', also=('sms',))
    """

    __slots__ = (
        "also",
        "channel",
        "critical",
        "fallback",
        "id",
        "max_segments",
        "repeat",
        "template",
        "tone",
        "trigger",
    )

    def __init__(
        self,
        id: str,
        trigger: Trigger,
        channel: Channel | str,
        /,
        *,
        also: Iterable[Channel | str] = (),
        fallback: Iterable[Channel | str] = (),
        template: str | None = None,
        tone: Tone | str = Tone.NEUTRAL,
        repeat: Repeat | None = None,
        critical: bool = False,
        max_segments: int | None = None,
    ) -> None:
        self.id = check_id("step", id)
        where = f"step {id!r}"
        if not isinstance(trigger, Trigger):
            raise CampaignDefinitionError(
                f"{where}: trigger {trigger!r} is not a Trigger; use after_due(days=3) or similar"
            )
        self.trigger = trigger
        self.channel = resolve_channel(channel, where=where)
        self.also = tuple(resolve_channel(c, where=where) for c in also)
        self.fallback = tuple(resolve_channel(c, where=where) for c in fallback)
        self.template = template
        self.tone = _tone(tone, where)
        self.repeat = repeat
        self.critical = bool(critical)
        if max_segments is not None:
            whole_number(
                max_segments,
                minimum=1,
                message=f"{where}: max_segments must be a whole number >= 1",
                error=CampaignDefinitionError,
            )
        self.max_segments = max_segments
        self._check_channels(where)

    def _check_channels(self, where: str) -> None:
        sent = [self.channel, *self.also]
        if len(set(sent)) != len(sent):
            raise CampaignDefinitionError(f"{where}: a channel appears twice in channel and also")
        if self.channel in self.fallback or len(set(self.fallback)) != len(self.fallback):
            raise CampaignDefinitionError(
                f"{where}: fallback repeats the primary channel or itself; list other channels"
            )

    @property
    def channels(self) -> tuple[Channel, ...]:
        """Every channel the step may use: primary, also and fallback."""
        return (self.channel, *self.also, *self.fallback)

    def __repr__(self) -> str:
        extra = ""
        if self.also:
            extra += f", also={tuple(c.name for c in self.also)!r}"
        if self.fallback:
            extra += f", fallback={tuple(c.name for c in self.fallback)!r}"
        return f"Step({self.id!r}, {self.trigger!r}, {self.channel.name!r}{extra})"


def _tone(value: Tone | str, where: str) -> Tone:
    try:
        return Tone(value)
    except ValueError:
        choices = ", ".join(t.value for t in Tone)
        raise CampaignDefinitionError(f"{where}: tone {value!r} is not one of {choices}") from None


class Grouping(enum.StrEnum):
    """What one reminder covers."""

    DEBTOR = "debtor"
    """One message per case for all open invoices; the oldest due date drives the timing."""
    INVOICE = "invoice"
    """One sequence per open invoice, each timed from its own due date."""


class OnDispute(enum.StrEnum):
    """What an open dispute does to the campaign."""

    PAUSE = "pause"
    STOP = "stop"


class BrokenPromise(enum.StrEnum):
    """What happens when a promised payment date passes without full payment."""

    RESUME = "resume"
    """Carry on with the sequence where it stood."""
    ESCALATE = "escalate"
    """Send the next step right away (the day after the grace period)."""


def _threshold_money(item: object) -> Money:
    """One stop-below amount: a `Money` or text such as ``"5.00 EUR"``, never a bare number."""
    if isinstance(item, Money):
        return item
    if isinstance(item, str):
        return Money.parse(item)
    raise CampaignDefinitionError(
        f"stop_below={item!r}: give an amount with its currency, such as Money('5.00', 'EUR')"
        ' or "5.00 EUR" (one per currency; a case in another currency is not guarded)'
    )


@dataclass(frozen=True, slots=True)
class Guards:
    """Stop and pause rules. Payment always stops a campaign; these refine the rest.

    Args:
        stop_below: Stop once the open balance is below this amount: one amount per
            currency (``"5.00 EUR"``); a case in a currency without one is not stopped.
        on_dispute: Pause (default) or stop while a dispute is open.
        pause_on_promise: Pause until the promised date (plus ``promise_grace_days``).
        promise_grace_days: Days after the promised date before the promise counts as broken.
        on_broken_promise: Resume the sequence or escalate to the next step at once.
        pause_during_payment_plan: Pause while an agreed payment plan runs.
    """

    stop_below: tuple[Money, ...] = ()
    on_dispute: OnDispute = OnDispute.PAUSE
    pause_on_promise: bool = True
    promise_grace_days: int = 1
    on_broken_promise: BrokenPromise = BrokenPromise.ESCALATE
    pause_during_payment_plan: bool = True
    _threshold: dict[str, Money] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        stop_below: object = self.stop_below
        if isinstance(stop_below, Money | str):
            items: tuple[object, ...] = (stop_below,)
        elif isinstance(stop_below, list | tuple):
            items = tuple(stop_below)
        else:
            items = (stop_below,)
        monies = tuple(_threshold_money(item) for item in items)
        currencies = [m.currency for m in monies]
        if len(set(currencies)) != len(currencies):
            raise CampaignDefinitionError(
                f"stop_below {[str(m) for m in monies]}: give one amount per currency"
            )
        object.__setattr__(self, "stop_below", monies)
        object.__setattr__(self, "on_dispute", OnDispute(self.on_dispute))
        object.__setattr__(self, "on_broken_promise", BrokenPromise(self.on_broken_promise))
        if self.promise_grace_days < 0:
            raise CampaignDefinitionError("promise_grace_days must be 0 or more")
        object.__setattr__(self, "_threshold", {m.currency: m for m in monies})

    def threshold(self, currency: str, /) -> Money | None:
        """The stop-below amount for ``currency``, if one is set."""
        return self._threshold.get(currency)
