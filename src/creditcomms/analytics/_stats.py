"""Experiment statistics: Wilson intervals and the two-proportion z-test.

"Not enough data yet" is a result, not an error. A comparison is only tested when both
variants have at least `MIN_TRIALS` cases and, at the pooled rate, at least `MIN_EXPECTED`
expected successes and failures each: below that the normal approximation behind the z-test
is not trustworthy, and the result says which variant lacks what.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from statistics import NormalDist
from typing import Any, ClassVar

from pydantic import Field

from creditcomms.errors import ConfigurationError
from creditcomms.model import Model

from ._tables import Table

__all__ = [
    "MIN_EXPECTED",
    "MIN_TRIALS",
    "Comparison",
    "Experiment",
    "Interval",
    "VariantStats",
    "compare_proportions",
    "compare_variants",
    "wilson_interval",
]

MIN_TRIALS = 30
"""Fewest cases per variant before a comparison is tested."""
MIN_EXPECTED = 5
"""Fewest expected successes and failures per variant (at the pooled rate) before testing."""


class Interval(Model):
    """A confidence interval for a rate or a difference of rates."""

    low: float
    high: float
    confidence: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ConfigurationError(f"confidence={confidence} must be between 0 and 1, e.g. 0.95")
    return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def _check_counts(successes: int, trials: int, name: str = "") -> None:
    if trials < 0 or not 0 <= successes <= trials:
        raise ConfigurationError(
            f"{name or 'counts'}: successes={successes}, trials={trials};"
            " need 0 <= successes <= trials"
        )


def wilson_interval(successes: int, trials: int, /, *, confidence: float = 0.95) -> Interval:
    """The Wilson score interval of a success rate; ``(0, 1)`` when there are no trials.

    Examples:
        >>> i = wilson_interval(8, 10)
        >>> round(i.low, 3), round(i.high, 3)
        (0.49, 0.943)
    """
    _check_counts(successes, trials)
    z = _z(confidence)
    if trials == 0:
        return Interval(low=0.0, high=1.0, confidence=confidence)
    p = successes / trials
    scale = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / scale
    half = z / scale * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    # At 0 and n successes the exact bound is 0 or 1; floating point would miss it by 1e-16.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Interval(low=low, high=high, confidence=confidence)


class Comparison(Model):
    """Variant B against control A: difference, interval, z-test and effect size.

    ``z``, ``p_value`` and ``difference_interval`` are ``None`` while `enough_data` is false.
    """

    control: str
    variant: str
    control_rate: float
    variant_rate: float
    difference: float
    """``variant_rate - control_rate``, in rate points (0.05 = five percentage points)."""
    relative_lift: float | None
    """``difference / control_rate``; ``None`` when the control rate is 0."""
    cohens_h: float
    """Effect size for proportions: 0.2 small, 0.5 medium, 0.8 large."""
    difference_interval: Interval | None
    z: float | None
    p_value: float | None
    enough_data: bool
    significant: bool
    verdict: str
    """One sentence for people, including "not enough data yet" and what is missing."""


def _shortfall(name: str, trials: int, pooled: float) -> str | None:
    if trials < MIN_TRIALS:
        return f"{name} has {trials} cases (needs {MIN_TRIALS})"
    if min(trials * pooled, trials * (1 - pooled)) < MIN_EXPECTED:
        return f"{name} expects fewer than {MIN_EXPECTED} successes or failures"
    return None


def _rate(counts: tuple[int, int]) -> float:
    return counts[0] / counts[1] if counts[1] else 0.0


def _estimates(
    names: tuple[str, str], control: tuple[int, int], variant: tuple[int, int]
) -> dict[str, Any]:
    pa, pb = _rate(control), _rate(variant)
    return {
        "control": names[0],
        "variant": names[1],
        "control_rate": pa,
        "variant_rate": pb,
        "difference": pb - pa,
        "relative_lift": (pb - pa) / pa if pa else None,
        "cohens_h": 2 * math.asin(math.sqrt(pb)) - 2 * math.asin(math.sqrt(pa)),
    }


def _z_test(
    control: tuple[int, int], variant: tuple[int, int], pooled: float, confidence: float
) -> dict[str, Any]:
    (pa, na), (pb, nb) = (_rate(control), control[1]), (_rate(variant), variant[1])
    z = (pb - pa) / math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    p_value = 2.0 * (1.0 - NormalDist().cdf(abs(z)))
    half = _z(confidence) * math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    interval = Interval(low=pb - pa - half, high=pb - pa + half, confidence=confidence)
    return {"z": z, "p_value": p_value, "difference_interval": interval}


def compare_proportions(
    control: tuple[int, int],
    variant: tuple[int, int],
    /,
    *,
    names: tuple[str, str] = ("A", "B"),
    confidence: float = 0.95,
) -> Comparison:
    """Compare two success rates given as ``(successes, trials)``: is B different from A?

    The test is the two-sided two-proportion z-test with the pooled standard error; the
    interval of the difference uses the unpooled (Wald) standard error.
    """
    _check_counts(*control, names[0])
    _check_counts(*variant, names[1])
    _z(confidence)
    trials = control[1] + variant[1]
    pooled = (control[0] + variant[0]) / trials if trials else 0.0
    estimates = _estimates(names, control, variant)
    missing = [
        m
        for m in (
            _shortfall(names[0], control[1], pooled),
            _shortfall(names[1], variant[1], pooled),
        )
        if m
    ]
    if missing:
        return Comparison(
            **estimates,
            difference_interval=None,
            z=None,
            p_value=None,
            enough_data=False,
            significant=False,
            verdict="not enough data yet: " + "; ".join(missing),
        )
    test = _z_test(control, variant, pooled, confidence)
    significant = test["p_value"] < 1.0 - confidence
    verdict = _verdict(names, estimates["difference"], test["p_value"], significant=significant)
    return Comparison(
        **estimates, **test, enough_data=True, significant=significant, verdict=verdict
    )


def _verdict(
    names: tuple[str, str], difference: float, p_value: float, *, significant: bool
) -> str:
    if not significant:
        return f"no significant difference between {names[1]} and {names[0]} (p = {p_value:.3f})"
    better = "better" if difference > 0 else "worse"
    return (
        f"{names[1]} is {better} than {names[0]} by {abs(difference) * 100:.1f} points"
        f" (p = {p_value:.3f})"
    )


class VariantStats(Model):
    """One variant's cases, successes, rate and Wilson interval."""

    variant: str
    trials: int = Field(ge=0)
    successes: int = Field(ge=0)
    rate: float
    interval: Interval


