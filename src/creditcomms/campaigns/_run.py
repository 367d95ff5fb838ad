"""One planning call's walk through a campaign's steps: triggers, policy slots, actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from creditcomms._reasons import reason
from creditcomms.channels import Channel
from creditcomms.model import Case, Reason
from creditcomms.policies import Calendar, ContactPolicy
from creditcomms.policies._log import ContactLog
from creditcomms.policies._window import local_moment, midnight

from ._action import Action
from ._fast import build_action, build_held
from ._guards import GuardState
from ._history import Sent, sent_steps
from ._plan import Held, HeldKind
from ._prepared import Lane, PreparedStep
from ._step import Step
from ._triggers import Anchor, Repeat
from ._units import Unit

if TYPE_CHECKING:
    from ._campaign import Campaign

__all__ = ["Run", "cursor"]

_WEEKDAYS_ONLY = Calendar.from_dates(())
_DAY = timedelta(days=1)
_NO_MORE = 1 << 30
"""A repeat count above any ``Repeat.times``: the step repeats no more."""
_DUE = Anchor.DUE
_NONE = Anchor.NONE


class Run:
    """The state of one planning call (one case at one time)."""

    __slots__ = (
        "_channels",
        "_log",
        "_refusals",
        "at",
        "calendar",
        "campaign",
        "case",
        "case_id",
        "due",
        "floor",
        "guard",
        "held",
        "plain",
        "policy",
        "segment",
        "tz",
        "upcoming",
        "variant",
    )

    def __init__(  # noqa: PLR0917 - private hot-path helper
        self,
        campaign: Campaign,
        case: Case,
        at: datetime,
        tz: tzinfo,
        guard: GuardState,
        segment: str | None,
        variant: str | None,
    ) -> None:
        policy = campaign.policy
        self.campaign = campaign
        self.policy: ContactPolicy = policy
        self.plain: bool = policy._plain
        self.case = case
        self.case_id: str = case.id
        self.at = at
        self.tz = tz
        self.guard = guard
        resume = guard.resume_at
        self.floor = resume if resume and resume > at else at
        self._log: ContactLog | None = None
        self.calendar = policy.calendar_for(case)
        self.due: list[Action] = []
        self.upcoming: list[Action] = []
        self.held: list[Held] = []
        self.segment = segment
        self.variant = variant
        self._channels: dict[str, tuple[tuple[Lane, ...], tuple[Reason, ...]]] = {}
        self._refusals: dict[str, Reason | None] = {}

    def log(self) -> ContactLog:
        """The case's contact log, built on first use (a plain policy never needs it)."""
        log = self._log
        if log is None:
            log = self._log = ContactLog(self.case.history)
        return log

    def refusal(self, channel: Channel) -> Reason | None:
        """Why ``channel`` cannot reach the case (cached for the planning call)."""
        name = channel.name
        refusals = self._refusals
        if name in refusals:
            return refusals[name]
        found = refusals[name] = self.policy.refusal(self.case, channel)
        return found

    def nominal(self, step: PreparedStep, unit: Unit, previous: datetime | None) -> datetime:
        """When ``step`` is due by its trigger alone (UTC)."""
        anchor = step.anchor
        if anchor is _DUE:
            if step.business:
                day = (self.calendar or _WEEKDAYS_ONLY).add_business_days(unit.due_on, step.days)
            else:
                day = unit.due_on + step.span
            return midnight(day, self.tz)
        if previous is None:
            return self.at
        if anchor is _NONE:
            return previous
        if step.business:
            local = previous.astimezone(self.tz)
            calendar = self.calendar or _WEEKDAYS_ONLY
            day = calendar.add_business_days(local.date(), step.days)
            return local_moment(day, local.timetz().replace(tzinfo=None), self.tz).astimezone(UTC)
        return self._later(previous, step.span)

    def run(self, unit: Unit, *, full: bool) -> None:
        """Plan one unit's sequence: repeats of the current step, then the next steps."""
        campaign = self.campaign
        steps: tuple[PreparedStep, ...] = campaign._prepared
        if self.case.history:
            sent = sent_steps(
                self.case,
                campaign.id,
                campaign.step_ids,
                unit_key=unit.key if unit.keyed else None,
            )
            index, previous, repeats = cursor(steps, sent)
            escalate = self._escalation(sent)
        else:
            index, previous, repeats, escalate = -1, None, 0, self.guard.broken_at
        count = len(steps)
        encoded = unit.key.encode()
        at = self.at
        while True:
            following = steps[index + 1] if index + 1 < count else None
            next_time = None
            if following is not None:
                next_time = self.nominal(following, unit, previous)
                if escalate is not None and escalate < next_time:
                    next_time = escalate
            again = None
            if index >= 0 and previous is not None:
                rule = steps[index].repeat
                if rule is not None and repeats < rule.times:
                    again = self._later(previous, rule.every)
            if (
                again is not None
                and (escalate is None or following is None)
                and (next_time is None or again < next_time)
            ):
                repeats += 1
                sent_at = self.emit(steps[index], unit, encoded, again, repeats)
                previous = sent_at or previous
                repeats = repeats if sent_at is not None else _NO_MORE
                if not full and sent_at is not None and sent_at > at:
                    return
                continue
            if following is None or next_time is None:
                return
            extra = (_escalation_reason(self.case),) if escalate is not None else ()
            sent_at = self.emit(following, unit, encoded, next_time, 0, extra)
            index, repeats, escalate = index + 1, 0, None
            previous = sent_at or previous
            if not full and sent_at is not None and sent_at > at:
                return

    def _escalation(self, sent: dict[str, Sent]) -> datetime | None:
        """When a broken promise escalates, unless a step already went out since."""
        broken = self.guard.broken_at
        if broken is None:
            return None
        last_send = max((s.last_at for s in sent.values()), default=None)
        if last_send is not None and last_send >= broken:
            return None
        return broken

    def _later(self, moment: datetime, span: timedelta) -> datetime:
        """``moment + span``, whole days counted on the local wall clock (DST safe)."""
        if span % _DAY:
            return moment + span
        local = moment.astimezone(self.tz) + span
        return local_moment(local.date(), local.time(), self.tz).astimezone(UTC)

    def emit(  # noqa: PLR0917 - private hot-path helper
        self,
        step: PreparedStep,
        unit: Unit,
        encoded: bytes,
        nominal: datetime,
        repeat: int,
        extra: tuple[Reason, ...] = (),
    ) -> datetime | None:
        """Place one send of ``step``; return its time, or ``None`` when it is skipped."""
        floor = self.floor
        effective = floor if floor > nominal else nominal
        skip = self._skip(step, unit, effective)
        if skip is not None:
            self.held.append(build_held(HeldKind.SKIPPED, step.id, None, repeat, (skip,)))
            return None
        lanes, notes = self._resolve(step)
        if not lanes:
            return None
        if self.plain:
            # No window, holiday, gap, cap or pause: the send goes out when it is due, and
            # the expiry check above already saw that moment.
            slot_at = effective
            moved: tuple[Reason, ...] = ()
            names: tuple[str, ...] = ()
        else:
            names = tuple(lane.name for lane in lanes)
            slot = self.policy.slot(
                self.case,
                self.log(),
                effective,
                names,
                self.tz,
                critical=step.critical,
                calendar=self.calendar,
            )
            slot_at, moved = slot.at, slot.reasons
            if step.expires and slot_at.astimezone(self.tz).date() > unit.due_on:
                detail = f"the due date {unit.due_on} passes before the step can go out"
                self.held.append(
                    build_held(
                        HeldKind.SKIPPED, step.id, None, repeat, (reason("expired", detail),)
                    )
                )
                return None
        target = self.due if slot_at <= self.at else self.upcoming
        first = step.trigger_reason if not repeat else _repeat_reason(step.repeat, repeat)
        reasons = (first, *extra, *notes, *moved) if extra or notes or moved else (first,)
        for position, lane in enumerate(lanes):
            target.append(
                self._action(step, unit, encoded, lane, slot_at, repeat, reasons, position)
            )
        if names:
            self.log().add(slot_at, names)
        return slot_at

    def _skip(self, step: PreparedStep, unit: Unit, effective: datetime) -> Reason | None:
        minimum = step.min_balance
        if minimum is not None and (
            minimum.currency != unit.balance.currency or unit.balance < minimum
        ):
            return reason("balance_below", f"{unit.balance} is open; the step needs {minimum}")
        if step.expires and effective.astimezone(self.tz).date() > unit.due_on:
            return reason("expired", f"the due date {unit.due_on} has passed")
        return None

    def _resolve(self, step: PreparedStep) -> tuple[tuple[Lane, ...], tuple[Reason, ...]]:
        cached = self._channels.get(step.id)
        if cached is None:
            cached = self._channels[step.id] = self._choose(step)
        return cached

    def _choose(self, step: PreparedStep) -> tuple[tuple[Lane, ...], tuple[Reason, ...]]:
        refusal = self.refusal
        primary = step.channel
        primary_refusal = refusal(primary.channel)
        if primary_refusal is None and not step.also:
            return (primary,), ()
        chosen: list[Lane] = []
        notes: tuple[Reason, ...] = ()
        if primary_refusal is None:
            chosen.append(primary)
        else:
            backup = next((f for f in step.fallback if refusal(f.channel) is None), None)
            if backup is not None:
                chosen.append(backup)
                detail = f"{primary.name} cannot be used ({primary_refusal.detail})"
                notes = (reason("fallback_used", f"{detail}; sending by {backup.name}"),)
            else:
                self.held.append(
                    build_held(HeldKind.SKIPPED, step.id, primary.name, 0, (primary_refusal,))
                )
        for lane in step.also:
            refused = refusal(lane.channel)
            if refused is None:
                chosen.append(lane)
            else:
                self.held.append(build_held(HeldKind.SKIPPED, step.id, lane.name, 0, (refused,)))
        return tuple(chosen), notes

    def _action(  # noqa: PLR0917 - private hot-path helper
        self,
        step: PreparedStep,
        unit: Unit,
        encoded: bytes,
        lane: Lane,
        due_at: datetime,
        repeat: int,
        reasons: tuple[Reason, ...],
        position: int,
    ) -> Action:
        template_only = False
        if lane.template_only:
            template_only, note = self._session(lane.name, due_at)
            reasons = (*reasons, note)
        notice = lane.name in self.policy.opt_out_notice
        if notice:
            reasons = (*reasons, _NOTICE)
        fallback: tuple[str, ...] = ()
        if position == 0 and step.fallback:
            channel = lane.channel
            refusal = self.refusal
            fallback = tuple(
                f.name
                for f in step.fallback
                if f.channel is not channel and refusal(f.channel) is None
            )
        return build_action(
            {
                "case_id": self.case_id,
                "campaign_id": lane.campaign_id,
                "campaign_version": lane.version,
                "step_id": step.id,
                "channel": lane.name,
                "fallback": fallback,
                "template": step.template,
                "tone": step.tone,
                "due_at": due_at,
                "repeat": repeat,
                "idempotency_key": lane.key(encoded, repeat),
                "critical": step.critical,
                "variant": self.variant,
                "segment": self.segment,
                "max_segments": step.max_segments,
                "invoice_ids": unit.invoice_ids,
                "reasons": reasons,
                "template_only": template_only,
                "opt_out_notice": notice,
            }
        )

    def _session(self, channel: str, at: datetime) -> tuple[bool, Reason]:
        talks = self.log().conversations.get(channel, ())
        last = max((t for t in talks if t <= at), default=None)
        if last is not None and at - last < self.policy.session:
            return False, reason("session_open", f"the customer wrote on {channel} within 24 hours")
        return True, reason(
            "template_only",
            f"no message from the customer on {channel} in the last 24 hours: only an approved"
            " template may be sent",
        )


_NOTICE = reason("opt_out_notice", "the message must say how to opt out of this channel")


def _repeat_reason(rule: Repeat | None, repeat: int) -> Reason:
    total = rule.times if rule is not None else repeat
    every = rule.every if rule is not None else timedelta(0)
    hours = int(every.total_seconds() // 3600)
    shown = f"{hours // 24} days" if hours % 24 == 0 else f"{hours} hours"
    return reason("repeat", f"repeat {repeat} of {total}, every {shown}")


def _escalation_reason(case: Case) -> Reason:
    promised = case.state.promised_on
    return reason("promise_broken", f"the promise to pay by {promised} was not kept; escalating")


def cursor(
    steps: tuple[Step, ...] | tuple[PreparedStep, ...], sent: dict[str, Sent]
) -> tuple[int, datetime | None, int]:
    """The last step sent, when it last went out, and how many repeats it had."""
    for index in range(len(steps) - 1, -1, -1):
        found = sent.get(steps[index].id)
        if found is not None:
            return index, found.last_at, found.count - 1
    return -1, None, 0
