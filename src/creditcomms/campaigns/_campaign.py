"""Campaigns: a versioned sequence of steps with guards, a contact policy and grouping."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from creditcomms._checks import whole_number
from creditcomms._reasons import reason
from creditcomms.channels import PHONE_TASK, ContactKind
from creditcomms.errors import CampaignDefinitionError
from creditcomms.model import Case, EventBase, Reason
from creditcomms.policies import ContactPolicy

from ._batch import plan_batch
from ._plan import Plan
from ._planner import plan_case
from ._prepared import prepare
from ._step import Grouping, Guards, Step, check_id
from ._timeline import Timeline, simulate
from ._triggers import Anchor

__all__ = ["Campaign"]


class Campaign:
    """A versioned sequence of steps, with guards, a contact policy and a grouping.

    Args:
        id: Stable id; part of every idempotency key (``b2c-standard``).
        version: Raise it when you change steps; running cases keep the version they
            started with (see `Strategy`) unless migrated explicitly.
        steps: The steps, in order. Each step is planned only after the one before it went
            out or was skipped; a pre-due step expires once the due date has passed.
        policy: The `ContactPolicy` every send obeys (default: no restrictions beyond
            consent and opt-outs).
        guards: Stop and pause rules (`Guards`).
        grouping: ``"debtor"`` (one message for all open invoices, default) or ``"invoice"``.
        contacts: The contact kinds every case of this campaign has (``{"email", "address"}``);
            when given, a step using a channel that needs another contact is refused.
        name: A title for people.

    Examples:
        >>> from creditcomms import EMAIL, LETTER, Step, after_due, before_due
        >>> pre = Step("pre", before_due(days=3), EMAIL)
        >>> steps = [pre, Step("final", after_due(days=21), LETTER)]
        >>> campaign = Campaign("b2b", steps=steps)
        >>> campaign
        Campaign('b2b', version=1, steps=['pre', 'final'])
    """

    def __init__(
        self,
        id: str,
        /,
        *,
        version: int = 1,
        steps: Iterable[Step],
        policy: ContactPolicy | None = None,
        guards: Guards | None = None,
        grouping: Grouping | str = Grouping.DEBTOR,
        contacts: Iterable[ContactKind | str] | None = None,
        name: str | None = None,
    ) -> None:
        self.id = check_id("campaign", id)
        self.version = whole_number(
            version,
            minimum=1,
            message=f"campaign {id!r}: version {version!r} must be a whole number >= 1",
            error=CampaignDefinitionError,
        )
        self.steps = tuple(steps)
        self.policy = policy if policy is not None else ContactPolicy()
        self.guards = guards if guards is not None else Guards()
        self.grouping = _grouping(grouping, id)
        self.contacts = None if contacts is None else frozenset(ContactKind(c) for c in contacts)
        self.name = name or id
        self.step_ids = frozenset(s.id for s in self.steps)
        self._check()
        self._templates = {s.id: self._default_template(i, s) for i, s in enumerate(self.steps)}
        self._reasons = {s.id: reason("trigger", s.trigger.describe()) for s in self.steps}
        self.channels = tuple(dict.fromkeys(c for s in self.steps for c in s.channels))
        """Every channel any step may use, in order of first use."""
        self._expiring = frozenset(
            s.id for s in self.steps if s.trigger.anchor is Anchor.DUE and s.trigger.days <= 0
        )
        self._prepared = prepare(self)

    def _check(self) -> None:
        where = f"campaign {self.id!r}"
        if not self.steps:
            raise CampaignDefinitionError(f"{where} has no steps; give at least one Step")
        seen: set[str] = set()
        for index, step in enumerate(self.steps):
            if not isinstance(step, Step):
                raise CampaignDefinitionError(f"{where}: steps[{index}] is not a Step: {step!r}")
            if step.id in seen:
                raise CampaignDefinitionError(
                    f"{where}: step id {step.id!r} is used twice; step ids must be unique"
                )
            seen.add(step.id)
            self._check_step(where, index, step)

    def _check_step(self, where: str, index: int, step: Step) -> None:
        if index == 0 and step.trigger.anchor is Anchor.PREVIOUS:
            raise CampaignDefinitionError(
                f"{where}: the first step {step.id!r} uses after_previous() but has no previous"
                " step; use after_due() or before_due()"
            )
        if step.trigger.business and self.policy.calendar is None and not self.policy.calendars:
            raise CampaignDefinitionError(
                f"{where}: step {step.id!r} counts business days but the policy has no calendar;"
                " pass ContactPolicy(calendar=Calendar('DE'))"
            )
        if self.contacts is not None:
            for channel in step.channels:
                if channel.contact not in self.contacts and channel.contact is not ContactKind.NONE:
                    role = "fallback" if channel in step.fallback else "channel"
                    raise CampaignDefinitionError(
                        f"{where}: step {step.id!r} uses {role} {channel.name!r}, which needs a"
                        f" {channel.contact.value}, but the campaign's cases only have"
                        f" {', '.join(sorted(c.value for c in self.contacts))}"
                    )

    def _default_template(self, index: int, step: Step) -> str:
        if step.template:
            return step.template
        if step.trigger.anchor is Anchor.DUE and step.trigger.days <= 0:
            return "pre_due"
        if step.channel == PHONE_TASK:
            return "call"
        if index == len(self.steps) - 1 and index > 0:
            return "final_notice"
        return "reminder"

    def template_of(self, step: Step, /) -> str:
        """The template id of ``step`` (its own, or the stage name chosen by default)."""
        return self._templates[step.id]

    def trigger_reason(self, step: Step, /) -> Reason:
        """The reason every action of ``step`` carries: its trigger in words."""
        return self._reasons[step.id]

    def expires(self, step: Step, /) -> bool:
        """True for steps due on or before the due date: pointless once it has passed."""
        return step.id in self._expiring

    def step(self, step_id: str, /) -> Step:
        """The step with id ``step_id``."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"campaign {self.id!r} has no step {step_id!r}")

    @property
    def key(self) -> str:
        """``id@version``, as it appears in idempotency keys."""
        return f"{self.id}@{self.version}"

    def plan(
        self,
        case: Case,
        /,
        *,
        at: datetime,
        upcoming: bool = True,
        segment: str | None = None,
        variant: str | None = None,
        reasons: tuple[Reason, ...] = (),
    ) -> Plan:
        """Plan ``case`` at ``at``: pure and deterministic (no clock, no I/O).

        Args:
            case: The case with its history; sent steps are read from the history.
            at: The planning time (timezone-aware).
            upcoming: Plan the rest of the sequence too (``False``: stop after the first
                action that is not due yet, which is all a scheduler needs for ``next_at``).
            segment: The segment name to stamp on actions (set by `Strategy`).
            variant: The A/B variant to stamp on actions (set by `Strategy`).
            reasons: Extra plan-level reasons (the strategy's assignment).
        """
        return plan_case(
            self,
            case,
            at=at,
            segment=segment,
            variant=variant,
            full=upcoming,
            extra_reasons=reasons,
        )

    def plan_many(
        self, cases: Iterable[Case], /, *, at: datetime, upcoming: bool = True
    ) -> Iterator[Plan]:
        """Plan many cases at one time ``at``, lazily (a generator in, a generator out).

        Gives the same plans as calling `plan` for each case, faster: cases that look
        alike to the planner (same due dates, balances, state, history, zone and usable
        channels) share the work, and only their ids and idempotency keys differ.
        """
        return plan_batch(self, cases, at=at, upcoming=upcoming)

    def timeline(
        self,
        case: Case,
        /,
        *,
        start: datetime,
        end: datetime,
        events: Iterable[EventBase] = (),
    ) -> Timeline:
        """Dry-run the campaign from ``start`` to ``end`` with a test clock.

        Every due action is "sent" (appended to the case's history) and the events are
        applied at their times, so the result answers "what will this case receive in the
        next 60 days if nothing happens, or if they promise to pay on day 10?".
        """
        return simulate(self, case, start=start, end=end, events=events)

    def __repr__(self) -> str:
        return (
            f"Campaign({self.id!r}, version={self.version}, steps={[s.id for s in self.steps]!r})"
        )


def _grouping(value: Grouping | str, campaign_id: str) -> Grouping:
    try:
        return Grouping(value)
    except ValueError:
        raise CampaignDefinitionError(
            f"campaign {campaign_id!r}: grouping {value!r} must be 'debtor' or 'invoice'"
        ) from None
