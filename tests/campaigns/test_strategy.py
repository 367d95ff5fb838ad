"""Strategy: first matching segment wins, A/B variants, explanations and pinned versions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from campaign_kit import make_case, open_policy, record

import creditcomms as cc
from creditcomms import rules

AT = datetime(2026, 11, 3, 9, tzinfo=UTC)


def _campaign(campaign_id: str, *, version: int = 1, channel: cc.Channel = cc.EMAIL) -> cc.Campaign:
    return cc.Campaign(
        campaign_id,
        version=version,
        steps=[
            cc.Step("r1", cc.after_due(days=3), channel),
            cc.Step("r2", cc.after_previous(days=7), channel),
        ],
        policy=open_policy(),
    )


GENTLE, FIRM, DEFAULT = (
    _campaign("gentle"),
    _campaign("firm", channel=cc.LETTER),
    _campaign("default"),
)


def test_first_matching_segment_wins() -> None:
    """Segments are tried in order; the first match decides; others fall to the default."""
    strategy = cc.Strategy(
        [
            (cc.Segment("big", rules.open_amount() >= "1000 EUR"), FIRM),
            (cc.Segment("late", rules.days_past_due() >= 1), GENTLE),
        ],
        default=DEFAULT,
    )
    assert strategy.assign(make_case(amount="5000"), at=AT).campaign is FIRM
    small = strategy.assign(make_case(), at=AT)
    assert (small.campaign, small.segment) == (GENTLE, "late")
    assert [r.code for r in small.reasons] == ["segment_skipped", "segment"]
    early = strategy.assign(make_case(), at=datetime(2026, 10, 1, tzinfo=UTC))
    assert (early.campaign, early.segment) == (DEFAULT, None)


def test_plan_carries_segment_and_reasons() -> None:
    """The plan and its actions name the segment; the plan explains the assignment."""
    strategy = cc.Strategy([(cc.Segment("late", rules.days_past_due() >= 1), GENTLE)])
    plan = strategy.plan(make_case(), at=AT)
    assert (plan.campaign_id, plan.segment) == ("gentle", "late")
    assert plan.due[0].segment == "late"
    assert "matches segment 'late'" in plan.explain()


def test_unassigned_without_default() -> None:
    """No match and no default: the plan says so and holds nothing."""
    strategy = cc.Strategy([(cc.Segment("vip", rules.tag("vip")), GENTLE)])
    plan = strategy.plan(make_case(), at=AT)
    assert plan.status == "unassigned"
    assert plan.actions == ()


def test_split_variants_are_sticky_and_stamped() -> None:
    """A split segment sends each case to its variant's campaign, the same every time."""
    split = cc.Split({"A": 50, "B": 50}, salt="q4")
    strategy = cc.Strategy(
        [(cc.Segment("all", rules.days_past_due() >= -100), split, {"A": GENTLE, "B": FIRM})]
    )
    seen = set()
    for i in range(40):
        case = make_case(case_id=f"C-{i}")
        plan = strategy.plan(case, at=AT)
        assert plan.variant == split.assign(case.id)
        assert plan.campaign_id == ("gentle" if plan.variant == "A" else "firm")
        assert all(a.variant == plan.variant for a in plan.actions)
        seen.add(plan.variant)
    assert seen == {"A", "B"}
    variants = cc.Variants(split, {"A": GENTLE, "B": FIRM})
    assert cc.Strategy([], default=variants).plan(make_case(), at=AT).variant == split.assign("C-1")


def test_a_case_keeps_the_version_it_started_with() -> None:
    """Version 2 is current, but a case with version-1 history stays on version 1."""
    v1, v2 = _campaign("std", version=1), _campaign("std", version=2, channel=cc.LETTER)
    strategy = cc.Strategy([], default=v2, archive=[v1])
    started = make_case(history=[record(v1, "r1", AT)])
    plan = strategy.plan(started, at=AT)
    assert (plan.campaign_version, plan.upcoming[0].channel) == (1, "email")
    assert "version_pinned" in [r.code for r in plan.reasons]
    migrated = strategy.plan(started, at=AT, pinned={"std": 2})
    assert (migrated.campaign_version, migrated.upcoming[0].step_id) == (2, "r2")
    assert strategy.plan(make_case(), at=AT).campaign_version == 2


def test_unknown_started_version_is_an_error() -> None:
    """A case on a version the strategy does not know raises, naming the fix."""
    v1, v2 = _campaign("std", version=1), _campaign("std", version=2)
    strategy = cc.Strategy([], default=v2)
    with pytest.raises(cc.CampaignDefinitionError, match="archive"):
        strategy.plan(make_case(history=[record(v1, "r1", AT)]), at=AT)


@pytest.mark.parametrize(
    "entries",
    [
        [(rules.tag("x"), GENTLE)],
        [(cc.Segment("a", rules.tag("x")), "gentle")],
        [(cc.Segment("a", rules.tag("x")),)],
        [(cc.Segment("a", rules.tag("x")), GENTLE), (cc.Segment("a", rules.tag("y")), FIRM)],
        [(cc.Segment("a", rules.tag("x")), cc.Split({"A": 1}, salt="s"), {"B": GENTLE})],
        [
            (cc.Segment("a", rules.tag("x")), GENTLE),
            (cc.Segment("b", rules.tag("y")), _campaign("gentle")),
        ],
    ],
)
def test_bad_strategies_are_refused(entries: list[object]) -> None:
    """Bare rules, unknown targets, duplicate names, mismatched variants and clashing ids."""
    with pytest.raises(cc.CampaignDefinitionError):
        cc.Strategy(entries)


def test_strategy_batches_equal_single_plans() -> None:
    """``Strategy.plan_many`` gives the plans of ``Strategy.plan``, variants and pins included."""
    v1, v2 = _campaign("std", version=1), _campaign("std", version=2, channel=cc.LETTER)
    split = cc.Split({"A": 1, "B": 1}, salt="s")
    strategy = cc.Strategy(
        [(cc.Segment("late", rules.days_past_due() >= 2), split, {"A": GENTLE, "B": FIRM})],
        default=v2,
        archive=[v1],
    )
    cases = [make_case(case_id=f"C-{i}") for i in range(12)]
    cases += [make_case(case_id="C-old", history=[record(v1, "r1", AT, case_id="C-old")])]
    for at in (AT, datetime(2026, 10, 2, tzinfo=UTC)):
        assert list(strategy.plan_many(cases, at=at)) == [strategy.plan(c, at=at) for c in cases]
    assert next(iter(cc.Strategy([]).plan_many(cases[:1], at=AT))).status == "unassigned"
