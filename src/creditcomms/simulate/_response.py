"""How simulated customers answer a message: see it, pay, promise, dispute or opt out."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from pydantic import Field, model_validator

from creditcomms.campaigns import Tone
from creditcomms.channels import BUILTIN_CHANNELS, Channel
from creditcomms.errors import ConfigurationError, FieldProblem, ValidationError
from creditcomms.model import (
    DeliveryStatus,
    DeliveryStatusChanged,
    DisputeOpened,
    Feedback,
    Model,
    Money,
    OptOut,
    PaymentReceived,
    PromiseToPay,
    zone,
)
from creditcomms.model._base import FieldError

from ._config import ChannelResponse, ProfileBehaviour, ToneEffect
from ._defaults import default_channels, default_profiles, default_tones
from ._profile import BehaviourProfile

__all__ = ["ResponseEvent", "ResponseModel"]

ResponseEvent = (
    PaymentReceived | PromiseToPay | DisputeOpened | OptOut | Feedback | DeliveryStatusChanged
)
"""An event the response model can produce."""

_MAX_OUTCOME = 1.0
_DISPUTE_REASONS = (
    "amount not agreed",
    "service not delivered",
    "invoice already paid",
    "goods returned",
)
_COMMENTS = {
    1: "Far too many reminders.",
    2: "The tone was too harsh.",
    4: "Clear and polite.",
    5: "The pay link made it easy.",
}


class ResponseModel(Model):
    """A seeded model of how customers answer reminders, per channel, tone and profile.

    The defaults follow the figures in the project's domain notes (SMS read within minutes,
    letters after postal delay, calls reaching people who then promise). Change any part with
    ``model_copy(update=...)``. Without an explicit ``rng`` each call draws from a generator
    derived from ``seed`` and the call's subject, so the answer to one message does not depend
    on the order in which messages are simulated.

    Examples:
        >>> from datetime import UTC, datetime
        >>> model = ResponseModel(seed=1)
        >>> events = model.respond(
        ...     "C-1", profile="reliable", channel="sms", tone="friendly",
        ...     sent_at=datetime(2026, 11, 2, 9, tzinfo=UTC), open_amount=Money("50.00", "EUR"),
        ... )
        >>> events == model.respond(
        ...     "C-1", profile="reliable", channel="sms", tone="friendly",
        ...     sent_at=datetime(2026, 11, 2, 9, tzinfo=UTC), open_amount=Money("50.00", "EUR"),
        ... )
        True
    """

    seed: int = 0
    channels: dict[str, ChannelResponse] = Field(default_factory=default_channels)
    tones: dict[Tone, ToneEffect] = Field(default_factory=default_tones)
    tones_by_channel: dict[str, dict[Tone, ToneEffect]] = Field(default_factory=dict)
    """Tone effects for one channel that replace the general ``tones`` there (a firm SMS
    may annoy more than a firm letter)."""
    profiles: dict[BehaviourProfile, ProfileBehaviour] = Field(default_factory=default_profiles)
    costs: dict[str, Money] = Field(
        default_factory=lambda: {name: c.cost for name, c in BUILTIN_CHANNELS.items()}
    )
    """Cost per contact by channel name; defaults to the built-in channels' costs."""

    @model_validator(mode="after")
    def _complete(self) -> ResponseModel:
        missing = sorted(str(p) for p in set(BehaviourProfile) - set(self.profiles))
        if missing:
            raise FieldError("profiles", missing, "give a ProfileBehaviour for every profile")
        return self

    def cost(self, channel: Channel | str, /) -> Money:
        """The cost of one contact on ``channel`` (the channel's own cost when not listed)."""
        name = channel if isinstance(channel, str) else channel.name
        if name in self.costs:
            return self.costs[name]
        if isinstance(channel, Channel):
            return channel.cost
        raise ConfigurationError(
            f"no cost for channel {name!r}; add it to ResponseModel.costs"
            f" (known: {', '.join(sorted(self.costs))})"
        )

    def rng(self, *parts: object) -> random.Random:
        """A generator derived from ``seed`` and ``parts``: the same parts, the same draws."""
        seed = "\x1f".join(map(str, (self.seed, *parts)))
        return random.Random(seed)  # noqa: S311 - simulation, not security

    def respond(
        self,
        case_id: str,
        /,
        *,
        profile: BehaviourProfile | str,
        channel: Channel | str,
        tone: Tone | str,
        sent_at: datetime,
        open_amount: Money,
        step_id: str | None = None,
        idempotency_key: str | None = None,
        rng: random.Random | None = None,
    ) -> list[ResponseEvent]:
        """Simulate what follows one message to ``case_id``; events sorted by time.

        Args:
            case_id: The case the message went to.
            profile: The case's hidden `BehaviourProfile`.
            channel: The channel the message went out on.
            tone: The message's tone.
            sent_at: When it was sent (timezone-aware); every event happens after it.
            open_amount: What the case still owes; payments never exceed it, and a case
                that owes nothing neither pays nor promises.
            step_id: The campaign step, copied into `Feedback` events.
            idempotency_key: The send's key. When given, delivery reports
                (`DeliveryStatusChanged`: delivered, bounced, opened, read, clicked) are
                included so that a store can match them to the send.
            rng: Draw from this generator instead of one derived from ``seed``.

        Returns:
            Zero or more of `PaymentReceived`, `PromiseToPay`, `DisputeOpened`, `OptOut`,
            `Feedback` and `DeliveryStatusChanged`, in time order.
        """
        name = channel if isinstance(channel, str) else channel.name
        _aware(sent_at, "sent_at")
        draws = rng or self.rng(case_id, name, sent_at.isoformat())
        tone_name = _tone(tone)
        call = _Call(
            case_id=case_id,
            profile=self._profile(profile),
            channel=name,
            response=self._channel(name),
            tone=self._tone_effect(name, tone_name),
            tone_name=tone_name,
            open_amount=open_amount,
            key=idempotency_key,
            rng=draws,
        )
        return sorted(call.run(sent_at, step_id), key=lambda e: e.at)

    def unprompted(
        self,
        case_id: str,
        /,
        *,
        profile: BehaviourProfile | str,
        on: date,
        due_on: date,
        open_amount: Money,
        timezone: str = "UTC",
        rng: random.Random | None = None,
    ) -> list[PaymentReceived]:
        """The payment (if any) a customer makes on day ``on`` without being reminded.

        Call it once per simulated day for every open case: reliable customers pay around the
        due date on their own, so a campaign's effect is measured against that baseline.
        """
        behaviour = self._profile(profile)
        if not open_amount.is_positive:
            return []
        draws = rng or self.rng(case_id, "unprompted", on.isoformat())
        chance = behaviour.unprompted_before_due if on <= due_on else behaviour.unprompted_after_due
        if draws.random() >= chance:
            return []
        moment = datetime.combine(on, time(8), zone(timezone)) + timedelta(
            minutes=draws.randrange(12 * 60)
        )
        amount = _payment(open_amount, behaviour.partial, draws)
        return [PaymentReceived(case_id=case_id, at=moment, amount=amount)]

    def _tone_effect(self, channel: str, tone: Tone) -> ToneEffect:
        specific = self.tones_by_channel.get(channel, {})
        return specific.get(tone) or self.tones.get(tone) or ToneEffect()

    def _profile(self, profile: BehaviourProfile | str) -> ProfileBehaviour:
        try:
            return self.profiles[BehaviourProfile(profile)]
        except ValueError:
            known = ", ".join(p.value for p in BehaviourProfile)
            problem = FieldProblem(
                field="profile", value=profile, message=f"must be one of {known}"
            )
            raise ValidationError("ResponseModel", [problem]) from None

    def _channel(self, name: str) -> ChannelResponse:
        try:
            return self.channels[name]
        except KeyError:
            raise ConfigurationError(
                f"the response model has no behaviour for channel {name!r};"
                f" add a ChannelResponse for it (known: {', '.join(sorted(self.channels))})"
            ) from None


