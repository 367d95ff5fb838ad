"""Planning many cases at one time: cases that look alike to the planner share one plan.

In a batch every case is planned at the same ``at``. Two cases whose due dates, balances,
state, history, time zone and usable channels are equal get the same plan except for the
case id and the idempotency keys, so the planner computes it once and keeps it as a
`Shared` template; the look-alikes get a copy with their own id and keys. Nothing is kept
between batches; the cache is bounded.

The hot path is built for speed: the signature is one flat tuple of plain values (no
nested models to hash), and re-keying an action copies the template's field dict, hashes
the case id between a precomputed head and tail (the same bytes `idempotency_key` hashes,
so the keys are the same) and skips validation.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from datetime import datetime
from hashlib import sha256
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from creditcomms.model import Case, CaseState, ContactRecord, Invoice, InvoiceStatus, Reason

from ._action import Action
from ._fast import (
    ACTION_FIELDS,
    _at,
    _campaign_id,
    _campaign_version,
    _case_id,
    _due,
    _held,
    _next_at,
    _reasons,
    _resume_at,
    _segment,
    _status,
    _timezone,
    _upcoming,
    _variant,
)
from ._plan import Plan
from ._step import Grouping

if TYPE_CHECKING:
    from ._campaign import Campaign

__all__ = ["BatchPlanner", "Shared", "plan_batch", "signature"]

_case_fields = itemgetter("debtor", "invoices", "state", "history")
_debtor_fields = itemgetter("timezone", "contacts", "consents")
_contact_fields = itemgetter(
    "address", "email", "phone", "whatsapp", "push_tokens", "portal_user_id"
)
_state_fields = itemgetter(*CaseState.model_fields)
"""Every field of a `CaseState`, in declaration order (the planner reads them all)."""
_PER_INVOICE = Grouping.INVOICE
_OPEN = InvoiceStatus.OPEN
_NO_ADDRESS = ("no address",)
"""Stands for a missing postal address (no country code can equal a tuple)."""

# The signature reads the models' field dicts directly: a pydantic attribute lookup costs
# several dict lookups, and the signature is computed once per case in the hot loop.


def _record(record: ContactRecord) -> Hashable:
    """One history record as the planner reads it.

    Of the idempotency key only the part before the digest counts: it holds the campaign,
    version, step, channel and repeat, and decides whether the key parses at all (a key
    that does not parse is ignored as a key, whatever it says).
    """
    fields = record.__dict__
    key = fields["idempotency_key"]
    return (
        fields["at"],
        fields["channel"],
        fields["outcome"],
        fields["campaign_id"],
        fields["step_id"],
        key.rpartition(":")[0] if key else "",
    )


def _invoice(invoice: Invoice) -> Hashable:
    """Id, due date, open amount and whether it is open: what units and guards read."""
    fields = invoice.__dict__
    balance = fields["open_amount"]
    money = (fields["amount"] if balance is None else balance).__dict__
    return (
        fields["id"],
        fields["due_on"],
        money["amount"],
        money["currency"],
        fields["status"] is _OPEN,
    )


def signature(campaign: Campaign, case: Case, /) -> Hashable | None:
    """Everything about ``case`` the planner reads, except its id; ``None``: do not share.

    Channel use depends on which contacts exist (not their values), consents and opt-outs;
    holidays on the address's country; guards on the state and the open invoices. Equal
    signatures give equal plans (up to the case id); amounts compare as numbers, which is
    exact for `Money`, whose amounts are quantised to the currency's minor unit.
    """
    if campaign.grouping is _PER_INVOICE or case.state.cycle:
        return None  # history is attributed per invoice (or cycle) through the unit key
    return _shape(case)


def _shape(case: Case, /) -> Hashable:
    """The signature of ``case`` for a campaign that groups per debtor: one flat tuple.

    Invoices count by id, due date, open amount and currency, and whether they are open
    (the planner reads an invoice's status only as ``status is InvoiceStatus.OPEN``).
    """
    debtor, invoices, state, history = _case_fields(case.__dict__)
    timezone, contacts, consents = _debtor_fields(debtor.__dict__)
    address, email, phone, whatsapp, push_tokens, portal = _contact_fields(contacts.__dict__)
    first = invoices[0].__dict__
    balance = first["open_amount"]
    money = (first["amount"] if balance is None else balance).__dict__
    return (
        timezone,
        _NO_ADDRESS if address is None else address.__dict__["country"],
        email is not None,
        phone is not None,
        whatsapp is not None,
        not push_tokens,
        portal is not None,
        tuple(consents.items()) if consents else None,
        tuple(map(_record, history)) if history else None,
        first["id"],
        first["due_on"],
        money["amount"],
        money["currency"],
        first["status"] is _OPEN,
        tuple(map(_invoice, invoices[1:])) if len(invoices) > 1 else None,
        *_state_fields(state.__dict__),
    )


_Template = tuple[dict[str, Any], bytes, bytes, str]
"""One action of a shared plan: its fields, the key's hash input around the case id, and
the key's readable prefix."""


def _template(action: Action) -> _Template:
    head = f"{action.campaign_id}\x1f{action.campaign_version}\x1f"
    tail = f"\x1f{action.step_id}\x1f{action.channel}\x1f{action.repeat}"
    prefix = (
        f"{action.campaign_id}@{action.campaign_version}:{action.step_id}:{action.channel}"
        f":{action.repeat}:"
    )
    return dict(action.__dict__), head.encode(), tail.encode(), prefix


_new = object.__new__
_model_slots = BaseModel.__dict__
_set_dict = _model_slots["__dict__"].__set__
_set_fields_set = _model_slots["__pydantic_fields_set__"].__set__
_set_extra = _model_slots["__pydantic_extra__"].__set__
_set_private = _model_slots["__pydantic_private__"].__set__


def _rekeyed(templates: tuple[_Template, ...], case_id: str, encoded: bytes) -> tuple[Action, ...]:
    """The template's actions for ``case_id`` (``encoded``: its UTF-8 bytes), own keys each.

    Built like `build_action`, through the slot descriptors (a frozen model refuses plain
    attribute assignment). ``digest()[:10].hex()`` is ``hexdigest()[:20]`` without making
    the whole hex string.
    """
    made = []
    for values, head, tail, prefix in templates:
        action = _new(Action)
        key = prefix + sha256(head + encoded + tail).digest()[:10].hex()
        _set_dict(action, {**values, "case_id": case_id, "idempotency_key": key})
        _set_fields_set(action, ACTION_FIELDS)
        _set_extra(action, None)
        _set_private(action, None)
        made.append(action)
    return tuple(made)


class Shared:
    """A plan computed for one case, ready to be handed to its look-alikes.

    Args:
        plan: The plan of the first case of the shape.
    """

    __slots__ = ("due", "plan", "upcoming")

    def __init__(self, plan: Plan, /) -> None:
        self.plan = plan
        self.due = tuple(map(_template, plan.due))
        self.upcoming = tuple(map(_template, plan.upcoming))

    def rebase(self, case_id: str, /) -> Plan:
        """The plan for the look-alike ``case_id``: equal to planning it from scratch.

        Built like ``Plan(...)``, through the slot setters: a frozen dataclass's
        ``__init__`` goes through ``object.__setattr__`` for every field, which costs twice
        as much; the result is the same object state.
        """
        plan = self.plan
        if case_id == plan.case_id:
            return plan
        encoded = case_id.encode()
        made = _new(Plan)
        _case_id(made, case_id)
        _at(made, plan.at)
        _status(made, plan.status)
        _campaign_id(made, plan.campaign_id)
        _campaign_version(made, plan.campaign_version)
        _segment(made, plan.segment)
        _variant(made, plan.variant)
        _due(made, _rekeyed(self.due, case_id, encoded) if self.due else ())
        _upcoming(made, _rekeyed(self.upcoming, case_id, encoded) if self.upcoming else ())
        _held(made, plan.held)
        _reasons(made, plan.reasons)
        _next_at(made, plan.next_at)
        _resume_at(made, plan.resume_at)
        _timezone(made, plan.timezone)
        return made


class BatchPlanner:
    """A bounded memo of plans for one batch (one ``at``); see the module docstring.

    When the memo is full the oldest shape is dropped (first in, first out).
    """

    def __init__(self, *, at: datetime, upcoming: bool = True, cache_size: int = 4096) -> None:
        self.at = at
        self.upcoming = upcoming
        self.cache_size = cache_size
        self._cache: dict[Hashable, Shared] = {}

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
        key = None if shape is None else (id(campaign), segment, variant, reasons, shape)
        found = None if key is None else self._cache.get(key)
        if found is not None:
            return found.rebase(case.id)
        plan = campaign.plan(
            case,
            at=self.at,
            upcoming=self.upcoming,
            segment=segment,
            variant=variant,
            reasons=reasons,
        )
        if key is not None:  # a case the signature cannot describe is planned on its own
            self._remember(key, Shared(plan))
        return plan

    def _remember(self, key: Hashable, shared: Shared) -> None:
        cache = self._cache
        if len(cache) >= self.cache_size:
            del cache[next(iter(cache))]
        cache[key] = shared

    def plan_all(self, campaign: Campaign, cases: Iterable[Case], /) -> Iterator[Plan]:
        """Plan every case in ``campaign`` lazily (the loop of `Campaign.plan_many`)."""
        if campaign.grouping is _PER_INVOICE:
            for case in cases:
                yield campaign.plan(case, at=self.at, upcoming=self.upcoming)
            return
        cache: dict[Hashable, Shared] = {}  # one campaign, no options: the shape is the key
        limit = self.cache_size
        for case in cases:
            shape = _shape(case)
            found = cache.get(shape)
            if found is not None:
                yield found.rebase(case.id)
                continue
            plan = campaign.plan(case, at=self.at, upcoming=self.upcoming)
            if len(cache) >= limit:
                del cache[next(iter(cache))]
            cache[shape] = Shared(plan)
            yield plan


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
    return batch.plan_all(campaign, cases)
