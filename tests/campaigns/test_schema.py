"""Campaign definitions as JSON and YAML: round trips and helpful errors."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta

import pytest
from campaign_kit import make_case, six_steps

import creditcomms as cc
from creditcomms.campaigns import campaign_from_dict, campaign_to_dict


def _full() -> cc.Campaign:
    policy = cc.ContactPolicy(
        window=cc.SendWindow("08:00", "20:00", weekdays="mon-sat"),
        calendar=cc.Calendar("DE", subdivision="BY"),
        calendars={"AT": cc.Calendar("AT")},
        min_gap=timedelta(hours=36),
        caps=[cc.Cap(cc.SMS, 2, days=7), cc.Cap(None, 5, hours=72)],
        after_conversation=timedelta(days=7),
        opt_out_notice=[cc.EMAIL, cc.SMS],
    )
    steps = [
        *six_steps().steps,
        cc.Step(
            "extra",
            cc.after_due(days=60) & cc.balance_at_least("500 EUR"),
            cc.SMS,
            repeat=cc.Repeat(every=timedelta(days=7), times=3),
            critical=True,
            max_segments=2,
            template="last_call",
        ),
    ]
    guards = cc.Guards(stop_below=("5.00 EUR",), on_dispute="stop", promise_grace_days=2)
    return cc.Campaign(
        "full",
        version=3,
        steps=steps,
        policy=policy,
        guards=guards,
        name="Full",
        grouping="invoice",
    )


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_round_trip_gives_the_same_plans(fmt: str) -> None:
    """Dump and load give an equal definition that plans exactly the same actions."""
    original = _full()
    text = cc.dump_campaign(original, format=fmt)
    loaded = cc.load_campaign(text, format=fmt)
    assert campaign_to_dict(loaded) == campaign_to_dict(original)
    at = datetime(2026, 10, 1, tzinfo=UTC)
    assert loaded.plan(make_case(), at=at).actions == original.plan(make_case(), at=at).actions


def _data() -> dict[str, object]:
    return campaign_to_dict(six_steps())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["steps"][1].update(channel="smss"),
            r"steps\[1\].channel: unknown channel 'smss'; did you mean 'sms'",
        ),
        (lambda d: d["steps"][2].update(id="reminder-1"), "step id 'reminder-1' is used twice"),
        (
            lambda d: d["steps"][0].update(trigger={"type": "after_lunch"}),
            r"steps\[0\].trigger.type: 'after_lunch' is not a trigger",
        ),
        (
            lambda d: d["steps"][0].update(trigger={"type": "after_due"}),
            "needs days or business_days",
        ),
        (lambda d: d["steps"][0].update(colour="red"), r"steps\[0\]: unknown field 'colour'"),
        (lambda d: d["steps"][0].update(tone="angry"), "tone 'angry' is not one of"),
        (
            lambda d: d["steps"][2]["fallback"].append("pigeon"),
            r"steps\[2\].fallback\[1\]: unknown channel",
        ),
        (
            lambda d: d.update(contacts=["email", "phone"]),
            "uses channel 'whatsapp', which needs a whatsapp",
        ),
        (lambda d: d.update(grouping="household"), "grouping 'household'"),
        (
            lambda d: d["policy"].update(min_gap="2 days"),
            "policy.min_gap: '2 days' is not a duration",
        ),
        (lambda d: d["policy"]["window"].update(start="25:00"), "policy.window"),
        (lambda d: d.pop("steps"), "campaign.steps: required field is missing"),
        (lambda d: d.update(stepz=[]), "did you mean 'steps'"),
    ],
)
def test_definition_errors_name_the_path_and_fix(change: object, message: str) -> None:
    """Each mistake raises CampaignDefinitionError pointing at the field."""
    data = _data()
    change(data)  # type: ignore[operator]
    with pytest.raises(cc.CampaignDefinitionError, match=message):
        campaign_from_dict(data)


def test_fallback_to_a_contact_the_campaign_never_has() -> None:
    """Declared contacts: a fallback needing another contact is refused at definition."""
    with pytest.raises(cc.CampaignDefinitionError, match="fallback 'letter'"):
        cc.Campaign(
            "c",
            steps=[cc.Step("a", cc.after_due(days=1), cc.SMS, fallback=[cc.LETTER])],
            contacts=["phone"],
        )


def test_invalid_json_and_custom_channels() -> None:
    """Broken JSON is a definition error; custom channels load by name."""
    with pytest.raises(cc.CampaignDefinitionError, match="not valid JSON"):
        cc.load_campaign("{")
    fax = cc.Channel(name="fax", contact="address")
    data = {"id": "f", "steps": [{"id": "a", "trigger": {"type": "at_due"}, "channel": "fax"}]}
    campaign = cc.load_campaign(json.dumps(data), channels={"fax": fax})
    assert campaign.steps[0].channel == fax


def test_yaml_needs_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pyyaml, YAML raises MissingExtraError; JSON keeps working."""
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(cc.MissingExtraError, match=r"creditcomms\[yaml\]"):
        cc.dump_campaign(six_steps(), format="yaml")
    assert cc.load_campaign(cc.dump_campaign(six_steps())).id == "b2c-standard"