def _aware(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        problem = FieldProblem(
            field=field, value=moment, message="must be timezone-aware, e.g. tzinfo=UTC"
        )
        raise ValidationError("ResponseModel", [problem])
    return moment


def _tone(value: Tone | str) -> Tone:
    try:
        return Tone(value)
    except ValueError:
        known = ", ".join(t.value for t in Tone)
        problem = FieldProblem(field="tone", value=value, message=f"must be one of {known}")
        raise ValidationError("ResponseModel", [problem]) from None


def _payment(open_amount: Money, partial: float, rng: random.Random) -> Money:
    if rng.random() >= partial:
        return open_amount
    share = Decimal(rng.randint(30, 70)) / 100
    part = Money.rounded(open_amount.amount * share, open_amount.currency)
    return part if part.is_positive else open_amount


def _between(window: tuple[timedelta, timedelta], rng: random.Random) -> timedelta:
    low, high = window
    return low + (high - low) * rng.random()


@dataclass(frozen=True, slots=True)
class _Call:
    """One ``respond`` call: the combined probabilities and the draws, in a fixed order."""

    case_id: str
    profile: ProfileBehaviour
    channel: str
    response: ChannelResponse
    tone: ToneEffect
    tone_name: Tone
    open_amount: Money
    key: str | None
    rng: random.Random

    def status(self, status: DeliveryStatus, at: datetime) -> list[ResponseEvent]:
        if self.key is None:
            return []
        return [
            DeliveryStatusChanged(
                case_id=self.case_id,
                at=at,
                status=status,
                channel=self.channel,
                idempotency_key=self.key,
            )
        ]

    def chances(self) -> dict[str, float]:
        r, t, p = self.response, self.tone, self.profile
        tone_pay = p.tones.get(self.tone_name, 1.0)
        chances = {
            "pay": r.pay * t.pay * p.pay * tone_pay,
            "promise": r.promise * t.promise * p.promise,
            "dispute": r.dispute * t.dispute * p.dispute,
            "opt_out": r.opt_out * t.opt_out * p.opt_out,
        }
        total = sum(chances.values())
        if total > _MAX_OUTCOME:  # multipliers overshot: keep the proportions
            chances = {k: v * _MAX_OUTCOME / total for k, v in chances.items()}
        return chances

    def run(self, sent_at: datetime, step_id: str | None) -> list[ResponseEvent]:
        r, rng = self.response, self.rng
        delivered_at = sent_at + timedelta(seconds=1 + rng.randrange(60))
        if rng.random() < r.bounce:
            return self.status(DeliveryStatus.BOUNCED, delivered_at)
        events = self.status(DeliveryStatus.DELIVERED, delivered_at)
        see = min(1.0, r.see * self.profile.see * self.profile.channels.get(self.channel, 1.0))
        if rng.random() >= see:
            return events
        seen_at = delivered_at + _between(r.seen_after, rng)
        if r.seen_status is not None:
            events += self.status(r.seen_status, seen_at)
        outcome = self.outcome()
        acted_at = seen_at + _between(r.act_after, rng)
        events += self.react(outcome, seen_at, acted_at)
        if rng.random() < r.feedback:
            events.append(self.feedback(outcome, acted_at, step_id))
        return events

    def outcome(self) -> str | None:
        draw = self.rng.random()
        for name, chance in self.chances().items():
            if draw < chance:
                return name
            draw -= chance
        return None

    def react(self, outcome: str | None, seen_at: datetime, at: datetime) -> list[ResponseEvent]:
        case_id, rng = self.case_id, self.rng
        if outcome in {"pay", "promise"} and not self.open_amount.is_positive:
            return []  # nothing left to pay
        if outcome == "pay":
            clicked = self.status(DeliveryStatus.CLICKED, seen_at) if self.response.pay_link else []
            amount = _payment(self.open_amount, self.profile.partial, rng)
            return [*clicked, PaymentReceived(case_id=case_id, at=at, amount=amount)]
        if outcome == "promise":
            return self.promise(at)
        if outcome == "dispute":
            reason = rng.choice(_DISPUTE_REASONS)
            return [DisputeOpened(case_id=case_id, at=at, reason=reason)]
        if outcome == "opt_out":
            source = "STOP" if self.channel in {"sms", "whatsapp"} else "unsubscribe"
            return [OptOut(case_id=case_id, at=seen_at, channel=self.channel, source=source)]
        return []

    def promise(self, at: datetime) -> list[ResponseEvent]:
        rng = self.rng
        promised_on = at.date() + timedelta(days=rng.randint(3, 14))
        events: list[ResponseEvent] = [
            PromiseToPay(
                case_id=self.case_id, at=at, promised_on=promised_on, amount=self.open_amount
            )
        ]
        if rng.random() < self.profile.keep_promise:
            paid_at = datetime.combine(promised_on, at.timetz()) - timedelta(days=rng.randint(0, 2))
            paid_at = max(paid_at, at + timedelta(hours=1))
            events.append(
                PaymentReceived(case_id=self.case_id, at=paid_at, amount=self.open_amount)
            )
        return events

    def feedback(self, outcome: str | None, at: datetime, step_id: str | None) -> Feedback:
        mean = 3.4 + self.tone.rating + (0.5 if outcome == "pay" else 0.0)
        mean -= 1.0 if outcome == "opt_out" else 0.0
        rating = max(1, min(5, round(self.rng.gauss(mean, 1.0))))
        return Feedback(
            case_id=self.case_id,
            at=at + timedelta(minutes=5),
            rating=rating,
            comment=_COMMENTS.get(rating),
            channel=self.channel,
            step_id=step_id,
        )