class Experiment(Model, Table):
    """Every variant's rate with its interval, and each variant compared with the control."""

    control: str
    variants: tuple[VariantStats, ...]
    comparisons: tuple[Comparison, ...]

    columns: ClassVar[tuple[str, ...]] = (
        "variant",
        "trials",
        "successes",
        "rate",
        "low",
        "high",
        "difference",
        "p_value",
        "significant",
        "verdict",
    )

    @property
    def winner(self) -> str | None:
        """The variant significantly better than the control with the highest rate, if any."""
        better = [c for c in self.comparisons if c.significant and c.difference > 0]
        return max(better, key=lambda c: c.variant_rate).variant if better else None

    def rows(self) -> list[dict[str, Any]]:
        """One row per variant; the control's comparison columns are empty."""
        by_variant = {c.variant: c for c in self.comparisons}
        rows = []
        for v in self.variants:
            c = by_variant.get(v.variant)
            rows.append(
                {
                    "variant": v.variant,
                    "trials": v.trials,
                    "successes": v.successes,
                    "rate": v.rate,
                    "low": v.interval.low,
                    "high": v.interval.high,
                    "difference": c.difference if c else None,
                    "p_value": c.p_value if c else None,
                    "significant": c.significant if c else None,
                    "verdict": c.verdict if c else "control",
                }
            )
        return rows


def compare_variants(
    counts: Mapping[str, tuple[int, int]],
    /,
    *,
    control: str | None = None,
    confidence: float = 0.95,
) -> Experiment:
    """Compare every variant with the control; ``counts`` maps variant to (successes, trials).

    Examples:
        >>> result = compare_variants({"A": (45, 100), "B": (60, 100)})
        >>> result.winner, round(result.comparisons[0].p_value, 4)
        ('B', 0.0337)
    """
    if not counts:
        raise ConfigurationError("compare_variants needs at least one variant's counts")
    names = list(counts)
    control = names[0] if control is None else control
    if control not in counts:
        raise ConfigurationError(f"control {control!r} is not among the variants {names}")
    stats = tuple(
        VariantStats(
            variant=name,
            trials=n,
            successes=x,
            rate=x / n if n else 0.0,
            interval=wilson_interval(x, n, confidence=confidence),
        )
        for name, (x, n) in counts.items()
    )
    comparisons = tuple(
        compare_proportions(
            counts[control], counts[name], names=(control, name), confidence=confidence
        )
        for name in names
        if name != control
    )
    return Experiment(control=control, variants=stats, comparisons=comparisons)