@pytest.mark.parametrize(
    "make",
    [
        lambda: cc.Campaign("Bad Id", steps=[cc.Step("a", cc.at_due(), cc.EMAIL)]),
        lambda: cc.Campaign("c", steps=[]),
        lambda: cc.Campaign("c", version=0, steps=[cc.Step("a", cc.at_due(), cc.EMAIL)]),
        lambda: cc.Campaign("c", steps=[cc.Step("a", cc.after_previous(days=1), cc.EMAIL)]),
        lambda: cc.Campaign("c", steps=[cc.Step("a", cc.after_due(business_days=1), cc.EMAIL)]),
        lambda: cc.Step("a:b", cc.at_due(), cc.EMAIL),
        lambda: cc.Step("a", cc.at_due(), cc.EMAIL, also=[cc.EMAIL]),
        lambda: cc.Step("a", cc.at_due(), cc.EMAIL, fallback=[cc.EMAIL]),
        lambda: cc.Step("a", "3 days", cc.EMAIL),
        lambda: cc.Step("a", cc.at_due(), cc.EMAIL, max_segments=0),
    ],
)
def test_code_definitions_are_checked_too(make: object) -> None:
    """Ids, empty campaigns, versions, first-step anchors, calendars and channels are checked."""
    with pytest.raises(cc.CampaignDefinitionError):
        make()  # type: ignore[operator]


def test_hand_written_yaml() -> None:
    """A campaign written by hand in YAML loads with its policy and guards."""
    text = """
id: gentle
version: 2
steps:
  - id: nudge
    trigger: {type: after_due, days: 5}
    channel: email
    tone: friendly
  - id: letter
    trigger: {type: after_previous, business_days: 10}
    channel: letter
    repeat: {every: 14d, times: 1}
policy:
  window: {start: "09:00", end: "18:00", weekdays: mon-fri}
  calendar: {country: NL}
  min_gap: 3d
  caps: [{channel: letter, limit: 1, days: 14}]
guards:
  stop_below: ["2.00 EUR"]
  on_dispute: stop
"""
    campaign = cc.load_campaign(text, format="yaml")
    assert (campaign.id, campaign.version, [s.id for s in campaign.steps]) == (
        "gentle",
        2,
        ["nudge", "letter"],
    )
    assert campaign.policy.window is not None
    assert campaign.policy.window.describe() == "09:00-18:00 mon-fri"
    assert campaign.guards.on_dispute == "stop"
    with pytest.raises(cc.CampaignDefinitionError, match="not valid YAML"):
        cc.load_campaign("id: [unclosed", format="yaml")
    with pytest.raises(cc.ConfigurationError, match="format"):
        cc.load_campaign("{}", format="toml")
