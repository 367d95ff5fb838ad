"""The batch planner's shared plans equal plain planning, over many random case shapes.

Cases are drawn in groups of look-alikes (equal except for the case id, with history keys
made for their own id), so the sharing path runs often; everything the planner reads
varies between groups: zones, contacts, consents, opt-outs, guards, invoices and amounts,
history with valid, foreign and missing keys, conversations and failed sends.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from campaign_kit import ADDRESS, invoices_from, six_steps
from hypothesis import given, settings
from hypothesis import strategies as st

import creditcomms as cc
from creditcomms.campaigns._batch import BatchPlanner, signature

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney")
CHANNELS = ("email", "sms", "whatsapp", "letter", "phone_task", "push", "portal")
AT = datetime(2026, 11, 5, 10, tzinfo=UTC)


def _campaigns() -> list[cc.Campaign]:
    full = cc.ContactPolicy(
        window=cc.SendWindow("08:00", "20:00", weekdays="mon-fri"),
        calendar=cc.Calendar("DE"),
        calendars={"US": cc.Calendar("US")},
        min_gap=timedelta(days=2),
        caps=[cc.Cap(cc.SMS, 2, days=7), cc.Cap(cc.PHONE_TASK, 7, days=7)],
        after_conversation=timedelta(days=7),
        opt_out_notice=[cc.SMS, cc.EMAIL],
    )
    six = six_steps(full)
    repeating = cc.Campaign(
        "repeats",
        version=3,
        steps=[
            cc.Step(
                "nudge",
                cc.after_due(days=1),
                cc.PUSH,
                fallback=[cc.PORTAL, cc.EMAIL],
                repeat=cc.Repeat(every=timedelta(days=2), times=2),
            ),
            cc.Step(
                "big",
                cc.after_previous(business_days=3) & cc.balance_at_least(cc.Money("150", "EUR")),
                cc.WHATSAPP,
                also=[cc.LETTER],
                critical=True,
            ),
            cc.Step("last", cc.after_due(days=40), cc.EMAIL, max_segments=2),
        ],
        policy=cc.ContactPolicy(
            window=cc.SendWindow("09:00", "18:00"),
            calendar=cc.Calendar("DE"),
            require_consent=False,
            min_gap=timedelta(hours=36),
        ),
        guards=cc.Guards(stop_below=(cc.Money("20", "EUR"),), on_dispute=cc.OnDispute.STOP),
    )
    return [six, repeating]


CAMPAIGNS = _campaigns()

contacts = st.builds(
    cc.Contacts,
    email=st.sampled_from([None, "e@example.de"]),
    phone=st.sampled_from([None, "+4915112345678"]),
    whatsapp=st.sampled_from([None, "+4915112345679"]),
    push_tokens=st.sampled_from([(), ("tok",)]),
    portal_user_id=st.sampled_from([None, "u-1"]),
    address=st.sampled_from(
        [None, ADDRESS, ADDRESS.model_copy(update={"country": "US", "postcode": "10001"})]
    ),
)
consents = st.dictionaries(st.sampled_from(CHANNELS), st.booleans(), max_size=4)
states = st.one_of(
    st.just(cc.CaseState()),
    st.builds(
        cc.CaseState,
        disputed=st.booleans(),
        promised_on=st.sampled_from([None, date(2026, 10, 20), date(2026, 11, 12)]),
        on_hold=st.booleans(),
        hold_until=st.sampled_from([None, date(2026, 11, 1), date(2026, 11, 20)]),
        opted_out=st.frozensets(st.sampled_from(CHANNELS), max_size=2),
    ),
)
invoice = st.tuples(
    st.integers(min_value=-20, max_value=60),  # due date, days before AT
    st.sampled_from(["10.00", "99.99", "120.00", "500.00"]),
    st.sampled_from([None, "0.00", "5.00", "60.00"]),  # open amount
    st.sampled_from(list(cc.InvoiceStatus)),
)
entry = st.tuples(
    st.sampled_from(["b2c-standard", "repeats", "other"]),
    st.sampled_from(["pre-due", "reminder-1", "reminder-2", "nudge", "big", "x"]),
    st.sampled_from(["email", "sms", "phone_task", "push"]),
    st.sampled_from(list(cc.ContactOutcome)),
    st.integers(min_value=1, max_value=50),  # days before AT
    st.sampled_from(["key", "key", "none", "junk", "version"]),
    st.integers(min_value=0, max_value=2),  # repeat
)
shape = st.fixed_dictionaries(
    {
        "zone": st.sampled_from(ZONES),
        "contacts": contacts,
        "consents": consents,
        "state": states,
        "invoices": st.lists(invoice, min_size=1, max_size=3),
        "history": st.lists(entry, max_size=3),
    }
)


TWEAKS = ("key", "repeat", "outcome", "amount", "status", "consent", "zone", "contact")


def _tweaked(spec: dict[str, object], tweak: str, pick: int) -> dict[str, object]:
    """``spec`` with one small change: a near twin that must not share its plan blindly."""
    history = list(spec["history"])  # type: ignore[call-overload]
    invoices = list(spec["invoices"])  # type: ignore[call-overload]
    if tweak in {"key", "repeat", "outcome"} and history:
        entry = list(history[pick % len(history)])
        if tweak == "key":
            entry[5] = ("key", "none", "junk", "version")[pick % 4]
        elif tweak == "repeat":
            entry[6] = (entry[6] + 1) % 3
        else:
            entry[3] = list(cc.ContactOutcome)[pick % len(cc.ContactOutcome)]
        history[pick % len(history)] = tuple(entry)
        return {**spec, "history": history}
    if tweak in {"amount", "status"}:
        bill = list(invoices[pick % len(invoices)])
        if tweak == "amount":
            bill[1] = ("10.00", "99.99", "120.00", "500.00")[pick % 4]
        else:
            bill[3] = list(cc.InvoiceStatus)[pick % len(cc.InvoiceStatus)]
        invoices[pick % len(invoices)] = tuple(bill)
        return {**spec, "invoices": invoices}
    if tweak == "consent":
        channel = CHANNELS[pick % len(CHANNELS)]
        given = dict(spec["consents"])  # type: ignore[call-overload]
        given[channel] = not given.get(channel, False)
        return {**spec, "consents": given}
    if tweak == "zone":
        return {**spec, "zone": ZONES[pick % len(ZONES)]}
    held = spec["contacts"]
    assert isinstance(held, cc.Contacts)
    field = ("email", "phone", "whatsapp", "portal_user_id")[pick % 4]
    value = (
        None if getattr(held, field) is not None else {"email": "x@example.de"}.get(field, "u-2")
    )
    if field in {"phone", "whatsapp"} and value is not None:
        value = "+4915112345670"
    return {**spec, "contacts": held.model_copy(update={field: value})}


def _record(
    case_id: str, spec: tuple[str, str, str, cc.ContactOutcome, int, str, int]
) -> cc.ContactRecord:
    campaign_id, step_id, channel, outcome, days, kind, repeat = spec
    version = 3 if campaign_id == "repeats" else 1
    key: str | None = cc.idempotency_key(
        campaign_id=campaign_id,
        version=version if kind != "version" else version + 1,
        case_id=case_id,
        step_id=step_id,
        channel=channel,
        repeat=repeat,
    )
    if kind == "none":
        key = None
    elif kind == "junk":
        key = f"imported-{case_id}"
    return cc.ContactRecord(
        at=AT - timedelta(days=days, hours=days % 5),
        channel=channel,
        outcome=outcome,
        campaign_id=campaign_id,
        step_id=step_id,
        idempotency_key=key,
    )


def _case(case_id: str, spec: dict[str, object]) -> cc.Case:
    debtor = cc.Debtor(
        id=case_id,
        name="Erika",
        timezone=spec["zone"],
        contacts=spec["contacts"],
        consents=spec["consents"],
    )
    return cc.Case(
        id=case_id,
        debtor=debtor,
        invoices=invoices_from(spec["invoices"], AT),  # type: ignore[arg-type]
        state=spec["state"],
        history=tuple(_record(case_id, e) for e in spec["history"]),  # type: ignore[attr-defined]
    )


def _look_alikes(
    specs: list[dict[str, object]],
    copies: list[int],
    seed: int,
    twins: list[tuple[int, str, int]] = (),  # type: ignore[assignment]
) -> list[cc.Case]:
    specs = specs + [_tweaked(specs[i % len(specs)], tweak, pick) for i, tweak, pick in twins]
    copies = copies + [2] * len(twins)
    cases = [
        _case(f"C-{group}-{copy}", spec)
        for group, (spec, count) in enumerate(zip(specs, copies, strict=False))
        for copy in range(count)
    ]
    random.Random(seed).shuffle(cases)
    return cases


def _same(batch: list[cc.Plan], single: list[cc.Plan]) -> None:
    assert batch == single
    for mine, theirs in zip(batch, single, strict=True):
        assert mine.explain() == theirs.explain()
        for a, b in zip(mine.actions, theirs.actions, strict=True):
            assert a.model_dump() == b.model_dump()
            assert a.model_fields_set == b.model_fields_set
            assert type(a) is type(b)


@settings(max_examples=120, deadline=None)
@given(
    specs=st.lists(shape, min_size=1, max_size=6),
    copies=st.lists(st.integers(min_value=1, max_value=4), min_size=6, max_size=6),
    seed=st.integers(min_value=0, max_value=1000),
    twins=st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from(TWEAKS), st.integers(0, 20)), max_size=6
    ),
    which=st.sampled_from(range(len(CAMPAIGNS))),
    full=st.booleans(),
    hours=st.integers(min_value=0, max_value=23 * 4),
)
def test_shared_plans_equal_plain_plans(
    *,
    specs: list[dict[str, object]],
    copies: list[int],
    seed: int,
    twins: list[tuple[int, str, int]],
    which: int,
    full: bool,
    hours: int,
) -> None:
    """Every plan from ``plan_many`` equals ``plan`` of the same case, field by field."""
    campaign = CAMPAIGNS[which]
    cases = _look_alikes(specs, copies, seed, twins)
    at = AT + timedelta(minutes=15 * hours)
    batch = list(campaign.plan_many(iter(cases), at=at, upcoming=full))
    single = [campaign.plan(case, at=at, upcoming=full) for case in cases]
    _same(batch, single)


@settings(max_examples=40, deadline=None)
@given(
    specs=st.lists(shape, min_size=1, max_size=4),
    copies=st.lists(st.integers(min_value=1, max_value=3), min_size=4, max_size=4),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_batch_planner_with_options_equals_plain_plans(
    specs: list[dict[str, object]], copies: list[int], seed: int
) -> None:
    """The strategy's path (segment, variant and reasons in the key) shares plans exactly."""
    cases = _look_alikes(specs, copies, seed)
    batch = BatchPlanner(at=AT, upcoming=True, cache_size=3)
    note = (cc.Reason(code="segment", detail="matches segment 'late'"),)
    for number, case in enumerate(cases):
        campaign = CAMPAIGNS[number % 2]
        options = {"segment": "late" if number % 3 else None, "variant": "A", "reasons": note}
        got = batch.plan(campaign, case, **options)  # type: ignore[arg-type]
        _same([got], [campaign.plan(case, at=AT, **options)])  # type: ignore[arg-type]


