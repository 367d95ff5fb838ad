"""The planner as it was before it was optimised: the oracle of test_planner_reference.py.

A plain copy of the straightforward planner (one `_Run` per case, the policy's slot search
in rounds, the window searched day by day, caps counted from a freshly sorted list), kept
so that a shortcut in the optimised planner that changes a plan fails a test. It reuses
only what the optimisation left alone: guards, history, units, reasons and the models.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from creditcomms._reasons import reason
from creditcomms.campaigns._action import Action, idempotency_key
from creditcomms.campaigns._fast import build_action
from creditcomms.campaigns._guards import GuardState, evaluate_guards
from creditcomms.campaigns._history import Sent, sent_steps
from creditcomms.campaigns._plan import Held, HeldKind, Plan, PlanStatus
from creditcomms.campaigns._step import Step
from creditcomms.campaigns._triggers import Anchor
from creditcomms.campaigns._units import Unit, open_balance, units_of
from creditcomms.channels import Channel
from creditcomms.errors import ConfigurationError, PolicyError
from creditcomms.model import Case, Reason, zone
from creditcomms.policies import Calendar, Cap, ContactPolicy, SendWindow, Slot
from creditcomms.policies._log import ContactLog
from creditcomms.policies._policy import _cap_reason, _gap_reason, _talk_reason, _window_reason
from creditcomms.policies._window import local_moment, midnight

if TYPE_CHECKING:
    from creditcomms.campaigns import Campaign

__all__ = ["reference_plan", "reference_slot"]

_MAX_ROUNDS = 64
_SEARCH_DAYS = 400
_ALWAYS = SendWindow("00:00", "24:00")


def _next_open(
    window: SendWindow, moment: datetime, tz: tzinfo, calendar: Calendar | None
) -> datetime:
    local = moment.astimezone(tz)
    day, clock = local.date(), local.time()
    for _ in range(_SEARCH_DAYS):
        if day.weekday() in window.weekdays and (calendar is None or not calendar.is_holiday(day)):
            if clock < window.start:
                return local_moment(day, window.start, tz)
            if clock < window.end:
                return local
        day += timedelta(days=1)
        clock = time.min
        local = local_moment(day, time.min, tz)
    raise PolicyError(f"no allowed send moment within {_SEARCH_DAYS} days of {moment}")


def _earliest(cap: Cap, log: ContactLog, at: datetime) -> datetime:
    if cap.channel is None:
        times = sorted(t for ts in log.attempts.values() for t in ts)
    else:
        times = log.attempts.get(cap.channel, [])
    end = bisect_right(times, at)
    start = bisect_right(times, at - cap.period)
    count = end - start
    if count < cap.limit:
        return at
    return times[start + count - cap.limit] + cap.period


def _constraints(  # noqa: PLR0917
    policy: ContactPolicy,
    log: ContactLog,
    at: datetime,
    channels: tuple[str, ...],
    critical: bool,
    moved: dict[str, Reason],
) -> datetime:
    result = at
    if policy.min_gap and not critical:
        last = log.last_reached()
        if last is not None and last + policy.min_gap > result:
            result = last + policy.min_gap
            moved.setdefault("min_gap", _gap_reason(last, policy.min_gap))
    for cap in policy.caps:
        if cap.applies_to(channels):
            allowed = _earliest(cap, log, result)
            if allowed > result:
                result = allowed
                moved.setdefault(f"cap:{cap.channel}", _cap_reason(cap))
    if policy.after_conversation is not None:
        talk = log.last_conversation(c for c in channels if c in policy.conversation_channels)
        if talk is not None and talk + policy.after_conversation > result:
            result = talk + policy.after_conversation
            moved.setdefault("after_conversation", _talk_reason(talk, policy.after_conversation))
    return result


def _windowed(
    policy: ContactPolicy,
    at: datetime,
    tz: tzinfo,
    calendar: Calendar | None,
    moved: dict[str, Reason],
) -> datetime:
    window = policy.window
    if window is None and calendar is None:
        return at
    opened = _next_open(window or _ALWAYS, at, tz, calendar)
    if opened != at:
        opened = opened.astimezone(UTC)
        if "window" not in moved:
            local = at.astimezone(tz)
            zone = getattr(local.tzinfo, "key", str(local.tzinfo))
            moved["window"] = _window_reason(local.replace(tzinfo=None), zone, window, calendar)
    return opened


def reference_slot(  # noqa: PLR0917
    policy: ContactPolicy,
    case: Case,
    log: ContactLog,
    at: datetime,
    channels: tuple[str, ...],
    tz: tzinfo,
    critical: bool,
    calendar: Calendar | None,
) -> Slot:
    """`ContactPolicy.slot` as it was."""
    constrained = bool(policy.min_gap) or bool(policy.caps) or policy.after_conversation is not None
    moved: dict[str, Reason] = {}
    current = at
    for _ in range(_MAX_ROUNDS):
        candidate = current
        if constrained:
            candidate = _constraints(policy, log, current, channels, critical, moved)
        candidate = _windowed(policy, candidate, tz, calendar, moved)
        if candidate == current:
            return Slot(current, tuple(moved.values()))
        current = candidate
    raise PolicyError(f"no send moment satisfies the policy for case {case.id} after {at}")


_WEEKDAYS_ONLY = Calendar.from_dates(())
_DAY = timedelta(days=1)
_NO_MORE = 1 << 30
"""A repeat count above any ``Repeat.times``: the step repeats no more."""


class _Run:
    """The state of one planning call (one case at one time)."""

    def __init__(self, campaign: Campaign, case: Case, at: datetime, guard: GuardState) -> None:
        self.campaign = campaign
        self.policy: ContactPolicy = campaign.policy
        self.case = case
        self.at = at
        self.tz: tzinfo = zone(case.debtor.timezone)
        self.today = at.astimezone(self.tz).date()
        self.guard = guard
        self.floor = max(at, guard.resume_at) if guard.resume_at else at
        self.log = ContactLog(case.history)
        self.calendar = self.policy.calendar_for(case)
        self.due: list[Action] = []
        self.upcoming: list[Action] = []
        self.held: list[Held] = []
        self.segment: str | None = None
        self.variant: str | None = None
        self._channels: dict[str, tuple[tuple[Channel, ...], tuple[Reason, ...]]] = {}
        self._refusals: dict[str, Reason | None] = {}

    def refusal(self, channel: Channel) -> Reason | None:
        """Why ``channel`` cannot reach the case (cached for the planning call)."""
        name = channel.name
        if name in self._refusals:
            return self._refusals[name]
        found = self.policy.refusal(self.case, channel)
        self._refusals[name] = found
        return found

    def nominal(self, step: Step, unit: Unit, previous: datetime | None) -> datetime:
        """When ``step`` is due by its trigger alone (UTC)."""
        trigger = step.trigger
        if trigger.anchor is Anchor.DUE:
            if trigger.business:
                day = (self.calendar or _WEEKDAYS_ONLY).add_business_days(unit.due_on, trigger.days)
            else:
                day = unit.due_on + timedelta(days=trigger.days)
            return midnight(day, self.tz)
        if previous is None:
            return self.at
        if trigger.anchor is Anchor.NONE:
            return previous
        if trigger.business:
            local = previous.astimezone(self.tz)
            calendar = self.calendar or _WEEKDAYS_ONLY
            day = calendar.add_business_days(local.date(), trigger.days)
            return local_moment(day, local.timetz().replace(tzinfo=None), self.tz).astimezone(UTC)
        return self._later(previous, timedelta(days=trigger.days))

    def run(self, unit: Unit, *, full: bool) -> None:
        """Plan one unit's sequence: repeats of the current step, then the next steps."""
        steps = self.campaign.steps
        sent = sent_steps(
            self.case,
            self.campaign.id,
            self.campaign.step_ids,
            unit_key=unit.key if unit.per_invoice else None,
        )
        index, previous, repeats = _cursor(steps, sent)
        escalate = self._escalation(sent)
        while True:
            following = steps[index + 1] if index + 1 < len(steps) else None
            next_time = self._next_time(following, unit, previous, escalate)
            again = self._repeat_time(steps[index] if index >= 0 else None, previous, repeats)
            if (
                again is not None
                and (escalate is None or following is None)
                and (next_time is None or again < next_time)
            ):
                repeats += 1
                sent_at = self.emit(steps[index], unit, again, repeats)
                previous = sent_at or previous
                repeats = repeats if sent_at is not None else _NO_MORE
                if not full and sent_at is not None and sent_at > self.at:
                    return
                continue
            if following is None or next_time is None:
                return
            extra = (_escalation_reason(self.case),) if escalate is not None else ()
            sent_at = self.emit(following, unit, next_time, 0, extra)
            index, repeats, escalate = index + 1, 0, None
            previous = sent_at or previous
            if not full and sent_at is not None and sent_at > self.at:
                return

    def _escalation(self, sent: dict[str, Sent]) -> datetime | None:
        """When a broken promise escalates, unless a step already went out since."""
        broken = self.guard.broken_at
        last_send = max((s.last_at for s in sent.values()), default=None)
        if broken is not None and last_send is not None and last_send >= broken:
            return None
        return broken

    def _next_time(
        self, step: Step | None, unit: Unit, previous: datetime | None, escalate: datetime | None
    ) -> datetime | None:
        if step is None:
            return None
        nominal = self.nominal(step, unit, previous)
        return min(nominal, escalate) if escalate is not None else nominal

    def _repeat_time(
        self, step: Step | None, previous: datetime | None, repeats: int
    ) -> datetime | None:
        rule = step.repeat if step is not None else None
        if rule is None or previous is None or repeats >= rule.times:
            return None
        return self._later(previous, rule.every)

    def _later(self, moment: datetime, span: timedelta) -> datetime:
        """``moment + span``, whole days counted on the local wall clock (DST safe)."""
        if span % _DAY:
            return moment + span
        local = moment.astimezone(self.tz) + span
        return local_moment(local.date(), local.time(), self.tz).astimezone(UTC)

    def emit(
        self, step: Step, unit: Unit, nominal: datetime, repeat: int, extra: tuple[Reason, ...] = ()
    ) -> datetime | None:
        """Place one send of ``step``; return its time, or ``None`` when it is skipped."""
        effective = max(nominal, self.floor)
        skip = self._skip(step, unit, effective)
        if skip is not None:
            self.held.append(Held(HeldKind.SKIPPED, step.id, None, repeat, (skip,)))
            return None
        channels, notes = self._resolve(step)
        if not channels:
            return None
        names = tuple(c.name for c in channels)
        slot = reference_slot(
            self.policy,
            self.case,
            self.log,
            effective,
            names,
            self.tz,
            step.critical,
            self.calendar,
        )
        if self.campaign.expires(step) and slot.at.astimezone(self.tz).date() > unit.due_on:
            detail = f"the due date {unit.due_on} passes before the step can go out"
            self.held.append(
                Held(HeldKind.SKIPPED, step.id, None, repeat, (reason("expired", detail),))
            )
            return None
        target = self.due if slot.at <= self.at else self.upcoming
        first = self.campaign.trigger_reason(step) if not repeat else _repeat_reason(step, repeat)
        reasons = (first, *extra, *notes, *slot.reasons)
        for position, channel in enumerate(channels):
            target.append(self._action(step, unit, channel, slot.at, repeat, reasons, position))
        self.log.add(slot.at, names)
        return slot.at

    def _skip(self, step: Step, unit: Unit, effective: datetime) -> Reason | None:
        minimum = step.trigger.min_balance
        if minimum is not None and (
            minimum.currency != unit.balance.currency or unit.balance < minimum
        ):
            return reason("balance_below", f"{unit.balance} is open; the step needs {minimum}")
        if self.campaign.expires(step) and effective.astimezone(self.tz).date() > unit.due_on:
            return reason("expired", f"the due date {unit.due_on} has passed")
        return None

    def _resolve(self, step: Step) -> tuple[tuple[Channel, ...], tuple[Reason, ...]]:
        cached = self._channels.get(step.id)
        if cached is None:
            cached = self._choose(step)
            self._channels[step.id] = cached
        return cached

    def _choose(self, step: Step) -> tuple[tuple[Channel, ...], tuple[Reason, ...]]:
        refusal = self.refusal
        chosen: list[Channel] = []
        notes: list[Reason] = []
        primary_refusal = refusal(step.channel)
        if primary_refusal is None:
            chosen.append(step.channel)
        else:
            backup = next((c for c in step.fallback if refusal(c) is None), None)
            if backup is not None:
                chosen.append(backup)
                detail = f"{step.channel.name} cannot be used ({primary_refusal.detail})"
                notes.append(reason("fallback_used", f"{detail}; sending by {backup.name}"))
            else:
                self.held.append(
                    Held(HeldKind.SKIPPED, step.id, step.channel.name, 0, (primary_refusal,))
                )
        for channel in step.also:
            refused = refusal(channel)
            if refused is None:
                chosen.append(channel)
            else:
                self.held.append(Held(HeldKind.SKIPPED, step.id, channel.name, 0, (refused,)))
        return tuple(chosen), tuple(notes)

    def _action(  # noqa: PLR0917 - private hot-path helper
        self,
        step: Step,
        unit: Unit,
        channel: Channel,
        due_at: datetime,
        repeat: int,
        reasons: tuple[Reason, ...],
        position: int,
    ) -> Action:
        campaign = self.campaign
        name = channel.name
        template_only = False
        if channel.capabilities.template_only:
            template_only, note = self._session(name, due_at)
            reasons = (*reasons, note)
        notice = name in self.policy.opt_out_notice
        if notice:
            reasons = (*reasons, _NOTICE)
        fallback: tuple[str, ...] = ()
        if position == 0:
            fallback = tuple(
                c.name for c in step.fallback if c is not channel and self.refusal(c) is None
            )
        return build_action(
            {
                "case_id": self.case.id,
                "campaign_id": campaign.id,
                "campaign_version": campaign.version,
                "step_id": step.id,
                "channel": name,
                "fallback": fallback,
                "template": campaign.template_of(step),
                "tone": step.tone,
                "due_at": due_at,
                "repeat": repeat,
                "idempotency_key": idempotency_key(
                    campaign_id=campaign.id,
                    version=campaign.version,
                    case_id=unit.key,
                    step_id=step.id,
                    channel=name,
                    repeat=repeat,
                ),
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
        talks = self.log.conversations.get(channel, ())
        last = max((t for t in talks if t <= at), default=None)
        if last is not None and at - last < self.policy.session:
            return False, reason("session_open", f"the customer wrote on {channel} within 24 hours")
        return True, reason(
            "template_only",
            f"no message from the customer on {channel} in the last 24 hours: only an approved"
            " template may be sent",
        )


_NOTICE = reason("opt_out_notice", "the message must say how to opt out of this channel")


def _repeat_reason(step: Step, repeat: int) -> Reason:
    rule = step.repeat
    total = rule.times if rule is not None else repeat
    every = rule.every if rule is not None else timedelta(0)
    hours = int(every.total_seconds() // 3600)
    shown = f"{hours // 24} days" if hours % 24 == 0 else f"{hours} hours"
    return reason("repeat", f"repeat {repeat} of {total}, every {shown}")


def _escalation_reason(case: Case) -> Reason:
    promised = case.state.promised_on
    return reason("promise_broken", f"the promise to pay by {promised} was not kept; escalating")


def _cursor(steps: tuple[Step, ...], sent: dict[str, Sent]) -> tuple[int, datetime | None, int]:
    """The last step sent, when it last went out, and how many repeats it had."""
    for index in range(len(steps) - 1, -1, -1):
        found = sent.get(steps[index].id)
        if found is not None:
            return index, found.last_at, found.count - 1
    return -1, None, 0


def reference_plan(
    campaign: Campaign,
    case: Case,
    /,
    *,
    at: datetime,
    segment: str | None = None,
    variant: str | None = None,
    full: bool = True,
    extra_reasons: tuple[Reason, ...] = (),
) -> Plan:
    """`Campaign.plan` as it was."""
    if at.tzinfo is None:
        raise ConfigurationError(f"at={at!r} has no time zone; pass an aware datetime")
    at = at.astimezone(UTC)
    tz = zone(case.debtor.timezone)
    invoices = case.open_invoices
    balance = open_balance(invoices)
    guard = evaluate_guards(campaign.guards, case, balance, at.astimezone(tz).date(), tz)
    base = {
        "case_id": case.id,
        "at": at,
        "campaign_id": campaign.id,
        "campaign_version": campaign.version,
        "segment": segment,
        "variant": variant,
        "timezone": tz,
    }
    reasons = (*extra_reasons, *guard.reasons)
    held = _paused_step(campaign, case, guard, at.astimezone(tz).date())
    if guard.status is PlanStatus.STOPPED or (
        guard.status is PlanStatus.PAUSED and guard.resume_at is None
    ):
        return Plan(status=guard.status, reasons=reasons, held=held, **base)  # type: ignore[arg-type]
    run = _Run(campaign, case, at, guard)
    run.held.extend(held)
    run.segment, run.variant = segment, variant
    for unit in units_of(case, campaign.grouping, invoices, balance):  # type: ignore[arg-type]
        run.run(unit, full=full)
    return _finish(run, guard, reasons, base)


def _paused_step(
    campaign: Campaign, case: Case, guard: GuardState, today: date
) -> tuple[Held, ...]:
    """The step a pause holds back, as a blocked entry (nothing when not paused)."""
    if guard.status is not PlanStatus.PAUSED:
        return ()
    index, _, _ = _cursor(campaign.steps, sent_steps(case, campaign.id, campaign.step_ids))
    expired = today > case.oldest_due_on
    for step in campaign.steps[index + 1 :]:
        if not (expired and campaign.expires(step)):
            return (Held(HeldKind.BLOCKED, step.id, None, 0, guard.reasons),)
    return ()


def _finish(
    run: _Run, guard: GuardState, reasons: tuple[Reason, ...], base: dict[str, object]
) -> Plan:
    due = tuple(sorted(run.due, key=_order) if len(run.due) > 1 else run.due)
    upcoming = tuple(sorted(run.upcoming, key=_order) if len(run.upcoming) > 1 else run.upcoming)
    if guard.status is PlanStatus.PAUSED:
        status = PlanStatus.PAUSED
    else:
        status = PlanStatus.ACTIVE if due or upcoming else PlanStatus.FINISHED
    next_at = upcoming[0].due_at if upcoming else guard.resume_at
    return Plan(
        status=status,
        due=due,
        upcoming=upcoming,
        held=tuple(run.held),
        reasons=reasons,
        next_at=next_at,
        resume_at=guard.resume_at,
        **base,  # type: ignore[arg-type]
    )


def _order(action: Action) -> datetime:
    return action.due_at
