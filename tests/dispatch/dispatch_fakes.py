"""Test doubles for the dispatcher tests, importable by a name no other test folder uses."""

from __future__ import annotations


class FakeSleep:
    """Records requested waits instead of sleeping, and advances a fake clock."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.now = 0.0

    async def __call__(self, seconds: float) -> None:
        """Record the wait and move the clock."""
        self.waits.append(round(seconds, 6))
        self.now += seconds

    def clock(self) -> float:
        """The fake monotonic clock."""
        return self.now
