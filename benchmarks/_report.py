"""Timing and printing helpers shared by the benchmark modules."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure: how many items in how many seconds."""

    label: str
    items: int
    seconds: float

    @property
    def rate(self) -> float:
        """Items per second."""
        return self.items / self.seconds if self.seconds else float("inf")


def measure(label: str, items: int, run: Callable[[], object], *, repeat: int = 3) -> Figure:
    """Run ``run`` ``repeat`` times and keep the fastest (least disturbed) run."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return Figure(label, items, best)


def compare(title: str, ours: Figure, baseline: Figure, *, unit: str = "items") -> None:
    """Print our figure, the baseline's, and the ratio (above 1.0 means we are faster)."""
    ratio = ours.rate / baseline.rate if baseline.rate else float("inf")
    print(f"\n== {title}")
    print(
        f"  {ours.label:<44} {ours.rate:>12,.0f} {unit}/s  ({ours.items:,} in {ours.seconds:.3f} s)"
    )
    print(
        f"  {baseline.label:<44} {baseline.rate:>12,.0f} {unit}/s"
        f"  ({baseline.items:,} in {baseline.seconds:.3f} s)"
    )
    print(f"  ratio: {ratio:.2f}x")


def single(title: str, figure: Figure, *, unit: str = "items", note: str = "") -> None:
    """Print a figure that has no baseline (with a note saying why or what it targets)."""
    print(f"\n== {title}")
    print(
        f"  {figure.label:<44} {figure.rate:>12,.0f} {unit}/s"
        f"  ({figure.items:,} in {figure.seconds:.3f} s)"
    )
    if note:
        print(f"  {note}")