def test_look_alikes_share_one_signature_and_others_do_not() -> None:
    """Cases equal but for their id share a signature; a changed amount or zone does not."""
    campaign = CAMPAIGNS[0]
    spec: dict[str, object] = {
        "zone": "Europe/Berlin",
        "contacts": cc.Contacts(email="e@example.de"),
        "consents": {"sms": True},
        "state": cc.CaseState(),
        "invoices": [(10, "120.00", None, cc.InvoiceStatus.OPEN)],
        "history": [("b2c-standard", "reminder-1", "email", cc.ContactOutcome.SENT, 3, "key", 0)],
    }
    first, second = _case("A", spec), _case("B", spec)
    assert first.history[0].idempotency_key != second.history[0].idempotency_key
    assert signature(campaign, first) == signature(campaign, second)
    for change in (
        {"zone": "UTC"},
        {"invoices": [(10, "120.01", None, cc.InvoiceStatus.OPEN)]},
        {"invoices": [(10, "120.00", None, cc.InvoiceStatus.CANCELLED)]},
        {"consents": {"sms": False}},
        {"state": cc.CaseState(opted_out=frozenset({"sms"}))},
    ):
        assert signature(campaign, _case("B", {**spec, **change})) != signature(campaign, first)
    per_invoice = cc.Campaign(
        "per-invoice", steps=campaign.steps, policy=campaign.policy, grouping="invoice"
    )
    assert signature(per_invoice, first) is None


