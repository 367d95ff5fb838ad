"""Experiment statistics against values worked out by hand from the textbook formulas."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditcomms as cc
from creditcomms.analytics import (
    MIN_TRIALS,
    compare_proportions,
    compare_variants,
    wilson_interval,
)


class TestWilson:
    """Wilson score intervals."""

    @pytest.mark.parametrize(
        ("successes", "trials", "low", "high"),
        [
            (8, 10, 0.490, 0.943),  # the classic example
            (0, 10, 0.000, 0.278),  # upper bound z²/(n + z²)
            (10, 10, 0.722, 1.000),
            (50, 100, 0.404, 0.596),
        ],
    )
    def test_known_values(self, successes: int, trials: int, low: float, high: float) -> None:
        """The 95% interval matches the hand-computed bounds to three decimals."""
        interval = wilson_interval(successes, trials)
        assert (round(interval.low, 3), round(interval.high, 3)) == (low, high)

    def test_confidence_widens(self) -> None:
        """A 99% interval contains the 95% one."""
        narrow, wide = wilson_interval(8, 10), wilson_interval(8, 10, confidence=0.99)
        assert wide.low < narrow.low < narrow.high < wide.high

    def test_no_trials(self) -> None:
        """Without trials nothing is known: (0, 1)."""
        assert (wilson_interval(0, 0).low, wilson_interval(0, 0).high) == (0.0, 1.0)

    @given(data=st.data(), trials=st.integers(min_value=1, max_value=10_000))
    def test_contains_the_rate(self, data: st.DataObject, trials: int) -> None:
        """For any counts the interval lies in [0, 1] and contains the observed rate."""
        successes = data.draw(st.integers(min_value=0, max_value=trials))
        interval = wilson_interval(successes, trials)
        assert 0.0 <= interval.low <= successes / trials <= interval.high <= 1.0

    @pytest.mark.parametrize(("successes", "trials"), [(11, 10), (-1, 10), (0, -1)])
    def test_impossible_counts(self, successes: int, trials: int) -> None:
        """Counts outside 0 <= successes <= trials are refused."""
        with pytest.raises(cc.ConfigurationError, match="0 <= successes <= trials"):
            wilson_interval(successes, trials)

    def test_bad_confidence(self) -> None:
        """A confidence outside (0, 1) is refused."""
        with pytest.raises(cc.ConfigurationError, match="confidence=95"):
            wilson_interval(1, 2, confidence=95)


class TestTwoProportions:
    """The pooled two-proportion z-test: 45/100 against 60/100."""

    def test_known_values(self) -> None:
        """Z = 0.15 / sqrt(0.525 * 0.475 * 0.02) = 2.124, p = 0.0337, h = 0.3016."""
        result = compare_proportions((45, 100), (60, 100))
        assert result.enough_data
        assert result.z == pytest.approx(2.1240, abs=1e-4)
        assert result.p_value == pytest.approx(0.0337, abs=1e-4)
        assert result.difference == pytest.approx(0.15)
        assert result.relative_lift == pytest.approx(0.15 / 0.45)
        assert result.cohens_h == pytest.approx(
            2 * math.asin(math.sqrt(0.6)) - 2 * math.asin(math.sqrt(0.45))
        )
        assert result.cohens_h == pytest.approx(0.3016, abs=1e-4)
        assert result.significant
        assert result.verdict == "B is better than A by 15.0 points (p = 0.034)"

    def test_difference_interval(self) -> None:
        """0.15 ± 1.96 * sqrt(0.45*0.55/100 + 0.6*0.4/100) = (0.0132, 0.2868)."""
        interval = compare_proportions((45, 100), (60, 100)).difference_interval
        assert interval is not None
        assert (round(interval.low, 4), round(interval.high, 4)) == (0.0132, 0.2868)

    def test_not_significant(self) -> None:
        """50/100 against 55/100: z = 0.05 / 0.07062 = 0.708, p = 0.479, not significant."""
        result = compare_proportions((50, 100), (55, 100))
        assert not result.significant
        assert result.p_value == pytest.approx(0.4790, abs=1e-4)
        assert result.verdict.startswith("no significant difference")

    def test_too_few_cases(self) -> None:
        """Below MIN_TRIALS cases per variant the answer is 'not enough data yet'."""
        result = compare_proportions((3, 20), (10, MIN_TRIALS - 1))
        assert not result.enough_data
        assert not result.significant
        assert (result.z, result.p_value, result.difference_interval) == (None, None, None)
        assert result.verdict.startswith("not enough data yet: A has 20 cases (needs 30)")
        assert result.difference == pytest.approx(10 / 29 - 3 / 20)

    def test_too_few_failures(self) -> None:
        """With almost everyone paying, too few expected failures also means 'not enough'."""
        result = compare_proportions((39, 40), (40, 40))
        assert result.verdict.startswith("not enough data yet")
        assert "expects fewer than 5" in result.verdict


class TestCompareVariants:
    """Every variant against the control."""

    def test_winner(self) -> None:
        """B beats the control A; C is no better."""
        result = compare_variants({"A": (45, 100), "B": (60, 100), "C": (47, 100)})
        assert result.control == "A"
        assert result.winner == "B"
        assert [c.variant for c in result.comparisons] == ["B", "C"]
        rows = result.rows()
        assert rows[0]["verdict"] == "control"
        assert rows[1]["significant"] is True

    def test_chosen_control(self) -> None:
        """Another control can be named; an unknown one is refused."""
        result = compare_variants({"A": (45, 100), "B": (60, 100)}, control="B")
        assert result.winner is None
        assert result.comparisons[0].difference == pytest.approx(-0.15)
        with pytest.raises(cc.ConfigurationError, match="control 'Z'"):
            compare_variants({"A": (1, 2)}, control="Z")
        with pytest.raises(cc.ConfigurationError, match="at least one"):
            compare_variants({})
