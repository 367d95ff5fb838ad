"""Planning many cases at one time: cases that look alike to the planner share one plan.

In a batch every case is planned at the same ``at``. Two cases whose due dates, balances,
state, history, time zone and usable channels are equal get the same plan except for the
case id and the idempotency keys, so the planner computes it once and re-keys it for the
others. Nothing is kept between batches; the cache is bounded.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from creditcomms.model import Case, Reason

from ._action import Action, idempotency_key
from ._fast import build_action
from ._history import parse_key
from ._plan import Plan
from ._step import Grouping

if TYPE_CHECKING:
    from ._campaign import Campaign

__all__ = ["BatchPlanner", "plan_batch", "signature"]


def signature(campaign: Campaign, case: Case, /) -> Hashable | None:
    """Everything about ``case`` the planner reads, except its id; ``None``: do not share.

    Channel use depends on which contacts exist (not their values), consents and opt-outs.
    """
    if campaign.grouping is Grouping.INVOICE:
        return None  # history is attributed per invoice through the case id
    history = []
    for record in case.history:
        key = record.idempotency_key
        parts = parse_key(key) if key else None
        shown = (
            (parts.campaign_id, parts.version, parts.step_id, parts.channel, parts.repeat)
            if parts is not None
            else key
        )
        history.append(
            (record.at, record.channel, record.outcome, record.campaign_id, record.step_id, shown)
        )
    debtor = case.debtor
    contacts = debtor.contacts
    reachable = (
        contacts.email is not None,
        contacts.phone is not None,
        contacts.whatsapp is not None,
        bool(contacts.push_tokens),
        contacts.portal_user_id is not None,
        contacts.address is not None,
        tuple(sorted(debtor.consents.items())) if debtor.consents else (),
    )
    invoices = tuple((i.id, i.due_on, i.balance.amount, i.status) for i in case.invoices)
    return (
        debtor.timezone,
        debtor.country,
        case.currency,
        case.state,
        tuple(history),
        reachable,
        invoices,
    )


def _rekey(action: Action, case_id: str) -> Action:
    values = dict(action.__dict__)
    values["case_id"] = case_id
    values["idempotency_key"] = idempotency_key(
        campaign_id=action.campaign_id,
        version=action.campaign_version,
        case_id=case_id,
        step_id=action.step_id,
        channel=action.channel,
        repeat=action.repeat,
    )
    return build_action(values)


def _rebase(plan: Plan, case_id: str) -> Plan:
    return Plan(
        case_id,
        plan.at,
        plan.status,
        plan.campaign_id,
        plan.campaign_version,
        plan.segment,
        plan.variant,
        tuple(_rekey(a, case_id) for a in plan.due),
        tuple(_rekey(a, case_id) for a in plan.upcoming),
        plan.held,
        plan.reasons,
        plan.next_at,
        plan.resume_at,
        plan.timezone,
    )


class BatchPlanner:
    """A bounded memo of plans for one batch (one ``at``); see the module docstring."""

    def __init__(self, *, at: datetime, upcoming: bool = True, cache_size: int = 4096) -> None:
        self.at = at
        self.upcoming = upcoming
        self.cache_size = cache_size
        self._cache: OrderedDict[Hashable, Plan] = OrderedDict()

    def plan(
        self,
        campaign: Campaign,
        case: Case,
        /,
        *,
        segment: str | None = None,
        variant: str | None = None,
        reasons: tuple[Reason, ...] = (),
    ) -> Plan:
        """The plan of ``case`` in ``campaign``, computed or re-keyed from a look-alike."""
        shape = signature(campaign, case)
        options = {"segment": segment, "variant": variant, "reasons": reasons}
        if shape is None:
            return campaign.plan(case, at=self.at, upcoming=self.upcoming, **options)  # type: ignore[arg-type]
        key = (id(campaign), segment, variant, reasons, shape)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return _rebase(found, case.id)
        found = campaign.plan(case, at=self.at, upcoming=self.upcoming, **options)  # type: ignore[arg-type]
        self._cache[key] = found
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return found


def plan_batch(
    campaign: Campaign,
    cases: Iterable[Case],
    /,
    *,
    at: datetime,
    upcoming: bool = True,
    cache_size: int = 4096,
) -> Iterator[Plan]:
    """Plan every case at ``at``, lazily, sharing work between look-alike cases."""
    batch = BatchPlanner(at=at, upcoming=upcoming, cache_size=cache_size)
    for case in cases:
        yield batch.plan(campaign, case)