def test_keys_of_shared_plans_are_the_published_derivation() -> None:
    """Re-keyed actions carry exactly `idempotency_key` of their own case."""
    campaign = CAMPAIGNS[0]
    spec: dict[str, object] = {
        "zone": "Asia/Tokyo",
        "contacts": cc.Contacts(email="e@example.de", phone="+4915112345678"),
        "consents": {"sms": True},
        "state": cc.CaseState(),
        "invoices": [(5, "120.00", None, cc.InvoiceStatus.OPEN)],
        "history": [],
    }
    cases = [_case(case_id, spec) for case_id in ("C-1", "Kunde-Ä-7", "C-1")]
    plans = list(campaign.plan_many(cases, at=AT))
    assert plans[0] is plans[2] or plans[0] == plans[2]
    for case, plan in zip(cases, plans, strict=True):
        assert plan.actions
        for action in plan.actions:
            assert action.case_id == case.id
            assert action.idempotency_key == cc.idempotency_key(
                campaign_id=campaign.id,
                version=campaign.version,
                case_id=case.id,
                step_id=action.step_id,
                channel=action.channel,
                repeat=action.repeat,
            )


BASE: dict[str, object] = {
    "zone": "Europe/Berlin",
    "contacts": cc.Contacts(email="e@example.de", phone="+4915112345678"),
    "consents": {"sms": True},
    "state": cc.CaseState(),
    "invoices": [(4, "500.00", None, cc.InvoiceStatus.OPEN)],
    "history": [],
}
NUDGES = [
    ("repeats", "nudge", "email", cc.ContactOutcome.SENT, 4, "key", 0),
    ("repeats", "nudge", "email", cc.ContactOutcome.SENT, 2, "key", 0),
]
TWINS = [
    (0, {}, {"zone": "America/New_York"}),
    (0, {}, {"consents": {"sms": False}}),
    (0, {}, {"contacts": cc.Contacts(phone="+4915112345678")}),
    (0, {}, {"state": cc.CaseState(opted_out=frozenset({"sms"}))}),
    (0, {}, {"invoices": [(4, "500.00", None, cc.InvoiceStatus.CANCELLED)]}),
    (1, {}, {"invoices": [(4, "100.00", None, cc.InvoiceStatus.OPEN)]}),
    (1, {}, {"invoices": [(4, "500.00", "10.00", cc.InvoiceStatus.OPEN)]}),
    (1, {"history": NUDGES}, {"history": [NUDGES[0], (*NUDGES[1][:6], 1)]}),
    (
        0,
        {"history": [("b2c-standard", "pre-due", "email", cc.ContactOutcome.SENT, 1, "key", 0)]},
        {"history": [("b2c-standard", "pre-due", "email", cc.ContactOutcome.FAILED, 1, "key", 0)]},
    ),
]


