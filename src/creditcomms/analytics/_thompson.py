"""An adaptive split: Thompson sampling over variants, per segment, with minimum exploration."""

from __future__ import annotations

import random
from collections.abc import Sequence

from creditcomms.errors import ConfigurationError
from creditcomms.model import Model

__all__ = ["Arm", "ThompsonSplit"]


class Arm(Model):
    """What is known about one variant in one segment."""

    variant: str
    successes: int = 0
    failures: int = 0
    assigned: int = 0
    """How many keys were assigned to it."""

    @property
    def trials(self) -> int:
        """Outcomes reported through `ThompsonSplit.update`."""
        return self.successes + self.failures


class ThompsonSplit:
    """Assign keys to variants, sending more traffic to the variant that converts best.

    Each variant's success rate has a Beta posterior (uniform prior). To assign a key, with
    probability ``min_share * len(variants)`` a variant is drawn uniformly (exploration, so
    every variant keeps at least ``min_share`` of new traffic); otherwise each posterior is
    sampled once and the highest draw wins. Segments learn separately.

    Assignment is deterministic: the draw for a key depends only on ``seed``, the segment,
    the key and the number of outcomes reported in that segment so far. With ``sticky`` (the
    default) a key keeps its first variant, as an A/B test requires.

    Use it where a ``Split`` is used: ``assign(key) -> variant``, then report outcomes with
    ``update(variant, success)``.

    Examples:
        >>> split = ThompsonSplit(["friendly", "firm"], seed=1, min_share=0.1)
        >>> for _ in range(200):
        ...     split.update("firm", True)
        ...     split.update("friendly", False)
        >>> sum(split.assign(f"case-{i}") == "firm" for i in range(1000)) > 850
        True
    """

    def __init__(
        self,
        variants: Sequence[str],
        /,
        *,
        seed: int = 0,
        min_share: float = 0.05,
        sticky: bool = True,
    ) -> None:
        names = list(variants)
        if len(names) < 2 or len(set(names)) != len(names):
            raise ConfigurationError(
                f"ThompsonSplit needs at least two distinct variants, got {names}"
            )
        if not 0.0 <= min_share <= 1.0 / len(names):
            raise ConfigurationError(
                f"min_share={min_share} must be between 0 and 1/{len(names)}"
                f" (= {1 / len(names):.3f}) for {len(names)} variants"
            )
        self.variants = tuple(names)
        self.seed = seed
        self.min_share = min_share
        self.sticky = sticky
        self._arms: dict[str, dict[str, list[int]]] = {}
        self._assigned: dict[tuple[str, str], str] = {}

    def _segment(self, segment: str) -> dict[str, list[int]]:
        return self._arms.setdefault(segment, {v: [0, 0, 0] for v in self.variants})

    def assign(self, key: str, /, *, segment: str = "") -> str:
        """The variant for ``key`` (a case id) in ``segment``."""
        if self.sticky and (segment, key) in self._assigned:
            return self._assigned[(segment, key)]
        arms = self._segment(segment)
        observed = sum(a[0] + a[1] for a in arms.values())
        rng = random.Random(f"{self.seed}\x1f{segment}\x1f{key}\x1f{observed}")  # noqa: S311
        if rng.random() < self.min_share * len(self.variants):
            variant = rng.choice(self.variants)
        else:
            draws = {v: rng.betavariate(1 + a[0], 1 + a[1]) for v, a in arms.items()}
            variant = max(self.variants, key=draws.__getitem__)
        arms[variant][2] += 1
        if self.sticky:
            self._assigned[(segment, key)] = variant
        return variant

    def update(self, variant: str, success: bool, /, *, segment: str = "") -> None:
        """Report one outcome (the case paid or not) for ``variant`` in ``segment``."""
        if variant not in self.variants:
            raise ConfigurationError(
                f"unknown variant {variant!r}; this split has {', '.join(self.variants)}"
            )
        self._segment(segment)[variant][0 if success else 1] += 1

    def arms(self, segment: str = "", /) -> tuple[Arm, ...]:
        """What is known about each variant in ``segment``."""
        return tuple(
            Arm(variant=v, successes=a[0], failures=a[1], assigned=a[2])
            for v, a in self._segment(segment).items()
        )

    def win_probabilities(self, segment: str = "", /, *, draws: int = 4000) -> dict[str, float]:
        """The posterior probability that each variant is the best (Monte Carlo, seeded)."""
        arms = self._segment(segment)
        rng = random.Random(f"{self.seed}\x1f{segment}\x1fwin")  # noqa: S311
        wins = dict.fromkeys(self.variants, 0)
        for _ in range(draws):
            samples = {v: rng.betavariate(1 + a[0], 1 + a[1]) for v, a in arms.items()}
            wins[max(self.variants, key=samples.__getitem__)] += 1
        return {v: wins[v] / draws for v in self.variants}
