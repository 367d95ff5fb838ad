"""The optimised planner gives exactly the plans of the plain one, over random campaigns.

`reference_planner` keeps the planner as it was before it was made faster (no prepared
steps, no plain-policy shortcut, the slot search and window walk of old). Hypothesis draws
whole campaigns (triggers, channels, also and fallback, repeats, policies with windows,
calendars, gaps, caps and conversation pauses, guards, grouping) and cases (zones,
contacts, consents, invoices, state, history with valid, foreign and missing keys) and
asserts that both planners agree in every field, down to each time's zone and each
reason's wording. Strategies are compared the same way, segments and variants included.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

import pytest
from campaign_kit import ADDRESS, invoices_from
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_planner import reference_plan

import creditcomms as cc
from creditcomms import rules
from creditcomms._reasons import reason
from creditcomms.campaigns import Anchor
from creditcomms.campaigns._strategy import Entry
from creditcomms.errors import CreditCommsError
from creditcomms.segments import Context

AT = datetime(2026, 11, 5, 10, tzinfo=UTC)
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney")
CHANNELS = (cc.EMAIL, cc.SMS, cc.LETTER, cc.WHATSAPP, cc.PHONE_TASK, cc.VOICE, cc.PUSH)
NAMES = tuple(c.name for c in CHANNELS)
CALENDARS = (
    None,
    cc.Calendar("DE"),
    cc.Calendar.from_dates([date(2026, 11, 6), date(2026, 11, 9)], workdays="mon-sat"),
)

time_triggers = st.one_of(
    st.integers(0, 10).map(lambda d: cc.before_due(days=d)),
    st.just(cc.at_due()),
    st.integers(0, 60).map(lambda d: cc.after_due(days=d)),
    st.integers(0, 30).map(lambda d: cc.after_due(business_days=d)),
    st.integers(0, 14).map(lambda d: cc.after_previous(days=d)),
    st.integers(0, 10).map(lambda d: cc.after_previous(business_days=d)),
)
triggers = st.one_of(
    time_triggers,
    time_triggers.map(lambda t: t & cc.balance_at_least("100 EUR")),
    st.just(cc.balance_at_least("50 EUR")),
)
repeats = st.one_of(
    st.none(),
    st.builds(
        cc.Repeat,
        every=st.sampled_from([timedelta(hours=6), timedelta(days=1), timedelta(days=3)]),
        times=st.integers(1, 3),
    ),
)


@st.composite
def steps(draw: st.DrawFn, index: int) -> cc.Step:
    """One step: a primary channel, maybe more channels at once and fallbacks."""
    primary = draw(st.sampled_from(CHANNELS))
    others = [c for c in CHANNELS if c != primary]
    also = draw(st.lists(st.sampled_from(others), max_size=1, unique=True))
    fallback = draw(st.lists(st.sampled_from(others), max_size=2, unique=True))
    return cc.Step(
        f"s{index}",
        draw(triggers),
        primary,
        also=also,
        fallback=fallback,
        repeat=draw(repeats),
        critical=draw(st.booleans()),
        template=draw(st.sampled_from([None, "custom"])),
        tone=draw(st.sampled_from(list(cc.Tone))),
        max_segments=draw(st.sampled_from([None, 2])),
    )


@st.composite
def policies(draw: st.DrawFn) -> cc.ContactPolicy:
    """A policy from none at all to windows, holidays, gaps, caps and pauses together.

    Half are plain (nothing that moves a send), the planner's shortcut; the rest draw each
    rule on its own.
    """
    if draw(st.booleans()):
        return cc.ContactPolicy(
            require_consent=draw(st.booleans()),
            opt_out_notice=draw(st.lists(st.sampled_from(NAMES), max_size=2)),
            session=draw(st.sampled_from([timedelta(hours=24), timedelta(hours=2)])),
        )
    caps = draw(
        st.lists(
            st.builds(
                lambda channel, limit, days: cc.Cap(channel, limit, days=days),
                st.sampled_from([None, *NAMES]),
                st.integers(1, 3),
                st.integers(1, 7),
            ),
            max_size=2,
        )
    )
    window = draw(
        st.sampled_from(
            [
                None,
                cc.SendWindow("08:00", "20:00"),
                cc.SendWindow("09:00", "17:30", weekdays="mon-fri"),
                cc.SendWindow("00:00", "06:00", weekdays="sat,sun"),
            ]
        )
    )
    return cc.ContactPolicy(
        window=window,
        calendar=draw(st.sampled_from(CALENDARS)),
        calendars=draw(st.sampled_from([None, {"US": cc.Calendar("US")}])),
        min_gap=draw(st.sampled_from([timedelta(0), timedelta(hours=36), timedelta(days=2)])),
        caps=caps,
        require_consent=draw(st.booleans()),
        after_conversation=draw(st.sampled_from([None, timedelta(days=7)])),
        opt_out_notice=draw(st.lists(st.sampled_from(NAMES), max_size=2)),
        session=draw(st.sampled_from([timedelta(hours=24), timedelta(hours=2)])),
    )


guards = st.builds(
    cc.Guards,
    stop_below=st.sampled_from([(), (cc.Money("20", "EUR"),)]),
    on_dispute=st.sampled_from(list(cc.OnDispute)),
    pause_on_promise=st.booleans(),
    promise_grace_days=st.integers(0, 3),
    on_broken_promise=st.sampled_from(list(cc.BrokenPromise)),
    pause_during_payment_plan=st.booleans(),
)


@st.composite
def campaigns(draw: st.DrawFn, campaign_id: str = "c") -> cc.Campaign:
    """A valid campaign: business days only with a calendar, no after_previous first."""
    policy = draw(policies())
    made = [draw(steps(i)) for i in range(draw(st.integers(1, 5)))]
    first = made[0]
    if first.trigger.anchor is Anchor.PREVIOUS:
        made[0] = cc.Step("s0", cc.after_due(days=2), first.channel, fallback=first.fallback)
    if policy.calendar is None and not policy.calendars:
        made = [
            s
            if not s.trigger.business
            else cc.Step(s.id, cc.after_due(days=s.trigger.days), s.channel, also=s.also)
            for s in made
        ]
    return cc.Campaign(
        campaign_id,
        version=draw(st.integers(1, 3)),
        steps=made,
        policy=policy,
        guards=draw(guards),
        grouping=draw(st.sampled_from(list(cc.Grouping))),
    )


contacts = st.builds(
    cc.Contacts,
    email=st.sampled_from([None, "e@example.de"]),
    phone=st.sampled_from([None, "+4915112345678"]),
    whatsapp=st.sampled_from([None, "+4915112345679"]),
    push_tokens=st.sampled_from([(), ("tok",)]),
    address=st.sampled_from(
        [None, ADDRESS, ADDRESS.model_copy(update={"country": "US", "postcode": "10001"})]
    ),
)
states = st.one_of(
    st.just(cc.CaseState()),
    st.builds(
        cc.CaseState,
        disputed=st.booleans(),
        promised_on=st.sampled_from([None, date(2026, 10, 20), date(2026, 11, 12)]),
        on_hold=st.booleans(),
        hold_until=st.sampled_from([None, date(2026, 11, 1), date(2026, 11, 20)]),
        opted_out=st.frozensets(st.sampled_from(NAMES), max_size=2),
        payment_plan=st.sampled_from(
            [
                None,
                cc.PaymentPlan(
                    instalments=(cc.Instalment(due_on=date(2026, 11, 30), amount="50 EUR"),),
                    agreed_at=datetime(2026, 10, 1, tzinfo=UTC),
                ),
            ]
        ),
    ),
)
invoices = st.lists(
    st.tuples(
        st.integers(-20, 60),  # due date, days before AT
        st.sampled_from(["10.00", "99.99", "120.00", "500.00"]),
        st.sampled_from([None, "0.00", "5.00", "60.00"]),  # open amount
        st.sampled_from(list(cc.InvoiceStatus)),
    ),
    min_size=1,
    max_size=3,
)
records = st.lists(
    st.tuples(
        st.sampled_from(["c", "other"]),
        st.sampled_from(["s0", "s1", "s2", "s3", "x"]),
        st.sampled_from(NAMES),
        st.sampled_from(list(cc.ContactOutcome)),
        st.integers(0, 50 * 24),  # hours before AT
        st.sampled_from(["case", "unit", "none", "junk", "version"]),
        st.integers(0, 2),  # repeat
    ),
    max_size=4,
)


def _record(
    case_id: str, version: int, spec: tuple[str, str, str, cc.ContactOutcome, int, str, int]
) -> cc.ContactRecord:
    campaign_id, step_id, channel, outcome, hours, kind, repeat = spec
    owner = {"case": case_id, "unit": f"{case_id}/I-0"}.get(kind, case_id)
    key: str | None = cc.idempotency_key(
        campaign_id=campaign_id,
        version=version + (kind == "version"),
        case_id=owner,
        step_id=step_id,
        channel=channel,
        repeat=repeat,
    )
    if kind == "none":
        key = None
    elif kind == "junk":
        key = f"imported-{case_id}"
    return cc.ContactRecord(
        at=AT - timedelta(hours=hours),
        channel=channel,
        outcome=outcome,
        campaign_id=campaign_id,
        step_id=step_id,
        idempotency_key=key,
    )


@st.composite
def cases(draw: st.DrawFn, version: int = 1) -> cc.Case:
    """A case with history keyed for the case, for its first invoice, or not at all."""
    case_id = draw(st.sampled_from(["C-1", "C-2", "K-77"]))
    debtor = cc.Debtor(
        id=case_id,
        name="Erika",
        timezone=draw(st.sampled_from(ZONES)),
        contacts=draw(contacts),
        consents=draw(st.dictionaries(st.sampled_from(NAMES), st.booleans(), max_size=4)),
    )
    return cc.Case(
        id=case_id,
        debtor=debtor,
        invoices=invoices_from(draw(invoices), AT),
        state=draw(states),
        history=tuple(_record(case_id, version, r) for r in draw(records)),
    )


moments = st.integers(-10 * 24 * 4, 70 * 24 * 4).map(lambda q: AT + timedelta(minutes=15 * q))
EDGES = ((0, 0), (6, 0), (7, 59), (8, 0), (9, 0), (17, 30), (19, 59), (20, 0))


@st.composite
def times_for(draw: st.DrawFn, case: cc.Case) -> datetime:
    """A planning time: any quarter hour, or a window's edge on the debtor's wall clock."""
    moment = draw(moments)
    if draw(st.booleans()):
        return moment
    hour, minute = draw(st.sampled_from(EDGES))
    local = moment.astimezone(case.debtor.zone).replace(hour=hour, minute=minute)
    return local + timedelta(seconds=draw(st.sampled_from([0, 0, 0, 59])))


def _same(new: cc.Plan, old: cc.Plan) -> None:
    """Equal in every field: reprs show each time's zone and every reason's words."""
    assert new == old
    assert repr(new) == repr(old)
    assert new.explain() == old.explain()
    for a, b in zip(new.actions, old.actions, strict=True):
        assert a.model_dump_json() == b.model_dump_json()
        assert a.model_fields_set == b.model_fields_set
        assert list(a.__dict__) == list(b.__dict__)


@settings(max_examples=600, deadline=None)
@given(campaign=campaigns(), case=cases(), data=st.data(), full=st.booleans())
def test_plans_equal_the_reference_planner(
    campaign: cc.Campaign, case: cc.Case, data: st.DataObject, full: bool
) -> None:
    """`Campaign.plan` equals the plain planner for any campaign, case and time."""
    at = data.draw(times_for(case))
    new = campaign.plan(case, at=at, upcoming=full)
    old = reference_plan(campaign, case, at=at, full=full)
    _same(new, old)


@settings(max_examples=150, deadline=None)
@given(
    campaign=campaigns(),
    case=cases(),
    start=moments,
    days=st.integers(1, 60),
)
def test_a_timeline_plans_like_the_reference_every_day(
    campaign: cc.Campaign, case: cc.Case, start: datetime, days: int
) -> None:
    """Day by day, with each due send added to the history, the planners stay equal."""
    at = start
    for _ in range(days):
        new = campaign.plan(case, at=at, upcoming=False)
        _same(new, reference_plan(campaign, case, at=at, full=False))
        if new.due:
            sent = tuple(
                cc.ContactRecord(
                    at=a.due_at,
                    channel=a.channel,
                    campaign_id=a.campaign_id,
                    step_id=a.step_id,
                    idempotency_key=a.idempotency_key,
                )
                for a in new.due
            )
            case = case.model_copy(update={"history": (*case.history, *sent)})
        at += timedelta(days=1)


def _reference_strategy_plan(
    strategy: cc.Strategy,
    case: cc.Case,
    at: datetime,
    pinned: Mapping[str, int] | None,
    full: bool,
) -> cc.Plan:
    """`Strategy.plan` as it was: segments tried in order with their reasons, then planned."""
    ctx = Context.of(case, at=at)
    notes = []
    chosen: tuple[str | None, cc.Campaign | cc.Variants | None] = (None, strategy.default)
    for segment, target in strategy.entries:
        if segment.matches(case, ctx):
            notes.append(reason("segment", f"matches segment {segment.name!r}: {segment.rule!r}"))
            chosen = (segment.name, target)
            break
        notes.append(reason("segment_skipped", f"not in segment {segment.name!r}"))
    else:
        if strategy.default is None:
            notes.append(reason("unassigned", "no segment matched and there is no default"))
            return cc.Plan(
                case_id=case.id,
                at=at.astimezone(UTC),
                status=cc.PlanStatus.UNASSIGNED,
                reasons=tuple(notes),
            )
        notes.append(reason("segment", "no segment matched; the default campaign applies"))
    segment_name, target = chosen
    variant = None
    if isinstance(target, cc.Variants):
        variant, campaign = target.pick(case.id)
        share = target.split.share(variant)
        notes.append(
            reason("variant", f"split {target.split.salt!r} drew variant {variant!r} ({share:.0%})")
        )
    else:
        assert target is not None
        campaign = target
    runs = strategy.version_for(case, campaign, pinned=pinned)
    if runs is not campaign:
        notes.append(reason("version_pinned", f"the case started on {runs.key} and stays on it"))
    return reference_plan(
        runs,
        case,
        at=at,
        segment=segment_name,
        variant=variant,
        full=full,
        extra_reasons=tuple(notes),
    )


@settings(max_examples=150, deadline=None)
@given(
    first=campaigns("c"),
    second=campaigns("d"),
    third=campaigns("e"),
    case=cases(),
    at=moments,
    full=st.booleans(),
    shape=st.sampled_from(["segments", "default-only", "variants", "no-default"]),
    pin=st.sampled_from([None, 1, 2]),
)
def test_strategy_plans_equal_the_reference(  # noqa: PLR0917
    first: cc.Campaign,
    second: cc.Campaign,
    third: cc.Campaign,
    case: cc.Case,
    at: datetime,
    full: bool,
    shape: str,
    pin: int | None,
) -> None:
    """Segments, the default, variants and pinned versions: same plans as before."""
    big = cc.Segment("big", rules.open_amount() >= "100 EUR")
    late = cc.Segment("late", (rules.days_past_due() >= 10) & ~rules.tag("vip"))
    variants = cc.Variants(cc.Split({"A": 50, "B": 50}, salt="s"), {"A": second, "B": third})
    entries: list[Entry] = []
    default: cc.Campaign | cc.Variants | None = first
    if shape == "segments":
        entries = [(big, second), (late, third)]
    elif shape == "variants":
        entries, default = [(big, variants)], variants
    elif shape == "no-default":
        entries, default = [(big, second), (late, third)], None
    others = [
        cc.Campaign(c.id, version=c.version + 1, steps=c.steps, policy=c.policy)
        for c in (first, second, third)
    ]
    strategy = cc.Strategy(entries, default=default, archive=others)
    pinned = None if pin is None else {first.id: first.version + pin - 1}
    try:
        new = strategy.plan(case, at=at, pinned=pinned, upcoming=full)
    except CreditCommsError as error:  # a version the strategy does not know: both refuse
        refused = (type(error), str(error))
    else:
        _same(new, _reference_strategy_plan(strategy, case, at, pinned, full))
        return
    with pytest.raises(refused[0]) as raised:
        _reference_strategy_plan(strategy, case, at, pinned, full)
    assert str(raised.value) == refused[1]