@pytest.mark.parametrize(("which", "base", "twin"), TWINS)
def test_near_twins_get_their_own_plans(
    which: int, base: dict[str, object], twin: dict[str, object]
) -> None:
    """Cases that differ in one thing the planner reads never share a plan by mistake."""
    campaign = CAMPAIGNS[which]
    spec = {**BASE, **base}
    cases = [_case("C-1", spec), _case("C-2", {**spec, **twin}), _case("C-3", spec)]
    single = [campaign.plan(case, at=AT, upcoming=True) for case in cases]
    assert single[0].explain().replace("C-1", "C-2") != single[1].explain()  # a real twin
    _same(list(campaign.plan_many(cases, at=AT)), single)


def _reference_key(*parts: str | int) -> str:
    """The published derivation, written out independently of the library."""
    campaign_id, version, _, step_id, channel, repeat = parts
    joined = "\x1f".join(str(part) for part in parts)
    digest = hashlib.sha256(joined.encode()).hexdigest()[:20]
    return f"{campaign_id}@{version}:{step_id}:{channel}:{repeat}:{digest}"


@given(
    campaign_id=st.text(min_size=1, max_size=12),
    version=st.integers(min_value=1, max_value=10**6),
    case_id=st.text(max_size=40),
    step_id=st.text(min_size=1, max_size=12),
    channel=st.sampled_from(CHANNELS),
    repeat=st.integers(min_value=0, max_value=50),
)
def test_idempotency_keys_keep_their_derivation(
    *, campaign_id: str, version: int, case_id: str, step_id: str, channel: str, repeat: int
) -> None:
    """Stored journals hold these keys: the derivation never changes, for any text."""
    expected = _reference_key(campaign_id, version, case_id, step_id, channel, repeat)
    got = cc.idempotency_key(
        campaign_id=campaign_id,
        version=version,
        case_id=case_id,
        step_id=step_id,
        channel=channel,
        repeat=repeat,
    )
    assert got == expected


def test_idempotency_key_golden_values() -> None:
    """Keys computed once and written down: a changed derivation fails here."""
    assert (
        cc.idempotency_key(
            campaign_id="b2c", version=1, case_id="C-1", step_id="reminder-1", channel="sms"
        )
        == "b2c@1:reminder-1:sms:0:f6c61c1a6f07e206fc20"
    )
    assert cc.idempotency_key(
        campaign_id="b2c-standard",
        version=2,
        case_id="Kunde-Ä-7",
        step_id="final",
        channel="letter",
        repeat=3,
    ) == _reference_key("b2c-standard", 2, "Kunde-Ä-7", "final", "letter", 3)
