"""The planner: history, repeats, channels, grouping, keys and explanations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from campaign_kit import make_case, open_policy, record, sent, six_steps

import creditcomms as cc
from creditcomms.campaigns import parse_key

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_fresh_case_gets_the_whole_sequence_projected(campaign: cc.Campaign) -> None:
    """Before the due date nothing is due; every step is upcoming at an allowed moment."""
    plan = campaign.plan(make_case(), at=datetime(2026, 10, 1, 12, tzinfo=UTC))
    assert plan.status == "active"
    assert plan.due == ()
    steps = [(a.step_id, a.channel) for a in plan.upcoming]
    assert steps[:3] == [("pre-due", "email"), ("reminder-1", "email"), ("reminder-1", "sms")]
    assert [s for s, _ in steps][-2:] == ["final", "call"]
    assert plan.next_at == plan.upcoming[0].due_at
    for action in plan.upcoming:
        local = action.due_at.astimezone(BERLIN)
        assert local.weekday() < 5
        assert 8 <= local.hour < 20


def test_sent_steps_are_read_from_history(campaign: cc.Campaign) -> None:
    """Steps in the history are not planned again; the next one is."""
    at = datetime(2026, 11, 3, 9, tzinfo=UTC)
    first = campaign.plan(make_case(), at=at)
    assert [a.step_id for a in first.due] == ["reminder-1", "reminder-1"]
    case = make_case(history=[sent(a) for a in first.due])
    again = campaign.plan(case, at=at + timedelta(minutes=5))
    assert again.due == ()
    assert again.upcoming[0].step_id == "reminder-2"


def test_expired_pre_due_step_is_skipped(campaign: cc.Campaign) -> None:
    """A case enrolled after its due date skips the pre-due notice with a reason."""
    plan = campaign.plan(make_case(), at=datetime(2026, 11, 3, 9, tzinfo=UTC))
    assert [(h.step_id, h.reasons[0].code) for h in plan.skipped] == [("pre-due", "expired")]


def test_same_inputs_same_plan_and_keys(campaign: cc.Campaign) -> None:
    """Planning twice gives equal plans; keys are stable and carry campaign, step, channel."""
    at = datetime(2026, 11, 3, 9, tzinfo=UTC)
    one, two = campaign.plan(make_case(), at=at), campaign.plan(make_case(), at=at)
    assert one.due == two.due
    assert one.upcoming == two.upcoming
    key = one.due[0].idempotency_key
    assert key == cc.idempotency_key(
        campaign_id="b2c-standard", version=1, case_id="C-1", step_id="reminder-1", channel="email"
    )
    parts = parse_key(key)
    assert parts is not None
    assert (parts.campaign_id, parts.version, parts.step_id, parts.channel, parts.repeat) == (
        "b2c-standard",
        1,
        "reminder-1",
        "email",
        0,
    )


def test_repeats_until_the_next_step() -> None:
    """A repeating step comes back every 3 days, at most twice, and stops for the next step."""
    campaign = cc.Campaign(
        "r",
        steps=[
            cc.Step(
                "nag",
                cc.after_due(days=1),
                cc.EMAIL,
                repeat=cc.Repeat(every=timedelta(days=3), times=5),
            ),
            cc.Step("final", cc.after_due(days=8), cc.LETTER),
        ],
        policy=open_policy(),
    )
    plan = campaign.plan(make_case(due=date(2026, 10, 30)), at=datetime(2026, 10, 1, tzinfo=UTC))
    shown = [(a.step_id, a.repeat, a.due_at.astimezone(BERLIN).day) for a in plan.upcoming]
    assert shown == [("nag", 0, 31), ("nag", 1, 3), ("nag", 2, 6), ("final", 0, 7)]
    keys = {a.idempotency_key for a in plan.upcoming}
    assert len(keys) == 4


def test_repeat_count_comes_from_history() -> None:
    """Repeats already sent (read from their keys) are not sent again."""
    step = cc.Step(
        "nag", cc.after_due(days=1), cc.EMAIL, repeat=cc.Repeat(every=timedelta(days=2), times=2)
    )
    campaign = cc.Campaign("r", steps=[step], policy=open_policy())
    history = [
        record(campaign, "nag", datetime(2026, 10, 31, 8, tzinfo=UTC)),
        record(campaign, "nag", datetime(2026, 11, 2, 8, tzinfo=UTC), repeat=1),
    ]
    plan = campaign.plan(make_case(history=history), at=datetime(2026, 11, 3, tzinfo=UTC))
    assert [(a.repeat, a.due_at) for a in plan.upcoming] == [
        (2, datetime(2026, 11, 4, 8, tzinfo=UTC))
    ]
    history.append(record(campaign, "nag", datetime(2026, 11, 4, 8, tzinfo=UTC), repeat=2))
    assert (
        campaign.plan(make_case(history=history), at=datetime(2026, 11, 5, tzinfo=UTC)).status
        == "finished"
    )


def test_records_without_keys_still_count() -> None:
    """A history record naming campaign and step, without a key, marks the step as sent."""
    campaign = cc.Campaign(
        "r", steps=[cc.Step("a", cc.after_due(days=1), cc.EMAIL)], policy=open_policy()
    )
    manual = cc.ContactRecord(
        at=datetime(2026, 10, 31, tzinfo=UTC), channel="email", campaign_id="r", step_id="a"
    )
    assert (
        campaign.plan(make_case(history=[manual]), at=datetime(2026, 11, 2, tzinfo=UTC)).status
        == "finished"
    )


def test_missing_contact_uses_fallback_or_skips() -> None:
    """No phone: the SMS step falls back to email; with no fallback the step is skipped."""
    campaign = six_steps(policy=open_policy())
    case = make_case(contacts=cc.Contacts(email="erika@example.de"))
    plan = campaign.plan(case, at=datetime(2026, 10, 1, tzinfo=UTC))
    channels = [(a.step_id, a.channel) for a in plan.upcoming]
    assert ("reminder-1", "sms") not in channels
    assert ("reminder-2", "email") in channels
    assert ("reminder-3", "email") in channels
    skipped = {(h.step_id, h.channel, h.reasons[0].code) for h in plan.skipped}
    assert {
        ("reminder-1", "sms", "no_contact"),
        ("final", "letter", "no_contact"),
        ("call", "phone_task", "no_contact"),
    } <= skipped


def test_primary_action_lists_usable_fallbacks(campaign: cc.Campaign) -> None:
    """The action tells the dispatcher which channels to try if the primary fails."""
    plan = campaign.plan(make_case(), at=datetime(2026, 10, 1, tzinfo=UTC))
    sms = next(a for a in plan.upcoming if a.step_id == "reminder-2")
    assert (sms.channel, sms.fallback) == ("sms", ("email",))


def test_whatsapp_template_only_outside_the_session() -> None:
    """WhatsApp is template-only unless the customer wrote in the last 24 hours."""
    campaign = cc.Campaign(
        "w", steps=[cc.Step("w", cc.after_due(days=1), cc.WHATSAPP)], policy=open_policy()
    )
    at = datetime(2026, 11, 2, 10, tzinfo=UTC)
    quiet = campaign.plan(make_case(), at=at).due[0]
    assert quiet.template_only
    assert "template_only" in [r.code for r in quiet.reasons]
    talk = cc.ContactRecord(at=at - timedelta(hours=3), channel="whatsapp", outcome="conversation")
    open_session = campaign.plan(make_case(history=[talk]), at=at).due[0]
    assert not open_session.template_only
    assert "session_open" in [r.code for r in open_session.reasons]


def test_regulation_f_flags_opt_out_notice() -> None:
    """Under Regulation F, email and SMS actions must carry an opt-out notice."""
    policy = cc.ContactPolicy.regulation_f()
    campaign = cc.Campaign(
        "us", steps=[cc.Step("r", cc.after_due(days=1), cc.EMAIL, also=[cc.SMS])], policy=policy
    )
    plan = campaign.plan(
        make_case(timezone="America/New_York"), at=datetime(2026, 11, 2, 15, tzinfo=UTC)
    )
    assert [(a.channel, a.opt_out_notice) for a in plan.due] == [("email", True), ("sms", True)]


def test_critical_step_bypasses_min_gap_only() -> None:
    """A critical step goes out despite the gap; a normal one waits."""
    policy = cc.ContactPolicy(min_gap=timedelta(days=5), calendar=cc.Calendar.from_dates(()))
    recent = cc.ContactRecord(at=datetime(2026, 11, 1, tzinfo=UTC), channel="email")
    at = datetime(2026, 11, 2, 10, tzinfo=UTC)
    for critical, expected in ((True, at), (False, datetime(2026, 11, 6, tzinfo=UTC))):
        step = cc.Step("x", cc.after_due(days=1), cc.LETTER, critical=critical)
        plan = cc.Campaign("c", steps=[step], policy=policy).plan(
            make_case(history=[recent]), at=at
        )
        assert plan.actions[0].due_at == expected
        assert plan.actions[0].critical is critical


def test_grouping_per_debtor_covers_all_open_invoices() -> None:
    """One message for all open invoices, timed by the oldest due date."""
    invoices = [
        cc.Invoice(
            id="new",
            amount=cc.Money("10", "EUR"),
            issued_on=date(2026, 10, 1),
            due_on=date(2026, 11, 15),
        ),
        cc.Invoice(
            id="old",
            amount=cc.Money("20", "EUR"),
            issued_on=date(2026, 9, 1),
            due_on=date(2026, 10, 1),
        ),
    ]
    campaign = cc.Campaign(
        "g", steps=[cc.Step("r", cc.after_due(days=3), cc.EMAIL)], policy=open_policy()
    )
    plan = campaign.plan(make_case(invoices=invoices), at=datetime(2026, 10, 5, tzinfo=UTC))
    assert [(a.invoice_ids, a.due_at) for a in plan.due] == [
        (("old", "new"), datetime(2026, 10, 5, tzinfo=UTC))
    ]


def test_grouping_per_invoice_runs_one_sequence_each() -> None:
    """Per invoice: each invoice has its own timing, keys and history."""
    invoices = [
        cc.Invoice(
            id="A",
            amount=cc.Money("10", "EUR"),
            issued_on=date(2026, 9, 1),
            due_on=date(2026, 10, 1),
        ),
        cc.Invoice(
            id="B",
            amount=cc.Money("20", "EUR"),
            issued_on=date(2026, 9, 1),
            due_on=date(2026, 10, 20),
        ),
    ]
    campaign = cc.Campaign(
        "g",
        steps=[cc.Step("r", cc.after_due(days=3), cc.EMAIL)],
        policy=open_policy(),
        grouping="invoice",
    )
    at = datetime(2026, 10, 10, tzinfo=UTC)
    plan = campaign.plan(make_case(invoices=invoices), at=at)
    assert [a.invoice_ids for a in plan.due] == [("A",)]
    assert [a.invoice_ids for a in plan.upcoming] == [("B",)]
    case = make_case(invoices=invoices, history=[sent(plan.due[0])])
    later = campaign.plan(case, at=at)
    assert later.due == ()
    assert [a.invoice_ids for a in later.upcoming] == [("B",)]


def test_templates_default_to_stage_names(campaign: cc.Campaign) -> None:
    """Pre-due, reminder, call and final notice stage names; an explicit template wins."""
    names = {s.id: campaign.template_of(s) for s in campaign.steps}
    assert names == {
        "pre-due": "pre_due",
        "reminder-1": "reminder",
        "reminder-2": "reminder",
        "reminder-3": "reminder",
        "final": "reminder",
        "call": "call",
    }
    last = cc.Campaign(
        "t",
        steps=[
            cc.Step("a", cc.after_due(days=1), cc.EMAIL),
            cc.Step("b", cc.after_due(days=9), cc.LETTER),
        ],
    )
    assert last.template_of(last.steps[1]) == "final_notice"
    custom = cc.Step("a", cc.after_due(days=1), cc.EMAIL, template="gentle")
    assert cc.Campaign("t", steps=[custom]).template_of(custom) == "gentle"


def test_explain_lists_every_decision(campaign: cc.Campaign) -> None:
    """The explanation names the status, the due and upcoming actions and skipped steps."""
    text = campaign.plan(make_case(), at=datetime(2026, 11, 3, 9, tzinfo=UTC)).explain()
    assert text.startswith("case C-1 at 2026-11-03 10:00 Europe/Berlin: active in b2c-standard@1")
    assert "due now: reminder-1 via email" in text
    assert "skipped pre-due: expired" in text
    assert "plan again at" in text


def test_naive_time_is_refused(campaign: cc.Campaign) -> None:
    """Planning needs an aware time."""
    with pytest.raises(cc.ConfigurationError, match="time zone"):
        campaign.plan(make_case(), at=datetime(2026, 11, 3))  # noqa: DTZ001


def test_fast_built_actions_equal_validated_ones(campaign: cc.Campaign) -> None:
    """Actions built without validation are exactly what pydantic would build."""
    plan = campaign.plan(make_case(), at=datetime(2026, 10, 1, tzinfo=UTC))
    for action in plan.upcoming:
        again = cc.Action.model_validate(action.model_dump())
        assert again == action
        assert again.model_dump_json() == action.model_dump_json()


def test_next_only_mode_stops_after_the_first_future_action(campaign: cc.Campaign) -> None:
    """``upcoming=False`` plans what is due plus the next action, for schedulers."""
    at = datetime(2026, 11, 3, 9, tzinfo=UTC)
    full, short = (
        campaign.plan(make_case(), at=at),
        campaign.plan(make_case(), at=at, upcoming=False),
    )
    assert short.due == full.due
    assert short.upcoming == full.upcoming[:1]
    assert short.next_at == full.next_at
