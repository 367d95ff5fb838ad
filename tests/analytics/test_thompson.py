"""The adaptive split: learns the better variant, keeps exploring, stays deterministic."""

from __future__ import annotations

import random

import pytest

import creditcomms as cc
from creditcomms.analytics import ThompsonSplit


def _train(split: ThompsonSplit, rates: dict[str, float], rounds: int, segment: str = "") -> None:
    """Assign ``rounds`` keys and report outcomes drawn at the true ``rates``."""
    outcomes = random.Random(99)
    for number in range(rounds):
        variant = split.assign(f"{segment}-train-{number}", segment=segment)
        split.update(variant, outcomes.random() < rates[variant], segment=segment)


def _shares(split: ThompsonSplit, keys: int, segment: str = "") -> dict[str, float]:
    picks = [split.assign(f"fresh-{n}", segment=segment) for n in range(keys)]
    return {v: picks.count(v) / keys for v in split.variants}


class TestLearning:
    """Traffic moves to the better variant while every variant keeps its minimum share."""

    def test_shifts_to_the_better_arm(self) -> None:
        """After 2,000 outcomes at 20% vs 40%, most new traffic goes to B."""
        split = ThompsonSplit(["A", "B"], seed=3, min_share=0.1)
        _train(split, {"A": 0.2, "B": 0.4}, 2000)
        shares = _shares(split, 4000)
        assert shares["B"] > 0.8

    def test_keeps_minimum_exploration(self) -> None:
        """Even when B is clearly better, A keeps at least about ``min_share`` of traffic."""
        split = ThompsonSplit(["A", "B"], seed=3, min_share=0.1)
        _train(split, {"A": 0.05, "B": 0.6}, 2000)
        shares = _shares(split, 4000)
        assert shares["A"] >= 0.085

    def test_starts_even(self) -> None:
        """Before any outcome the variants share traffic about equally."""
        shares = _shares(ThompsonSplit(["A", "B", "C"], seed=1), 3000)
        assert all(0.28 < s < 0.39 for s in shares.values())

    def test_segments_learn_separately(self) -> None:
        """B wins in one segment and A in another."""
        split = ThompsonSplit(["A", "B"], seed=5, min_share=0.05)
        _train(split, {"A": 0.1, "B": 0.5}, 1500, segment="late")
        _train(split, {"A": 0.5, "B": 0.1}, 1500, segment="loyal")
        assert _shares(split, 2000, "late")["B"] > 0.8
        assert _shares(split, 2000, "loyal")["A"] > 0.8
        probabilities = split.win_probabilities("late")
        assert probabilities["B"] > 0.99
        assert sum(probabilities.values()) == pytest.approx(1.0)

    def test_arms_report_counts(self) -> None:
        """``arms()`` reports successes, failures and assignments per variant."""
        split = ThompsonSplit(["A", "B"], seed=1)
        split.update("A", True)
        split.update("A", False)
        split.assign("k1")
        arms = {arm.variant: arm for arm in split.arms()}
        assert (arms["A"].successes, arms["A"].failures, arms["A"].trials) == (1, 1, 2)
        assert arms["A"].assigned + arms["B"].assigned == 1


class TestDeterminism:
    """Assignments depend only on the seed, the key and the state."""

    def test_same_seed_same_assignments(self) -> None:
        """Two splits trained alike assign alike."""
        one, two = ThompsonSplit(["A", "B"], seed=7), ThompsonSplit(["A", "B"], seed=7)
        _train(one, {"A": 0.3, "B": 0.35}, 500)
        _train(two, {"A": 0.3, "B": 0.35}, 500)
        assert [one.assign(f"k{n}") for n in range(300)] == [
            two.assign(f"k{n}") for n in range(300)
        ]

    def test_sticky(self) -> None:
        """A key keeps its variant even after the split has learned more."""
        split = ThompsonSplit(["A", "B"], seed=2)
        first = [split.assign(f"k{n}") for n in range(100)]
        _train(split, {"A": 0.0, "B": 1.0}, 500)
        assert [split.assign(f"k{n}") for n in range(100)] == first


class TestBadInput:
    """Impossible configurations are refused with the fix."""

    def test_variants(self) -> None:
        """At least two distinct variants are needed."""
        with pytest.raises(cc.ConfigurationError, match="two distinct"):
            ThompsonSplit(["A", "A"])

    def test_min_share(self) -> None:
        """``min_share`` cannot exceed an equal split."""
        with pytest.raises(cc.ConfigurationError, match="1/3"):
            ThompsonSplit(["A", "B", "C"], min_share=0.4)

    def test_unknown_variant(self) -> None:
        """Reporting an unknown variant is refused."""
        with pytest.raises(cc.ConfigurationError, match="unknown variant 'Z'"):
            ThompsonSplit(["A", "B"]).update("Z", True)
