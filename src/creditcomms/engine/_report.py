"""What a run did: counts, costs and the reasons behind every skip."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from creditcomms.model import Money, Reason

__all__ = ["RunReport", "SyncReport"]


@dataclass
class RunReport:
    """The result of one `Engine.run_due` call.

    ``skipped`` counts skips by reason code; ``costs`` sums message costs per currency.
    """

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    fallbacks: int = 0
    rescheduled: int = 0
    uncertain: int = 0
    """Claims whose earlier attempt may have reached the provider (sent again by key)."""
    skipped: Counter[str] = field(default_factory=Counter)
    sent_by_channel: Counter[str] = field(default_factory=Counter)
    costs: dict[str, Money] = field(default_factory=dict)
    failures: list[Reason] = field(default_factory=list)

    def add_cost(self, cost: Money | None) -> None:
        """Add one message's cost to the per-currency total."""
        if cost is None:
            return
        current = self.costs.get(cost.currency)
        self.costs[cost.currency] = cost if current is None else current + cost

    def merge(self, other: RunReport) -> None:
        """Add another report's figures to this one (for loops over many runs)."""
        self.claimed += other.claimed
        self.sent += other.sent
        self.failed += other.failed
        self.fallbacks += other.fallbacks
        self.rescheduled += other.rescheduled
        self.uncertain += other.uncertain
        self.skipped.update(other.skipped)
        self.sent_by_channel.update(other.sent_by_channel)
        for cost in other.costs.values():
            self.add_cost(cost)
        self.failures.extend(other.failures)

    def summary(self) -> str:
        """One line for logs and the command line."""
        costs = ", ".join(str(c) for c in self.costs.values()) or "0"
        skipped = sum(self.skipped.values())
        return (
            f"claimed {self.claimed}, sent {self.sent} (fallbacks {self.fallbacks}),"
            f" failed {self.failed}, skipped {skipped}, rescheduled {self.rescheduled},"
            f" cost {costs}"
        )


@dataclass
class SyncReport:
    """The result of `Engine.sync`: how many cases were enrolled, planned, stopped."""

    cases: int = 0
    enrolled: int = 0
    actions_planned: int = 0
    stopped: int = 0
    dropped: int = 0
    """With ``full=True``: stored cases the sync no longer listed, stopped."""
